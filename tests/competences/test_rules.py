"""Table tests for the care passport status rules (shared/PASSPORT-RULES.md).

Pure: no Django, no database. One row per case; the row's id says the rule.
"""

from __future__ import annotations

import json
import random
from dataclasses import FrozenInstanceError, dataclass, field
from datetime import date, datetime, timedelta

import pytest

from apps.competences.rules import (
    CURRENT_VERSION,
    RULE_SETS,
    STATUSES,
    AuthorisationFact,
    CompetenceSpec,
    Decision,
    EnrolmentFact,
    EvidenceFact,
    Ground,
    PeriodFact,
    PersonFacts,
    PracticeFact,
    PracticeRequirement,
    Requirement,
    UnknownRuleSet,
    add_months,
    decide,
    format_date,
    rule_set,
)

D = date
PROFILE = "Afdeling Chirurgie"

# The worked example: theory 24, practical 24, practice 3x per 12 months, warning 60 days.
KATH = CompetenceSpec(
    "KATH",
    "Katheteriseren",
    {"theory": 24, "practical": 24},
    PracticeRequirement(3, 12, verified_only=False),
    warning_days=60,
    category="reserved",
)
# Theory only, no practice: the plain evidence rules.
THEORY = CompetenceSpec("KATH", "Katheteriseren", {"theory": 24}, None, warning_days=60)
# E-learning valid 6 months: month clamping.
ELEARN6 = CompetenceSpec("KATH", "Katheteriseren", {"elearning": 6}, None, warning_days=60)
# Theory + practical, verified practice only.
VERIFIED = CompetenceSpec(
    "KATH",
    "Katheteriseren",
    {"theory": 24},
    PracticeRequirement(2, 12, verified_only=True),
    warning_days=30,
)
# No warning window at all.
NO_WARNING = CompetenceSpec("KATH", "Katheteriseren", {"theory": 24}, None, warning_days=0)
# Warning from the rule set: 60 days in care-2026.1, 90 days in care-2026.2.
DEFAULT_WARNING = CompetenceSpec("KATH", "Katheteriseren", {"theory": 24}, None)
CERT = CompetenceSpec("KATH", "Katheteriseren", {"certificate": 36}, None, warning_days=60)


def ev(kind, achieved, passed=True, valid_until=None, competence="KATH"):
    return EvidenceFact(competence, kind, achieved, passed, valid_until, assessor="J. de Vries")


def pr(performed, count=1, verified=True, competence="KATH"):
    return PracticeFact(competence, performed, count, verified)


def period(start, until=None, reason="reden", by="M. Jansen", competence="KATH"):
    return PeriodFact(competence, start, until, reason, by)


def enrolled(session, course="Katheteriseren basis", competence="KATH"):
    return EnrolmentFact(competence, course, session)


# Worked example facts: theory 2025-01-10, practical 2025-02-01, 4x practised in the year.
WORKED_EVIDENCE = (ev("theory", D(2025, 1, 10)), ev("practical", D(2025, 2, 1)))
WORKED_PRACTICE = (pr(D(2026, 3, 15)), pr(D(2026, 5, 20)), pr(D(2026, 8, 1)), pr(D(2026, 10, 10)))
THEORY_2025 = (ev("theory", D(2025, 1, 10)),)  # valid through 2027-01-10


@dataclass(frozen=True)
class Case:
    id: str
    as_of: date
    status: str
    valid_until: date | None
    next_change: date | None
    codes: tuple[str, ...]  # ground codes in order, without the closing required_by
    spec: CompetenceSpec = KATH
    evidence: tuple = ()
    practice: tuple = ()
    exemptions: tuple = ()
    not_applicable: tuple = ()
    revocations: tuple = ()
    enrolments: tuple = ()
    params: dict = field(default_factory=dict)  # code -> expected params of its first ground

    def person(self) -> PersonFacts:
        return PersonFacts(
            requirements=(Requirement("KATH", (PROFILE,)),),
            evidence=self.evidence,
            practice=self.practice,
            exemptions=self.exemptions,
            not_applicable=self.not_applicable,
            revocations=self.revocations,
            enrolments=self.enrolments,
        )


