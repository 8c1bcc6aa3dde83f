"""Learning over HTTP on the tenant's host: courses, sessions, enrolments, results, paths,
practice log and sign-off; bad input is a field-level 4xx; other tenants' ids are 404."""
from __future__ import annotations

from support import api_client_for, client_for, in_tenant


def test_employee_enrols_sees_seats_and_cancels_over_the_api(care):
    session = care.session(capacity=1)
    me = api_client_for(care.tenant, care.employee)
    colleague = api_client_for(care.tenant, care.colleague_user)
    r = me.post(f"/api/v1/sessions/{session.pk}/enrol/", {}, format="json")
    assert r.status_code == 201 and r.json()["status"] == "enrolled"
    r2 = colleague.post("/api/v1/enrolments/", {"session": session.pk}, format="json")
    assert r2.status_code == 201 and r2.json()["status"] == "waitlisted" and r2.json()["position"] == 1
    s = me.get(f"/api/v1/sessions/{session.pk}/").json()
    assert (s["taken"], s["waiting"], s["seats_left"]) == (1, 1, 0)
    assert me.post(f"/api/v1/enrolments/{r.json()['id']}/cancel/", {}, format="json").status_code == 200
    assert colleague.get(f"/api/v1/enrolments/{r2.json()['id']}/").json()["status"] == "enrolled"


def test_bad_enrolments_are_field_level_400s(care):
    from apps.learning.models import Enrolment
    from apps.learning.services import session_cancel

    me = api_client_for(care.tenant, care.employee)
    past_deadline = care.session(deadline_in=-1)
    r = me.post("/api/v1/enrolments/", {"session": past_deadline.pk}, format="json")
    assert r.status_code == 400 and "session" in r.json()
    open_session = care.session()
    assert me.post("/api/v1/enrolments/", {"session": open_session.pk}, format="json").status_code == 201
    r = me.post("/api/v1/enrolments/", {"session": open_session.pk}, format="json")
    assert r.status_code == 400 and "person" in r.json()
    cancelled = care.session()
    with in_tenant(care.tenant):
        session_cancel(session=cancelled, by=care.admin)
    r = me.post("/api/v1/enrolments/", {"session": cancelled.pk}, format="json")
    assert r.status_code == 400 and "session" in r.json()
    r = me.post("/api/v1/enrolments/", {"session": "x"}, format="json")
    assert r.status_code == 400 and "session" in r.json()
    with in_tenant(care.tenant):
        assert Enrolment.objects.filter(person=care.nurse).count() == 1


def test_employee_cannot_enrol_someone_else_over_the_api(care):
    session = care.session()
    r = api_client_for(care.tenant, care.employee).post(
        "/api/v1/enrolments/", {"session": session.pk, "person": care.colleague.pk}, format="json")
    assert r.status_code == 403


def test_assessor_records_a_pass_and_the_passport_shows_competent(care):
    from apps.learning.services import enrolment_create

    session = care.session(days_ahead=-1, deadline_in=-2)
    with in_tenant(care.tenant):
        e = enrolment_create(session=session, by=care.employee, as_of=care.days(-3))
    me = api_client_for(care.tenant, care.employee)
    assert me.post(f"/api/v1/enrolments/{e.pk}/result/", {"result": "passed"}, format="json").status_code == 403
    assessor = api_client_for(care.tenant, care.assessor)
    r = assessor.post(f"/api/v1/enrolments/{e.pk}/result/", {"result": "passed"}, format="json")
    assert r.status_code == 200 and r.json()["result"] == "passed" and r.json()["evidence"]
    passport = me.get("/api/v1/passport/me/").json()
    entry = next(s for s in passport["statuses"] if s["competence"] == care.kath.code)
    assert entry["status"] == "competent"
    r = assessor.post(f"/api/v1/enrolments/{e.pk}/result/", {"result": "passed"}, format="json")
    assert r.status_code == 400 and "status" in r.json()


def test_result_with_an_unknown_value_is_a_400(care):
    from apps.learning.services import enrolment_create

    session = care.session(days_ahead=-1, deadline_in=-2)
    with in_tenant(care.tenant):
        e = enrolment_create(session=session, by=care.employee, as_of=care.days(-3))
    r = api_client_for(care.tenant, care.assessor).post(f"/api/v1/enrolments/{e.pk}/result/",
                                                       {"result": "great"}, format="json")
    assert r.status_code == 400 and "result" in r.json()


def test_enrolments_of_other_people_are_hidden_from_an_employee(care):
    from apps.learning.services import enrolment_create

    session = care.session()
    with in_tenant(care.tenant):
        e = enrolment_create(session=session, by=care.colleague_user)
    api = api_client_for(care.tenant, care.employee)
    assert api.get(f"/api/v1/enrolments/{e.pk}/").status_code == 404
    assert api.post(f"/api/v1/enrolments/{e.pk}/cancel/").status_code == 404
    # The manager of their unit sees and may cancel it.
    assert api_client_for(care.tenant, care.manager).get(f"/api/v1/enrolments/{e.pk}/").status_code == 200


def test_other_tenants_ids_are_404(care, tenant_b):
    from learning.care_world import build_care
    from apps.learning.services import enrolment_create

    session = care.session()
    with in_tenant(care.tenant):
        e = enrolment_create(session=session, by=care.employee)
    other = build_care(tenant_b, prefix="B")
    api = api_client_for(tenant_b, other.manager)
    assert api.get(f"/api/v1/enrolments/{e.pk}/").status_code == 404
    assert api.post(f"/api/v1/enrolments/{e.pk}/cancel/").status_code == 404
    assert api.get(f"/api/v1/sessions/{session.pk}/").status_code == 404
    assert api.post(f"/api/v1/sessions/{session.pk}/enrol/", {}, format="json").status_code == 404


def test_openapi_schema_renders_on_a_tenant_host(care):
    r = client_for(care.tenant, care.admin).get("/api/schema/")
    assert r.status_code == 200
    body = r.content.decode()
    for p in ("/api/v1/enrolments/{id}/cancel/", "/api/v1/shares/{id}/revoke/", "/api/v1/shared-with-me/",
              "/api/v1/team-leader/", "/api/v1/notifications/{id}/read/", "/api/v1/practice-signoff/{id}/verify/",
              "/api/v1/learning-paths/"):
        assert p in body, p
