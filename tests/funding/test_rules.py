"""Table tests for the pure VAVO funding rules (VAVO-RULES.md, WHAT-IF-API.md).

One row per case; the row id says the rule. Pure: no database, no Django, no clock.
Run: .venv/bin/python -m pytest -p no:django -p no:cacheprovider --noconftest tests/funding/test_rules.py
"""

from __future__ import annotations

import ast
import json
from dataclasses import FrozenInstanceError, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from stdnum.nl import bsn as stdnum_bsn
from stdnum.nl import onderwijsnummer as stdnum_onderwijsnummer

from apps.funding import rules
from apps.funding.rules import (
    HOW_TO_FIX,
    RULE_SETS,
    SIGNALS,
    SIGNALS_BY_BASIS,
    DiplomaFact,
    DuplicateId,
    EnrolmentFact,
    FactError,
    InvalidFact,
    ParticipantFact,
    RuleSet,
    SubjectFact,
    UnknownReference,
    UnknownRuleSet,
    count_date_for_funding_year,
    decide_diploma,
    decide_enrolment,
    decide_subject,
    evaluate,
    exam_year_for_funding_year,
    rule_set,
    rule_set_for,
    school_share,
)

RULES = rule_set("vavo-2024.1")
COUNT_DATE = date(2025, 10, 1)
EXAM_YEAR = 2026

VALID_BSN = "111222333"
INVALID_BSN = "123456789"  # fails the 11-test
# Starts with 10 and 9*1 + 2*1 - 1*6 = 5 (mod 11); found with stdnum.nl.onderwijsnummer.is_valid.
VALID_ONDERWIJSNUMMER = "100000016"
INVALID_ONDERWIJSNUMMER = "100000017"

PARTICIPANT = ParticipantFact(
    id="p1",
    bsn=VALID_BSN,
    onderwijsnummer=None,
    birth_date=date(2001, 3, 4),
    resident_in_nl=True,
    nationality_dutch=True,
    lawful_residence=False,
    continuing_course=False,
)
ENROLMENT = EnrolmentFact(
    id="e1",
    participant="p1",
    track="havo",
    start=date(2025, 8, 20),
    end=date(2026, 7, 31),
    placed_by_vo_school=False,
    attending=True,
    marked_not_funded=False,
    registered_on=date(2025, 8, 21),
)
SUBJECT = SubjectFact(
    id="s1",
    enrolment="e1",
    subject="wiskunde A",
    status="G",
    final_grade=Decimal("6.4"),
    completed_on=date(2026, 6, 20),
)
DIPLOMA = DiplomaFact(id="d1", enrolment="e1", exam_result="G", issued_on=date(2026, 7, 1))

FUNDED = ("all_checks_passed",)


def test_fixture_identifiers_are_what_the_comments_say():
    assert stdnum_bsn.is_valid(VALID_BSN)
    assert not stdnum_bsn.is_valid(INVALID_BSN)
    assert stdnum_onderwijsnummer.is_valid(VALID_ONDERWIJSNUMMER)
    assert not stdnum_onderwijsnummer.is_valid(INVALID_ONDERWIJSNUMMER)


# --------------------------------------------------------------------------- participant basis

