"""Demo data for a VAVO school: about 300 participants whose facts make every signal appear,
alone and in combination. Deterministic, idempotent (a second run adds nothing) and fast
(bulk inserts, then one recompute). Only education tenants get it.

Two cohorts: school year 2024/25 and 2025/26. Funding year 2027 therefore shows the
participants of count date 1 October 2025 and the subjects and diplomas of exam year 2025.
Funding year 2026 is finalised, after which one fact is corrected so the overview shows a
difference between the final and the current determination.
"""
from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.db import transaction

PREFIX = "DEMO-"
COHORTS = (2024, 2025)
PER_COHORT = 150
FIRST_NAMES = ("Sanne", "Daan", "Emma", "Lucas", "Julia", "Sem", "Tess", "Milan", "Fleur", "Noah", "Lotte", "Bram",
               "Sophie", "Thijs", "Anouk", "Jesse", "Iris", "Ruben", "Noor", "Lars", "Fatima", "Mohamed", "Yara",
               "Ayoub", "Lieke", "Stijn", "Eva", "Joris", "Mila", "Bas", "Zoë", "Hamza", "Femke", "Timo", "Nina")
LAST_NAMES = (("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("van", "Dijk"), ("", "Bakker"),
              ("", "Visser"), ("", "Smit"), ("", "Meijer"), ("de", "Boer"), ("", "Mulder"), ("de", "Groot"),
              ("", "Bos"), ("", "Vos"), ("", "Peters"), ("", "Hendriks"), ("van", "Leeuwen"), ("", "Dekker"),
              ("", "Brouwer"), ("de", "Wit"), ("", "Dijkstra"), ("", "Yilmaz"), ("El", "Amrani"),
              ("", "Kaya"), ("van der", "Linden"), ("", "Kok"), ("", "Jacobs"), ("de", "Haan"))
SUBJECTS = ("Nederlands", "Engels", "wiskunde A", "geschiedenis", "biologie")
TRACK_WEIGHTS = (("havo", 5), ("vwo", 3), ("vmbo-t", 2))

PARTICIPANT_DEFECTS = ("id_invalid", "not_enrolled_on_count_date", "under_18", "placed_by_vo_school",
                       "not_resident", "residence_status", "not_attending", "marked_not_funded", "reported_late")
SUBJECT_DEFECTS = ("subject_outside_enrolment", "grade_below_minimum", "not_examined_this_year",
                   "outside_exam_year")
DIPLOMA_DEFECTS = ("exam_not_passed", "outside_calendar_year", "diploma_outside_enrolment", "diploma_combined")
# Several signals on one subject (the other subject defects each touch a different subject).
COMBINED_DEFECTS = ("subject_combined",)
DEFECTS = PARTICIPANT_DEFECTS + SUBJECT_DEFECTS + DIPLOMA_DEFECTS + COMBINED_DEFECTS


def _eleven_test_number(rng: random.Random, *, first: str = "", remainder: int = 0) -> str:
    """A 9-digit number whose weighted sum (9..2, -1) is `remainder` mod 11."""
    while True:
        digits = [int(c) for c in first] + [rng.randrange(10) for _ in range(8 - len(first))]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1)))
        check = (total - remainder) % 11
        if check < 10 and any(digits):
            return "".join(map(str, digits)) + str(check)


def demo_bsn(rng: random.Random) -> str:
    return _eleven_test_number(rng)


def demo_onderwijsnummer(rng: random.Random) -> str:
    return _eleven_test_number(rng, first="10", remainder=5)


