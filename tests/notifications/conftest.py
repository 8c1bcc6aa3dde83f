import pytest

from learning.care_world import build_care


@pytest.fixture
def care(tenant_a):
    return build_care(tenant_a)