PARTICIPANT_CASES = [
    # (id, participant changes, enrolment changes, count date, expected codes)
    ("all_checks_passed", {}, {}, COUNT_DATE, FUNDED),
    # identifiers
    ("valid_bsn_111222333_counts", {"bsn": VALID_BSN}, {}, COUNT_DATE, FUNDED),
    ("invalid_bsn_alone_is_id_invalid", {"bsn": INVALID_BSN}, {}, COUNT_DATE, ("id_invalid",)),
    ("no_bsn_no_onderwijsnummer_is_id_invalid", {"bsn": None}, {}, COUNT_DATE, ("id_invalid",)),
    ("empty_bsn_is_id_invalid", {"bsn": ""}, {}, COUNT_DATE, ("id_invalid",)),
    ("valid_onderwijsnummer_without_bsn_counts",
     {"bsn": None, "onderwijsnummer": VALID_ONDERWIJSNUMMER}, {}, COUNT_DATE, FUNDED),
    ("valid_onderwijsnummer_rescues_invalid_bsn",
     {"bsn": INVALID_BSN, "onderwijsnummer": VALID_ONDERWIJSNUMMER}, {}, COUNT_DATE, FUNDED),
    ("invalid_onderwijsnummer_without_bsn_is_id_invalid",
     {"bsn": None, "onderwijsnummer": INVALID_ONDERWIJSNUMMER}, {}, COUNT_DATE, ("id_invalid",)),
    ("bsn_is_not_accepted_as_onderwijsnummer",
     {"bsn": None, "onderwijsnummer": VALID_BSN}, {}, COUNT_DATE, ("id_invalid",)),
    # enrolled on the count date, inclusive at both ends
    ("count_date_before_start_is_not_enrolled",
     {}, {"start": date(2025, 10, 2)}, COUNT_DATE, ("not_enrolled_on_count_date",)),
    ("count_date_equal_to_start_is_enrolled", {}, {"start": COUNT_DATE}, COUNT_DATE, FUNDED),
    ("count_date_equal_to_end_is_enrolled",
     {}, {"start": date(2025, 8, 1), "end": COUNT_DATE}, COUNT_DATE, FUNDED),
    ("count_date_after_end_is_not_enrolled",
     {}, {"start": date(2025, 8, 1), "end": date(2025, 9, 30)}, COUNT_DATE, ("not_enrolled_on_count_date",)),
    ("open_ended_enrolment_is_enrolled", {}, {"end": None}, COUNT_DATE, FUNDED),
    # age
    ("eighteenth_birthday_on_count_date_counts_as_18", {"birth_date": date(2007, 10, 1)}, {}, COUNT_DATE, FUNDED),
    ("eighteenth_birthday_day_after_count_date_is_under_18",
     {"birth_date": date(2007, 10, 2)}, {}, COUNT_DATE, ("under_18",)),
    ("born_29_feb_is_under_18_on_28_feb_of_non_leap_year",
     {"birth_date": date(2004, 2, 29)}, {"start": date(2022, 1, 1), "registered_on": date(2022, 1, 1)},
     date(2022, 2, 28), ("under_18",)),
    ("born_29_feb_turns_18_on_1_mar_of_non_leap_year",
     {"birth_date": date(2004, 2, 29)}, {"start": date(2022, 1, 1), "registered_on": date(2022, 1, 1)},
     date(2022, 3, 1), FUNDED),
    # single flags
    ("placement_by_vo_school_is_funded_there", {}, {"placed_by_vo_school": True}, COUNT_DATE,
     ("placed_by_vo_school",)),
    ("not_living_in_nl_is_not_resident", {"resident_in_nl": False}, {}, COUNT_DATE, ("not_resident",)),
    ("not_dutch_no_lawful_residence_not_continuing_is_residence_status",
     {"nationality_dutch": False}, {}, COUNT_DATE, ("residence_status",)),
    ("not_dutch_with_lawful_residence_counts",
     {"nationality_dutch": False, "lawful_residence": True}, {}, COUNT_DATE, FUNDED),
    ("not_dutch_continuing_a_course_counts",
     {"nationality_dutch": False, "continuing_course": True}, {}, COUNT_DATE, FUNDED),
    ("enrolled_but_not_attending", {}, {"attending": False}, COUNT_DATE, ("not_attending",)),
    ("marked_do_not_fund_by_institution", {}, {"marked_not_funded": True}, COUNT_DATE, ("marked_not_funded",)),
    # delivery deadline: 1 July of the year after the count date, inclusive
    ("registered_on_deadline_day_is_in_time", {}, {"registered_on": date(2026, 7, 1)}, COUNT_DATE, FUNDED),
    ("registered_day_after_deadline_is_reported_late",
     {}, {"registered_on": date(2026, 7, 2)}, COUNT_DATE, ("reported_late",)),
    # every failing check at once, in table order
    ("every_participant_check_failing_is_reported_together",
     {"bsn": INVALID_BSN, "birth_date": date(2010, 1, 1), "resident_in_nl": False, "nationality_dutch": False},
     {"start": date(2025, 11, 1), "placed_by_vo_school": True, "attending": False,
      "marked_not_funded": True, "registered_on": date(2026, 8, 1)},
     COUNT_DATE,
     ("id_invalid", "not_enrolled_on_count_date", "under_18", "placed_by_vo_school", "not_resident",
      "residence_status", "not_attending", "marked_not_funded", "reported_late")),
    ("three_failures_are_all_reported",
     {"bsn": None}, {"attending": False, "registered_on": date(2027, 1, 1)}, COUNT_DATE,
     ("id_invalid", "not_attending", "reported_late")),
]


