"""Demo data for learning in care tenants (after the competences demo): courses with
sessions (one full with a waitlist, one in the past with results), learning paths for three
competences and practice records waiting for sign-off. Idempotent."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

COURSES = [
    # code, name, competence, evidence kind, description
    ("KATH-THEO", "Theorie blaaskatheterisatie", "KATH", "theory", "Anatomie, indicaties, hygiëne en complicaties."),
    ("KATH-PRAK", "Praktijktoets blaaskatheterisatie", "KATH", "practical", "Toets op het oefenmodel, met beoordelaar."),
    ("INJ-THEO", "Theorie injecteren", "INJ-SC", "theory", "Subcutaan en intramusculair injecteren."),
    ("BLS-TRAIN", "Reanimatietraining (BLS)", "BLS", "certificate", "Jaarlijkse training met certificaat."),
    ("VENA-EL", "E-learning venapunctie", "VENA", "elearning", "Online module, in eigen tempo."),
]

PATHS = [
    ("KATH", "Leerpad blaaskatheterisatie", [
        {"kind": "course", "course": "KATH-THEO"},
        {"kind": "course", "course": "KATH-PRAK"},
        {"kind": "practice_count", "required_count": 3, "title": "3× katheteriseren onder toezicht"}]),
    ("INJ-SC", "Leerpad injecteren", [
        {"kind": "course", "course": "INJ-THEO"},
        {"kind": "practical_assessment", "title": "Praktijktoets injecteren op de afdeling"}]),
    ("VENA", "Leerpad venapunctie", [
        {"kind": "elearning", "title": "E-learning venapunctie"},
        {"kind": "practical_assessment", "title": "Praktijktoets venapunctie"}]),
]


def _at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def load(tenant) -> None:
    if getattr(tenant, "kind", "") != "care":
        return
    from apps.accounts.models import User
    from apps.competences.models import Competence
    from apps.learning.models import Course

    admin = User.objects.filter(roles__contains=["tenant_admin"]).order_by("id").first()
    if admin is None or not Competence.objects.filter(code="KATH").exists():
        return  # the competences demo did not run
    if Course.objects.filter(code="KATH-THEO").exists():
        return
    with transaction.atomic():
        _build(admin)


def _build(admin) -> None:
    from apps.accounts.models import User
    from apps.competences.services import practice_record_create
    from apps.learning.services import (course_create, enrolment_create, enrolment_record_result,
                                        learning_path_create, session_create)
    from apps.organisation.models import Person

    today = timezone.localdate()
    courses = {}
    for code, name, comp, kind, description in COURSES:
        courses[code] = course_create(code=code, name=name, competence=comp, evidence_kind=kind,
                                      description=description, by=admin)
    s = {}
    s["kath_full"] = session_create(course=courses["KATH-THEO"], starts_at=_at(today + timedelta(days=21)), capacity=3,
                                    enrolment_deadline=today + timedelta(days=14), place="Leslokaal 2.14", by=admin)
    session_create(course=courses["KATH-THEO"], starts_at=_at(today + timedelta(days=63), 13), capacity=12,
                   enrolment_deadline=today + timedelta(days=56), place="Leslokaal 2.14", by=admin)
    session_create(course=courses["KATH-PRAK"], starts_at=_at(today + timedelta(days=35)), capacity=6,
                   enrolment_deadline=today + timedelta(days=28), place="Skillslab", by=admin)
    session_create(course=courses["INJ-THEO"], starts_at=_at(today + timedelta(days=10), 14), capacity=15,
                   enrolment_deadline=today + timedelta(days=7), online_url="https://leren.example.org/injecteren",
                   by=admin)
    session_create(course=courses["BLS-TRAIN"], starts_at=_at(today + timedelta(days=28)), capacity=10,
                   enrolment_deadline=today + timedelta(days=21), place="Sporthal, ingang B", by=admin)
    s["bls_past"] = session_create(course=courses["BLS-TRAIN"], starts_at=_at(today - timedelta(days=7)), capacity=10,
                                   enrolment_deadline=today - timedelta(days=14), place="Sporthal, ingang B", by=admin)
    for comp, name, steps in PATHS:
        learning_path_create(competence=comp, name=name, steps=steps, by=admin)

    manager = User.objects.filter(roles__contains=["manager"]).exclude(roles__contains=["tenant_admin"]) \
        .order_by("id").first()
    assessor = User.objects.filter(roles__contains=["assessor"]).order_by("id").first()
    chir_people = list(Person.objects.filter(org_unit__code__startswith="CHIR", is_active=True, user__isnull=True)
                       .order_by("personnel_number")[:12])
    if manager is None or len(chir_people) < 8:
        return
    for p in chir_people[:5]:  # 3 seats: two end up on the waitlist
        enrolment_create(session=s["kath_full"], person=p, by=manager)
    past = [enrolment_create(session=s["bls_past"], person=p, by=manager, as_of=today - timedelta(days=20))
            for p in chir_people[5:8]]
    if assessor is not None:
        enrolment_record_result(enrolment=past[0], result="passed", by=assessor)
        enrolment_record_result(enrolment=past[1], result="failed", by=assessor, note="Compressiediepte onvoldoende")
    employee = Person.objects.filter(user__roles=["employee"]).select_related("user").first()
    if employee is not None:
        practice_record_create(person=employee, competence="KATH", performed_on=today - timedelta(days=3), count=1,
                               note="Verblijfskatheter bij patiënt kamer 12", by=employee.user)
        practice_record_create(person=employee, competence="KATH", performed_on=today - timedelta(days=9), count=2,
                               note="Eenmalige katheterisatie", by=employee.user)
    for p in chir_people[8:11]:
        practice_record_create(person=p, competence="KATH", performed_on=today - timedelta(days=5), count=1,
                               note="Onder toezicht van de werkbegeleider", by=manager)
