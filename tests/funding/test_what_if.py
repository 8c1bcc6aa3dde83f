"""POST /api/v1/funding/what-if/ exactly as WHAT-IF-API.md: documented shapes, every signal,
field-level 400s, tenant-administrator only, and nothing written."""
from __future__ import annotations

import copy

import pytest

from apps.audit.models import AuditEntry
from apps.funding import rules
from apps.funding.models import FundingDecision, Participant
from support import api_client_for, in_tenant

URL = "/api/v1/funding/what-if/"

EXAMPLE = {
    "count_date": "2025-10-01",
    "exam_year": 2026,
    "participants": [{"id": "p1", "bsn": "111222333", "onderwijsnummer": None,
                      "birth_date": "2001-03-04", "resident_in_nl": True,
                      "nationality_dutch": True, "lawful_residence": False,
                      "continuing_course": False}],
    "enrolments": [{"id": "e1", "participant": "p1", "track": "havo",
                    "start": "2025-08-20", "end": "2026-07-31", "placed_by_vo_school": False,
                    "attending": True, "marked_not_funded": False,
                    "registered_on": "2025-08-21"}],
    "subjects": [{"id": "s1", "enrolment": "e1", "subject": "wiskunde A", "status": "G",
                  "final_grade": "6.4", "completed_on": "2026-06-20"},
                 {"id": "s2", "enrolment": "e1", "subject": "Engels", "status": "G",
                  "final_grade": "5.4", "completed_on": "2026-06-20"}],
    "diplomas": [{"id": "d1", "enrolment": "e1", "exam_result": "G", "issued_on": "2026-07-01"}],
}


@pytest.fixture
def admin_api(school, school_admin):
    return api_client_for(school, school_admin)


def _post(client, payload, status=200):
    response = client.post(URL, payload, format="json")
    assert response.status_code == status, response.content
    return response.json()


def test_documented_example_returns_the_documented_response(admin_api):
    body = _post(admin_api, EXAMPLE)
    assert body["count_date"] == "2025-10-01" and body["exam_year"] == 2026
    assert body["rules_version"] == rules.rule_set_for(rules.date(2025, 10, 1)).version
    assert [(d["object"], d["id"], d["status"]) for d in body["decisions"]] == [
        ("enrolment", "e1", "funded"), ("subject", "s1", "funded"), ("subject", "s2", "rejected"),
        ("diploma", "d1", "funded")]
    for decision in body["decisions"]:
        assert set(decision) >= {"object", "id", "status", "grounds"}
        for ground in decision["grounds"]:
            assert set(ground) >= {"code", "params", "text"} and ground["text"]
    assert body["decisions"][0]["grounds"][0] == {"code": "all_checks_passed", "params": {},
                                                 "text": body["decisions"][0]["grounds"][0]["text"]}
    (ground,) = body["decisions"][2]["grounds"]
    assert ground["code"] == "grade_below_minimum"
    assert ground["params"] == {"grade": "5.4", "minimum": "6.0"}
    assert body["totals"] == {"participants": 1, "subjects": 1, "diplomas": 1, "weighted": 1.0,
                              "by_track": {"havo": {"participants": 1, "subjects": 1, "diplomas": 1}}}


def test_what_if_writes_nothing(admin_api, school):
    with in_tenant(school):
        before = (Participant.objects.count(), FundingDecision.objects.count(), AuditEntry.objects.count())
    _post(admin_api, EXAMPLE)
    bad = copy.deepcopy(EXAMPLE)
    bad["enrolments"][0]["track"] = "mbo"
    _post(admin_api, bad, status=400)
    with in_tenant(school):
        assert (Participant.objects.count(), FundingDecision.objects.count(), AuditEntry.objects.count()) == before


def test_every_failing_signal_is_reported_not_only_the_first(admin_api):
    payload = copy.deepcopy(EXAMPLE)
    payload["participants"][0].update(bsn=None, birth_date="2008-01-01", resident_in_nl=False,
                                      nationality_dutch=False)
    payload["enrolments"][0].update(start="2025-10-02", placed_by_vo_school=True, attending=False,
                                    marked_not_funded=True, registered_on="2026-07-02")
    payload["subjects"][0].update(final_grade=None, completed_on="2027-03-01")
    payload["subjects"][1].update(status="I", completed_on="2025-01-01")
    payload["diplomas"][0].update(exam_result="T", issued_on="2027-02-01")
    body = _post(admin_api, payload)
    codes = {d["id"]: [g["code"] for g in d["grounds"]] for d in body["decisions"]}
    assert codes["e1"] == list(rules.SIGNALS_BY_BASIS["participant"]) and len(codes["e1"]) == 9
    assert codes["s1"] == ["outside_enrolment", "grade_below_minimum", "outside_exam_year"]
    assert codes["s2"] == ["outside_enrolment", "not_examined_this_year", "outside_exam_year"]
    assert codes["d1"] == ["exam_not_passed", "outside_calendar_year", "outside_enrolment"]
    assert body["totals"]["weighted"] == 0.0
    assert body["totals"]["by_track"] == {"havo": {"participants": 0, "subjects": 0, "diplomas": 0}}


