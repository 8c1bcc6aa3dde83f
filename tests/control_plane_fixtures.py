"""Fixtures for the control plane: vendor staff, versions, groups (used by tests/tenants and
tests/releases through their conftest)."""
import pytest

from support import make_user

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
