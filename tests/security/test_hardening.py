"""Hardening from outside: login throttling per tenant, CSRF on every form and POST view,
security headers and cookie flags on every page. (`check --deploy` lives in
tests/platform/test_deploy_settings.py.)"""
from __future__ import annotations

import re

from django.conf import settings
from django.test import Client

from security.attack import body_of
from security.endpoints import anonymous_ok, api_endpoints, page_endpoints
from security.seed import superuser
from support import client_for, host_of, make_user

LOGIN = "/accounts/login/"


def _login(tenant, email, password):
    return Client(HTTP_HOST=host_of(tenant), REMOTE_ADDR="203.0.113.7").post(
        LOGIN, {"username": email, "password": password})


def _locked(response) -> bool:
    return response.status_code in (403, 429)


def test_sixth_wrong_password_locks_the_account_out(tenant_a):
    assert settings.AXES_FAILURE_LIMIT == 5
    make_user(tenant_a, email="target@alpha.test")
    for attempt in range(1, 5):
        response = _login(tenant_a, "target@alpha.test", f"wrong-{attempt}")
        assert response.status_code == 200 and not _locked(response), attempt  # the form again
    response = _login(tenant_a, "target@alpha.test", "wrong-5")  # the 5th failure trips the lock
    assert _locked(response) or response.status_code == 200
    response = _login(tenant_a, "target@alpha.test", "wrong-6")
    assert _locked(response), response.status_code
    # locked: even the right password does not get in now
    response = _login(tenant_a, "target@alpha.test", "pw-123456!")
    assert _locked(response) and "sessionid" not in response.cookies


def test_lockout_is_per_tenant(tenant_a, tenant_b):
    make_user(tenant_a, email="same@person.test")
    make_user(tenant_b, email="same@person.test")
    for attempt in range(6):
        _login(tenant_a, "same@person.test", f"wrong-{attempt}")
    assert _locked(_login(tenant_a, "same@person.test", "pw-123456!"))
    response = _login(tenant_b, "same@person.test", "pw-123456!")
    assert response.status_code == 302, "a lockout in A must not lock the same e-mail out of B"


def test_successful_login_below_the_limit_works(tenant_a):
    make_user(tenant_a, email="typo@alpha.test")
    for attempt in range(3):
        _login(tenant_a, "typo@alpha.test", f"wrong-{attempt}")
    assert _login(tenant_a, "typo@alpha.test", "pw-123456!").status_code == 302


def test_every_page_refuses_a_post_without_csrf_token(tenant_a):
    """Every non-API view, for a logged-in superuser: POST without a token -> 403 (CSRF)."""
    user = superuser(tenant_a)
    logged_in = client_for(tenant_a, user)
    client = Client(HTTP_HOST=host_of(tenant_a), enforce_csrf_checks=True)
    client.cookies["sessionid"] = logged_in.cookies["sessionid"].value
    anonymous = Client(HTTP_HOST=host_of(tenant_a), enforce_csrf_checks=True)
    violations = []
    for ep in page_endpoints():
        drf = _is_drf(ep)
        for who, c in (("user", client), ("anonymous", anonymous)):
            response = c.post(ep.path(), {"username": user.email, "password": "pw-123456!", "next": "/"})
            if drf and response.status_code in (403, 405):
                continue  # a read-only DRF view (schema, docs): refused; DRF's own CSRF is tested below
            if response.status_code != 403 or b"CSRF" not in body_of(response):
                violations.append(f"POST {ep.path()} ({who}) without CSRF token -> {response.status_code}")
    assert not violations, "\n".join(violations)


def _is_drf(ep) -> bool:
    from rest_framework.views import APIView

    cls = ep.view_class
    return isinstance(cls, type) and issubclass(cls, APIView)


