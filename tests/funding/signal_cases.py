"""One row per signal code (and combinations): the facts that make it fire.

Each case: (name, participant overrides, enrolment overrides, subject overrides or None,
diploma overrides or None, expected {object: codes}). Objects not named are funded.
Dates are ISO strings so the same table feeds the services (via date parsing) and the API.
"""
from datetime import date
from decimal import Decimal

ALL_PARTICIPANT_CODES = [
    "id_invalid", "not_enrolled_on_count_date", "under_18", "placed_by_vo_school", "not_resident",
    "residence_status", "not_attending", "marked_not_funded", "reported_late",
]

PARTICIPANT_CASES = [
    ("id_invalid", {"bsn": "", "onderwijsnummer": ""}, {}, ["id_invalid"]),
    ("not_enrolled_on_count_date_starts_after", {}, {"start": date(2025, 10, 2)}, ["not_enrolled_on_count_date"]),
    ("not_enrolled_on_count_date_ended_before", {}, {"actual_end": date(2025, 9, 30)}, ["not_enrolled_on_count_date"]),
    ("under_18", {"birth_date": date(2007, 10, 2)}, {}, ["under_18"]),
    ("placed_by_vo_school", {}, {"placed_by_vo_school": True}, ["placed_by_vo_school"]),
    ("not_resident", {"resident_in_nl": False}, {}, ["not_resident"]),
    ("residence_status", {"nationality_dutch": False}, {}, ["residence_status"]),
    ("not_attending", {}, {"attending": False}, ["not_attending"]),
    ("marked_not_funded", {}, {"marked_not_funded": True}, ["marked_not_funded"]),
    ("reported_late", {}, {"registered_on": date(2026, 7, 2)}, ["reported_late"]),
    ("combined_all_participant_signals",
     {"bsn": "", "birth_date": date(2008, 1, 1), "resident_in_nl": False, "nationality_dutch": False},
     {"start": date(2025, 10, 2), "placed_by_vo_school": True, "attending": False, "marked_not_funded": True,
      "registered_on": date(2026, 7, 2)},
     ALL_PARTICIPANT_CODES),
    ("combined_under_18_and_late", {"birth_date": date(2008, 1, 1)}, {"registered_on": date(2026, 8, 1)},
     ["under_18", "reported_late"]),
]

# (name, enrolment overrides, subject overrides, expected codes); exam year = enrolment end year.
SUBJECT_CASES = [
    ("outside_enrolment", {"actual_end": date(2026, 1, 31)}, {}, ["outside_enrolment"]),
    ("grade_below_minimum", {}, {"final_grade": Decimal("5.4")}, ["grade_below_minimum"]),
    ("grade_missing", {}, {"final_grade": None}, ["grade_below_minimum"]),
    ("not_examined_this_year_dispensation", {}, {"status": "D"}, ["not_examined_this_year"]),
    ("not_examined_this_year_exemption", {}, {"status": "V"}, ["not_examined_this_year"]),
    ("not_examined_this_year_certificate", {}, {"status": "I"}, ["not_examined_this_year"]),
    ("outside_exam_year", {"planned_end": date(2027, 1, 31)}, {"completed_on": date(2026, 12, 15)},
     ["outside_exam_year"]),
    ("combined_window_grade_year", {}, {"final_grade": Decimal("5.0"), "completed_on": date(2027, 3, 1)},
     ["outside_enrolment", "grade_below_minimum", "outside_exam_year"]),
    ("combined_window_status_year", {}, {"status": "V", "completed_on": date(2027, 3, 1)},
     ["outside_enrolment", "not_examined_this_year", "outside_exam_year"]),
]

DIPLOMA_CASES = [
    ("exam_not_passed_rejected", {}, {"exam_result": "A"}, ["exam_not_passed"]),
    ("exam_not_passed_withdrawn", {}, {"exam_result": "T"}, ["exam_not_passed"]),
    ("exam_not_passed_certificates_only", {}, {"exam_result": "D"}, ["exam_not_passed"]),
    ("outside_calendar_year", {"actual_end": date(2025, 12, 31)}, {"issued_on": date(2026, 1, 10)},
     ["outside_calendar_year"]),
    ("outside_enrolment", {"actual_end": date(2026, 2, 28)}, {"issued_on": date(2026, 7, 1)}, ["outside_enrolment"]),
    ("combined_all_diploma_signals", {}, {"exam_result": "A", "issued_on": date(2027, 2, 1)},
     ["exam_not_passed", "outside_calendar_year", "outside_enrolment"]),
]
