"""A small hospital in tenant A: two departments (one with a team), a manager per
department, an employee, an assessor, and a catalogue of three competences."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from support import in_tenant, make_user


@dataclass
class World:
    tenant: object
    admin: object
    manager: object
    other_manager: object
    assessor: object
    employee: object
    chir: object
    chir_team: object
    intern: object
    nurse: object
    colleague: object
    outsider: object
    today: date

    def days(self, n: int) -> date:
        return self.today + timedelta(days=n)


def build_world(tenant) -> World:
    from apps.competences.models import Competence, EvidenceRequirement
    from apps.organisation.models import OrgUnit, Person

    admin = make_user(tenant, roles=("tenant_admin", "manager"), is_staff=True, is_superuser=True,
                      first_name="Ada", last_name="Beheer")
    manager = make_user(tenant, roles=("manager", "employee"), first_name="Ingrid", last_name="de Vries")
    other_manager = make_user(tenant, roles=("manager",), first_name="Otto", last_name="Anders")
    assessor = make_user(tenant, roles=("assessor", "employee"), first_name="Pieter", last_name="Bakker")
    employee = make_user(tenant, roles=("employee",), first_name="Sanne", last_name="Jansen")
    with in_tenant(tenant):
        chir = OrgUnit.objects.create(code="CHIR", name="Chirurgie")
        chir_team = OrgUnit.objects.create(code="CHIR-A", name="Chirurgie team A", kind="team", parent=chir)
        intern = OrgUnit.objects.create(code="INT", name="Interne geneeskunde")
        chir.managers.add(manager)
        intern.managers.add(other_manager)
        nurse = Person.objects.create(personnel_number="1001", first_name="Sanne", last_name="Jansen",
                                      user=employee, org_unit=chir_team, function="Verpleegkundige")
        colleague = Person.objects.create(personnel_number="1002", first_name="Kees", last_name="Klaassen",
                                          org_unit=chir, function="Verpleegkundige")
        outsider = Person.objects.create(personnel_number="2001", first_name="Olga", last_name="Overveld",
                                         org_unit=intern, function="Verpleegkundige")
        kath = Competence.objects.create(code="KATH", name="Katheteriseren", category="reserved",
                                         practice_count=3, practice_months=12, warning_days=60,
                                         authorised_professions=["nurse"])
        EvidenceRequirement.objects.create(competence=kath, kind="theory", validity_months=24)
        EvidenceRequirement.objects.create(competence=kath, kind="practical", validity_months=24)
        inj = Competence.objects.create(code="INJ-SC", name="Injecteren s.c.", category="reserved")
        EvidenceRequirement.objects.create(competence=inj, kind="elearning", validity_months=12)
        bls = Competence.objects.create(code="BLS", name="Reanimatie", category="risky", warning_days=30)
        EvidenceRequirement.objects.create(competence=bls, kind="certificate", validity_months=12)
    return World(tenant, admin, manager, other_manager, assessor, employee, chir, chir_team, intern, nurse,
                 colleague, outsider, timezone.localdate())


@pytest.fixture
def world(tenant_a):
    return build_world(tenant_a)