def test_session_authenticated_api_writes_need_csrf(tenant_a):
    user = superuser(tenant_a)
    logged_in = client_for(tenant_a, user)
    client = Client(HTTP_HOST=host_of(tenant_a), enforce_csrf_checks=True)
    client.cookies["sessionid"] = logged_in.cookies["sessionid"].value
    violations = []
    for ep in api_endpoints():
        for method in sorted(ep.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            response = getattr(client, method.lower())(ep.path(), data="{}", content_type="application/json")
            if response.status_code != 403 or b"CSRF" not in body_of(response):
                violations.append(f"{method} {ep.path()} (session, no CSRF) -> {response.status_code}")
    assert not violations, "\n".join(violations)


_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


def test_every_post_form_carries_a_csrf_token_and_htmx_sends_one(tenant_a):
    user = superuser(tenant_a)
    client = client_for(tenant_a, user)
    client.raise_request_exception = False
    violations, pages = [], 0
    for ep in page_endpoints():
        if ep.params and not ep.is_admin:
            continue  # pages with ids are covered when ids exist; forms are the same templates
        response = client.get(ep.path())
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        html = body_of(response).decode("utf-8", "replace")
        for form in _FORM.findall(html):
            opening = form[:form.index(">") + 1].lower()
            if re.search(r"method\s*=\s*[\"']?post", opening) and "csrfmiddlewaretoken" not in form:
                violations.append(f"{ep.path()}: POST form without csrf token: {opening[:120]}")
        if re.search(r"hx-(post|put|patch|delete)=", html) and "X-CSRFToken" not in html:
            violations.append(f"{ep.path()}: htmx writes without the X-CSRFToken header")
    assert pages >= 5, pages
    assert not violations, "\n".join(violations)


def test_security_headers_on_every_response(tenant_a, public_tenant):
    user = superuser(tenant_a)
    client = client_for(tenant_a, user)
    client.raise_request_exception = False  # 500s are another test's business; headers are this one's
    anonymous = Client(HTTP_HOST=host_of(tenant_a), raise_request_exception=False)
    violations = []
    targets = [(c, ep) for ep in page_endpoints() for c in (client, anonymous)]
    targets += [(anonymous, ep) for ep in api_endpoints()]
    for c, ep in targets:
        response = c.get(ep.path())
        headers = {k.lower(): v for k, v in response.items()}
        missing = []
        if headers.get("x-content-type-options") != "nosniff":
            missing.append("nosniff")
        if headers.get("referrer-policy") != "same-origin":
            missing.append("Referrer-Policy")
        if "html" in headers.get("content-type", "") and headers.get("x-frame-options") != "DENY":
            missing.append("X-Frame-Options DENY")
        if missing:
            violations.append(f"GET {ep.path()} -> {response.status_code}: missing {missing}")
    public = Client(HTTP_HOST=host_of(public_tenant)).get(LOGIN)
    if public.get("X-Frame-Options") != "DENY" or public.get("X-Content-Type-Options") != "nosniff":
        violations.append("control-plane login page lacks headers")
    assert not violations, "\n".join(violations[:60])


def test_session_and_csrf_cookies_are_httponly_and_samesite(tenant_a):
    make_user(tenant_a, email="cookie@alpha.test")
    client = Client(HTTP_HOST=host_of(tenant_a))
    client.get(LOGIN)
    csrf = client.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"
    response = client.post(LOGIN, {"username": "cookie@alpha.test", "password": "pw-123456!",
                                   "csrfmiddlewaretoken": csrf.value})
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert not session["domain"], "a session cookie scoped to the parent domain would reach every tenant"


def test_no_page_or_api_answers_a_plain_get_with_a_server_error(tenant_a, school):
    """A superuser's GET without any query parameters is not bad input: never a 5xx."""
    violations = []
    for tenant in (tenant_a, school):
        user = superuser(tenant)
        client = client_for(tenant, user)
        client.raise_request_exception = False
        for ep in page_endpoints() + api_endpoints():
            if ep.params:
                continue
            response = client.get(ep.path())
            if response.status_code >= 500:
                violations.append(f"GET {ep.path()} on {tenant.slug} -> {response.status_code}")
    assert not violations, "\n".join(violations)
