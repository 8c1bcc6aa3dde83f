"""The vendor API on the public host: vendor staff only, in the OpenAPI schema."""
import pytest
from rest_framework.test import APIClient

from support import api_client_for, host_of, make_user
from tenants.models import Feedback, Rollout


@pytest.fixture
def api(vendor, public_tenant):
    return api_client_for(public_tenant, vendor)


def test_anonymous_and_non_staff_public_users_are_refused(public_tenant):
    assert APIClient(HTTP_HOST=host_of(public_tenant)).get("/api/v1/tenants/").status_code == 401
    clerk = make_user(public_tenant, email="clerk@paspoort.test", roles=())
    assert api_client_for(public_tenant, clerk).get("/api/v1/tenants/").status_code == 403


def test_tenant_user_token_is_worthless_on_the_public_host(public_tenant, tenant_a):
    admin = make_user(tenant_a, roles=("tenant_admin",), is_staff=True, is_superuser=True)
    client = api_client_for(tenant_a, admin)
    client.defaults["HTTP_HOST"] = host_of(public_tenant)
    assert client.get("/api/v1/tenants/").status_code == 401
    assert client.get("/api/v1/support-sessions/").status_code == 401


def test_control_plane_api_does_not_exist_on_tenant_hosts(tenant_a):
    admin = make_user(tenant_a, roles=("tenant_admin",), is_staff=True, is_superuser=True)
    assert api_client_for(tenant_a, admin).get("/api/v1/tenants/").status_code == 404


def test_rollout_through_the_api(api, tenant_a, tenant_b):
    assert api.get("/api/v1/features/").status_code == 200
    response = api.post("/api/v1/versions/", {"name": "2026.4", "features": ["care.passport"],
                                              "care_rules_version": "care-2026.2",
                                              "funding_rules_version": "vavo-2026.1"}, format="json")
    assert response.status_code == 201, response.json()
    bad = api.post("/api/v1/versions/", {"name": "x", "features": ["nope"], "care_rules_version": "care-0",
                                         "funding_rules_version": "vavo-2026.1"}, format="json")
    assert bad.status_code == 400 and {"features", "care_rules_version"} <= set(bad.json())
    group = api.post("/api/v1/groups/", {"name": "Pilot", "slug": "pilot", "tenants": ["alpha"]}, format="json")
    assert group.status_code == 201, group.json()
    rollout = api.post("/api/v1/rollouts/", {"version": "2026.4", "stages": [
        {"group": "pilot"}, {"group": None, "min_days_in_previous_stage": 5}]}, format="json")
    assert rollout.status_code == 201, rollout.json()
    rid = rollout.json()["id"]
    assert api.post(f"/api/v1/rollouts/{rid}/start/", {"reason": "pilot"}).status_code == 200
    tenants = {t["slug"]: t for t in api.get("/api/v1/tenants/").json()}
    assert tenants["alpha"]["effective_version"] == "2026.4" and tenants["beta"]["effective_version"] is None
    gated = api.post(f"/api/v1/rollouts/{rid}/advance/", {})
    assert gated.status_code == 400 and "min_days_in_previous_stage" in gated.json()
    illegal = api.post(f"/api/v1/rollouts/{rid}/resume/", {})
    assert illegal.status_code == 400 and "status" in illegal.json()
    assert api.post(f"/api/v1/rollouts/{rid}/rollback/", {"reason": ""}).status_code == 400
    assert api.post(f"/api/v1/rollouts/{rid}/rollback/", {"reason": "regressie"}).status_code == 200
    assert Rollout.objects.get(pk=rid).status == "rolled_back"
    assert api.get(f"/api/v1/tenants/{tenant_a.pk}/").json()["effective_version"] is None


def test_feedback_and_support_sessions_through_the_api(api, vendor, make_version, tenant_a):
    from tenants.services import feedback_submit

    version = make_version("2026.4")
    feedback = feedback_submit(tenant=tenant_a, version=version, author_email="a@alpha.test", text="traag")
    listed = api.get(f"/api/v1/feedback/?version={version.pk}").json()
    assert listed["count"] == 1 and listed["results"][0]["tenant"] == "alpha"
    assert api.post(f"/api/v1/feedback/{feedback.pk}/mark/", {"blocking": True}, format="json").status_code == 200
    assert Feedback.objects.get(pk=feedback.pk).blocking
    opened = api.post("/api/v1/support-sessions/", {"tenant": "alpha", "reason": "ticket", "minutes": 500},
                      format="json")
    assert opened.status_code == 400 and "minutes" in opened.json()
    opened = api.post("/api/v1/support-sessions/", {"tenant": "alpha", "reason": "ticket", "minutes": 30},
                      format="json")
    assert opened.status_code == 201 and "alpha.localhost" in opened.json()["link"]
    sid = opened.json()["session"]["id"]
    assert api.post(f"/api/v1/support-sessions/{sid}/end/", {"reason": "klaar"}).status_code == 200
    assert api.post(f"/api/v1/tenants/{tenant_a.pk}/pin/", {"version": "2026.4", "reason": "r"}).status_code == 200
    assert api.get(f"/api/v1/tenants/{tenant_a.pk}/").json()["version_source"] == "pin"


def test_vendor_api_is_in_the_public_openapi_schema(public_tenant):
    response = APIClient(HTTP_HOST=host_of(public_tenant)).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for p in ("/api/v1/tenants/", "/api/v1/rollouts/{id}/advance/", "/api/v1/support-sessions/",
              "/api/v1/feedback/", "/api/v1/versions/", "/api/v1/groups/"):
        assert p in paths, p