CASES = [
    # --- The worked example of PASSPORT-RULES.md -----------------------------------------
    Case(
        "worked_example_expiring_inside_60_day_window",
        D(2026, 12, 1), "expiring", D(2027, 1, 10), D(2027, 1, 11),
        ("expires_on", "practice_met"),
        evidence=WORKED_EVIDENCE, practice=WORKED_PRACTICE,
        params={"expires_on": {"date": "2027-01-10", "kind": "theory"},
                "practice_met": {"done": 4, "required": 3, "months": 12}},
    ),
    Case(
        "worked_example_expired_day_after_theory_expiry",
        D(2027, 1, 11), "expired", None, None, ("kind_expired",),
        evidence=WORKED_EVIDENCE, practice=WORKED_PRACTICE,
        params={"kind_expired": {"kind": "theory", "date": "2027-01-10"}},
    ),
    Case(
        "worked_example_expiry_day_itself_still_expiring",
        D(2027, 1, 10), "expiring", D(2027, 1, 10), D(2027, 1, 11), ("expires_on", "practice_met"),
        evidence=WORKED_EVIDENCE, practice=WORKED_PRACTICE,
    ),
    Case(
        "worked_example_competent_day_before_warning_window",
        D(2026, 11, 11), "competent", D(2027, 1, 10), D(2026, 11, 12), ("all_valid", "practice_met"),
        evidence=WORKED_EVIDENCE, practice=WORKED_PRACTICE,
        params={"all_valid": {"kinds": {"theory": "2027-01-10", "practical": "2027-02-01"}}},
    ),
    Case(
        "worked_example_first_day_of_60_day_window_is_expiring",
        D(2026, 11, 12), "expiring", D(2027, 1, 10), D(2027, 1, 11), ("expires_on", "practice_met"),
        evidence=WORKED_EVIDENCE, practice=WORKED_PRACTICE,
    ),
    # --- First match wins: not_applicable > revoked > exempt > evidence ------------------
    Case(
        "precedence_not_applicable_beats_revoked_exempt_and_evidence",
        D(2026, 6, 1), "not_applicable", None, None, ("not_applicable",),
        evidence=WORKED_EVIDENCE, practice=WORKED_PRACTICE,
        not_applicable=(period(D(2026, 1, 1), reason="Geen patiëntcontact", by="M. Jansen"),),
        revocations=(period(D(2026, 1, 1)),), exemptions=(period(D(2026, 1, 1)),),
        params={"not_applicable": {"reason": "Geen patiëntcontact", "by": "M. Jansen",
                                   "from": "2026-01-01", "until": None}},
    ),
    Case(
        "precedence_revoked_beats_exempt_until_inclusive_next_day_after",
        D(2026, 6, 1), "revoked", D(2026, 9, 30), D(2026, 10, 1), ("revoked",),
        evidence=WORKED_EVIDENCE,
        revocations=(period(D(2026, 3, 1), D(2026, 9, 30), reason="Incident", by="Teamleider"),),
        exemptions=(period(D(2026, 1, 1)),),
        params={"revoked": {"reason": "Incident", "by": "Teamleider",
                            "from": "2026-03-01", "until": "2026-09-30"}},
    ),
    Case(
        "precedence_exempt_beats_missing_evidence",
        D(2026, 6, 1), "exempt", D(2026, 12, 31), D(2027, 1, 1), ("exempt",),
        exemptions=(period(D(2026, 1, 1), D(2026, 12, 31), reason="Elders aangetoond"),),
        params={"exempt": {"reason": "Elders aangetoond", "by": "M. Jansen",
                           "from": "2026-01-01", "until": "2026-12-31"}},
    ),
    # --- Periods: from/until inclusive, open ends, future starts ------------------------
    Case(
        "exemption_until_day_itself_is_exempt",
        D(2026, 12, 31), "exempt", D(2026, 12, 31), D(2027, 1, 1), ("exempt",),
        exemptions=(period(D(2026, 1, 1), D(2026, 12, 31)),),
    ),
    Case(
        "exemption_ended_day_after_until_falls_through_to_evidence",
        D(2027, 1, 1), "missing", None, None, ("no_evidence",),
        exemptions=(period(D(2026, 1, 1), D(2026, 12, 31)),),
    ),
    Case(
        "exemption_from_day_itself_is_exempt",
        D(2026, 1, 1), "exempt", D(2026, 12, 31), D(2027, 1, 1), ("exempt",),
        exemptions=(period(D(2026, 1, 1), D(2026, 12, 31)),),
    ),
    Case(
        "exemption_open_ended_never_ends_no_valid_until_no_next_change",
        D(2030, 1, 1), "exempt", None, None, ("exempt",),
        exemptions=(period(D(2026, 1, 1)),),
    ),
    Case(
        "exemption_starting_after_D_not_active_but_is_next_change",
        D(2026, 12, 1), "missing", None, D(2027, 1, 1), ("no_evidence",),
        exemptions=(period(D(2027, 1, 1)),),
    ),
    Case(
        "revocation_open_ended_revoked_forever",
        D(2026, 6, 1), "revoked", None, None, ("revoked",),
        evidence=WORKED_EVIDENCE, revocations=(period(D(2026, 3, 1)),),
    ),
    Case(
        "not_applicable_mark_with_until_then_evidence_decides",
        D(2026, 6, 1), "not_applicable", D(2026, 6, 30), D(2026, 7, 1), ("not_applicable",),
        spec=THEORY, evidence=THEORY_2025, not_applicable=(period(D(2026, 1, 1), D(2026, 6, 30)),),
    ),
    Case(
        "not_applicable_mark_ended_evidence_decides",
        D(2026, 7, 1), "competent", D(2027, 1, 10), D(2026, 11, 12), ("all_valid",),
        spec=THEORY, evidence=THEORY_2025, not_applicable=(period(D(2026, 1, 1), D(2026, 6, 30)),),
    ),
    Case(
        "exempt_until_revocation_that_outranks_it_starts",
        D(2026, 6, 1), "exempt", None, D(2026, 8, 1), ("exempt",),
        exemptions=(period(D(2026, 1, 1)),), revocations=(period(D(2026, 8, 1)),),
    ),
    Case(
        "revoked_unchanged_by_later_exemption_lower_precedence",
        D(2026, 6, 1), "revoked", None, None, ("revoked",),
        revocations=(period(D(2026, 1, 1)),), exemptions=(period(D(2026, 8, 1)),),
    ),
    Case(
        "overlapping_exemptions_longest_lasting_decides",
        D(2026, 6, 1), "exempt", D(2027, 3, 31), D(2027, 4, 1), ("exempt",),
        exemptions=(period(D(2026, 1, 1), D(2026, 7, 31)), period(D(2026, 5, 1), D(2027, 3, 31))),
    ),
    Case(
        "exemption_that_will_be_extended_by_a_later_one_next_change_at_its_start",
        D(2026, 6, 1), "exempt", D(2026, 7, 31), D(2026, 7, 15), ("exempt",),
        exemptions=(period(D(2026, 1, 1), D(2026, 7, 31)), period(D(2026, 7, 15), D(2027, 7, 31))),
    ),
    Case(
        "competent_until_a_future_not_applicable_mark_starts",
        D(2026, 6, 1), "competent", D(2027, 1, 10), D(2026, 9, 1), ("all_valid",),
        spec=THEORY, evidence=THEORY_2025, not_applicable=(period(D(2026, 9, 1)),),
    ),
    # --- Evidence: validity, month arithmetic, which record counts ----------------------
    Case(
        "month_clamp_08_31_plus_6_months_is_02_28_still_valid",
        D(2025, 2, 28), "expiring", D(2025, 2, 28), D(2025, 3, 1), ("expires_on",),
        spec=ELEARN6, evidence=(ev("elearning", D(2024, 8, 31)),),
        params={"expires_on": {"date": "2025-02-28", "kind": "elearning"}},
    ),
    Case(
        "month_clamp_expired_from_03_01",
        D(2025, 3, 1), "expired", None, None, ("kind_expired",),
        spec=ELEARN6, evidence=(ev("elearning", D(2024, 8, 31)),),
        params={"kind_expired": {"kind": "elearning", "date": "2025-02-28"}},
    ),
    Case(
        "leap_day_plus_24_months_clamps_to_02_28",
        D(2025, 6, 1), "competent", D(2026, 2, 28), D(2025, 12, 31), ("all_valid",),
        spec=THEORY, evidence=(ev("theory", D(2024, 2, 29)),),
    ),
    Case(
        "warning_zero_days_competent_through_expiry_day",
        D(2027, 1, 10), "competent", D(2027, 1, 10), D(2027, 1, 11), ("all_valid",),
        spec=NO_WARNING, evidence=THEORY_2025,
    ),
    Case(
        "failed_record_never_counts",
        D(2026, 6, 1), "missing", None, None, ("no_evidence",),
        spec=THEORY, evidence=(ev("theory", D(2026, 1, 10), passed=False),),
        params={"no_evidence": {"kinds": ["theory"]}},
    ),
    Case(
        "newer_failed_record_does_not_hide_older_passed",
        D(2026, 6, 1), "competent", D(2027, 1, 10), D(2026, 11, 12), ("all_valid",),
        spec=THEORY, evidence=THEORY_2025 + (ev("theory", D(2026, 3, 1), passed=False),),
    ),
    Case(
        "newest_passed_record_counts_even_if_older_lasted_longer",
        D(2026, 6, 1), "expiring", D(2026, 7, 1), D(2026, 7, 2), ("expires_on",),
        spec=CERT,
        evidence=(ev("certificate", D(2025, 1, 1), valid_until=D(2030, 1, 1)),
                  ev("certificate", D(2026, 1, 1), valid_until=D(2026, 7, 1))),
    ),
    Case(
        "renewed_record_replaces_expired_one",
        D(2027, 6, 1), "competent", D(2029, 3, 1), D(2029, 1, 1), ("all_valid",),
        spec=THEORY, evidence=THEORY_2025 + (ev("theory", D(2027, 3, 1)),),
    ),
    Case(
        "evidence_achieved_after_D_ignored_but_is_next_change",
        D(2026, 12, 1), "missing", None, D(2027, 1, 5), ("no_evidence",),
        spec=THEORY, evidence=(ev("theory", D(2027, 1, 5)),),
    ),
    Case(
        "evidence_achieved_on_D_counts",
        D(2027, 1, 5), "competent", D(2029, 1, 5), D(2028, 11, 7), ("all_valid",),
        spec=THEORY, evidence=(ev("theory", D(2027, 1, 5)),),
    ),
    Case(
        "later_renewal_on_file_is_next_change_of_expired",
        D(2027, 2, 1), "expired", None, D(2027, 3, 1), ("kind_expired",),
        spec=THEORY, evidence=THEORY_2025 + (ev("theory", D(2027, 3, 1)),),
    ),
    Case(
        "valid_until_override_shorter_than_months",
        D(2026, 12, 1), "expiring", D(2026, 12, 31), D(2027, 1, 1), ("expires_on",),
        spec=CERT, evidence=(ev("certificate", D(2025, 1, 1), valid_until=D(2026, 12, 31)),),
        params={"expires_on": {"date": "2026-12-31", "kind": "certificate"}},
    ),
    Case(
        "valid_until_override_longer_than_months",
        D(2028, 6, 1), "competent", D(2029, 12, 31), D(2029, 11, 2), ("all_valid",),
        spec=CERT, evidence=(ev("certificate", D(2025, 1, 1), valid_until=D(2029, 12, 31)),),
    ),
    Case(
        "two_passed_records_same_day_the_longest_valid_counts",
        D(2026, 6, 1), "competent", D(2028, 1, 1), D(2027, 11, 3), ("all_valid",),
        spec=CERT,
        evidence=(ev("certificate", D(2025, 1, 1), valid_until=D(2026, 7, 1)),
                  ev("certificate", D(2025, 1, 1))),
    ),
    Case(
        "evidence_of_a_kind_not_required_is_ignored",
        D(2026, 6, 1), "missing", None, None, ("no_evidence",),
        spec=THEORY, evidence=(ev("practical", D(2026, 1, 10)),),
    ),
    Case(
        "evidence_for_another_competence_is_ignored",
        D(2026, 6, 1), "missing", None, None, ("no_evidence",),
        spec=THEORY, evidence=(ev("theory", D(2026, 1, 10), competence="INJ"),),
    ),
    Case(
        "two_kinds_expiring_same_day_both_named",
        D(2026, 12, 1), "expiring", D(2027, 1, 10), D(2027, 1, 11), ("expires_on", "expires_on"),
        spec=CompetenceSpec("KATH", "Katheteriseren", {"theory": 24, "practical": 24}, None, 60),
        evidence=(ev("theory", D(2025, 1, 10)), ev("practical", D(2025, 1, 10))),
    ),
    # --- Practice minimum and the held-since rule ----------------------------------------
    Case(
        "held_since_newest_record_practice_not_yet_counted",
        D(2026, 12, 1), "competent", D(2028, 5, 1), D(2027, 6, 1),
        ("all_valid", "practice_not_yet_counted"),
        evidence=(ev("theory", D(2026, 5, 1)), ev("practical", D(2026, 6, 1))),
        params={"practice_not_yet_counted": {"from": "2027-06-01"}},
    ),
    Case(
        "held_since_plus_M_months_practice_counts_from_that_day",
        D(2027, 6, 1), "expired", None, None, ("practice_below_minimum",),
        evidence=(ev("theory", D(2026, 5, 1)), ev("practical", D(2026, 6, 1))),
        params={"practice_below_minimum": {"done": 0, "required": 3, "months": 12}},
    ),
    Case(
        "practice_window_includes_D_and_excludes_exactly_M_months_back",
        D(2026, 12, 1), "expired", None, None, ("practice_below_minimum",),
        evidence=WORKED_EVIDENCE,
        practice=(pr(D(2025, 12, 1)), pr(D(2026, 12, 1)), pr(D(2026, 6, 1))),
        params={"practice_below_minimum": {"done": 2, "required": 3, "months": 12}},
    ),
    Case(
        "practice_window_day_after_M_months_back_counts_and_leaves_tomorrow",
        D(2026, 12, 1), "expiring", D(2027, 1, 10), D(2026, 12, 2), ("expires_on", "practice_met"),
        evidence=WORKED_EVIDENCE,
        practice=(pr(D(2025, 12, 2)), pr(D(2026, 12, 1)), pr(D(2026, 6, 1))),
    ),
    Case(
        "practice_count_field_is_summed",
        D(2026, 10, 1), "competent", D(2027, 1, 10), D(2026, 11, 12), ("all_valid", "practice_met"),
        evidence=WORKED_EVIDENCE, practice=(pr(D(2026, 3, 1), count=2), pr(D(2026, 4, 1))),
        params={"practice_met": {"done": 3, "required": 3, "months": 12}},
    ),
    Case(
        "practice_dropping_below_minimum_is_next_change",
        D(2026, 6, 1), "competent", D(2027, 1, 10), D(2026, 10, 1), ("all_valid", "practice_met"),
        evidence=WORKED_EVIDENCE,
        practice=(pr(D(2025, 10, 1)), pr(D(2026, 2, 1)), pr(D(2026, 5, 1))),
    ),
    Case(
        "practice_still_met_the_day_before_the_oldest_leaves",
        D(2026, 9, 30), "competent", D(2027, 1, 10), D(2026, 10, 1), ("all_valid", "practice_met"),
        evidence=WORKED_EVIDENCE,
        practice=(pr(D(2025, 10, 1)), pr(D(2026, 2, 1)), pr(D(2026, 5, 1))),
    ),
    Case(
        "practice_below_minimum_day_the_oldest_leaves_the_window",
        D(2026, 10, 1), "expired", None, None, ("practice_below_minimum",),
        evidence=WORKED_EVIDENCE,
        practice=(pr(D(2025, 10, 1)), pr(D(2026, 2, 1)), pr(D(2026, 5, 1))),
    ),
    Case(
        "practice_after_D_not_counted_but_is_next_change",
        D(2026, 10, 1), "expired", None, D(2026, 11, 1), ("practice_below_minimum",),
        evidence=WORKED_EVIDENCE,
        practice=(pr(D(2025, 10, 1)), pr(D(2026, 2, 1)), pr(D(2026, 5, 1)), pr(D(2026, 11, 1))),
    ),
    Case(
        "verified_only_unverified_practice_does_not_count",
        D(2026, 12, 1), "expired", None, None, ("practice_below_minimum",),
        spec=VERIFIED, evidence=(ev("theory", D(2025, 6, 1)),),
        practice=(pr(D(2026, 3, 1), verified=False), pr(D(2026, 4, 1), verified=False),
                  pr(D(2026, 5, 1))),
        params={"practice_below_minimum": {"done": 1, "required": 2, "months": 12}},
    ),
    Case(
        "verified_only_verified_practice_counts",
        D(2026, 12, 1), "competent", D(2027, 6, 1), D(2027, 4, 1), ("all_valid", "practice_met"),
        spec=VERIFIED, evidence=(ev("theory", D(2025, 6, 1)),),
        practice=(pr(D(2026, 3, 1), verified=False), pr(D(2026, 4, 1)), pr(D(2026, 5, 1))),
        params={"practice_met": {"done": 2, "required": 2, "months": 12}},
    ),
    Case(
        "unverified_practice_counts_when_not_verified_only",
        D(2026, 12, 1), "expiring", D(2027, 1, 10), D(2027, 1, 11), ("expires_on", "practice_met"),
        evidence=WORKED_EVIDENCE,
        practice=tuple(pr(p.performed_on, verified=False) for p in WORKED_PRACTICE),
    ),
    Case(
        "practice_not_weighed_when_a_kind_expired",
        D(2027, 1, 11), "expired", None, None, ("kind_expired",),
        evidence=WORKED_EVIDENCE,
    ),
    # --- in_progress and missing ---------------------------------------------------------
    Case(
        "partly_proven_is_in_progress_until_the_valid_kind_expires",
        D(2026, 6, 1), "in_progress", None, D(2027, 1, 11), ("kind_valid", "kind_missing"),
        evidence=(ev("theory", D(2025, 1, 10)),),
        params={"kind_valid": {"kind": "theory", "until": "2027-01-10"},
                "kind_missing": {"kind": "practical"}},
    ),
    Case(
        "partly_proven_kind_expired_becomes_expired",
        D(2027, 1, 11), "expired", None, None, ("kind_expired", "kind_missing"),
        evidence=(ev("theory", D(2025, 1, 10)),),
    ),
    Case(
        "enrolled_in_a_session_is_in_progress",
        D(2026, 6, 1), "in_progress", None, None, ("kind_missing", "kind_missing", "enrolled"),
        enrolments=(enrolled(D(2026, 9, 14)),),
        params={"enrolled": {"course": "Katheteriseren basis", "session_date": "2026-09-14"}},
    ),
    Case(
        "expired_wins_over_enrolment",
        D(2027, 6, 1), "expired", None, None, ("kind_expired", "enrolled"),
        spec=THEORY, evidence=THEORY_2025, enrolments=(enrolled(D(2027, 7, 1)),),
    ),
    Case(
        "nothing_at_all_is_missing",
        D(2026, 6, 1), "missing", None, None, ("no_evidence",),
        params={"no_evidence": {"kinds": ["theory", "practical"]}},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_status_table(case: Case) -> None:
    [decision] = decide(case.person(), {"KATH": case.spec}, case.as_of)
    assert decision.competence == "KATH"
    assert decision.status == case.status
    assert decision.valid_until == case.valid_until
    assert decision.next_change == case.next_change
    codes = tuple(g.code for g in decision.grounds)
    assert codes == case.codes + ("required_by",)
    assert decision.grounds[-1].params == {"profiles": [PROFILE]}
    for code, params in case.params.items():
        first = next(g for g in decision.grounds if g.code == code)
        assert first.params == params
    assert decision.rules_version == CURRENT_VERSION


def test_table_covers_every_status_and_every_contract_ground_code() -> None:
    contract_codes = {
        "not_applicable", "revoked", "exempt", "expires_on", "kind_expired",
        "practice_below_minimum", "kind_valid", "enrolled", "no_evidence", "all_valid", "required_by",
    }
    seen_statuses = {c.status for c in CASES}
    seen_codes = {code for c in CASES for code in c.codes} | {"required_by"}
    assert seen_statuses == set(STATUSES)
    assert contract_codes <= seen_codes


# --- next_change never comes late: replay every day up to it ------------------------------


def _random_person(rng: random.Random, as_of: date) -> PersonFacts:
    def day(low, high):
        return as_of + timedelta(days=rng.randint(low, high))

    evidence = tuple(
        ev(rng.choice(("theory", "practical")), day(-900, 120), passed=rng.random() > 0.15,
           valid_until=day(-200, 500) if rng.random() < 0.1 else None)
        for _ in range(rng.randint(0, 5))
    )
    practice = tuple(
        pr(day(-500, 200), rng.choice((1, 2)), rng.random() < 0.6) for _ in range(rng.randint(0, 7))
    )

    def periods(chance):
        return tuple(
            period(day(-300, 300), day(-100, 500) if rng.random() < 0.6 else None)
            for _ in range(rng.randint(1, 2))
        ) if rng.random() < chance else ()

    return PersonFacts(
        requirements=(Requirement("KATH", (PROFILE,)),),
        evidence=evidence,
        practice=practice,
        exemptions=periods(0.2),
        not_applicable=periods(0.1),
        revocations=periods(0.1),
        enrolments=(enrolled(day(-30, 90)),) if rng.random() < 0.2 else (),
    )


SPECS_FOR_REPLAY = (
    KATH,
    VERIFIED,
    NO_WARNING,
    CompetenceSpec(
        "KATH", "Katheteriseren", {"theory": 12, "practical": 6}, PracticeRequirement(2, 3), 45
    ),
)


@pytest.mark.parametrize("seed", range(4), ids=lambda s: f"seed_{s}")
def test_status_and_valid_until_hold_until_next_change(seed: int) -> None:
    """Re-deciding on every day before next_change gives the same status and valid_until;
    with no next_change, nothing changes over the next three years."""
    rng = random.Random(seed)
    horizon = 3 * 366
    for _ in range(40):
        as_of = D(2026, 1, 1) + timedelta(days=rng.randint(0, 365))
        person = _random_person(rng, as_of)
        spec = rng.choice(SPECS_FOR_REPLAY)
        [first] = decide(person, {"KATH": spec}, as_of)
        until = first.next_change or as_of + timedelta(days=horizon)
        assert until > as_of
        day = as_of + timedelta(days=1)
        while day < until:
            [later] = decide(person, {"KATH": spec}, day)
            assert (later.status, later.valid_until) == (first.status, first.valid_until), (
                f"changed on {day} before next_change {first.next_change} (as of {as_of})"
            )
            day += timedelta(days=1)


# --- Rule-set versions --------------------------------------------------------------------


def test_rule_set_registry() -> None:
    assert CURRENT_VERSION == "care-2026.1"
    assert rule_set("care-2026.1").effective_from == D(2026, 1, 1)
    assert rule_set("care-2026.1").default_warning_days == 60
    assert rule_set("care-2026.2").effective_from == D(2026, 10, 1)
    assert rule_set("care-2026.2").default_warning_days == 90
    assert set(RULE_SETS) == {"care-2026.1", "care-2026.2"}


def test_unknown_rule_set_raises_a_key_error() -> None:
    with pytest.raises(UnknownRuleSet) as info:
        rule_set("care-1999.1")
    assert isinstance(info.value, KeyError)


VERSION_CASES = [
    # id, version, as_of, status, next_change  (theory 2025-01-10 -> expires 2027-01-10)
    ("v2026_1_default_60_days_competent_at_82_days",
     "care-2026.1", D(2026, 10, 20), "competent", D(2026, 11, 12)),
    ("v2026_2_default_90_days_expiring_at_82_days",
     "care-2026.2", D(2026, 10, 20), "expiring", D(2027, 1, 11)),
    ("v2026_2_first_day_of_90_day_window", "care-2026.2", D(2026, 10, 13), "expiring", D(2027, 1, 11)),
    ("v2026_2_day_before_90_day_window", "care-2026.2", D(2026, 10, 12), "competent", D(2026, 10, 13)),
]


@pytest.mark.parametrize(
    "version, as_of, status, next_change",
    [c[1:] for c in VERSION_CASES],
    ids=[c[0] for c in VERSION_CASES],
)
def test_rule_set_default_warning_window(version, as_of, status, next_change) -> None:
    person = PersonFacts(requirements=(Requirement("KATH", (PROFILE,)),), evidence=THEORY_2025)
    [decision] = decide(person, {"KATH": DEFAULT_WARNING}, as_of, rule_set(version))
    assert decision.status == status
    assert decision.next_change == next_change
    assert decision.rules_version == version


def test_competence_warning_days_override_the_rule_set_default() -> None:
    person = PersonFacts(requirements=(Requirement("KATH", (PROFILE,)),), evidence=THEORY_2025)
    as_of = D(2026, 10, 20)
    one = decide(person, {"KATH": THEORY}, as_of, rule_set("care-2026.1"))[0]
    two = decide(person, {"KATH": THEORY}, as_of, rule_set("care-2026.2"))[0]
    assert one.status == two.status == "competent"


def test_default_rules_are_the_current_version() -> None:
    person = PersonFacts(requirements=(Requirement("KATH", (PROFILE,)),), evidence=THEORY_2025)
    assert decide(person, {"KATH": DEFAULT_WARNING}, D(2026, 10, 20))[0] == decide(
        person, {"KATH": DEFAULT_WARNING}, D(2026, 10, 20), rule_set(CURRENT_VERSION)
    )[0]


# --- Authorisation (bevoegd), beside the status -------------------------------------------

REGISTRATION = AuthorisationFact(
    None, "registration", "BIG-registratie verpleegkundige", D(2015, 3, 1), None
)
ORDER = AuthorisationFact("KATH", "order", "Opdracht dr. Bakker", D(2026, 1, 1), D(2026, 12, 31))

AUTH_CASES = [
    # id, authorisations, as_of, authorised, ground codes
    ("no_registration_or_order_is_not_authorised", (), D(2026, 6, 1), False, ("not_authorised",)),
    ("registration_for_all_competences_authorises", (REGISTRATION,), D(2026, 6, 1), True,
     ("authorised_by_registration",)),
    ("registration_listing_the_competence_authorises",
     (AuthorisationFact("KATH", "registration", "BIG-registratie", None, None),), D(2026, 6, 1), True,
     ("authorised_by_registration",)),
    ("order_for_the_competence_authorises", (ORDER,), D(2026, 6, 1), True, ("authorised_by_order",)),
    ("order_from_day_is_active", (ORDER,), D(2026, 1, 1), True, ("authorised_by_order",)),
    ("order_until_day_is_active", (ORDER,), D(2026, 12, 31), True, ("authorised_by_order",)),
    ("order_day_after_until_not_authorised", (ORDER,), D(2027, 1, 1), False, ("not_authorised",)),
    ("order_starting_after_D_not_authorised", (ORDER,), D(2025, 12, 31), False, ("not_authorised",)),
    ("order_for_another_competence_not_authorised",
     (AuthorisationFact("INJ", "order", "Opdracht", None, None),), D(2026, 6, 1), False,
     ("not_authorised",)),
    ("registration_and_order_both_grounds_registration_first",
     (ORDER, REGISTRATION), D(2026, 6, 1), True,
     ("authorised_by_registration", "authorised_by_order")),
]


@pytest.mark.parametrize(
    "authorisations, as_of, authorised, codes",
    [c[1:] for c in AUTH_CASES],
    ids=[c[0] for c in AUTH_CASES],
)
def test_authorisation_table(authorisations, as_of, authorised, codes) -> None:
    person = PersonFacts(requirements=(Requirement("KATH", (PROFILE,)),), authorisations=authorisations)
    [decision] = decide(person, {"KATH": KATH}, as_of)
    assert decision.authorised is authorised
    assert tuple(g.code for g in decision.authorisation_grounds) == codes
    assert decision.status == "missing"  # never folded into the status


def test_authorisation_ground_carries_its_dates() -> None:
    person = PersonFacts(requirements=(Requirement("KATH", (PROFILE,)),), authorisations=(ORDER,))
    [ground] = decide(person, {"KATH": KATH}, D(2026, 6, 1))[0].authorisation_grounds
    assert ground.params == {"description": "Opdracht dr. Bakker", "from": "2026-01-01",
                             "until": "2026-12-31", "competence": "KATH"}
    assert ground.text == (
        "Bevoegd op grond van opdracht: Opdracht dr. Bakker, vanaf 01-01-2026, tot en met 31-12-2026"
    )


# --- Requirements, ordering and errors ----------------------------------------------------


def test_one_decision_per_required_competence_ordered_by_code_sources_merged() -> None:
    inj = CompetenceSpec("INJ", "Injecteren", {"theory": 12}, None, 60)
    person = PersonFacts(
        requirements=(
            Requirement("KATH", ("Afdeling Chirurgie",)),
            Requirement("INJ", ()),
            Requirement("KATH", ("Functie Verpleegkundige", "Afdeling Chirurgie")),
        )
    )
    decisions = decide(person, {"KATH": KATH, "INJ": inj, "UNUSED": THEORY}, D(2026, 6, 1))
    assert [d.competence for d in decisions] == ["INJ", "KATH"]
    assert decisions[0].grounds[-1] == Ground("required_by", {"profiles": []}, "Rechtstreeks vereist")
    assert decisions[1].grounds[-1] == Ground(
        "required_by",
        {"profiles": ["Afdeling Chirurgie", "Functie Verpleegkundige"]},
        "Vereist door profielen Afdeling Chirurgie en Functie Verpleegkundige",
    )


def test_no_requirements_no_decisions() -> None:
    assert decide(PersonFacts(evidence=THEORY_2025), {"KATH": KATH}, D(2026, 6, 1)) == []


def test_requirement_missing_from_catalogue_is_a_value_error() -> None:
    person = PersonFacts(requirements=(Requirement("NOPE", (PROFILE,)),))
    with pytest.raises(ValueError, match="NOPE"):
        decide(person, {"KATH": KATH}, D(2026, 6, 1))


def test_as_of_must_be_a_date_not_a_datetime() -> None:
    person = PersonFacts(requirements=(Requirement("KATH", (PROFILE,)),))
    with pytest.raises(TypeError):
        decide(person, {"KATH": KATH}, datetime(2026, 6, 1, 12, 0))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"evidence": {"theory": 0}},
        {"evidence": {"theory": 1.5}},
        {"evidence": {"theory": 12}, "warning_days": -1},
    ],
    ids=["validity_months_at_least_one", "validity_months_whole", "warning_days_not_negative"],
)
def test_competence_spec_rejects_impossible_values(kwargs) -> None:
    with pytest.raises(ValueError):
        CompetenceSpec("KATH", "Katheteriseren", **kwargs)


