"""The isolation attack suite: every tenant URL, attacked from outside the tenant.

Generic on purpose: the targets come from walking config.urls_tenant, so an endpoint is
attacked from the moment its urls.py lands. Each test collects every violation and fails
with the full list, so one run shows all holes at once.
"""
from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.test import APIClient

from security.attack import (WRITE_METHODS, body_of, call, id_like, is_login_redirect, leaks,
                             list_template_for, victim_ids)
from security.endpoints import all_endpoints, anonymous_ok, api_endpoints, page_endpoints
from security.seed import ID_OFFSET, MARKER, seed_care, seed_funding, superuser
from support import api_client_for, client_for, host_of, in_tenant, make_user

DENIED_API = (401, 403)


def _fail(violations):
    assert not violations, f"{len(violations)} violation(s):\n" + "\n".join(violations[:80])


def test_the_walker_finds_the_tenant_surface():
    """Guard for the guard: the suite must really see the apps' URLs (walker not broken)."""
    templates = {e.template for e in all_endpoints()}
    assert "accounts/login/" in templates and "api/v1/jobs/<uuid:job_id>/" in templates
    assert len(api_endpoints()) >= 1 and len(page_endpoints()) >= 5
    for ep in all_endpoints():
        ep.path()  # every pattern can be turned into a URL that resolves back to its view


def test_every_api_endpoint_refuses_anonymous(tenant_a):
    client = APIClient(HTTP_HOST=host_of(tenant_a))
    violations = []
    for ep in api_endpoints():
        for method in ("GET",) + WRITE_METHODS:
            response = call(client, method, ep.path())
            if response.status_code not in DENIED_API:
                violations.append(f"{method} {ep.path()} anonymous -> {response.status_code}")
    _fail(violations)


def test_every_page_refuses_anonymous(tenant_a):
    client = Client(HTTP_HOST=host_of(tenant_a))
    violations = []
    for ep in page_endpoints():
        if anonymous_ok(ep):
            continue
        response = client.get(ep.path())
        if response.status_code == 200 or (response.status_code == 302 and not is_login_redirect(response)):
            violations.append(f"GET {ep.path()} anonymous -> {response.status_code} {response.get('Location', '')}")
    _fail(violations)


def _assert_foreign_credentials_worthless(api: APIClient, web: Client, victim_marker=MARKER):
    """Every API method answers 401/403 and every page sends to login; no marker anywhere."""
    violations = []
    for ep in api_endpoints():
        for method in ("GET",) + WRITE_METHODS:
            response = call(api, method, ep.path())
            if response.status_code not in DENIED_API or leaks(response, (victim_marker,)):
                violations.append(f"{method} {ep.path()} -> {response.status_code}")
    for ep in page_endpoints():
        if anonymous_ok(ep):
            continue
        response = web.get(ep.path())
        if response.status_code == 200 or (response.status_code == 302 and not is_login_redirect(response)) \
                or leaks(response, (victim_marker,)):
            violations.append(f"GET {ep.path()} -> {response.status_code} {response.get('Location', '')}")
    return violations


def test_tenant_a_token_and_session_are_worthless_on_b(tenant_a, tenant_b):
    seed_care(tenant_b)
    attacker = superuser(tenant_a)
    api = api_client_for(tenant_a, attacker)
    api.defaults["HTTP_HOST"] = host_of(tenant_b)
    web_a = client_for(tenant_a, attacker)
    assert web_a.get("/admin/").status_code == 200  # the session is real on A
    web = Client(HTTP_HOST=host_of(tenant_b))
    web.cookies["sessionid"] = web_a.cookies["sessionid"].value
    _fail(_assert_foreign_credentials_worthless(api, web))


def test_vendor_staff_without_support_session_reads_nothing(public_tenant, tenant_a):
    seed_care(tenant_a)
    vendor = make_user(public_tenant, email="vendor-attacker@paspoort.test", roles=(),
                       is_staff=True, is_superuser=True)
    api = api_client_for(public_tenant, vendor)
    assert api.get("/api/v1/tenants/").status_code in (200, 404)  # token valid on the control plane
    api.defaults["HTTP_HOST"] = host_of(tenant_a)
    web_public = client_for(public_tenant, vendor)
    web = Client(HTTP_HOST=host_of(tenant_a))
    web.cookies["sessionid"] = web_public.cookies["sessionid"].value
    _fail(_assert_foreign_credentials_worthless(api, web))


