"""Funding decisions through the database path: services write facts, the recompute stores
provisional decisions in the same transaction, the final determination freezes them."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.funding import services
from apps.funding.models import FundingDecision, Participant
from apps.funding.selectors import decision_differences, funding_overview
from funding.funding_facts import EXAM_FUNDING_YEAR, PARTICIPANT_YEAR, decision_of
from funding.signal_cases import DIPLOMA_CASES, PARTICIPANT_CASES, SUBJECT_CASES


@pytest.mark.parametrize("name,person,enrolment,codes", PARTICIPANT_CASES, ids=[c[0] for c in PARTICIPANT_CASES])
def test_participant_signal_is_stored_with_every_failing_code(facts, name, person, enrolment, codes):
    e = facts.enrolment(facts.participant(**person), **enrolment)
    decision = decision_of(e, year=PARTICIPANT_YEAR)
    assert decision.status == "rejected"
    assert decision.codes == codes
    assert [g["code"] for g in decision.grounds] == codes
    assert all(g["text"] for g in decision.grounds)


@pytest.mark.parametrize("name,enrolment,subject,codes", SUBJECT_CASES, ids=[c[0] for c in SUBJECT_CASES])
def test_subject_signal_is_stored_with_every_failing_code(facts, name, enrolment, subject, codes):
    s = facts.subject(facts.enrolment(**enrolment), **subject)
    decision = decision_of(s)
    assert (decision.status, decision.codes) == ("rejected", codes)


@pytest.mark.parametrize("name,enrolment,diploma,codes", DIPLOMA_CASES, ids=[c[0] for c in DIPLOMA_CASES])
def test_diploma_signal_is_stored_with_every_failing_code(facts, name, enrolment, diploma, codes):
    d = facts.diploma(facts.enrolment(**enrolment), **diploma)
    decision = decision_of(d)
    assert (decision.status, decision.codes) == ("rejected", codes)


def test_clean_facts_are_funded_with_all_checks_passed(facts):
    e = facts.enrolment()
    s, d = facts.subject(e), facts.diploma(e)
    for obj, year in ((e, PARTICIPANT_YEAR), (s, EXAM_FUNDING_YEAR), (d, EXAM_FUNDING_YEAR)):
        decision = decision_of(obj, year=year)
        assert decision.status == "funded"
        assert decision.codes == ["all_checks_passed"]
        assert decision.count_date == date(2025, 10, 1) if year == PARTICIPANT_YEAR else decision.exam_year == 2026


def test_valid_onderwijsnummer_alone_is_a_valid_identifier(facts):
    e = facts.enrolment(facts.participant(bsn="", onderwijsnummer="100000016"))
    assert decision_of(e, year=PARTICIPANT_YEAR).status == "funded"


def test_participant_check_never_rejects_subject_or_diploma(facts):
    e = facts.enrolment(facts.participant(bsn="", birth_date=date(2010, 1, 1)), marked_not_funded=True)
    assert decision_of(e, year=PARTICIPANT_YEAR).status == "rejected"
    assert decision_of(facts.subject(e)).status == "funded"
    assert decision_of(facts.diploma(e)).status == "funded"


# --------------------------------------------------------------------------- boundaries


@pytest.mark.parametrize("birth_date,status", [
    (date(2007, 10, 1), "funded"),    # 18th birthday on the count date counts as 18
    (date(2007, 10, 2), "rejected"),  # one day short
    (date(2007, 9, 30), "funded"),
])
def test_18th_birthday_on_the_count_date_counts_as_18(facts, birth_date, status):
    e = facts.enrolment(facts.participant(birth_date=birth_date))
    assert decision_of(e, year=PARTICIPANT_YEAR).status == status


@pytest.mark.parametrize("enrolment,status", [
    ({"start": date(2025, 10, 1)}, "funded"),          # count date equal to the start
    ({"actual_end": date(2025, 10, 1)}, "funded"),     # count date equal to the (actual) end
    ({"planned_end": date(2025, 10, 1)}, "funded"),    # ... or the planned end
    ({"actual_end": date(2025, 9, 30)}, "rejected"),
    ({"start": date(2025, 10, 2)}, "rejected"),
])
def test_count_date_equal_to_start_or_end_counts_as_enrolled(facts, enrolment, status):
    e = facts.enrolment(**enrolment)
    assert decision_of(e, year=PARTICIPANT_YEAR).status == status


def test_registration_on_the_deadline_itself_is_in_time(facts):
    e = facts.enrolment(registered_on=date(2026, 7, 1))
    assert decision_of(e, year=PARTICIPANT_YEAR).status == "funded"


def test_subject_on_the_last_day_of_the_margin_is_inside_the_enrolment(facts):
    e = facts.enrolment(actual_end=date(2026, 3, 31))  # + 92 days = 2026-07-01
    assert decision_of(facts.subject(e, completed_on=date(2026, 7, 1))).status == "funded"
    assert decision_of(facts.subject(e, subject="Engels", completed_on=date(2026, 7, 2))).codes == [
        "outside_enrolment"]


def test_enrolment_spanning_two_count_dates_is_decided_for_both_funding_years(facts):
    e = facts.enrolment(planned_end=date(2027, 7, 31))
    years = sorted(FundingDecision.objects.filter(object_type="enrolment", object_id=e.pk)
                   .values_list("funding_year", flat=True))
    assert years == [2027, 2028]


# --------------------------------------------------------------------------- recompute on change


def test_change_of_a_fact_recomputes_the_participant_in_the_same_call(facts, student_admin):
    p = facts.participant(bsn="")
    e = facts.enrolment(p)
    assert decision_of(e, year=PARTICIPANT_YEAR).codes == ["id_invalid"]
    services.participant_update(participant=p, data={"bsn": "111222333"}, by=student_admin)
    assert decision_of(e, year=PARTICIPANT_YEAR).status == "funded"
    services.enrolment_update(enrolment=e, data={"attending": False}, by=student_admin)
    assert decision_of(e, year=PARTICIPANT_YEAR).codes == ["not_attending"]


def test_deleting_an_object_removes_its_provisional_decision(facts, student_admin):
    s = facts.subject()
    pk = s.pk
    services.subject_result_delete(subject_result=s, by=student_admin)
    assert not FundingDecision.objects.filter(object_type="subject", object_id=pk).exists()


def test_unchanged_update_writes_no_audit_entry(facts, student_admin):
    p = facts.participant()
    before = AuditEntry.objects.count()
    services.participant_update(participant=p, data={"last_name": "Vries"}, by=student_admin)
    assert AuditEntry.objects.count() == before


def test_fact_changes_are_audited_without_the_bsn_in_clear(facts, student_admin):
    p = facts.participant()
    services.participant_update(participant=p, data={"bsn": "100000009"}, by=student_admin)
    entry = AuditEntry.objects.filter(action="funding.participant.update").get()
    assert entry.actor_id == student_admin.pk and entry.person_id == p.pk
    assert entry.old["bsn"] == "***333" and entry.new["bsn"] == "***009"


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("make,field", [
    (lambda f: f.participant(bsn="123456789"), "bsn"),
    (lambda f: f.participant(onderwijsnummer="100000017"), "onderwijsnummer"),
    (lambda f: f.enrolment(track="gymnasium"), "track"),
    (lambda f: f.enrolment(planned_end=date(2025, 8, 1)), "planned_end"),
    (lambda f: f.enrolment(actual_end=date(2025, 8, 1)), "actual_end"),
    (lambda f: f.subject(final_grade=Decimal("10.1")), "final_grade"),
    (lambda f: f.subject(final_grade=Decimal("0.9")), "final_grade"),
    (lambda f: f.subject(status="X"), "status"),
    (lambda f: f.diploma(exam_result="Q"), "exam_result"),
])
def test_bad_input_is_a_field_error_and_nothing_is_written(facts, make, field):
    with pytest.raises(ValidationError) as exc:
        make(facts)
    assert field in exc.value.message_dict


def test_subject_for_an_unknown_enrolment_is_refused(facts, student_admin):
    with pytest.raises(ValidationError) as exc:
        services.subject_result_create(data={"enrolment": 999999, "subject": "Engels", "status": "G",
                                             "final_grade": Decimal("7"), "completed_on": date(2026, 6, 1)},
                                       by=student_admin)
    assert "enrolment" in exc.value.message_dict


def test_failed_write_leaves_no_row_no_audit_and_no_decision(facts, student_admin):
    e = facts.enrolment()
    counts = (AuditEntry.objects.count(), FundingDecision.objects.count(), Participant.objects.count())
    with pytest.raises(ValidationError):
        services.enrolment_update(enrolment=e, data={"track": "havo", "actual_end": date(2020, 1, 1)},
                                  by=student_admin)
    assert (AuditEntry.objects.count(), FundingDecision.objects.count(), Participant.objects.count()) == counts


# --------------------------------------------------------------------------- final determination


def test_final_determination_freezes_and_later_changes_show_as_difference(facts, school_admin, student_admin):
    p = facts.participant()
    e = facts.enrolment(p)
    other = facts.enrolment(facts.participant(first_name="Daan", bsn="100000009"), attending=False)
    services.funding_year_finalise(year=PARTICIPANT_YEAR, by=school_admin)
    final = decision_of(e, kind="final", year=PARTICIPANT_YEAR)
    assert final.status == "funded"
    assert decision_differences(year=PARTICIPANT_YEAR) == []

    services.participant_update(participant=p, data={"resident_in_nl": False}, by=student_admin)
    services.enrolment_update(enrolment=other, data={"attending": True}, by=student_admin)

    # the final decision is unchanged; the provisional one follows the facts
    final.refresh_from_db()
    assert (final.status, final.codes) == ("funded", ["all_checks_passed"])
    assert decision_of(e, year=PARTICIPANT_YEAR).codes == ["not_resident"]
    differences = {d["object_id"]: d for d in decision_differences(year=PARTICIPANT_YEAR)}
    assert differences[e.pk]["final_status"] == "funded"
    assert differences[e.pk]["provisional_status"] == "rejected"
    assert differences[e.pk]["provisional_codes"] == ["not_resident"]
    assert differences[other.pk]["final_codes"] == ["not_attending"]
    assert differences[other.pk]["provisional_status"] == "funded"
    assert funding_overview(year=PARTICIPANT_YEAR)["differences"]
    assert funding_overview(year=PARTICIPANT_YEAR, kind="final")["totals"]["participants"] == 1
    assert AuditEntry.objects.filter(action="funding.year.finalise", actor=school_admin).exists()


def test_final_determination_runs_once_per_year(facts, school_admin):
    facts.enrolment()
    services.funding_year_finalise(year=PARTICIPANT_YEAR, by=school_admin)
    with pytest.raises(ValidationError) as exc:
        services.funding_year_finalise(year=PARTICIPANT_YEAR, by=school_admin)
    assert "year" in exc.value.message_dict


def test_final_decision_cannot_be_saved_again(facts, school_admin):
    e = facts.enrolment()
    services.funding_year_finalise(year=PARTICIPANT_YEAR, by=school_admin)
    final = decision_of(e, kind="final", year=PARTICIPANT_YEAR)
    final.status = "rejected"
    with pytest.raises(ValidationError):
        final.save()


def test_deleted_object_keeps_its_final_decision_and_shows_as_removed(facts, school_admin, student_admin):
    e = facts.enrolment()
    services.funding_year_finalise(year=PARTICIPANT_YEAR, by=school_admin)
    pk = e.pk
    services.enrolment_delete(enrolment=e, by=student_admin)
    final = FundingDecision.objects.get(kind="final", object_type="enrolment", object_id=pk)
    assert final.status == "funded"
    (difference,) = decision_differences(year=PARTICIPANT_YEAR)
    assert difference["provisional_status"] is None


def test_finalising_a_year_without_decisions_is_refused(in_school, school_admin):
    with pytest.raises(ValidationError):
        services.funding_year_finalise(year=2031, by=school_admin)


# --------------------------------------------------------------------------- overview


def test_overview_counts_per_track_weighted_value_and_share(facts, school_admin):
    e1 = facts.enrolment()                                   # havo, funded
    facts.enrolment(facts.participant(bsn="100000009"), track="vwo")  # vwo, funded
    facts.enrolment(facts.participant(bsn=""), track="vmbo-t")       # rejected id_invalid
    facts.subject(e1)
    services.funding_year_set_figures(year=PARTICIPANT_YEAR, national_weighted=Decimal("1000"),
                                      national_budget=Decimal("50000000"), by=school_admin)
    overview = funding_overview(year=PARTICIPANT_YEAR)
    assert overview["by_track"]["havo"]["participants"] == 1
    assert overview["by_track"]["vwo"]["participants"] == 1
    assert overview["by_track"]["vmbo-t"]["participants"] == 0
    assert overview["totals"] == {"participants": 2, "subjects": 0, "diplomas": 0}
    assert overview["weighted"] == pytest.approx(0.8)
    assert overview["estimated_share"] == Decimal("40000.00")
    (group,) = overview["rejected_by_signal"]
    assert group["code"] == "id_invalid" and group["count"] == 1 and "BSN" in group["how_to_fix"]
    subjects_year = funding_overview(year=EXAM_FUNDING_YEAR)
    assert subjects_year["totals"]["subjects"] == 1 and subjects_year["weighted"] == pytest.approx(0.5)


def test_full_recompute_rebuilds_every_provisional_decision(facts):
    from apps.funding.recompute import recompute_job_run
    from apps.jobs.models import Job

    e = facts.enrolment()
    facts.subject(e)
    FundingDecision.objects.all().delete()
    written = recompute_job_run()
    assert written == 2
    assert decision_of(e, year=PARTICIPANT_YEAR).status == "funded"
    job = Job.objects.get(kind="funding.recompute")
    assert job.status == "done" and job.done == job.total == 1