def test_empty_lists_and_omitted_nullable_fields_are_allowed(admin_api):
    payload = copy.deepcopy(EXAMPLE)
    del payload["participants"][0]["bsn"]
    del payload["participants"][0]["onderwijsnummer"]
    del payload["enrolments"][0]["end"]
    del payload["subjects"][0]["final_grade"]
    body = _post(admin_api, payload)
    assert body["decisions"][0]["grounds"][0]["code"] == "id_invalid"
    assert body["decisions"][1]["grounds"][0]["params"]["grade"] is None
    empty = _post(admin_api, {"count_date": "2025-10-01", "exam_year": 2026})
    assert empty["decisions"] == [] and empty["totals"]["weighted"] == 0.0


def _mutate(path, value):
    payload = copy.deepcopy(EXAMPLE)
    target = payload
    *parents, last = path
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return payload


@pytest.mark.parametrize("path,value,field", [
    (("enrolments", 0, "track"), "mbo", "enrolments[0].track"),
    (("subjects", 1, "status"), "X", "subjects[1].status"),
    (("diplomas", 0, "exam_result"), "F", "diplomas[0].exam_result"),
    (("participants", 0, "birth_date"), "2001-02-30", "participants[0].birth_date"),
    (("enrolments", 0, "start"), "20-08-2025", "enrolments[0].start"),
    (("count_date",), "2025-13-01", "count_date"),
    (("count_date",), KeyError, "count_date"),
    (("exam_year",), KeyError, "exam_year"),
    (("exam_year",), "2026", "exam_year"),
    (("participants", 0, "resident_in_nl"), KeyError, "participants[0].resident_in_nl"),
    (("participants", 0, "resident_in_nl"), "yes", "participants[0].resident_in_nl"),
    (("enrolments", 0, "registered_on"), KeyError, "enrolments[0].registered_on"),
    (("subjects", 0, "final_grade"), "11", "subjects[0].final_grade"),
    (("subjects", 0, "final_grade"), "zes", "subjects[0].final_grade"),
    (("subjects", 0, "enrolment"), "e9", "subjects[0].enrolment"),
    (("enrolments", 0, "participant"), "p9", "enrolments[0].participant"),
    (("subjects", 1, "id"), "s1", "subjects[1].id"),
    (("enrolments", 0, "end"), "2025-01-01", "enrolments[0].end"),
    (("participants",), "p1", "participants"),
    (("count_date",), "2020-10-01", "count_date"),  # before the first rule set
])
def test_bad_input_is_400_with_the_field_path(admin_api, path, value, field):
    body = _post(admin_api, _mutate(path, value), status=400)
    assert field in body and body[field], body


def test_all_field_errors_are_reported_together(admin_api):
    payload = _mutate(("enrolments", 0, "track"), "mbo")
    payload["participants"][0]["birth_date"] = "nope"
    body = _post(admin_api, payload, status=400)
    assert {"enrolments[0].track", "participants[0].birth_date"} <= set(body)


def test_what_if_needs_the_tenant_administrator_role(school, student_admin, care_employee):
    assert api_client_for(school, student_admin).post(URL, EXAMPLE, format="json").status_code == 403
    assert api_client_for(school, care_employee).post(URL, EXAMPLE, format="json").status_code == 403


def test_what_if_uses_the_same_rules_as_stored_decisions(admin_api, school, school_admin):
    """One code path: the what-if decision equals the stored one for the same facts."""
    from funding.funding_facts import Facts, decision_of

    with in_tenant(school):
        e = Facts(school_admin).enrolment()
        stored = decision_of(e, year=2027)
    body = _post(admin_api, EXAMPLE)
    assert body["decisions"][0]["grounds"] == stored.grounds
    assert body["rules_version"] == stored.rules_version