def _victim_values(ep, ids, all_ids):
    """Lookup values of the victim to put into this endpoint's id parameters."""
    params = [(n, c) for n, c in ep.params if id_like(n, c)]
    if not params:
        return []
    name, conv = params[-1]
    list_template = list_template_for(ep)
    if list_template in ids:
        key = "code" if name == "code" else "id"
        values = [v for k, v in ids[list_template] if k == key]
    elif conv == "uuid":
        values = [v for k, v in all_ids if k == "uuid"]
    elif name == "code":
        values = [v for k, v in all_ids if k == "code"]
    else:
        values = [v for k, v in all_ids if k == "id"]
    return [(name, v) for v in values]


def _attack_with_victim_ids(attacker_tenant, victim_tenant, victim):
    ids = victim_ids(victim_tenant, victim["admin"])
    all_ids = sorted({kv for values in ids.values() for kv in values}, key=str)
    if "job" in victim:
        all_ids.append(("uuid", victim["job"].pk))
    assert any(k == "id" and v >= ID_OFFSET for k, v in all_ids), f"victim exposed no ids: {ids}"
    attacker = superuser(attacker_tenant)
    api = api_client_for(attacker_tenant, attacker)
    web = client_for(attacker_tenant, attacker)
    violations, tried = [], 0
    for ep in all_endpoints():
        if ep.is_admin:
            continue
        values = _victim_values(ep, ids, all_ids)
        for name, value in values:
            path = ep.path({name: value})
            methods = ep.methods if ep.is_api else {"GET"}
            for method in sorted(methods):
                response = call(api if ep.is_api else web, method, path)
                tried += 1
                # 400 is fine for writes: our body is `{}`, and validating it before looking
                # the object up reveals nothing (the marker check below still applies).
                ok_status = response.status_code in (403, 404, 405) or (
                    not ep.is_api and is_login_redirect(response)) or (
                    response.status_code == 400 and method in ("POST", "PUT", "PATCH"))
                if not ok_status or leaks(response):
                    violations.append(f"{method} {path} on {attacker_tenant.slug} -> {response.status_code}")
    # and the victim still has everything (no DELETE crossed over)
    after = victim_ids(victim_tenant, victim["admin"])
    for template, values in ids.items():
        if set(after.get(template, [])) < set(values):
            violations.append(f"{template}: victim lost rows {set(values) - set(after.get(template, []))}")
    return violations, tried


def test_care_object_ids_of_b_are_not_found_on_a(tenant_a, tenant_b):
    victim = seed_care(tenant_b)
    violations, tried = _attack_with_victim_ids(tenant_a, tenant_b, victim)
    assert tried >= 20, tried
    _fail(violations)


def test_funding_object_ids_of_school_are_not_found_on_a(tenant_a, school):
    victim = seed_funding(school)
    violations, tried = _attack_with_victim_ids(tenant_a, school, victim)
    assert tried >= 8, tried
    _fail(violations)


def _list_responses(api):
    for ep in api_endpoints():
        if not ep.params and "GET" in ep.methods:
            yield ep, api.get(ep.path())


def test_spoofed_forwarded_host_is_ignored_when_not_behind_a_trusting_proxy(tenant_a, tenant_b):
    assert settings.USE_X_FORWARDED_HOST is False
    seed_care(tenant_b)
    user_a, user_b = superuser(tenant_a), superuser(tenant_b)
    api_a = api_client_for(tenant_a, user_a)
    api_a.defaults["HTTP_X_FORWARDED_HOST"] = host_of(tenant_b)
    violations = []
    seen_ok = 0
    for ep, response in _list_responses(api_a):
        seen_ok += response.status_code == 200
        if response.status_code >= 500 or leaks(response):
            violations.append(f"A token, Host A, X-Forwarded-Host B: {ep.path()} -> {response.status_code}")
    assert seen_ok >= 3  # the A token really works on A with the spoofed header present
    api_b = api_client_for(tenant_b, user_b)  # B's token, but the connection's Host is A
    api_b.defaults.update(HTTP_HOST=host_of(tenant_a), HTTP_X_FORWARDED_HOST=host_of(tenant_b))
    for ep, response in _list_responses(api_b):
        if response.status_code not in DENIED_API or leaks(response):
            violations.append(f"B token, Host A, X-Forwarded-Host B: {ep.path()} -> {response.status_code}")
    _fail(violations)