@pytest.mark.parametrize(
    ("participant_changes", "enrolment_changes", "count_date", "expected"),
    [case[1:] for case in PARTICIPANT_CASES],
    ids=[case[0] for case in PARTICIPANT_CASES],
)
def test_participant_basis(participant_changes, enrolment_changes, count_date, expected):
    participant = replace(PARTICIPANT, **participant_changes)
    enrolment = replace(ENROLMENT, **enrolment_changes)

    decision = decide_enrolment(enrolment, participant, count_date, RULES)

    assert decision.codes == expected
    assert decision.status == ("funded" if expected == FUNDED else "rejected")
    assert decision.object == "enrolment"
    assert decision.rules_version == "vavo-2024.1"
    assert decision.track == enrolment.track


@pytest.mark.parametrize(
    ("birth_date", "on", "age"),
    [
        (date(2007, 10, 1), date(2025, 10, 1), 18),
        (date(2007, 10, 2), date(2025, 10, 1), 17),
        (date(2004, 2, 29), date(2022, 2, 28), 17),
        (date(2004, 2, 29), date(2022, 3, 1), 18),
        (date(2004, 2, 29), date(2024, 2, 28), 19),
        (date(2004, 2, 29), date(2024, 2, 29), 20),
        (date(2005, 3, 1), date(2023, 3, 1), 18),
    ],
    ids=["birthday_itself_counts", "day_before_birthday", "leap_born_not_older_on_28_feb_non_leap",
         "leap_born_older_on_1_mar_non_leap", "leap_born_not_older_on_28_feb_leap", "leap_born_older_on_29_feb_leap",
         "born_1_mar_older_on_1_mar"],
)
def test_age_is_counted_in_whole_years_with_29_feb_on_1_mar(birth_date, on, age):
    assert rules.age_on(birth_date, on) == age


PARTICIPANT_PARAM_CASES = [
    ("under_18_params_carry_birth_date_age_and_minimum",
     {"birth_date": date(2007, 10, 2)}, {}, "under_18",
     {"birth_date": "2007-10-02", "age": 17, "minimum_age": 18}),
    ("reported_late_params_carry_registration_and_deadline",
     {}, {"registered_on": date(2026, 7, 2)}, "reported_late",
     {"registered_on": "2026-07-02", "deadline": "2026-07-01"}),
    ("not_enrolled_params_carry_count_date_start_and_end",
     {}, {"start": date(2025, 8, 1), "end": date(2025, 9, 30)}, "not_enrolled_on_count_date",
     {"count_date": "2025-10-01", "start": "2025-08-01", "end": "2025-09-30"}),
    ("not_enrolled_params_show_open_end_as_null",
     {}, {"start": date(2025, 11, 1), "end": None}, "not_enrolled_on_count_date",
     {"count_date": "2025-10-01", "start": "2025-11-01", "end": None}),
    ("id_invalid_params_never_echo_the_bsn",
     {"bsn": INVALID_BSN}, {}, "id_invalid",
     {"bsn_present": True, "onderwijsnummer_present": False}),
]


@pytest.mark.parametrize(
    ("participant_changes", "enrolment_changes", "code", "params"),
    [case[1:] for case in PARTICIPANT_PARAM_CASES],
    ids=[case[0] for case in PARTICIPANT_PARAM_CASES],
)
def test_participant_ground_params(participant_changes, enrolment_changes, code, params):
    decision = decide_enrolment(
        replace(ENROLMENT, **enrolment_changes), replace(PARTICIPANT, **participant_changes), COUNT_DATE, RULES
    )
    (ground,) = [g for g in decision.grounds if g.code == code]
    assert ground.params == params
    assert ground.text and INVALID_BSN not in ground.text


# --------------------------------------------------------------------------- subject basis

