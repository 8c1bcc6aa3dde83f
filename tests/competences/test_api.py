"""The care passport API through HTTP on a tenant's host: permissions, bad input, isolation,
what-if, team overview and exports, constant query counts, the OpenAPI schema."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditEntry
from apps.competences import services
from apps.competences.models import (Competence, CompetenceStatus, EvidenceRequirement, Evidence, Exemption, Profile,
                                     ProfileLink)
from apps.organisation.models import Person
from support import api_client_for, in_tenant, make_user


def _setup_profile(w, codes=("KATH", "INJ-SC", "BLS")):
    with in_tenant(w.tenant):
        profile = services.profile_create(name="Afdeling Chirurgie", org_unit=w.chir, competence_codes=codes,
                                          by=w.manager)
        services.profile_link_create(profile=profile, org_unit=w.chir, by=w.manager)
    return profile


def test_passport_permission_matrix(world):
    w = world
    _setup_profile(w)
    url = f"/api/v1/people/{w.nurse.pk}/passport/"
    expected = {w.employee: 200, w.manager: 200, w.admin: 200, w.other_manager: 404, w.assessor: 403}
    for user, code in expected.items():
        assert api_client_for(w.tenant, user).get(url).status_code == code, user
    body = api_client_for(w.tenant, w.employee).get(url).json()
    assert {s["competence"] for s in body["statuses"]} == {"KATH", "INJ-SC", "BLS"}
    assert body["statuses"][0]["grounds"][0]["code"] == "no_evidence"
    assert "authorised" in body["statuses"][0] and body["statuses"][0]["next_steps"]


def test_my_passport_shows_own_statuses_and_as_of(world):
    w = world
    _setup_profile(w)
    api = api_client_for(w.tenant, w.employee)
    body = api.get("/api/v1/passport/me/").json()
    assert body["person"]["id"] == w.nurse.pk and body["source"] == "current"
    assert body["counts"]["missing"] == 3
    past = api.get(f"/api/v1/passport/me/?as_of={(w.today - timedelta(days=5)).isoformat()}").json()
    assert past["source"] == "history" and past["statuses"] == []
    assert api.get("/api/v1/passport/me/?as_of=2026-02-30").status_code == 400
    assert api_client_for(w.tenant, w.other_manager).get("/api/v1/passport/me/").status_code == 404


def test_manager_builds_profile_links_department_grants_exemption_via_api(world):
    w = world
    api = api_client_for(w.tenant, w.manager)
    r = api.post("/api/v1/profiles/", {"name": "Afdeling Chirurgie", "org_unit": w.chir.pk,
                                       "competences": ["KATH", "BLS"]}, format="json")
    assert r.status_code == 201, r.json()
    profile_id = r.json()["id"]
    r = api.post("/api/v1/profile-links/", {"profile": profile_id, "org_unit": w.chir.pk}, format="json")
    assert r.status_code == 201 and r.json()["job"] is None
    r = api.post("/api/v1/exemptions/", {"person": w.nurse.pk, "competence": "KATH",
                                         "reason": "Ervaren, elders getoetst"}, format="json")
    assert r.status_code == 201, r.json()
    mine = api_client_for(w.tenant, w.employee).get("/api/v1/passport/me/").json()
    statuses = {s["competence"]: s for s in mine["statuses"]}
    assert statuses["KATH"]["status"] == "exempt"
    assert statuses["KATH"]["grounds"][0]["params"]["reason"] == "Ervaren, elders getoetst"
    assert statuses["BLS"]["status"] == "missing"
    r = api.patch(f"/api/v1/profiles/{profile_id}/", {"remove": ["BLS"], "reason": "niet nodig"}, format="json")
    assert r.status_code == 200 and r.json()["competences"] == ["KATH"]
    mine = api_client_for(w.tenant, w.employee).get("/api/v1/passport/me/").json()
    assert [s["competence"] for s in mine["statuses"]] == ["KATH"]


def test_exemption_by_employee_or_other_manager_is_refused(world):
    w = world
    _setup_profile(w)
    payload = {"person": w.nurse.pk, "competence": "KATH", "reason": "x"}
    assert api_client_for(w.tenant, w.employee).post("/api/v1/exemptions/", payload, format="json").status_code == 403
    assert api_client_for(w.tenant, w.other_manager).post(
        "/api/v1/not-applicable/", payload, format="json").status_code == 403
    assert api_client_for(w.tenant, w.admin).post("/api/v1/not-applicable/", payload, format="json").status_code == 201


@pytest.mark.parametrize("payload,fields", [
    ({"competence": "NOPE", "kind": "theory", "achieved_on": "2025-01-01"}, {"competence"}),
    ({"competence": "KATH", "kind": "theory", "achieved_on": "2025-02-30"}, {"achieved_on"}),
    ({"competence": "KATH", "kind": "theory", "achieved_on": "2999-01-01"}, {"achieved_on"}),
    ({"competence": "KATH", "kind": "dance", "achieved_on": "2025-01-01"}, {"kind"}),
    ({"competence": "KATH", "achieved_on": "2025-01-01"}, {"kind"}),
])
def test_bad_evidence_gets_400_with_field_names_and_nothing_written(world, payload, fields):
    w = world
    _setup_profile(w)
    with in_tenant(w.tenant):
        audits = AuditEntry.objects.count()
    r = api_client_for(w.tenant, w.assessor).post("/api/v1/evidence/", {"person": w.nurse.pk, **payload},
                                                  format="json")
    assert r.status_code == 400 and set(r.json()) == fields, r.json()
    with in_tenant(w.tenant):
        assert not Evidence.objects.exists() and AuditEntry.objects.count() == audits


def test_exemption_until_before_from_and_missing_reason_are_400(world):
    w = world
    _setup_profile(w)
    api = api_client_for(w.tenant, w.manager)
    r = api.post("/api/v1/exemptions/", {"person": w.nurse.pk, "competence": "KATH", "start": "2026-05-01",
                                         "until": "2026-04-01", "reason": ""}, format="json")
    assert r.status_code == 400 and set(r.json()) == {"until", "reason"}
    with in_tenant(w.tenant):
        assert not Exemption.objects.exists()


def test_ids_of_another_tenant_are_404_or_400(world, tenant_b):
    w = world
    _setup_profile(w)
    with in_tenant(tenant_b):
        foreign = Person.objects.create(pk=424242, personnel_number="B-1", first_name="Bea", last_name="Beta")
    with in_tenant(w.tenant):
        assert not Person.objects.filter(pk=foreign.pk).exists()
        profile_id = Profile.objects.get().pk
        links = ProfileLink.objects.count()
    api = api_client_for(w.tenant, w.admin)
    assert api.get(f"/api/v1/people/{foreign.pk}/passport/").status_code == 404
    assert api.get(f"/api/v1/people/{foreign.pk}/").status_code == 404
    r = api.post("/api/v1/profile-links/", {"profile": profile_id, "person": foreign.pk}, format="json")
    assert r.status_code == 400 and "person" in r.json()
    r = api.post("/api/v1/exemptions/", {"person": foreign.pk, "competence": "KATH", "reason": "x"}, format="json")
    assert r.status_code == 400 and "person" in r.json()
    with in_tenant(w.tenant):
        assert ProfileLink.objects.count() == links and not Exemption.objects.exists()
    # A's token on B's host is unknown there
    other = api_client_for(w.tenant, w.admin)
    other.defaults["HTTP_HOST"] = f"{tenant_b.slug}.localhost"
    assert other.get("/api/v1/passport/me/").status_code == 401


WORKED = {
    "as_of": "2026-12-01",
    "competences": [{"code": "KATH", "name": "Katheteriseren", "evidence": {"theory": 24, "practical": 24},
                     "practice": {"count": 3, "months": 12, "verified_only": False}, "warning_days": 60}],
    "required": ["KATH"],
    "evidence": [{"competence": "KATH", "kind": "theory", "date": "2025-01-10", "passed": True, "valid_until": None},
                 {"competence": "KATH", "kind": "practical", "date": "2025-02-01", "passed": True}],
    "practice": [{"competence": "KATH", "date": "2026-05-01", "count": 2, "verified": True},
                 {"competence": "KATH", "date": "2026-09-01", "count": 2, "verified": False}],
    "exemptions": [], "not_applicable": [], "revocations": [], "enrolments": [],
}


def test_what_if_returns_the_documented_shape_and_writes_nothing(world):
    w = world
    with in_tenant(w.tenant):
        before = (CompetenceStatus.objects.count(), AuditEntry.objects.count())
    r = api_client_for(w.tenant, w.admin).post("/api/v1/passport/what-if/", WORKED, format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["as_of"] == "2026-12-01" and body["rules_version"] == "care-2026.1"
    d = body["decisions"][0]
    assert {k: d[k] for k in ("competence", "status", "valid_until", "next_change")} == {
        "competence": "KATH", "status": "expiring", "valid_until": "2027-01-10", "next_change": "2027-01-11"}
    assert d["grounds"][0] == {"code": "expires_on", "params": {"date": "2027-01-10", "kind": "theory"},
                               "text": "Theorie verloopt op 10-01-2027"}
    later = api_client_for(w.tenant, w.admin).post("/api/v1/passport/what-if/", {**WORKED, "as_of": "2027-01-11"},
                                                   format="json").json()
    assert later["decisions"][0]["status"] == "expired"
    assert later["decisions"][0]["grounds"][0]["code"] == "kind_expired"
    with in_tenant(w.tenant):
        assert (CompetenceStatus.objects.count(), AuditEntry.objects.count()) == before


def test_what_if_minimal_body_uses_defaults_and_period_facts(world):
    w = world
    body = {"as_of": "2026-12-01", "competences": [{"code": "X", "evidence": {"elearning": 12}}],
            "required": ["X"], "revocations": [{"competence": "X", "from": "2026-01-01", "until": None,
                                                "reason": "incident"}]}
    d = api_client_for(w.tenant, w.admin).post("/api/v1/passport/what-if/", body, format="json").json()["decisions"][0]
    assert d["status"] == "revoked" and d["grounds"][0]["code"] == "revoked"


@pytest.mark.parametrize("change,field", [
    ({"required": ["NOPE"]}, "required"),
    ({"as_of": "2026-13-01"}, "as_of"),
    ({"as_of": None}, "as_of"),
    ({"competences": []}, "competences"),
    ({"evidence": [{"competence": "NOPE", "kind": "theory", "date": "2025-01-10"}]}, "evidence"),
    ({"evidence": [{"competence": "KATH", "kind": "theory", "date": "2025-02-31"}]}, "evidence"),
    ({"exemptions": [{"competence": "KATH", "from": "2026-05-01", "until": "2026-01-01"}]}, "exemptions"),
    ({"competences": [{"code": "KATH", "evidence": {"dance": 3}}]}, "competences"),
])
def test_what_if_bad_input_is_400_with_field_messages(world, change, field):
    w = world
    body = {**WORKED, **change}
    if body.get("as_of") is None:
        body.pop("as_of")
    r = api_client_for(w.tenant, w.admin).post("/api/v1/passport/what-if/", body, format="json")
    assert r.status_code == 400 and field in r.json(), r.json()


def test_what_if_is_for_tenant_admins_only(world):
    w = world
    for user in (w.manager, w.employee, w.assessor):
        assert api_client_for(w.tenant, user).post("/api/v1/passport/what-if/", WORKED,
                                                   format="json").status_code == 403


def _grow(w, people: int, competences: int):
    """Add people to CHIR and competences to the profile, with some evidence."""
    with in_tenant(w.tenant):
        profile = Profile.objects.get()
        for i in range(competences):
            c = Competence.objects.create(code=f"EXTRA{i:02d}", name=f"Extra {i}")
            EvidenceRequirement.objects.create(competence=c, kind="elearning", validity_months=12)
            profile.competences.add(c)
        ids = [Person.objects.create(personnel_number=f"G{i:04d}", first_name="Gert", last_name=f"Groei {i}",
                                     org_unit=w.chir_team if i % 2 else w.chir).pk for i in range(people)]
        services.statuses_recompute(person_ids=ids + [w.nurse.pk, w.colleague.pk])


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_passport_and_team_overview_run_constant_queries(world):
    w = world
    _setup_profile(w)
    manager, employee = api_client_for(w.tenant, w.manager), api_client_for(w.tenant, w.employee)
    urls = [(employee, "/api/v1/passport/me/"), (manager, f"/api/v1/people/{w.nurse.pk}/passport/"),
            (manager, "/api/v1/team-overview/"), (manager, "/api/v1/team-overview/?status=missing"),
            (manager, f"/api/v1/team-overview/?org_unit={w.chir.pk}&expires_within=30"),
            (manager, "/api/v1/team-overview.csv"),
            (manager, f"/api/v1/people/{w.nurse.pk}/passport/?as_of={(w.today - timedelta(days=3)).isoformat()}")]
    small = [_queries(c, u) for c, u in urls]
    _grow(w, people=25, competences=12)
    large = [_queries(c, u) for c, u in urls]
    assert small == large
    body = manager.get("/api/v1/team-overview/").json()
    assert len(body["people"]) == 27 and len(body["competences"]) == 15


def test_team_overview_filters_counts_and_scope(world):
    w = world
    _setup_profile(w)
    with in_tenant(w.tenant):
        services.evidence_record(person=w.nurse, competence="BLS", kind="certificate",
                                 achieved_on=w.today - timedelta(days=350), by=w.assessor)
    api = api_client_for(w.tenant, w.manager)
    body = api.get("/api/v1/team-overview/").json()
    assert body["counts"]["missing"] == 5 and body["counts"]["expiring"] == 1
    assert {p["personnel_number"] for p in body["people"]} == {"1001", "1002"}  # not the other department
    only = api.get("/api/v1/team-overview/?status=expiring").json()
    assert [p["personnel_number"] for p in only["people"]] == ["1001"]
    assert list(only["people"][0]["statuses"]) == ["BLS"]
    soon = api.get("/api/v1/team-overview/?expires_within=30").json()
    assert [p["personnel_number"] for p in soon["people"]] == ["1001"]
    team = api.get(f"/api/v1/team-overview/?org_unit={w.chir_team.pk}").json()
    assert [p["personnel_number"] for p in team["people"]] == ["1001"]
    assert api.get(f"/api/v1/team-overview/?org_unit={w.intern.pk}").json()["people"] == []
    assert api.get("/api/v1/team-overview/?status=bogus").status_code == 400
    assert api.get("/api/v1/team-overview/?expires_within=-1").status_code == 400
    assert api_client_for(w.tenant, w.employee).get("/api/v1/team-overview/").status_code == 403
    admin = api_client_for(w.tenant, w.admin).get("/api/v1/team-overview/").json()
    assert len(admin["people"]) == 3


def test_team_overview_exports_csv_and_xlsx(world):
    from openpyxl import load_workbook

    w = world
    _setup_profile(w)
    api = api_client_for(w.tenant, w.manager)
    r = api.get("/api/v1/team-overview.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["personeelsnummer", "naam", "afdeling", "BLS"]
    assert {r[0] for r in rows[1:]} == {"1001", "1002"} and rows[1][3] == "missing"
    r = api.get("/api/v1/team-overview.xlsx?status=missing")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["Teamoverzicht"]
    assert ws.cell(1, 1).value == "personeelsnummer" and ws.max_row == 3
    assert dict(wb["Aantallen"].iter_rows(min_row=2, values_only=True))["missing"] == 6


def test_lists_are_scoped_filtered_and_paginated(world):
    w = world
    _setup_profile(w)
    with in_tenant(w.tenant):
        services.evidence_record(person=w.nurse, competence="BLS", kind="certificate",
                                 achieved_on=w.today - timedelta(days=3), by=w.assessor)
        services.evidence_record(person=w.outsider, competence="BLS", kind="certificate",
                                 achieved_on=w.today - timedelta(days=3), by=w.assessor)
    body = api_client_for(w.tenant, w.employee).get("/api/v1/evidence/").json()
    assert body["count"] == 1 and body["results"][0]["person"] == w.nurse.pk
    assert api_client_for(w.tenant, w.admin).get("/api/v1/evidence/?person=%d" % w.outsider.pk).json()["count"] == 1
    people = api_client_for(w.tenant, w.manager).get("/api/v1/people/").json()
    assert {p["personnel_number"] for p in people["results"]} == {"1001", "1002"}
    comps = api_client_for(w.tenant, w.employee).get("/api/v1/competences/?category=reserved").json()
    assert {c["code"] for c in comps["results"]} == {"KATH", "INJ-SC"}
    assert comps["results"][0]["evidence"]
    units = api_client_for(w.tenant, w.manager).get("/api/v1/org-units/").json()
    assert {u["code"] for u in units["results"]} == {"CHIR", "CHIR-A"}
    for path in ("profiles", "profile-links", "practice", "exemptions", "not-applicable", "revocations", "orders",
                 "statuses"):
        assert api_client_for(w.tenant, w.manager).get(f"/api/v1/{path}/").status_code == 200, path


def test_catalogue_is_written_by_tenant_admin_only_and_validated(world):
    w = world
    payload = {"code": "MAAG", "name": "Maagsonde inbrengen", "category": "reserved",
               "evidence": {"theory": 24, "practical": 24}, "practice": {"count": 2, "months": 12}}
    assert api_client_for(w.tenant, w.manager).post("/api/v1/competences/", payload,
                                                    format="json").status_code == 403
    r = api_client_for(w.tenant, w.admin).post("/api/v1/competences/", payload, format="json")
    assert r.status_code == 201 and r.json()["evidence"] == {"theory": 24, "practical": 24}
    r = api_client_for(w.tenant, w.admin).post("/api/v1/competences/", {**payload, "code": "M2",
                                                                        "evidence": {"dance": 1}}, format="json")
    assert r.status_code == 400 and "evidence" in r.json()


def test_practice_logged_by_employee_and_verified_by_assessor(world):
    w = world
    _setup_profile(w)
    r = api_client_for(w.tenant, w.employee).post("/api/v1/practice/", {
        "person": w.nurse.pk, "competence": "KATH", "performed_on": w.today.isoformat(), "count": 2}, format="json")
    assert r.status_code == 201 and r.json()["verified"] is False
    pid = r.json()["id"]
    assert api_client_for(w.tenant, w.employee).post(f"/api/v1/practice/{pid}/verify/", {},
                                                     format="json").status_code == 403
    r = api_client_for(w.tenant, w.assessor).post(f"/api/v1/practice/{pid}/verify/", {}, format="json")
    assert r.status_code == 200 and r.json()["verified"] is True
    r = api_client_for(w.tenant, w.employee).post("/api/v1/practice/", {
        "person": w.colleague.pk, "competence": "KATH", "performed_on": w.today.isoformat()}, format="json")
    assert r.status_code == 403


def test_openapi_schema_and_docs_are_served(world):
    w = world
    api = api_client_for(w.tenant, w.admin)
    r = api.get("/api/schema/")
    assert r.status_code == 200
    text = r.content.decode()
    for path in ("/api/v1/passport/what-if/", "/api/v1/team-overview/", "/api/v1/people/{person_id}/passport/",
                 "/api/v1/exemptions/", "/api/v1/people/import/"):
        assert path in text, path