@override_settings(USE_X_FORWARDED_HOST=True)
def test_behind_a_trusting_proxy_the_forwarded_host_alone_decides(tenant_a, tenant_b):
    """With USE_X_FORWARDED_HOST the proxy overwrites X-Forwarded-Host; the raw Host is ignored."""
    seed_care(tenant_b)
    user_a = superuser(tenant_a)
    api = api_client_for(tenant_a, user_a)
    api.defaults.update(HTTP_HOST=host_of(tenant_b), HTTP_X_FORWARDED_HOST=host_of(tenant_a))
    violations = []
    for ep, response in _list_responses(api):
        if response.status_code >= 500 or leaks(response):
            violations.append(f"{ep.path()} -> {response.status_code}")
    # the same token with the forwarded host of B is refused
    api.defaults.update(HTTP_HOST=host_of(tenant_a), HTTP_X_FORWARDED_HOST=host_of(tenant_b))
    for ep, response in _list_responses(api):
        if response.status_code not in DENIED_API or leaks(response):
            violations.append(f"forwarded B: {ep.path()} -> {response.status_code}")
    _fail(violations)


@pytest.mark.parametrize("host", [
    "beta.localhost.evil.example", "alpha.localhost@beta.localhost", "beta.localhost\x00.alpha.localhost",
    "alpha..localhost", "ALPHA.localhost.", "beta.localhost:80:80", "*.localhost", "t_beta.localhost",
    "localhost", "", "beta",
])
def test_malformed_and_crafted_hosts_never_reach_a_tenant_with_foreign_credentials(tenant_a, tenant_b, host):
    make_user(tenant_b, first_name="Bart", last_name=MARKER)
    user_a = superuser(tenant_a)
    api = api_client_for(tenant_a, user_a)
    api.defaults["HTTP_HOST"] = host
    violations = []
    for ep, response in _list_responses(api):
        ok = response.status_code in (400, 401, 403, 404) or (
            host.lower().rstrip(".") == "alpha.localhost" and response.status_code == 200)
        if not ok or leaks(response):
            violations.append(f"Host {host!r}: {ep.path()} -> {response.status_code}")
    _fail(violations)


def test_cache_entries_of_a_are_invisible_in_b(tenant_a, tenant_b):
    from django.core.cache import cache

    with in_tenant(tenant_a):
        cache.set("passport:1", f"A-{MARKER}", 60)
        cache.set_many({"team:1": "A-team", "shared-looking-key": "A"}, 60)
        cache.set("counter", 5, 60)
    with in_tenant(tenant_b):
        assert cache.get("passport:1") is None
        assert cache.get_many(["team:1", "shared-looking-key"]) == {}
        assert cache.add("counter", 100, 60) is True  # free in B
        assert cache.incr("counter") == 101
        cache.delete("passport:1")  # deleting in B must not touch A
    with in_tenant(tenant_a):
        assert cache.get("passport:1") == f"A-{MARKER}"
        assert cache.get("counter") == 5
        cache.delete_many(["passport:1", "team:1", "shared-looking-key", "counter"])


def test_cache_key_function_puts_the_schema_in_every_key(tenant_a, tenant_b):
    from django.core.cache import cache

    assert settings.CACHES["default"]["KEY_FUNCTION"] == "django_tenants.cache.make_key"
    with in_tenant(tenant_a):
        key_a = cache.make_key("x")
    with in_tenant(tenant_b):
        key_b = cache.make_key("x")
    assert key_a != key_b and tenant_a.schema_name in key_a and tenant_b.schema_name in key_b