END = ENROLMENT.end  # 2026-07-31; + 92 days = 2026-10-31

SUBJECT_CASES = [
    # (id, subject changes, enrolment changes, expected codes)
    ("all_checks_passed", {}, {}, FUNDED),
    ("grade_exactly_6_0_is_funded", {"final_grade": Decimal("6.0")}, {}, FUNDED),
    ("grade_6_without_decimal_is_funded", {"final_grade": Decimal("6")}, {}, FUNDED),
    ("grade_5_9_is_below_minimum", {"final_grade": Decimal("5.9")}, {}, ("grade_below_minimum",)),
    ("missing_grade_with_status_G_is_below_minimum", {"final_grade": None}, {}, ("grade_below_minimum",)),
    ("dispensation_D_is_not_examined", {"status": "D"}, {}, ("not_examined_this_year",)),
    ("exemption_V_is_not_examined", {"status": "V"}, {}, ("not_examined_this_year",)),
    ("certificate_traded_in_I_is_not_examined", {"status": "I"}, {}, ("not_examined_this_year",)),
    ("low_grade_is_not_checked_for_status_D",
     {"status": "D", "final_grade": Decimal("3.0")}, {}, ("not_examined_this_year",)),
    ("completed_in_other_year_is_outside_exam_year",
     {"completed_on": date(2025, 12, 19)}, {}, ("outside_exam_year",)),
    ("completed_on_start_day_is_inside_enrolment", {"completed_on": date(2026, 1, 5)},
     {"start": date(2026, 1, 5)}, FUNDED),
    ("completed_day_before_start_is_outside_enrolment", {"completed_on": date(2026, 1, 4)},
     {"start": date(2026, 1, 5)}, ("outside_enrolment",)),
    ("completed_92_days_after_end_is_inside_margin", {"completed_on": date(2026, 10, 31)}, {}, FUNDED),
    ("completed_93_days_after_end_is_outside_enrolment",
     {"completed_on": date(2026, 11, 1)}, {}, ("outside_enrolment",)),
    ("open_ended_enrolment_has_no_window_end", {"completed_on": date(2026, 12, 31)}, {"end": None}, FUNDED),
    ("every_subject_check_failing_is_reported_together",
     {"status": "V", "completed_on": date(2027, 3, 1)}, {},
     ("outside_enrolment", "not_examined_this_year", "outside_exam_year")),
    ("low_grade_outside_enrolment_and_exam_year_all_reported",
     {"final_grade": Decimal("4.2"), "completed_on": date(2025, 6, 1)}, {},
     ("outside_enrolment", "grade_below_minimum", "outside_exam_year")),
]


@pytest.mark.parametrize(
    ("subject_changes", "enrolment_changes", "expected"),
    [case[1:] for case in SUBJECT_CASES],
    ids=[case[0] for case in SUBJECT_CASES],
)
def test_subject_basis(subject_changes, enrolment_changes, expected):
    enrolment = replace(ENROLMENT, **enrolment_changes)

    decision = decide_subject(replace(SUBJECT, **subject_changes), enrolment, EXAM_YEAR, RULES)

    assert decision.codes == expected
    assert decision.status == ("funded" if expected == FUNDED else "rejected")
    assert decision.object == "subject"
    assert decision.track == "havo"


SUBJECT_PARAM_CASES = [
    ("grade_below_minimum_params_are_strings", {"final_grade": Decimal("5.4")}, "grade_below_minimum",
     {"grade": "5.4", "minimum": "6.0"}),
    ("missing_grade_param_is_null", {"final_grade": None}, "grade_below_minimum",
     {"grade": None, "minimum": "6.0"}),
    ("grade_param_is_normalised_to_one_decimal", {"final_grade": Decimal("5")}, "grade_below_minimum",
     {"grade": "5.0", "minimum": "6.0"}),
    ("not_examined_params_carry_status", {"status": "I"}, "not_examined_this_year", {"status": "I"}),
    ("outside_exam_year_params", {"completed_on": date(2025, 12, 19)}, "outside_exam_year",
     {"completed_on": "2025-12-19", "exam_year": 2026}),
    ("outside_enrolment_params_carry_the_window", {"completed_on": date(2026, 11, 1)}, "outside_enrolment",
     {"completed_on": "2026-11-01", "start": "2025-08-20", "end": "2026-07-31", "margin_days": 92,
      "window_end": "2026-10-31"}),
]


