"""Feature keys and the one answer to "is feature K on for this tenant".

Apps declare their features in code (`register_feature`); a passport version lists the keys
it enables. `feature_enabled(key)` answers from the tenant's *effective* version (a support
pin, else the rollouts' current assignment, else the newest "general" version). A tenant
with no version at all while no general version exists gets every feature: a fresh
installation without any control-plane data must work as the full product.

Answers are cached per request: middleware (apps.releases.middleware.FeatureCacheMiddleware)
opens a cache scope around each request; tasks may use `feature_cache()` likewise. Outside
a scope nothing is cached, so a long-lived thread never serves a stale answer.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    key: str
    app: str
    description_nl: str
    description_en: str


FEATURES: dict[str, Feature] = {}


def register_feature(key: str, app: str, description_nl: str, description_en: str) -> Feature:
    """Declare a feature key (idempotent for the same key and app)."""
    existing = FEATURES.get(key)
    if existing is not None and existing.app != app:
        raise ValueError(f"feature {key!r} is already declared by {existing.app}")
    feature = Feature(key, app, description_nl, description_en)
    FEATURES[key] = feature
    return feature


def feature_keys() -> list[str]:
    return sorted(FEATURES)


def feature_choices() -> list[tuple[str, str]]:
    return [(f.key, f"{f.key} — {f.description_nl}") for f in sorted(FEATURES.values(), key=lambda f: f.key)]


# The starting set, declared here on behalf of the apps (they may move their lines into
# their own AppConfig.ready(); register_feature is idempotent).
for _key, _app, _nl, _en in [
    ("care.passport", "competences", "Het kwaliteitspaspoort van medewerkers", "Employees' quality passport"),
    ("care.team_overview_export", "competences", "Teamoverzicht exporteren", "Export the team overview"),
    ("care.what_if", "competences", "Wat-als-berekening van statussen", "What-if status evaluation"),
    ("learning.paths", "learning", "Leerpaden", "Learning paths"),
    ("sharing.passport_share", "sharing", "Paspoort delen met collega's", "Share a passport with colleagues"),
    ("notifications.reminders", "notifications", "Herinneringen bij verlopen", "Expiry reminders"),
    ("funding.overview", "funding", "Bekostigingsoverzicht", "Funding overview"),
    ("funding.what_if", "funding", "Wat-als-berekening van bekostiging", "What-if funding evaluation"),
    ("releases.pilot_feedback", "releases", "Feedback van pilotklanten", "Pilot customer feedback"),
]:
    register_feature(_key, _app, _nl, _en)


# --- the answer ----------------------------------------------------------------------------

_cache: contextvars.ContextVar[dict | None] = contextvars.ContextVar("paspoort_feature_cache", default=None)


@contextmanager
def feature_cache():
    """Cache effective versions for the duration of the block (one request, one task)."""
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def _tenant_or_current(tenant):
    if tenant is not None:
        return tenant
    from tenants.middleware import current_tenant
    from tenants.models import Tenant

    tenant = current_tenant()  # raises outside a tenant: scope fails closed
    if not isinstance(tenant, Tenant):  # schema_context() sets a stand-in with the schema only
        tenant = Tenant.objects.get(schema_name=tenant.schema_name)
    return tenant


def effective_version(tenant=None):
    """The tenant's EffectiveVersion (tenants.selectors), cached within a cache scope."""
    from tenants.selectors import effective_version_for

    tenant = _tenant_or_current(tenant)
    cache = _cache.get()
    if cache is not None and tenant.pk in cache:
        return cache[tenant.pk]
    result = effective_version_for(tenant=tenant)
    if cache is not None:
        cache[tenant.pk] = result
    return result


def effective_features(tenant=None) -> frozenset[str]:
    """The feature keys on for the tenant (default: this connection's tenant)."""
    version = effective_version(tenant).version
    return frozenset(FEATURES) if version is None else frozenset(version.features or ())


def feature_enabled(key: str, tenant=None) -> bool:
    """Is feature `key` on for `tenant` (default: the tenant of this connection)?"""
    if key not in FEATURES:
        raise LookupError(f"unknown feature key {key!r}: declare it with register_feature()")
    return key in effective_features(tenant)
