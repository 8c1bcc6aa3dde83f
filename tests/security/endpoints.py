"""Every URL of a URLconf as a concrete path: the attack suite's list of targets.

Walks the resolver tree of `config.urls_tenant` (or `config.urls_public`) so endpoints are
covered the moment an app's urls.py lands. Path parameters are filled from a dict of
values (e.g. another tenant's object ids) or a neutral default per converter, and every
built path is checked to resolve back to the same view, so a walker bug cannot silently
test the wrong URL.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

TENANT_URLCONF = "config.urls_tenant"
PUBLIC_URLCONF = "config.urls_public"

# Pages that are legitimately readable without a session: they show no tenant data.
ANONYMOUS_OK = {
    "healthz",            # load-balancer probe: {"database": "ok", ...}
    "login",              # the login form itself
    "schema",             # OpenAPI document: identical for every tenant, no data
    "swagger-ui",         # Swagger UI shell that loads the schema
    "set_language",       # language switch (POST + redirect)
}
# The admin site's own public views (its namespace differs per site).
ADMIN_ANONYMOUS_OK = {"login", "logout", "jsi18n"}

_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
_FIXED_UUID = uuid.UUID("00000000-0000-4000-8000-00000000beef")


@dataclass(frozen=True)
class Endpoint:
    name: str                       # namespaced url name ("competences-api:person-detail") or ""
    parts: tuple = field(repr=False)  # the pattern objects from the root to the leaf
    callback: object = field(repr=False, compare=False)
    urlconf: str = TENANT_URLCONF

    @property
    def template(self) -> str:
        return "".join(_part_text(p) for p in self.parts)

    @property
    def params(self) -> list[tuple[str, str]]:
        """(name, converter) of every path parameter; converter 're' for regex groups."""
        out = []
        for p in self.parts:
            route = getattr(p, "_route", None)
            if route is not None:
                out += [(m["name"], m["conv"] or "str") for m in _ROUTE_PARAM.finditer(route)]
            else:
                out += [(n, "re") for n in re.compile(p._regex).groupindex]
        return out

    @property
    def is_api(self) -> bool:
        return self.template.startswith("api/v1/")

    @property
    def is_admin(self) -> bool:
        return self.template.startswith("admin/")

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)

    @property
    def is_viewset(self) -> bool:
        return hasattr(self.callback, "actions")

    @property
    def methods(self) -> set[str]:
        """HTTP methods the view answers (viewsets: their action map; others: all handlers)."""
        actions = getattr(self.callback, "actions", None)
        if actions:
            return {m.upper() for m in actions}
        cls = self.view_class
        if cls is not None:
            return {m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(cls, m)}
        return {"GET", "POST"}

    def path(self, values: dict | None = None) -> str:
        values = values or {}
        text = "/" + "".join(_fill(p, values) for p in self.parts)
        match = resolve(text, urlconf=self.urlconf)  # raises Resolver404 when the walker is wrong
        if match.func is not self.callback and getattr(match.func, "__wrapped__", None) is not self.callback:
            if _callback_id(match.func) != _callback_id(self.callback):
                raise AssertionError(f"{text} resolves to {match.func}, not {self.callback}")
        return text


def _callback_id(func):
    cls = getattr(func, "view_class", None) or getattr(func, "cls", None)
    return (getattr(func, "__module__", ""), getattr(func, "__qualname__", ""), cls,
            tuple(sorted((getattr(func, "actions", None) or {}).items())))


def _part_text(p) -> str:
    route = getattr(p, "_route", None)
    return route if route is not None else p._regex.lstrip("^").rstrip("$")


def default_value(name: str, conv: str, group_regex: str = ""):
    if conv == "int":
        return 1
    if conv == "uuid":
        return _FIXED_UUID
    if conv == "path":
        return "1"
    if conv == "re" and group_regex:
        alternatives = group_regex.split("|")
        if all(re.fullmatch(r"[\w-]+", a) for a in alternatives):
            return alternatives[0]
        if "\\d" in group_regex or "0-9" in group_regex:
            return 1
    return "x"


def _fill(p, values: dict) -> str:
    route = getattr(p, "_route", None)
    if route is not None:
        def sub(m):
            name, conv = m["name"], m["conv"] or "str"
            return str(values.get(name, default_value(name, conv)))
        return _ROUTE_PARAM.sub(sub, route)
    regex = p._regex.lstrip("^")
    if regex.endswith("$"):
        regex = regex[:-1]
    out, i = [], 0
    while i < len(regex):
        if regex.startswith("(?P<", i):
            end_name = regex.index(">", i)
            name = regex[i + 4:end_name]
            depth, j = 1, end_name + 1
            while depth:
                if regex[j] == "\\":
                    j += 2
                    continue
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
                j += 1
            inner = regex[end_name + 1:j - 1]
            out.append(str(values.get(name, default_value(name, "re", inner))))
            i = j
        elif regex.startswith("/?", i):
            out.append("/")
            i += 2
        elif regex[i] == "\\":
            out.append(regex[i + 1])
            i += 2
        else:
            out.append(regex[i])
            i += 1
    return "".join(out)


def _walk(resolver: URLResolver, parts: tuple, namespace: str, urlconf: str):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p, parts + (p.pattern,), ns, urlconf)
        elif isinstance(p, URLPattern):
            name = p.name or ""
            if name and namespace:
                name = f"{namespace}:{name}"
            yield Endpoint(name=name, parts=parts + (p.pattern,), callback=p.callback, urlconf=urlconf)


def all_endpoints(urlconf: str = TENANT_URLCONF) -> list[Endpoint]:
    seen, result = set(), []
    for ep in _walk(get_resolver(urlconf), (), "", urlconf):
        key = ep.template
        if key in seen:
            continue
        seen.add(key)
        result.append(ep)
    return result


def api_endpoints(urlconf: str = TENANT_URLCONF) -> list[Endpoint]:
    return [e for e in all_endpoints(urlconf) if e.is_api]


def page_endpoints(urlconf: str = TENANT_URLCONF) -> list[Endpoint]:
    return [e for e in all_endpoints(urlconf) if not e.is_api]


def anonymous_ok(ep: Endpoint) -> bool:
    short = ep.name.rsplit(":", 1)[-1]
    return ep.name in ANONYMOUS_OK or (ep.is_admin and short in ADMIN_ANONYMOUS_OK)


__all__ = ["Endpoint", "all_endpoints", "api_endpoints", "page_endpoints", "anonymous_ok",
           "Resolver404", "TENANT_URLCONF", "PUBLIC_URLCONF"]
