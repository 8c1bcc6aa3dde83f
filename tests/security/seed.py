"""Data of a victim tenant for the attack suite: one object of every kind, with marker text.

Seeded through the services (the only writers), after moving every id sequence of the
victim's schema far away, so an id of the victim can never accidentally exist in the
attacker's tenant: a 200 for such an id can only mean the request crossed tenants.
Each app's part is optional: an app that has not landed yet is skipped by its import.
"""
from __future__ import annotations

import datetime as dt
import uuid

from django.db import connection

from support import in_tenant, make_user

ALL_ROLES = ("employee", "manager", "assessor", "tenant_admin", "student_admin")
MARKER = "Zq7geheim"  # appears in names of everything the victim owns
ID_OFFSET = 7_000_000


def bump_sequences(schema: str, start: int = ID_OFFSET) -> None:
    """Every sequence of the schema (identity columns included) continues at >= start."""
    with connection.cursor() as cur:
        cur.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind = 'S' AND n.nspname = %s", [schema])
        for (seq,) in cur.fetchall():
            qualified = f'"{schema}"."{seq}"'
            cur.execute(f"SELECT setval(%s, GREATEST(%s, (SELECT last_value FROM {qualified})))",
                        [qualified, start])


def superuser(tenant, email=None):
    return make_user(tenant, email=email, roles=ALL_ROLES, is_staff=True, is_superuser=True,
                     first_name="Super", last_name="Beheerder")


def seed_care(tenant) -> dict:
    """Org unit, person, competences, profile, link, evidence, practice, marks, order."""
    bump_sequences(tenant.schema_name)
    admin = superuser(tenant)
    employee = make_user(tenant, roles=("employee",), first_name="Bart", last_name=MARKER)
    seeded = {"admin": admin, "employee": employee}
    with in_tenant(tenant):
        from apps.organisation.services import org_unit_upsert, person_upsert

        unit, _ = org_unit_upsert(code=f"U-{MARKER}", name=f"Afdeling {MARKER}", by=admin)
        person, _ = person_upsert(personnel_number=f"P-{MARKER}", first_name="Bart", last_name=MARKER,
                                  email=employee.email, org_unit=unit, user=employee, by=admin)
        seeded.update(unit=unit, person=person)
        try:
            from apps.competences import services as cs
        except ImportError:
            return seeded
        today = dt.date.today()
        comps = [cs.competence_create(code=f"C{i}-{MARKER}", name=f"Handeling {i} {MARKER}", category="reserved",
                                      evidence={"theory": 24, "practical": 24}, practice={"count": 2, "months": 12},
                                      by=admin) for i in range(5)]
        profile = cs.profile_create(name=f"Profiel {MARKER}", org_unit=unit,
                                    competence_codes=[c.code for c in comps], by=admin)
        cs.profile_link_create(profile=profile, person=person, by=admin)
        cs.evidence_record(person=person, competence=comps[0], kind="theory", achieved_on=today, by=admin,
                           note=MARKER)
        cs.practice_record_create(person=person, competence=comps[0], performed_on=today, note=MARKER, by=admin)
        cs.exemption_grant(person=person, competence=comps[1], reason=f"vrijstelling {MARKER}", by=admin)
        cs.not_applicable_mark(person=person, competence=comps[2], reason=f"nvt {MARKER}", by=admin)
        cs.revocation_record(person=person, competence=comps[3], reason=f"ingetrokken {MARKER}", by=admin)
        cs.order_record(person=person, given_by=f"Dr. {MARKER}", start=today, competence=comps[4],
                        description=MARKER, by=admin)
        from apps.jobs.services import job_create

        seeded["job"] = job_create(kind="probe", label=f"job {MARKER}")
    return seeded


def seed_funding(tenant) -> dict:
    """A participant with an enrolment, a subject result and a diploma."""
    bump_sequences(tenant.schema_name)
    admin = superuser(tenant)
    seeded = {"admin": admin}
    with in_tenant(tenant):
        from apps.funding import services as fs

        participant = fs.participant_create(data={
            "external_id": f"X-{uuid.uuid4().hex[:6]}", "first_name": "Fenna", "last_name": MARKER,
            "birth_date": dt.date(2005, 3, 1)}, by=admin)
        enrolment = fs.enrolment_create(data={
            "external_id": f"E-{uuid.uuid4().hex[:6]}", "participant": participant.pk, "track": "havo",
            "start": dt.date(2025, 8, 20), "registered_on": dt.date(2025, 8, 20)}, by=admin)
        fs.subject_result_create(data={"enrolment": enrolment.pk, "subject": f"wiskunde-{MARKER}",
                                       "status": "G", "final_grade": "7.0",
                                       "completed_on": dt.date(2026, 6, 1)}, by=admin)
        fs.diploma_create(data={"enrolment": enrolment.pk, "exam_result": "G", "issued_on": dt.date(2026, 7, 1)},
                          by=admin)
        seeded.update(participant=participant, enrolment=enrolment)
    return seeded
