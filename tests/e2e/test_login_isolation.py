"""Journey: an employee logs in on their own subdomain and sees their passport; the same
browser session is worthless on another tenant's subdomain and on the control plane."""
import pytest

from e2e.conftest import login, shot
from security.seed import MARKER, seed_care

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("live")]


def test_employee_sees_own_passport_and_nothing_of_another_tenant(tenant_a, tenant_b, live_server_proc, page):
    server = live_server_proc
    seeded = seed_care(tenant_a)
    login(page, server, "alpha", seeded["employee"].email)
    page.goto(server.url("alpha", "/paspoort/"))
    assert page.locator("h1").count() >= 1
    body = page.content()
    assert MARKER in body, "the passport shows the employee's own competences"
    shot(page, "login-01-own-passport")

    # Carry alpha's session cookie to beta's host: beta does not know the session.
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    page.context.add_cookies([{"name": "sessionid", "value": cookie["value"], "domain": "beta.localhost",
                               "path": "/"},
                              {"name": "sessionid", "value": cookie["value"], "domain": "localhost", "path": "/"}])
    for url in (server.url("beta", "/paspoort/"), server.url("beta", "/")):
        page.goto(url)
        assert "/accounts/login/" in page.url, page.url
        assert MARKER not in page.content()
    shot(page, "login-02-beta-asks-for-login")
    response = page.goto(server.url("beta", "/api/v1/passport/me/"))
    assert response.status in (401, 403)
    page.goto(server.url(None, "/control/"))
    assert "/accounts/login/" in page.url
    shot(page, "login-03-control-plane-asks-for-login")
