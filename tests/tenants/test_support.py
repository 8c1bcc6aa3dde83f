"""Support sessions: time-boxed, one-time link, per tenant, every change audited."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.models import AuditEntry
from support import api_client_for, client_for, host_of, in_tenant, make_user
from tenants import services
from tenants.models import ControlPlaneAuditEntry, SupportSession



def _open(vendor, tenant, minutes=60):
    return services.support_session_open(tenant=tenant, staff=vendor, reason="ticket 4711: import faalt",
                                         minutes=minutes)


def _enter(session, tenant):
    client = Client(HTTP_HOST=host_of(tenant))
    token = services.support_session_token(session=session)
    return client, client.get(f"/support/enter/{token}/")


def test_opening_needs_a_reason_and_at_most_four_hours(vendor, tenant_a):
    with pytest.raises(ValidationError) as err:
        services.support_session_open(tenant=tenant_a, staff=vendor, reason="  ", minutes=30)
    assert "reason" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _open(vendor, tenant_a, minutes=241)
    assert "4 uur" in err.value.message_dict["minutes"][0]
    session = _open(vendor, tenant_a, minutes=240)
    assert session.expires_at - session.started_at == dt.timedelta(hours=4)
    assert ControlPlaneAuditEntry.objects.get(action="support.open").reason == "ticket 4711: import faalt"


def test_only_vendor_staff_open_sessions(public_tenant, tenant_a):
    clerk = make_user(public_tenant, email="clerk@paspoort.test", roles=())
    with pytest.raises(ValidationError):
        _open(clerk, tenant_a)


def test_link_logs_in_a_marked_support_user_in_the_tenant_admin(vendor, tenant_a):
    session = _open(vendor, tenant_a)
    client, response = _enter(session, tenant_a)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200
    with in_tenant(tenant_a):
        user = User.objects.get(email=f"support+{vendor.pk}@vendor.invalid")
        assert user.is_support and user.is_staff and not user.has_usable_password()
        assert AuditEntry.objects.filter(action="support.enter", via_support=True).exists()


def test_link_works_once(vendor, tenant_a):
    session = _open(vendor, tenant_a)
    token = services.support_session_token(session=session)
    assert Client(HTTP_HOST=host_of(tenant_a)).get(f"/support/enter/{token}/").status_code == 302
    again = Client(HTTP_HOST=host_of(tenant_a)).get(f"/support/enter/{token}/")
    assert again.status_code == 403 and "al gebruikt" in again.content.decode()


def test_link_for_tenant_a_is_refused_on_tenant_b(vendor, tenant_a, tenant_b):
    session = _open(vendor, tenant_a)
    token = services.support_session_token(session=session)
    client = Client(HTTP_HOST=host_of(tenant_b))
    response = client.get(f"/support/enter/{token}/")
    assert response.status_code == 403 and "andere klant" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    with in_tenant(tenant_b):
        assert not User.objects.filter(is_support=True).exists()


def test_forged_or_stale_links_are_refused(vendor, tenant_a):
    session = _open(vendor, tenant_a)
    client = Client(HTTP_HOST=host_of(tenant_a))
    assert client.get("/support/enter/not-a-token/").status_code == 403
    SupportSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    _, response = _enter(session, tenant_a)
    assert response.status_code == 403


def test_expired_session_stops_working_on_the_next_request(vendor, tenant_a):
    session = _open(vendor, tenant_a)
    client, _ = _enter(session, tenant_a)
    assert client.get("/admin/").status_code == 200
    SupportSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/admin/").status_code == 302  # logged out for good


def test_ended_session_stops_working_on_the_next_request(vendor, tenant_a):
    session = _open(vendor, tenant_a)
    client, _ = _enter(session, tenant_a)
    services.support_session_end(session=session, by=vendor, reason="klaar")
    assert client.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/").status_code == 403
    assert client.get("/admin/").status_code == 302
    with pytest.raises(ValidationError):
        services.support_session_end(session=session, by=vendor)


def test_every_change_through_a_session_is_audited_in_both_places(vendor, tenant_a):
    session = _open(vendor, tenant_a)
    client, _ = _enter(session, tenant_a)
    with in_tenant(tenant_a):
        target = User.objects.create_user(email="nurse@alpha.test", password="pw-123456!", first_name="A")
    response = client.post(f"/admin/accounts/user/{target.pk}/change/", {"email": "nurse@alpha.test",
                           "first_name": "Anna", "last_name": "", "roles": ["employee"], "language": "nl",
                           "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00"})
    assert response.status_code in (200, 302)
    client.get("/admin/")  # reads are not audited
    with in_tenant(tenant_a):
        entries = AuditEntry.objects.filter(action="support.request")
        assert entries.count() == 1
        entry = entries.get()
        assert entry.via_support and entry.object_label == f"POST /admin/accounts/user/{target.pk}/change/"
        assert entry.reason == session.reason
    cp = ControlPlaneAuditEntry.objects.get(action="support.request")
    assert cp.tenant_id == tenant_a.pk and cp.actor_label == vendor.email and cp.details["method"] == "POST"
    session.refresh_from_db()
    assert session.actions == 1


def test_vendor_staff_without_a_session_see_no_tenant_data(vendor, public_tenant, tenant_a):
    staff_client = client_for(public_tenant, vendor)
    assert staff_client.get("/control/").status_code == 200
    on_tenant = Client(HTTP_HOST=host_of(tenant_a))
    on_tenant.cookies["sessionid"] = staff_client.cookies["sessionid"].value
    response = on_tenant.get("/admin/accounts/user/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    token_client = api_client_for(public_tenant, vendor)
    token_client.defaults["HTTP_HOST"] = host_of(tenant_a)
    assert token_client.get("/api/v1/releases/feedback/").status_code == 401


def test_support_users_cannot_use_api_tokens(vendor, tenant_a):
    session = _open(vendor, tenant_a)
    _enter(session, tenant_a)
    with in_tenant(tenant_a):
        user = User.objects.get(is_support=True)
    response = api_client_for(tenant_a, user).get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 403 and response.json()["code"] == "support_token_refused"