@pytest.mark.parametrize(
    ("subject_changes", "code", "params"),
    [case[1:] for case in SUBJECT_PARAM_CASES],
    ids=[case[0] for case in SUBJECT_PARAM_CASES],
)
def test_subject_ground_params(subject_changes, code, params):
    decision = decide_subject(replace(SUBJECT, **subject_changes), ENROLMENT, EXAM_YEAR, RULES)
    (ground,) = [g for g in decision.grounds if g.code == code]
    assert ground.params == params


# --------------------------------------------------------------------------- diploma basis

DIPLOMA_CASES = [
    ("all_checks_passed", {}, {}, FUNDED),
    ("rejected_A_is_exam_not_passed", {"exam_result": "A"}, {}, ("exam_not_passed",)),
    ("withdrawn_T_is_exam_not_passed", {"exam_result": "T"}, {}, ("exam_not_passed",)),
    ("certificates_only_D_is_exam_not_passed", {"exam_result": "D"}, {}, ("exam_not_passed",)),
    ("issued_in_other_year_is_outside_calendar_year",
     {"issued_on": date(2027, 1, 2)}, {"end": date(2026, 12, 31)}, ("outside_calendar_year",)),
    ("issued_92_days_after_end_is_inside_margin", {"issued_on": date(2026, 10, 31)}, {}, FUNDED),
    ("issued_93_days_after_end_is_outside_enrolment", {"issued_on": date(2026, 11, 1)}, {}, ("outside_enrolment",)),
    ("issued_before_start_is_outside_enrolment", {"issued_on": date(2026, 1, 4)}, {"start": date(2026, 1, 5)},
     ("outside_enrolment",)),
    ("every_diploma_check_failing_is_reported_together",
     {"exam_result": "A", "issued_on": date(2027, 6, 1)}, {},
     ("exam_not_passed", "outside_calendar_year", "outside_enrolment")),
]


@pytest.mark.parametrize(
    ("diploma_changes", "enrolment_changes", "expected"),
    [case[1:] for case in DIPLOMA_CASES],
    ids=[case[0] for case in DIPLOMA_CASES],
)
def test_diploma_basis(diploma_changes, enrolment_changes, expected):
    decision = decide_diploma(
        replace(DIPLOMA, **diploma_changes), replace(ENROLMENT, **enrolment_changes), EXAM_YEAR, RULES
    )
    assert decision.codes == expected
    assert decision.status == ("funded" if expected == FUNDED else "rejected")
    assert decision.object == "diploma"


def test_participant_checks_never_reject_subjects_or_diplomas():
    bad_enrolment = replace(ENROLMENT, placed_by_vo_school=True, attending=False, marked_not_funded=True,
                            registered_on=date(2027, 1, 1))
    bad_participant = replace(PARTICIPANT, bsn=None, birth_date=date(2015, 1, 1), resident_in_nl=False)

    decisions, totals = evaluate([bad_participant], [bad_enrolment], [SUBJECT], [DIPLOMA],
                                 count_date=COUNT_DATE, exam_year=EXAM_YEAR)

    assert [(d.object, d.status) for d in decisions] == [
        ("enrolment", "rejected"), ("subject", "funded"), ("diploma", "funded")]
    assert (totals.participants, totals.subjects, totals.diplomas) == (0, 1, 1)


# --------------------------------------------------------------------------- the WHAT-IF-API.md example


