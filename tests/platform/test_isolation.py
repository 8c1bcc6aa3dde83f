"""Isolation from the outside: hosts, sessions and tokens never cross tenants."""
import pytest
from django.test import Client

from support import api_client_for, client_for, host_of, in_tenant, make_user


def test_unknown_host_gets_404_not_public_site(tenant_a):
    for host in ("nobody.localhost", "evil.example.com", "localhost.evil.com"):
        response = Client(HTTP_HOST=host).get("/accounts/login/")
        assert response.status_code == 404, host


def test_host_with_port_and_upper_case_resolves_to_tenant(tenant_a):
    for host in (f"ALPHA.localhost:8000", "Alpha.LocalHost", "alpha.localhost:8000"):
        response = Client(HTTP_HOST=host).get("/accounts/login/")
        assert response.status_code == 200, host
        assert "Ziekenhuis Alpha" in response.content.decode()


def test_session_of_tenant_a_is_worthless_on_tenant_b(tenant_a, tenant_b):
    user = make_user(tenant_a, roles=("tenant_admin",), is_staff=True, is_superuser=True)
    client = client_for(tenant_a, user)
    assert client.get("/admin/").status_code == 200
    session_cookie = client.cookies["sessionid"].value
    other = Client(HTTP_HOST=host_of(tenant_b))
    other.cookies["sessionid"] = session_cookie
    response = other.get("/admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = other.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/")
    assert response.status_code in (401, 403)


def test_token_of_tenant_a_is_refused_on_tenant_b(tenant_a, tenant_b):
    user = make_user(tenant_a, roles=("tenant_admin",))
    api_a = api_client_for(tenant_a, user)
    assert api_a.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/").status_code == 404
    api_b = api_client_for(tenant_a, user)
    api_b.defaults["HTTP_HOST"] = host_of(tenant_b)
    response = api_b.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 401


def test_spoofed_forwarded_host_does_not_switch_tenant(tenant_a, tenant_b):
    response = Client(HTTP_HOST=host_of(tenant_a), HTTP_X_FORWARDED_HOST=host_of(tenant_b)).get(
        "/accounts/login/")
    body = response.content.decode()
    assert "Ziekenhuis Alpha" in body and "Zorgcentrum Beta" not in body


def test_login_of_tenant_a_user_fails_on_tenant_b(tenant_a, tenant_b):
    make_user(tenant_a, email="nurse@alpha.test")
    response = Client(HTTP_HOST=host_of(tenant_b)).post(
        "/accounts/login/", {"username": "nurse@alpha.test", "password": "pw-123456!"})
    assert response.status_code == 200  # the form again, with an error
    assert "klopt niet" in response.content.decode()
    response = Client(HTTP_HOST=host_of(tenant_a)).post(
        "/accounts/login/", {"username": "nurse@alpha.test", "password": "pw-123456!"})
    assert response.status_code == 302


def test_tenant_admin_site_lists_no_control_plane_models(tenant_a):
    admin = make_user(tenant_a, roles=("tenant_admin",), is_staff=True, is_superuser=True)
    body = client_for(tenant_a, admin).get("/admin/").content.decode()
    assert "/admin/tenants/" not in body
    assert "/admin/accounts/user/" in body


def test_vendor_admin_on_public_host_only_for_public_users(public_tenant, tenant_a):
    tenant_user = make_user(tenant_a, email="staff@alpha.test", is_staff=True, is_superuser=True)
    client = Client(HTTP_HOST="localhost")
    # a tenant's account does not exist in the public schema
    response = client.post("/accounts/login/", {"username": "staff@alpha.test", "password": "pw-123456!"})
    assert response.status_code == 200 and "klopt niet" in response.content.decode()
    vendor = make_user(public_tenant, email="vendor@paspoort.test", is_staff=True, is_superuser=True)
    body = client_for(public_tenant, vendor).get("/admin/").content.decode()
    assert "/admin/tenants/tenant/" in body
    assert tenant_user.email not in client_for(public_tenant, vendor).get("/admin/accounts/user/").content.decode()


def test_suspended_tenant_shows_page_and_api_403(tenant_a):
    from tenants.services import tenant_set_status

    user = make_user(tenant_a, roles=("tenant_admin",))
    tenant_set_status(tenant=tenant_a, status="suspended")
    page = Client(HTTP_HOST=host_of(tenant_a)).get("/accounts/login/")
    assert page.status_code == 403 and "opgeschort" in page.content.decode()
    api = api_client_for(tenant_a, user).get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/")
    assert api.status_code == 403 and api.json()["code"] == "tenant_suspended"