def _plan(rng: random.Random, count: int) -> list[tuple[str, ...]]:
    """Defects per participant: a third clean, each defect alone five times, the rest combined."""
    plan: list[tuple[str, ...]] = [()] * (count // 3)
    for defect in DEFECTS:
        plan += [(defect,)] * 5
    # Every participant signal at least once next to another one on the same enrolment.
    for position, defect in enumerate(PARTICIPANT_DEFECTS):
        plan.append((defect, PARTICIPANT_DEFECTS[(position + 1) % len(PARTICIPANT_DEFECTS)]))
    while len(plan) < count:
        plan.append(tuple(sorted(rng.sample(DEFECTS, rng.choice((2, 2, 3))), key=DEFECTS.index)))
    rng.shuffle(plan)
    return plan[:count]


def _facts(number: int, cohort: int, defects: tuple[str, ...], rng: random.Random):
    prefix, last = rng.choice(LAST_NAMES)
    use_onderwijsnummer = rng.random() < 0.1
    participant = dict(
        external_id=f"{PREFIX}P{number:04d}", first_name=rng.choice(FIRST_NAMES), prefix=prefix, last_name=last,
        bsn="" if use_onderwijsnummer else demo_bsn(rng),
        onderwijsnummer=demo_onderwijsnummer(rng) if use_onderwijsnummer else "",
        birth_date=date(cohort - rng.randint(18, 40), rng.randint(1, 12), rng.randint(1, 28)),
        resident_in_nl=True, nationality_dutch=rng.random() < 0.85, lawful_residence=True, continuing_course=False,
    )
    enrolment = dict(
        external_id=f"{PREFIX}E{number:04d}", track=rng.choices([t for t, _w in TRACK_WEIGHTS],
                                                                [w for _t, w in TRACK_WEIGHTS])[0],
        start=date(cohort, 8, rng.randint(15, 31)), planned_end=date(cohort + 1, 7, 31), actual_end=None,
        placed_by_vo_school=False, attending=True, marked_not_funded=False,
        registered_on=date(cohort, 8, rng.randint(15, 31)),
    )
    subjects = [dict(subject=name, status="G", final_grade=Decimal(rng.randint(60, 90)) / 10,
                     completed_on=date(cohort + 1, 6, rng.randint(10, 25))) for name in SUBJECTS[:rng.randint(3, 5)]]
    diploma = dict(exam_result="G", issued_on=date(cohort + 1, 7, rng.randint(1, 10))) if (
        rng.random() < 0.6 or any(d in DIPLOMA_DEFECTS for d in defects)) else None

    for defect in defects:
        if defect == "id_invalid":
            participant.update(bsn="", onderwijsnummer="")
        elif defect == "not_enrolled_on_count_date":
            enrolment["start"] = date(cohort, 10, rng.randint(2, 28))
            enrolment["registered_on"] = enrolment["start"]
        elif defect == "under_18":
            participant["birth_date"] = date(cohort - 17, rng.randint(10, 12), rng.randint(2, 28))
        elif defect == "placed_by_vo_school":
            enrolment["placed_by_vo_school"] = True
        elif defect == "not_resident":
            participant["resident_in_nl"] = False
        elif defect == "residence_status":
            participant.update(nationality_dutch=False, lawful_residence=False, continuing_course=False)
        elif defect == "not_attending":
            enrolment["attending"] = False
        elif defect == "marked_not_funded":
            enrolment["marked_not_funded"] = True
        elif defect == "reported_late":
            enrolment["registered_on"] = date(cohort + 1, 7, rng.randint(2, 30))
        elif defect == "subject_outside_enrolment":
            subjects[0]["completed_on"] = date(cohort + 1, 11, 15)  # after end + 92 days, same year
        elif defect == "grade_below_minimum":
            subjects[1]["final_grade"] = rng.choice([Decimal("5.4"), Decimal("4.8"), None])
        elif defect == "not_examined_this_year":
            subjects[2].update(status=rng.choice("DVI"), final_grade=None)
        elif defect == "outside_exam_year":
            subjects[-1]["completed_on"] = date(cohort, 12, 15)  # inside the enrolment, before the exam year
        elif defect == "subject_combined":
            subjects[0].update(final_grade=Decimal("5.0"), completed_on=date(cohort + 1, 11, 15))
            subjects[1].update(status=rng.choice("DVI"), final_grade=None, completed_on=date(cohort, 12, 15))
        elif defect == "diploma_combined":
            diploma.update(exam_result=rng.choice("ATD"), issued_on=date(cohort + 2, 1, 15))
        elif defect == "exam_not_passed":
            diploma["exam_result"] = rng.choice("ATD")
        elif defect == "outside_calendar_year":
            enrolment["actual_end"] = date(cohort + 1, 12, 20)
            diploma["issued_on"] = date(cohort + 2, 1, 15)
        elif defect == "diploma_outside_enrolment":
            enrolment["actual_end"] = date(cohort + 1, 2, 28)
            diploma["issued_on"] = date(cohort + 1, 7, 1)
    return participant, enrolment, subjects, diploma


NATIONAL_FIGURES = {  # demo values, not real national figures
    2026: (Decimal("48250.0"), Decimal("96500000.00")),
    2027: (Decimal("49100.0"), Decimal("99800000.00")),
}


def load(tenant) -> None:
    if tenant.kind != "education":
        return
    from apps.funding.models import Diploma, Enrolment, FundingYear, Participant, SubjectResult
    from apps.funding.recompute import decisions_recompute_all

    rng = random.Random(20251001)
    rows = []
    number = 0
    for cohort in COHORTS:
        for defects in _plan(rng, PER_COHORT):
            number += 1
            rows.append(_facts(number, cohort, defects, rng))

    with transaction.atomic():
        existing = set(Participant.objects.filter(external_id__startswith=PREFIX).values_list("external_id", flat=True))
        new = [r for r in rows if r[0]["external_id"] not in existing]
        if new:
            people = Participant.objects.bulk_create([Participant(**p) for p, _e, _s, _d in new])
            enrolments = Enrolment.objects.bulk_create(
                [Enrolment(participant=person, **e) for person, (_p, e, _s, _d) in zip(people, new)])
            SubjectResult.objects.bulk_create(
                [SubjectResult(enrolment=enrolment, **s) for enrolment, (_p, _e, subjects, _d) in zip(enrolments, new)
                 for s in subjects])
            Diploma.objects.bulk_create(
                [Diploma(enrolment=enrolment, **d) for enrolment, (_p, _e, _s, d) in zip(enrolments, new) if d])
        for year, (weighted, budget) in NATIONAL_FIGURES.items():
            FundingYear.objects.get_or_create(year=year, defaults={"national_weighted": weighted,
                                                                   "national_budget": budget})
    if not new:
        return
    decisions_recompute_all()
    _finalise_and_correct_one()


def _finalise_and_correct_one() -> None:
    """Freeze 2026 and then fix one participant, so the final/current difference is visible."""
    from apps.funding.models import FundingYear, Participant
    from apps.funding.services import funding_year_finalise, participant_update

    if FundingYear.objects.filter(year=2026, finalised_at__isnull=False).exists():
        return
    funding_year_finalise(year=2026, by=None)
    corrected = Participant.objects.filter(external_id__startswith=PREFIX, bsn="", onderwijsnummer="",
                                           enrolments__start__year=2024).order_by("external_id").first()
    if corrected is not None:
        participant_update(participant=corrected, data={"bsn": demo_bsn(random.Random(7))}, by=None)