@pytest.mark.parametrize(
    "count, months", [(0, 12), (3, 0)], ids=["count_at_least_one", "months_at_least_one"]
)
def test_practice_requirement_rejects_impossible_values(count, months) -> None:
    with pytest.raises(ValueError):
        PracticeRequirement(count, months, False)


def test_inputs_are_frozen() -> None:
    with pytest.raises(FrozenInstanceError):
        KATH.name = "x"  # type: ignore[misc]


# --- Dates and texts ----------------------------------------------------------------------

ADD_MONTHS = [
    ("clamp_to_end_of_february", D(2024, 8, 31), 6, D(2025, 2, 28)),
    ("clamp_to_leap_day", D(2023, 8, 31), 6, D(2024, 2, 29)),
    ("leap_day_plus_a_year", D(2024, 2, 29), 12, D(2025, 2, 28)),
    ("plain_day_kept", D(2025, 1, 10), 24, D(2027, 1, 10)),
    ("over_year_end", D(2025, 11, 30), 3, D(2026, 2, 28)),
    ("backwards_clamps_too", D(2025, 3, 31), -1, D(2025, 2, 28)),
    ("backwards_over_year_start", D(2026, 1, 15), -12, D(2025, 1, 15)),
]


@pytest.mark.parametrize(
    "start, months, expected", [c[1:] for c in ADD_MONTHS], ids=[c[0] for c in ADD_MONTHS]
)
def test_add_months(start, months, expected) -> None:
    assert add_months(start, months) == expected