def test_what_if_api_example_gives_the_documented_response():
    subjects = [
        SUBJECT,
        SubjectFact(id="s2", enrolment="e1", subject="Engels", status="G", final_grade=Decimal("5.4"),
                    completed_on=date(2026, 6, 20)),
    ]

    decisions, totals = evaluate([PARTICIPANT], [ENROLMENT], subjects, [DIPLOMA],
                                 count_date=date(2025, 10, 1), exam_year=2026)
    body = json.loads(json.dumps({"decisions": [d.to_dict() for d in decisions], "totals": totals.to_dict()}))

    assert [(d["object"], d["id"], d["status"]) for d in body["decisions"]] == [
        ("enrolment", "e1", "funded"), ("subject", "s1", "funded"),
        ("subject", "s2", "rejected"), ("diploma", "d1", "funded")]
    for decision in body["decisions"]:
        assert set(decision) == {"object", "id", "status", "grounds"}
        for ground in decision["grounds"]:
            assert set(ground) == {"code", "params", "text"} and ground["text"]
    assert body["decisions"][0]["grounds"][0]["code"] == "all_checks_passed"
    assert body["decisions"][0]["grounds"][0]["params"] == {}
    (s2_ground,) = body["decisions"][2]["grounds"]
    assert s2_ground["code"] == "grade_below_minimum"
    assert s2_ground["params"] == {"grade": "5.4", "minimum": "6.0"}
    assert body["totals"] == {
        "participants": 1, "subjects": 1, "diplomas": 1, "weighted": 1.0,
        "by_track": {"havo": {"participants": 1, "subjects": 1, "diplomas": 1}}}
    assert {d.rules_version for d in decisions} == {"vavo-2024.1"}


def test_totals_count_funded_objects_per_track_with_rule_set_weights():
    vwo = replace(ENROLMENT, id="e2", track="vwo")
    rejected_vmbo = replace(ENROLMENT, id="e3", track="vmbo-t", attending=False)
    subjects = [SUBJECT, replace(SUBJECT, id="s2", enrolment="e2"), replace(SUBJECT, id="s3", enrolment="e2"),
                replace(SUBJECT, id="s4", enrolment="e3")]
    weights = RuleSet(version="test", effective_from=date(2020, 1, 1),
                      weights={"participants": 1.0, "subjects": 0.25, "diplomas": 2.0})

    decisions, totals = evaluate([PARTICIPANT], [ENROLMENT, vwo, rejected_vmbo], subjects, [DIPLOMA],
                                 count_date=COUNT_DATE, exam_year=EXAM_YEAR, rules=weights)

    assert (totals.participants, totals.subjects, totals.diplomas) == (2, 4, 1)
    assert totals.weighted == 2 * 1.0 + 4 * 0.25 + 1 * 2.0
    assert totals.to_dict()["by_track"] == {
        "vwo": {"participants": 1, "subjects": 2, "diplomas": 0},
        "havo": {"participants": 1, "subjects": 1, "diplomas": 1},
        "vmbo-t": {"participants": 0, "subjects": 1, "diplomas": 0},
    }
    assert [d.id for d in decisions] == ["e1", "e2", "e3", "s1", "s2", "s3", "s4", "d1"]


def test_weighted_total_is_rounded_to_four_decimals():
    subjects = [replace(SUBJECT, id=f"s{i}") for i in range(3)]
    _, totals = evaluate([PARTICIPANT], [ENROLMENT], subjects, [], count_date=COUNT_DATE, exam_year=EXAM_YEAR)
    assert totals.weighted == 1.9  # 0.4 + 3 * 0.5, without float noise


# --------------------------------------------------------------------------- rule sets


@pytest.mark.parametrize(
    ("on", "version"),
    [
        (date(2024, 1, 1), "vavo-2024.1"),
        (date(2025, 10, 1), "vavo-2024.1"),
        (date(2026, 7, 31), "vavo-2024.1"),
        (date(2026, 8, 1), "vavo-2026.1"),
        (date(2030, 10, 1), "vavo-2026.1"),
    ],
    ids=["first_day_of_2024_1", "count_date_2025_uses_2024_1", "day_before_2026_1", "first_day_of_2026_1",
         "later_dates_use_newest"],
)
def test_rule_set_for_picks_newest_in_effect(on, version):
    assert rule_set_for(on).version == version


def test_rule_set_for_date_before_any_version_is_unknown():
    with pytest.raises(UnknownRuleSet, match="2023-12-31"):
        rule_set_for(date(2023, 12, 31))


def test_rule_set_by_version_and_unknown_version():
    assert rule_set("vavo-2026.1") is RULE_SETS[1]
    with pytest.raises(UnknownRuleSet) as raised:
        rule_set("vavo-1999.1")
    assert isinstance(raised.value, KeyError)
    assert "vavo-1999.1" in str(raised.value)


