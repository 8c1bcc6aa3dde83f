"""A small care organisation in one tenant for the learning, sharing and notification tests:
a department with a manager, an assessor, three employees with a login (one in another
department), a competence required by the department's profile, a course leading to it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from support import in_tenant, make_user


@dataclass
class Care:
    tenant: object
    admin: object
    manager: object
    assessor: object
    employee: object
    colleague_user: object
    outsider_user: object
    chir: object
    intern: object
    nurse: object
    colleague: object
    outsider: object
    kath: object
    course: object
    today: date

    def days(self, n: int) -> date:
        return self.today + timedelta(days=n)

    def at(self, n: int, hour: int = 9):
        return timezone.make_aware(datetime.combine(self.days(n), time(hour, 0)))

    def session(self, *, days_ahead: int = 14, capacity: int = 2, deadline_in: int = 7, course=None, **extra):
        from apps.learning.services import session_create

        with in_tenant(self.tenant):
            return session_create(course=course or self.course, starts_at=self.at(days_ahead), capacity=capacity,
                                  enrolment_deadline=self.days(deadline_in), place=extra.pop("place", "Lokaal 1"),
                                  by=self.admin, **extra)


def build_care(tenant, *, prefix: str = "") -> Care:
    from apps.competences.models import Competence, EvidenceRequirement, Profile
    from apps.competences.services import profile_link_create
    from apps.learning.services import course_create
    from apps.organisation.models import OrgUnit, Person

    admin = make_user(tenant, roles=("tenant_admin", "manager"), first_name="Ada", last_name="Beheer")
    manager = make_user(tenant, roles=("manager", "employee"), first_name="Ingrid", last_name="de Vries")
    assessor = make_user(tenant, roles=("assessor", "employee"), first_name="Pieter", last_name="Bakker")
    employee = make_user(tenant, roles=("employee",), first_name="Sanne", last_name="Jansen")
    colleague_user = make_user(tenant, roles=("employee",), first_name="Kees", last_name="Klaassen")
    outsider_user = make_user(tenant, roles=("employee",), first_name="Olga", last_name="Overveld")
    with in_tenant(tenant):
        chir = OrgUnit.objects.create(code=f"{prefix}CHIR", name="Chirurgie")
        intern = OrgUnit.objects.create(code=f"{prefix}INT", name="Interne geneeskunde")
        chir.managers.add(manager)
        nurse = Person.objects.create(personnel_number=f"{prefix}1001", first_name="Sanne", last_name="Jansen",
                                      user=employee, org_unit=chir, email=employee.email)
        colleague = Person.objects.create(personnel_number=f"{prefix}1002", first_name="Kees", last_name="Klaassen",
                                          user=colleague_user, org_unit=chir, email=colleague_user.email)
        outsider = Person.objects.create(personnel_number=f"{prefix}2001", first_name="Olga", last_name="Overveld",
                                         user=outsider_user, org_unit=intern, email=outsider_user.email)
        kath = Competence.objects.create(code=f"{prefix}KATH", name="Katheteriseren", category="reserved",
                                         practice_count=3, practice_months=12, practice_verified_only=True,
                                         warning_days=60)
        EvidenceRequirement.objects.create(competence=kath, kind="theory", validity_months=24)
        profile = Profile.objects.create(name="Afdeling Chirurgie", org_unit=chir)
        profile.competences.add(kath)
        profile_link_create(profile=profile, org_unit=chir, valid_from=date(2020, 1, 1), by=admin)
        course = course_create(code=f"{prefix}KATH-T", name="Theorie katheteriseren", competence=kath,
                               evidence_kind="theory", by=admin)
    return Care(tenant, admin, manager, assessor, employee, colleague_user, outsider_user, chir, intern, nurse,
                colleague, outsider, kath, course, timezone.localdate())