def test_practice_window_after_a_clamped_month_end() -> None:
    # Performed 03-31, 1 month window: still counted on 04-30 (D - 1 month = 03-30), gone on 05-01.
    spec = CompetenceSpec("KATH", "Katheteriseren", {"theory": 24}, PracticeRequirement(1, 1), 0)
    person = PersonFacts(
        requirements=(Requirement("KATH", (PROFILE,)),),
        evidence=(ev("theory", D(2023, 1, 1)),),
        practice=(pr(D(2024, 3, 31)),),
    )
    on_30th = decide(person, {"KATH": spec}, D(2024, 4, 30))[0]
    assert (on_30th.status, on_30th.next_change) == ("competent", D(2024, 5, 1))
    assert decide(person, {"KATH": spec}, D(2024, 5, 1))[0].status == "expired"


TEXTS = [
    ("expires_on_names_the_kind_in_dutch", THEORY_2025, D(2026, 12, 1), "expires_on",
     "Theorie verloopt op 10-01-2027"),
    ("kind_expired", THEORY_2025, D(2027, 1, 11), "kind_expired",
     "Theorie verlopen: was geldig tot en met 10-01-2027"),
    ("practical_is_praktijktoets", (ev("practical", D(2025, 1, 10)),), D(2026, 6, 1), "kind_valid",
     "Praktijktoets geldig tot en met 10-01-2027"),
    ("elearning", (ev("elearning", D(2025, 1, 10)),), D(2026, 6, 1), "kind_valid",
     "E-learning geldig tot en met 10-01-2027"),
    ("certificate_is_certificaat", (ev("certificate", D(2025, 1, 10)),), D(2026, 6, 1), "kind_valid",
     "Certificaat geldig tot en met 10-01-2027"),
    ("no_evidence_lists_the_kinds", (), D(2026, 6, 1), "no_evidence",
     "Nog geen bewijs: Theorie, Praktijktoets, E-learning en Certificaat"),
    ("required_by_names_the_profile", (), D(2026, 6, 1), "required_by",
     "Vereist door profiel Afdeling Chirurgie"),
]
ALL_KINDS = CompetenceSpec(
    "KATH", "Katheteriseren", {"theory": 24, "practical": 24, "elearning": 24, "certificate": 24}, None, 60
)


