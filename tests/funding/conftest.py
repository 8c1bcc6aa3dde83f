"""Fixtures for the funding tests: users of the school tenant and a fact factory."""
from __future__ import annotations

import pytest

from funding.funding_facts import Facts
from support import in_tenant, make_user


@pytest.fixture
def school_admin(school):
    return make_user(school, email="beheer@school.test", roles=("tenant_admin",))


@pytest.fixture
def student_admin(school):
    return make_user(school, email="administratie@school.test", roles=("student_admin",))


@pytest.fixture
def care_employee(school):
    return make_user(school, email="medewerker@school.test", roles=("employee", "manager"))


@pytest.fixture
def in_school(school):
    with in_tenant(school):
        yield school


@pytest.fixture
def facts(in_school, student_admin):
    return Facts(student_admin)
