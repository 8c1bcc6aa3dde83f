"""The tenant side: release-notes banner, pilot feedback, the tenant's own support sessions."""
import pytest

from support import api_client_for, client_for, make_user
from tenants import services
from tenants.models import Feedback, PassportVersion



@pytest.fixture
def pilot(make_version, make_group, vendor, tenant_a):
    """tenant_a pilots 2026.4 (with release notes); everyone else is on general 2026.3."""
    old = make_version("2026.3")
    PassportVersion.objects.filter(pk=old.pk).update(status="general")
    version = make_version("2026.4", release_notes_nl="Nieuw: verloopdatums eerder zichtbaar.",
                           release_notes_en="New: expiry dates shown earlier.")
    rollout = services.rollout_create(version=version, by=vendor, stages=[{"group": make_group("Pilot", tenant_a)}])
    services.rollout_start(rollout=rollout, by=vendor)
    return version


def test_moved_tenant_sees_release_notes_until_the_user_dismisses_them(pilot, tenant_a, tenant_b):
    user = make_user(tenant_a)
    client = client_for(tenant_a, user)
    body = client.get("/releases/notes/").content.decode()
    assert 'class="banner' in body and "verloopdatums eerder zichtbaar" in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "expiry dates shown earlier" in client.get("/releases/notes/").content.decode()
    assert client.post("/releases/notes/2026.4/dismiss/", HTTP_HX_REQUEST="true").status_code == 200
    body = client.get("/releases/feedback/").content.decode()
    assert 'class="banner' not in body
    other = client_for(tenant_a, make_user(tenant_a))
    assert 'class="banner' in other.get("/releases/feedback/").content.decode()  # dismissal is per user


def test_tenant_on_the_default_version_sees_no_banner(pilot, tenant_b):
    body = client_for(tenant_b, make_user(tenant_b)).get("/releases/notes/").content.decode()
    assert "2026.3" in body and 'class="banner' not in body


def test_pilot_feedback_reaches_the_vendor_for_this_version_and_tenant(pilot, tenant_a):
    user = make_user(tenant_a, email="nurse@alpha.test", first_name="Noor", last_name="Ali")
    client = client_for(tenant_a, user)
    assert client.get("/releases/feedback/").status_code == 200
    response = client.post("/releases/feedback/", {"text": "Het teamoverzicht is top"})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.tenant_id, feedback.version_id, feedback.author_email, feedback.author_name) == \
        (tenant_a.pk, pilot.pk, "nurse@alpha.test", "Noor Ali")
    assert client.post("/releases/feedback/", {"text": ""}).status_code == 200  # the form again, with the error
    api = api_client_for(tenant_a, user)
    assert api.post("/api/v1/releases/feedback/", {"text": "via de API"}).status_code == 201
    assert Feedback.objects.count() == 2


def test_non_pilot_tenant_has_no_feedback_form(pilot, tenant_b):
    user = make_user(tenant_b)
    assert client_for(tenant_b, user).get("/releases/feedback/").status_code == 404
    assert api_client_for(tenant_b, user).post("/api/v1/releases/feedback/", {"text": "x"}).status_code == 404


def test_a_tenant_never_sees_another_tenants_feedback(pilot, make_group, vendor, tenant_a, tenant_b):
    services.version_pin(tenant=tenant_b, version=pilot, reason="ook pilot", by=vendor)
    services.feedback_submit(tenant=tenant_a, version=pilot, author_email="a@alpha.test", text="GEHEIM-VAN-ALPHA")
    user_b = make_user(tenant_b)
    body = client_for(tenant_b, user_b).get("/releases/feedback/").content.decode()
    assert "GEHEIM-VAN-ALPHA" not in body
    listed = api_client_for(tenant_b, user_b).get("/api/v1/releases/feedback/").json()
    assert listed == [] or all("GEHEIM" not in f["text"] for f in listed)


def test_tenant_admins_see_their_own_support_sessions_only(vendor, tenant_a, tenant_b):
    services.support_session_open(tenant=tenant_a, staff=vendor, reason="ALPHA-TICKET", minutes=30)
    services.support_session_open(tenant=tenant_b, staff=vendor, reason="BETA-TICKET", minutes=30)
    admin_a = make_user(tenant_a, roles=("tenant_admin",))
    body = client_for(tenant_a, admin_a).get("/support/sessions/").content.decode()
    assert "ALPHA-TICKET" in body and "BETA-TICKET" not in body and vendor.email in body
    admin_b = make_user(tenant_b, roles=("tenant_admin",))
    body = client_for(tenant_b, admin_b).get("/support/sessions/").content.decode()
    assert "BETA-TICKET" in body and "ALPHA-TICKET" not in body


def test_employees_do_not_see_support_sessions(vendor, tenant_a):
    employee = make_user(tenant_a, roles=("employee",))
    assert client_for(tenant_a, employee).get("/support/sessions/").status_code == 404


def test_support_user_sees_the_support_banner(vendor, tenant_a):
    from django.test import Client

    from support import host_of

    session = services.support_session_open(tenant=tenant_a, staff=vendor, reason="hulp", minutes=30)
    client = Client(HTTP_HOST=host_of(tenant_a))
    client.get(f"/support/enter/{services.support_session_token(session=session)}/")
    body = client.get("/support/sessions/").content.decode()
    assert "banner-warning" in body and vendor.email in body
