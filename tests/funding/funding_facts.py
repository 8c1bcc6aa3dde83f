"""A factory for funding facts and a decision lookup, shared by the funding tests.

Facts are written through the services (validation, audit, recompute), the same path as the
API and the import. Defaults describe a participant whose every object is funded: adult,
valid BSN, enrolled havo 2025-08-20 .. 2026-07-31 (count date 2025-10-01, funding year 2027),
a subject with 6.4 and a passed diploma in 2026 (exam year 2026, funding year 2028).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal


PARTICIPANT_YEAR = 2027  # count date 2025-10-01
EXAM_FUNDING_YEAR = 2028  # exam year 2026

PARTICIPANT_DEFAULTS = dict(
    bsn="111222333", onderwijsnummer="", first_name="Sanne", prefix="de", last_name="Vries",
    birth_date=date(2001, 3, 4), resident_in_nl=True, nationality_dutch=True, lawful_residence=False,
    continuing_course=False,
)
ENROLMENT_DEFAULTS = dict(
    track="havo", start=date(2025, 8, 20), planned_end=date(2026, 7, 31), actual_end=None,
    placed_by_vo_school=False, attending=True, marked_not_funded=False, registered_on=date(2025, 8, 21),
)
SUBJECT_DEFAULTS = dict(subject="wiskunde A", status="G", final_grade=Decimal("6.4"), completed_on=date(2026, 6, 20))
DIPLOMA_DEFAULTS = dict(exam_result="G", issued_on=date(2026, 7, 1))


class Facts:
    """Builds facts in the current schema through the services."""

    def __init__(self, user):
        self.user = user

    def participant(self, **overrides):
        from apps.funding.services import participant_create

        return participant_create(data={**PARTICIPANT_DEFAULTS, **overrides}, by=self.user)

    def enrolment(self, participant=None, **overrides):
        from apps.funding.services import enrolment_create

        participant = participant or self.participant()
        return enrolment_create(data={**ENROLMENT_DEFAULTS, **overrides, "participant": participant}, by=self.user)

    def subject(self, enrolment=None, **overrides):
        from apps.funding.services import subject_result_create

        enrolment = enrolment or self.enrolment()
        return subject_result_create(data={**SUBJECT_DEFAULTS, **overrides, "enrolment": enrolment}, by=self.user)

    def diploma(self, enrolment=None, **overrides):
        from apps.funding.services import diploma_create

        enrolment = enrolment or self.enrolment()
        return diploma_create(data={**DIPLOMA_DEFAULTS, **overrides, "enrolment": enrolment}, by=self.user)


def decision_of(obj, *, kind="provisional", year=None):
    from apps.funding.models import Diploma, Enrolment, FundingDecision, SubjectResult

    object_type = {Enrolment: "enrolment", SubjectResult: "subject", Diploma: "diploma"}[type(obj)]
    qs = FundingDecision.objects.filter(kind=kind, object_type=object_type, object_id=obj.pk)
    if year is not None:
        qs = qs.filter(funding_year=year)
    return qs.get()