def test_rule_set_versions_are_distinct_objects_with_the_documented_numbers():
    old, new = RULE_SETS
    assert old is not new and old.version != new.version
    for rules_version in RULE_SETS:
        assert rules_version.min_age == 18
        assert rules_version.min_grade == Decimal("6.0")
        assert rules_version.enrolment_margin_days == 92
        assert dict(rules_version.weights) == {"participants": 0.4, "subjects": 0.5, "diplomas": 0.1}
    with pytest.raises(TypeError):
        old.weights["subjects"] = 1.0  # shared rule sets are read-only
    with pytest.raises(FrozenInstanceError):
        old.min_age = 21


def test_evaluate_defaults_to_rule_set_in_effect_on_count_date():
    enrolment = replace(ENROLMENT, start=date(2026, 8, 20), end=date(2027, 7, 31), registered_on=date(2026, 8, 21))
    decisions, _ = evaluate([PARTICIPANT], [enrolment], [], [], count_date=date(2026, 10, 1), exam_year=2027)
    assert decisions[0].rules_version == "vavo-2026.1"


CUSTOM_RULE_CASES = [
    ("min_age_is_a_parameter", {"min_age": 25}, "enrolment", ("under_18",)),
    ("min_grade_is_a_parameter", {"min_grade": Decimal("6.5")}, "subject", ("grade_below_minimum",)),
    ("margin_is_a_parameter", {"enrolment_margin_days": 0}, "diploma", FUNDED),
    ("margin_zero_rejects_day_after_end", {"enrolment_margin_days": 0}, "late_diploma", ("outside_enrolment",)),
    ("deadline_is_a_parameter", {"late_deadline_month": 1, "late_deadline_day": 1}, "enrolment_registered_feb",
     ("reported_late",)),
]


@pytest.mark.parametrize(("changes", "what", "expected"), [c[1:] for c in CUSTOM_RULE_CASES],
                         ids=[c[0] for c in CUSTOM_RULE_CASES])
def test_numbers_come_from_the_rule_set(changes, what, expected):
    custom = replace(RULES, version="custom", **changes)
    if what == "enrolment":
        decision = decide_enrolment(ENROLMENT, PARTICIPANT, COUNT_DATE, custom)
    elif what == "enrolment_registered_feb":
        decision = decide_enrolment(replace(ENROLMENT, registered_on=date(2026, 2, 1)), PARTICIPANT, COUNT_DATE,
                                    custom)
    elif what == "subject":
        decision = decide_subject(SUBJECT, ENROLMENT, EXAM_YEAR, custom)
    elif what == "diploma":
        decision = decide_diploma(replace(DIPLOMA, issued_on=ENROLMENT.end), ENROLMENT, EXAM_YEAR, custom)
    else:
        decision = decide_diploma(replace(DIPLOMA, issued_on=date(2026, 8, 1)), ENROLMENT, EXAM_YEAR, custom)
    assert decision.codes == expected
    assert decision.rules_version == "custom"


@pytest.mark.parametrize(
    ("funding_year", "count_date", "exam_year"),
    [(2026, date(2024, 10, 1), 2024), (2027, date(2025, 10, 1), 2025)],
    ids=["funding_2026_counts_oct_2024", "funding_2027_counts_oct_2025"],
)
def test_funding_year_looks_back_two_years(funding_year, count_date, exam_year):
    assert count_date_for_funding_year(funding_year, RULES) == count_date
    assert exam_year_for_funding_year(funding_year) == exam_year


# --------------------------------------------------------------------------- references and bad facts

REFERENCE_CASES = [
    ("subject_with_unknown_enrolment", [], [replace(SUBJECT, enrolment="e9")], [], "subjects[0].enrolment", "e9"),
    ("diploma_with_unknown_enrolment", [], [], [replace(DIPLOMA, enrolment="e9")], "diplomas[0].enrolment", "e9"),
    ("enrolment_with_unknown_participant", [replace(ENROLMENT, id="e2", participant="p9")], [], [],
     "enrolments[1].participant", "p9"),
]


