"""Small helpers shared by the attack tests: requests, bodies, victim ids."""
from __future__ import annotations

import json
import re

from rest_framework.test import APIClient

from security.endpoints import Endpoint, api_endpoints
from security.seed import MARKER
from support import host_of

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content or b""


def call(client, method: str, path: str, **extra):
    fn = getattr(client, method.lower())
    if method in ("POST", "PUT", "PATCH"):
        return fn(path, data=json.dumps({}), content_type="application/json", **extra)
    return fn(path, **extra)


def leaks(response, markers=(MARKER,)) -> list[str]:
    text = body_of(response).decode("utf-8", "replace")
    return [m for m in markers if m in text]


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/login/" in response.get("Location", "")


def id_like(name: str, conv: str) -> bool:
    return conv in ("int", "uuid", "re") and (name == "pk" or name.endswith("_id") or name in ("code",))


def list_template_for(ep: Endpoint) -> str | None:
    """The list route of a router detail/extra-action route: the template up to the id group."""
    m = re.match(r"^(api/v1/.*?/)\(\?P<\w+>", ep.template)
    return m.group(1) if m else None


def victim_ids(tenant, user) -> dict[str, list]:
    """{list template: [lookup values]} from every list endpoint of the victim, read as its admin."""
    from apps.accounts.services import api_token_for
    from support import in_tenant

    with in_tenant(tenant):
        key = api_token_for(user=user)
    client = APIClient(HTTP_HOST=host_of(tenant))
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    ids: dict[str, list] = {}
    for ep in api_endpoints():
        if ep.params or "GET" not in ep.methods or not ep.name.endswith("-list"):
            continue
        response = client.get(ep.path(), {"page_size": 500})
        if response.status_code != 200:
            continue
        data = response.json()
        rows = data.get("results", data) if isinstance(data, dict) else data
        if not isinstance(rows, list):
            continue
        values = []
        for row in rows:
            if isinstance(row, dict):
                for k in ("id", "code"):
                    if k in row:
                        values.append((k, row[k]))
        ids[ep.template] = values
    return ids
