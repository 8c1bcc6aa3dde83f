"""The funding API over HTTP on the school's host: CRUD with field-level 400s, decisions,
overview, final determination, exports, permissions and tenant isolation."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from apps.audit.models import AuditEntry
from apps.funding.models import Enrolment, FundingDecision, Participant, SubjectResult
from funding.funding_facts import (
    DIPLOMA_DEFAULTS,
    ENROLMENT_DEFAULTS,
    PARTICIPANT_DEFAULTS,
    PARTICIPANT_YEAR,
    SUBJECT_DEFAULTS,
)
from funding.signal_cases import DIPLOMA_CASES, PARTICIPANT_CASES, SUBJECT_CASES
from support import api_client_for, in_tenant, make_user

BASE = "/api/v1/funding"


def _json(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        if isinstance(value, date):
            value = value.isoformat()
        elif value is not None and key == "final_grade":
            value = str(value)
        out[key] = value
    return out


@pytest.fixture
def api(school, student_admin):
    return api_client_for(school, student_admin)


def _post(api, path, data, status=201):
    response = api.post(f"{BASE}/{path}/", data, format="json")
    assert response.status_code == status, response.content
    return response.json()


def _create_chain(api, person=None, enrolment=None, subject=None, diploma=None):
    p = _post(api, "participants", _json({**PARTICIPANT_DEFAULTS, **(person or {})}))
    e = _post(api, "enrolments", _json({**ENROLMENT_DEFAULTS, **(enrolment or {}), "participant": p["id"]}))
    s = _post(api, "subject-results", _json({**SUBJECT_DEFAULTS, **subject, "enrolment": e["id"]})) \
        if subject is not None else None
    d = _post(api, "diplomas", _json({**DIPLOMA_DEFAULTS, **diploma, "enrolment": e["id"]})) \
        if diploma is not None else None
    return p, e, s, d


def _decisions(api, **params):
    response = api.get(f"{BASE}/decisions/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --------------------------------------------------------------------------- every signal via the API


@pytest.mark.parametrize("name,person,enrolment,codes", PARTICIPANT_CASES, ids=[c[0] for c in PARTICIPANT_CASES])
def test_participant_signal_via_api(api, name, person, enrolment, codes):
    _p, e, _s, _d = _create_chain(api, person, enrolment)
    found = _decisions(api, object="enrolment", object_id=e["id"], funding_year=PARTICIPANT_YEAR)
    assert [(d["status"], d["codes"]) for d in found] == [("rejected", codes)]
    for code in codes:
        assert [d["object_id"] for d in _decisions(api, signal=code, status="rejected")] == [e["id"]]


@pytest.mark.parametrize("name,enrolment,subject,codes", SUBJECT_CASES, ids=[c[0] for c in SUBJECT_CASES])
def test_subject_signal_via_api(api, name, enrolment, subject, codes):
    _p, _e, s, _d = _create_chain(api, enrolment=enrolment, subject=subject)
    (found,) = _decisions(api, object="subject", object_id=s["id"])
    assert (found["status"], found["codes"]) == ("rejected", codes)
    assert [g["code"] for g in found["grounds"]] == codes


@pytest.mark.parametrize("name,enrolment,diploma,codes", DIPLOMA_CASES, ids=[c[0] for c in DIPLOMA_CASES])
def test_diploma_signal_via_api(api, name, enrolment, diploma, codes):
    _p, _e, _s, d = _create_chain(api, enrolment=enrolment, diploma=diploma)
    (found,) = _decisions(api, object="diploma", object_id=d["id"])
    assert (found["status"], found["codes"]) == ("rejected", codes)


def test_grade_below_minimum_ground_carries_grade_and_minimum(api):
    _p, _e, s, _d = _create_chain(api, subject={"final_grade": "5.4"})
    (found,) = _decisions(api, object="subject", object_id=s["id"])
    assert found["grounds"][0]["params"] == {"grade": "5.4", "minimum": "6.0"}


def test_crud_update_recomputes_and_delete_removes(api):
    p, e, _s, _d = _create_chain(api, person={"bsn": ""})
    assert _decisions(api, object_id=e["id"], object="enrolment")[0]["codes"] == ["id_invalid"]
    response = api.patch(f"{BASE}/participants/{p['id']}/", {"bsn": "1112.22.333"}, format="json")
    assert response.status_code == 200 and response.json()["bsn"] == "111222333"
    assert _decisions(api, object_id=e["id"], object="enrolment")[0]["status"] == "funded"
    assert api.delete(f"{BASE}/enrolments/{e['id']}/").status_code == 204
    assert _decisions(api, object_id=e["id"], object="enrolment") == []
    assert api.get(f"{BASE}/participants/{p['id']}/").json()["last_name"] == "Vries"


def test_decision_filters_by_status_kind_year_and_participant(api, school, school_admin):
    p, e, s, d = _create_chain(api, subject={"final_grade": "4.0"}, diploma={})
    assert {x["object"] for x in _decisions(api, participant=p["id"])} == {"enrolment", "subject", "diploma"}
    assert [x["object"] for x in _decisions(api, status="rejected")] == ["subject"]
    assert {x["object"] for x in _decisions(api, status="funded", funding_year=2028)} == {"diploma"}
    assert _decisions(api, kind="final") == []
    admin = api_client_for(school, school_admin)
    assert admin.post(f"{BASE}/years/{PARTICIPANT_YEAR}/finalise/").status_code == 201
    assert [x["object"] for x in _decisions(api, kind="final")] == ["enrolment"]


@pytest.mark.parametrize("params,field", [
    ({"status": "maybe"}, "status"), ({"signal": "no_such_signal"}, "signal"), ({"kind": "draft"}, "kind"),
    ({"funding_year": "twenty"}, "funding_year"), ({"object": "course"}, "object"),
])
def test_decision_filters_reject_unknown_values(api, params, field):
    response = api.get(f"{BASE}/decisions/", params)
    assert response.status_code == 400 and field in response.json()


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("path,overrides,field", [
    ("participants", {"bsn": "123456789"}, "bsn"),
    ("participants", {"onderwijsnummer": "123"}, "onderwijsnummer"),
    ("participants", {"birth_date": "2001-02-30"}, "birth_date"),
    ("enrolments", {"track": "gymnasium"}, "track"),
    ("enrolments", {"planned_end": "2025-08-01"}, "planned_end"),
    ("enrolments", {"actual_end": "2024-01-01"}, "actual_end"),
    ("enrolments", {"participant": 999999}, "participant"),
    ("subject-results", {"final_grade": "10.5"}, "final_grade"),
    ("subject-results", {"final_grade": "0.5"}, "final_grade"),
    ("subject-results", {"status": "X"}, "status"),
    ("subject-results", {"enrolment": 999999}, "enrolment"),
    ("diplomas", {"exam_result": "Z"}, "exam_result"),
    ("diplomas", {"enrolment": 999999}, "enrolment"),
])
def test_bad_input_is_400_with_field_message_and_nothing_written(api, school, path, overrides, field):
    _p, e, _s, _d = _create_chain(api)
    defaults = {"participants": PARTICIPANT_DEFAULTS, "enrolments": {**ENROLMENT_DEFAULTS, "participant": _p["id"]},
                "subject-results": {**SUBJECT_DEFAULTS, "enrolment": e["id"]},
                "diplomas": {**DIPLOMA_DEFAULTS, "enrolment": e["id"]}}[path]
    with in_tenant(school):
        before = (Participant.objects.count(), Enrolment.objects.count(), SubjectResult.objects.count(),
                  FundingDecision.objects.count(), AuditEntry.objects.count())
    response = api.post(f"{BASE}/{path}/", {**_json(defaults), **overrides}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json() and response.json()[field]
    with in_tenant(school):
        after = (Participant.objects.count(), Enrolment.objects.count(), SubjectResult.objects.count(),
                 FundingDecision.objects.count(), AuditEntry.objects.count())
    assert after == before


def test_second_diploma_for_an_enrolment_is_a_field_error(api):
    _p, e, _s, _d = _create_chain(api, diploma={})
    response = api.post(f"{BASE}/diplomas/", _json({**DIPLOMA_DEFAULTS, "enrolment": e["id"]}), format="json")
    assert response.status_code == 400 and "enrolment" in response.json()


# --------------------------------------------------------------------------- overview, years, exports


def test_overview_endpoint_reports_counts_weighted_share_and_signals(api, school, school_admin):
    _create_chain(api)
    _create_chain(api, person={"bsn": "", "birth_date": "2010-01-01"})
    admin = api_client_for(school, school_admin)
    response = admin.post(f"{BASE}/years/", {"year": PARTICIPANT_YEAR, "national_weighted": "400",
                                            "national_budget": "1000000"}, format="json")
    assert response.status_code == 200, response.content
    data = api.get(f"{BASE}/overview/", {"year": PARTICIPANT_YEAR}).json()
    assert data["totals"] == {"participants": 1, "subjects": 0, "diplomas": 0}
    assert data["by_track"]["havo"] == {"participants": 1, "subjects": 0, "diplomas": 0}
    assert data["weighted"] == pytest.approx(0.4)
    assert data["weights"] == {"participants": 0.4, "subjects": 0.5, "diplomas": 0.1}
    assert data["estimated_share"] == "1000.00"
    assert data["count_date"] == "2025-10-01" and data["exam_year"] == 2025
    codes = {g["code"]: g for g in data["rejected_by_signal"]}
    assert set(codes) == {"id_invalid", "under_18"}
    assert codes["under_18"]["how_to_fix"] and codes["under_18"]["count"] == 1


def test_overview_without_year_uses_the_latest_year_with_participants(api):
    _create_chain(api, subject={})
    assert api.get(f"{BASE}/overview/").json()["year"] == PARTICIPANT_YEAR


def test_final_determination_endpoint_freezes_and_differences_show_later_change(api, school, school_admin):
    p, e, _s, _d = _create_chain(api)
    admin = api_client_for(school, school_admin)
    response = admin.post(f"{BASE}/years/{PARTICIPANT_YEAR}/finalise/")
    assert response.status_code == 201 and response.json()["decisions"] == 1
    assert admin.post(f"{BASE}/years/{PARTICIPANT_YEAR}/finalise/").status_code == 400
    api.patch(f"{BASE}/enrolments/{e['id']}/", {"marked_not_funded": True}, format="json")
    (difference,) = api.get(f"{BASE}/differences/", {"year": PARTICIPANT_YEAR}).json()["differences"]
    assert difference["final_status"] == "funded" and difference["provisional_codes"] == ["marked_not_funded"]
    final = api.get(f"{BASE}/overview/", {"year": PARTICIPANT_YEAR, "kind": "final"}).json()
    assert final["totals"]["participants"] == 1 and final["finalised_at"]
    provisional = api.get(f"{BASE}/overview/", {"year": PARTICIPANT_YEAR}).json()
    assert provisional["totals"]["participants"] == 0 and len(provisional["differences"]) == 1


def test_student_admin_may_also_run_the_final_determination(api):
    _create_chain(api)
    assert api.post(f"{BASE}/years/{PARTICIPANT_YEAR}/finalise/").status_code == 201


def test_csv_exports_detail_and_summary(api):
    _create_chain(api, person={"bsn": ""}, subject={})
    detail = api.get(f"{BASE}/export/detail.csv", {"year": PARTICIPANT_YEAR})
    assert detail.status_code == 200 and detail["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(detail.content.decode())))
    assert rows[0][:3] == ["funding_year", "kind", "participant_id"]
    assert rows[1][rows[0].index("signals")] == "id_invalid"
    summary = api.get(f"{BASE}/export/summary.csv", {"year": PARTICIPANT_YEAR})
    rows = list(csv.reader(io.StringIO(summary.content.decode())))
    assert rows[0] == ["funding_year", "kind", "track", "basis", "funded", "rejected", "weight", "weighted"]
    assert [2027, "provisional", "signal", "id_invalid"] == [int(rows[-1][0])] + rows[-1][1:4]


def test_recompute_endpoint_returns_a_job(api):
    response = api.post(f"{BASE}/recompute/")
    assert response.status_code == 202 and response.json()["job"]


# --------------------------------------------------------------------------- permissions and isolation


@pytest.mark.parametrize("method,path", [
    ("get", "participants/"), ("post", "participants/"), ("get", "decisions/"), ("get", "overview/?year=2027"),
    ("post", "years/2027/finalise/"), ("post", "import/"), ("get", "export/detail.csv?year=2027"),
    ("post", "what-if/"),
])
def test_care_only_user_is_refused(school, care_employee, method, path):
    client = api_client_for(school, care_employee)
    response = getattr(client, method)(f"{BASE}/{path}", {}, format="json") if method == "post" else \
        client.get(f"{BASE}/{path}")
    assert response.status_code == 403


def test_anonymous_is_refused(school):
    from rest_framework.test import APIClient

    from support import host_of

    assert APIClient(HTTP_HOST=host_of(school)).get(f"{BASE}/participants/").status_code in (401, 403)


def test_token_of_another_tenant_is_refused_on_the_school(school, tenant_a):
    other_admin = make_user(tenant_a, roles=("tenant_admin", "student_admin"))
    client = api_client_for(tenant_a, other_admin)
    from support import host_of

    client.defaults["HTTP_HOST"] = host_of(school)
    response = client.get(f"{BASE}/participants/")
    assert response.status_code == 401


def test_ids_of_the_school_are_not_found_on_another_tenant(api, tenant_a):
    p, e, _s, _d = _create_chain(api)
    other = api_client_for(tenant_a, make_user(tenant_a, roles=("tenant_admin",)))
    assert other.get(f"{BASE}/participants/{p['id']}/").status_code == 404
    assert other.get(f"{BASE}/participants/").json()["count"] == 0
    assert other.get(f"{BASE}/decisions/", {"object_id": e["id"]}).json()["count"] == 0
    assert other.patch(f"{BASE}/enrolments/{e['id']}/", {"attending": False}, format="json").status_code == 404


def test_finalise_with_an_absurd_year_is_a_field_error_not_a_server_error(school):
    from support import api_client_for, make_user

    admin = make_user(school, roles=("student_admin",))
    response = api_client_for(school, admin).post("/api/v1/funding/years/99999999999/finalise/")
    assert response.status_code == 400
    assert "year" in response.json()


def test_export_without_any_funding_data_is_404_not_500(school):
    from support import client_for, make_user

    admin = make_user(school, roles=("student_admin",))
    response = client_for(school, admin).get("/bekostiging/export/samenvatting.csv")
    assert response.status_code == 404
