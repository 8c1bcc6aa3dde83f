"""Committed seed data for the browser journeys, written through the apps' services.

Every helper runs inside `in_tenant(...)`; the journeys are transactional tests, so what is
written here is committed and the live server process sees it.
"""
from __future__ import annotations

import datetime as dt

from support import in_tenant, make_user

PASSWORD = "pw-123456!"


def tenant_admin(tenant):
    return make_user(tenant, roles=("tenant_admin",), first_name="Fiona", last_name="Beheer")


def care_unit(tenant, admin, code="AFD-1", name="Afdeling Chirurgie"):
    with in_tenant(tenant):
        from apps.organisation.services import org_unit_upsert

        unit, _ = org_unit_upsert(code=code, name=name, by=admin)
    return unit


def employee(tenant, admin, unit, *, number, first_name, last_name, roles=("employee",)):
    """A login user and the person record linked to it."""
    user = make_user(tenant, roles=roles, first_name=first_name, last_name=last_name,
                     email=f"{first_name.lower()}.{number.lower()}@{tenant.slug}.test")
    with in_tenant(tenant):
        from apps.organisation.services import person_upsert

        person, _ = person_upsert(personnel_number=number, first_name=first_name, last_name=last_name,
                                  email=user.email, org_unit=unit, user=user, by=admin)
    return user, person


def required_competence(tenant, admin, unit, person, *, code, name, evidence, practice=None):
    """A competence required of `person` through a profile of its own."""
    with in_tenant(tenant):
        from apps.competences import services as cs

        competence = cs.competence_create(code=code, name=name, category="reserved", evidence=evidence,
                                          practice=practice, by=admin)
        profile = cs.profile_create(name=f"Profiel {code}", org_unit=unit, competence_codes=[code], by=admin)
        cs.profile_link_create(profile=profile, person=person, by=admin)
    return competence


def status_of(tenant, person, code) -> str:
    with in_tenant(tenant):
        from apps.competences.models import CompetenceStatus

        return CompetenceStatus.objects.get(person=person, competence__code=code).status


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