@pytest.mark.parametrize(("extra_enrolments", "subjects", "diplomas", "field", "ref_id"),
                         [c[1:] for c in REFERENCE_CASES], ids=[c[0] for c in REFERENCE_CASES])
def test_unknown_reference_names_field_and_id(extra_enrolments, subjects, diplomas, field, ref_id):
    with pytest.raises(UnknownReference) as raised:
        evaluate([PARTICIPANT], [ENROLMENT, *extra_enrolments], subjects, diplomas,
                 count_date=COUNT_DATE, exam_year=EXAM_YEAR)
    assert isinstance(raised.value, ValueError)
    assert (raised.value.field, raised.value.id) == (field, ref_id)
    assert field in str(raised.value) and ref_id in str(raised.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda: decide_enrolment(replace(ENROLMENT, participant="p9"), PARTICIPANT, COUNT_DATE, RULES),
        lambda: decide_subject(replace(SUBJECT, enrolment="e9"), ENROLMENT, EXAM_YEAR, RULES),
        lambda: decide_diploma(replace(DIPLOMA, enrolment="e9"), ENROLMENT, EXAM_YEAR, RULES),
    ],
    ids=["enrolment_given_other_participant", "subject_given_other_enrolment", "diploma_given_other_enrolment"],
)
def test_single_decisions_refuse_a_mismatched_reference(call):
    with pytest.raises(UnknownReference):
        call()


def test_duplicate_ids_are_refused():
    with pytest.raises(DuplicateId, match=r"subjects\[1\]\.id"):
        evaluate([PARTICIPANT], [ENROLMENT], [SUBJECT, SUBJECT], [], count_date=COUNT_DATE, exam_year=EXAM_YEAR)


@pytest.mark.parametrize(
    "build",
    [
        lambda: replace(ENROLMENT, track="mbo"),
        lambda: replace(SUBJECT, status="X"),
        lambda: replace(SUBJECT, final_grade="6.4"),
        lambda: replace(DIPLOMA, exam_result="X"),
    ],
    ids=["unknown_track", "unknown_subject_status", "grade_not_a_decimal", "unknown_exam_result"],
)
def test_facts_outside_their_enumeration_are_refused(build):
    with pytest.raises(InvalidFact):
        build()
    assert issubclass(InvalidFact, FactError) and issubclass(FactError, ValueError)


# --------------------------------------------------------------------------- signals, share, purity

EMITTED_CODES = {
    code for case in (*PARTICIPANT_CASES, *SUBJECT_CASES, *DIPLOMA_CASES) for code in case[-1]
} - set(FUNDED)


def test_every_signal_code_is_tested_labelled_and_has_a_fix():
    documented = {
        "id_invalid", "not_enrolled_on_count_date", "under_18", "placed_by_vo_school", "not_resident",
        "residence_status", "not_attending", "marked_not_funded", "reported_late",
        "outside_enrolment", "grade_below_minimum", "not_examined_this_year", "outside_exam_year",
        "exam_not_passed", "outside_calendar_year",
    }
    assert EMITTED_CODES == documented
    assert set(SIGNALS) == documented == set(HOW_TO_FIX)
    assert {code for codes in SIGNALS_BY_BASIS.values() for code in codes} == documented
    for code in SIGNALS_BY_BASIS["participant"]:
        assert SIGNALS[code].basis == "participant"
    assert all(SIGNALS[code].label and HOW_TO_FIX[code] for code in documented)


@pytest.mark.parametrize(
    ("own", "national", "budget", "share"),
    [
        (1.0, 4.0, Decimal("1000000"), Decimal("250000.00")),
        (0.1, 0.3, Decimal("100"), Decimal("33.33")),
        (5.0, 0.0, Decimal("1000000"), Decimal("0.00")),
        (0.0, 10.0, Decimal("1000000"), Decimal("0.00")),
    ],
    ids=["quarter_of_national", "rounded_to_cents", "national_zero_gives_zero", "nothing_own_gives_zero"],
)
def test_school_share(own, national, budget, share):
    assert school_share(own, national, budget) == share


def test_rules_module_is_pure():
    source = Path(rules.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "dataclasses", "datetime", "decimal", "types", "typing", "stdnum"}
    for clock in ("today(", "now(", "time.time", "open("):
        assert clock not in source