@pytest.mark.parametrize(
    "evidence, as_of, code, text", [c[1:] for c in TEXTS], ids=[c[0] for c in TEXTS]
)
def test_ground_texts_are_plain_dutch_with_dd_mm_yyyy(evidence, as_of, code, text) -> None:
    spec = ALL_KINDS if code in ("kind_valid", "no_evidence") else THEORY
    person = PersonFacts(requirements=(Requirement("KATH", (PROFILE,)),), evidence=evidence)
    [decision] = decide(person, {"KATH": spec}, as_of)
    assert next(g for g in decision.grounds if g.code == code).text == text


def test_format_date() -> None:
    assert format_date(D(2027, 1, 5)) == "05-01-2027"


# --- JSON shape ---------------------------------------------------------------------------


def test_decision_to_dict_is_json_ready() -> None:
    person = PersonFacts(
        requirements=(Requirement("KATH", (PROFILE,)),),
        evidence=WORKED_EVIDENCE,
        practice=WORKED_PRACTICE,
        authorisations=(REGISTRATION,),
    )
    [decision] = decide(person, {"KATH": KATH}, D(2026, 12, 1))
    data = decision.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data == {
        "competence": "KATH",
        "status": "expiring",
        "valid_until": "2027-01-10",
        "next_change": "2027-01-11",
        "grounds": [
            {"code": "expires_on", "params": {"date": "2027-01-10", "kind": "theory"},
             "text": "Theorie verloopt op 10-01-2027"},
            {"code": "practice_met", "params": {"done": 4, "required": 3, "months": 12},
             "text": "Praktijk voldoende: 4 keer in de laatste 12 maanden (minimaal 3)"},
            {"code": "required_by", "params": {"profiles": ["Afdeling Chirurgie"]},
             "text": "Vereist door profiel Afdeling Chirurgie"},
        ],
        "rules_version": "care-2026.1",
        "authorised": True,
        "authorisation_grounds": [
            {"code": "authorised_by_registration",
             "params": {"description": "BIG-registratie verpleegkundige",
                        "from": "2015-03-01", "until": None},
             "text": "Bevoegd op grond van registratie: BIG-registratie verpleegkundige, "
                     "vanaf 01-03-2015"},
        ],
    }


def test_to_dict_of_open_dates_is_null_and_copies_params() -> None:
    person = PersonFacts(requirements=(Requirement("KATH", (PROFILE,)),))
    [decision] = decide(person, {"KATH": KATH}, D(2026, 6, 1))
    data = decision.to_dict()
    assert data["valid_until"] is None and data["next_change"] is None
    data["grounds"][0]["params"]["kinds"].append("x")
    assert decision.grounds[0].params == {"kinds": ["theory", "practical"]}
    assert isinstance(decision, Decision)
