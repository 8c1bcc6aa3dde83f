"""schemathesis against the tenant API and the control-plane API, authenticated.

The OpenAPI document is read from the running app (GET /api/schema/ on the host), every
operation gets a bounded number of generated requests (valid and invalid), sent through
Django's test client with the right Host header and token. Promises checked:
no response >= 500, and every 4xx carries a machine-readable message (a JSON object keyed
by field names or "detail"/"non_field_errors"). Writes roll back with the test.
"""
from __future__ import annotations

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings as hsettings, strategies as st
from schemathesis.core import NOT_SET
from schemathesis.generation import GenerationMode

from security.seed import seed_care, superuser
from support import api_client_for, make_user

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "5"))
# Binary/CSV endpoints answer with a file, not JSON; their 4xx are still checked.
NOT_JSON_OK = (".csv", ".xlsx")


def _schema(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.status_code
    return schemathesis.openapi.from_dict(json.loads(response.content))


def _send(client, case):
    path = case.formatted_path
    kwargs = {"QUERY_STRING": ""}
    query = {k: v for k, v in (case.query or {}).items() if v is not None}
    headers = {f"HTTP_{k.upper().replace('-', '_')}": str(v) for k, v in (case.headers or {}).items()
               if k.lower() not in ("authorization", "host", "content-type", "content-length")}
    method = case.method.lower()
    body = case.body
    from urllib.parse import urlencode

    if method == "get":
        return client.get(path, query, **headers)
    if query:
        path = f"{path}?{urlencode(query, doseq=True)}"
    media = case.media_type or "application/json"
    if body is NOT_SET or body is None:
        body = {}
    if "multipart" in media:
        data = body if isinstance(body, dict) else {}
        data = {str(k): (v if isinstance(v, (str, int, float, bool, bytes)) else json.dumps(v, default=str))
                for k, v in data.items() if v is not None}
        return getattr(client, method)(path, data, format="multipart", **headers)
    try:
        payload = json.dumps(body)
    except (TypeError, ValueError):
        payload = json.dumps(str(body))
    return getattr(client, method)(path, payload, content_type="application/json", **headers)


def _routed(path: str, urlconf: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path.split("?")[0], urlconf=urlconf)
        return True
    except Resolver404:
        return False


def _problem(case, response, urlconf) -> str | None:
    status = response.status_code
    where = f"{case.method} {case.formatted_path} -> {status}"
    if status >= 500:
        return f"{where} (server error) body={case.body!r:.200} query={case.query!r:.200}"
    if status == 404 and not _routed(case.formatted_path, urlconf):
        # A path parameter of the wrong type (e.g. text for <int:pk>) matches no URL at all:
        # Django's plain 404 page, before any API code runs. Not a validation message to check.
        return None
    if 400 <= status < 500 and status != 405:
        if case.formatted_path.endswith(NOT_JSON_OK) and "json" not in response.get("Content-Type", ""):
            return f"{where}: 4xx without JSON message"
        try:
            data = json.loads(response.content or b"null")
        except ValueError:
            return f"{where}: 4xx body is not JSON: {response.content[:120]!r}"
        if not isinstance(data, dict) or not data:
            return f"{where}: 4xx without field-level message: {data!r:.200}"
        for key, value in data.items():
            if not isinstance(key, str) or value in (None, "", [], {}):
                return f"{where}: empty message for {key!r}"
    return None


def _fuzz(client, schema, urlconf, *, exclude=()):
    problems, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation is None:
            continue
        if (operation.method.upper(), operation.path) in exclude:
            continue
        operations += 1
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                             operation.as_strategy(GenerationMode.NEGATIVE))

        @hsettings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                   suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        @given(case=strategy)
        def run(case):
            problem = _problem(case, _send(client, case), urlconf)
            if problem:
                problems.append(problem)

        run()
    return problems, operations


def test_tenant_api_survives_generated_input(tenant_a):
    seed_care(tenant_a)
    admin = superuser(tenant_a)
    client = api_client_for(tenant_a, admin)
    client.raise_request_exception = False
    problems, operations = _fuzz(client, _schema(client), "config.urls_tenant")
    assert operations >= 10, operations
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(sorted(set(problems))[:60])


def test_control_plane_api_survives_generated_input(public_tenant, tenant_a):
    vendor = make_user(public_tenant, email="fuzz-vendor@paspoort.test", roles=(), is_staff=True,
                       is_superuser=True)
    client = api_client_for(public_tenant, vendor)
    client.raise_request_exception = False
    # Nothing excluded: destructive-but-valid calls (suspend, rollback...) are rolled back with
    # the test's transaction.
    problems, operations = _fuzz(client, _schema(client), "config.urls_public")
    assert operations >= 5, operations
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(sorted(set(problems))[:60])
