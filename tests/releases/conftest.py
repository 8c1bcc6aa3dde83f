"""Fixtures for the control plane: vendor staff, versions, groups, and the release wiring
(middleware + context processor) added to settings until config/settings.py carries it."""
import pytest

from support import make_user

WIRED_MIDDLEWARE = {
    "tenants.middleware.TenantStatusMiddleware": "apps.releases.middleware.FeatureCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware": "tenants.middleware_support.SupportSessionMiddleware",
}
CONTEXT_PROCESSOR = "apps.releases.context.releases_context"


@pytest.fixture
def release_wiring(settings):
    middleware = []
    for name in settings.MIDDLEWARE:
        if name in WIRED_MIDDLEWARE.values():
            continue
        middleware.append(name)
        if name in WIRED_MIDDLEWARE:
            middleware.append(WIRED_MIDDLEWARE[name])
    settings.MIDDLEWARE = middleware
    templates = [dict(t, OPTIONS=dict(t["OPTIONS"])) for t in settings.TEMPLATES]
    processors = list(templates[0]["OPTIONS"]["context_processors"])
    if CONTEXT_PROCESSOR not in processors:
        processors.append(CONTEXT_PROCESSOR)
    templates[0]["OPTIONS"]["context_processors"] = processors
    settings.TEMPLATES = templates
    return settings


@pytest.fixture
def vendor(public_tenant):
    return make_user(public_tenant, email="staff@paspoort.test", roles=(), is_staff=True, is_superuser=True)


@pytest.fixture
def make_version(public_tenant, vendor):
    from tenants.features import feature_keys
    from tenants.services import version_create

    def make(name, features=None, care="care-2026.1", funding="vavo-2024.1", **kwargs):
        return version_create(name=name, features=feature_keys() if features is None else features,
                              care_rules_version=care, funding_rules_version=funding, by=vendor, **kwargs)
    return make


@pytest.fixture
def make_group(public_tenant, vendor):
    from tenants.services import customer_group_create

    def make(name, *tenants):
        return customer_group_create(name=name, slug=name.lower().replace(" ", "-"),
                                     tenant_ids=[t.pk for t in tenants], by=vendor)
    return make
