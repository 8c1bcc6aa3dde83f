"""Feature gating: one answer per tenant from its effective version, cached per request."""
import pytest
from django.db import connection

from support import api_client_for, client_for, in_tenant, make_user
from tenants import services
from tenants.features import FEATURES, feature_cache, feature_enabled
from tenants.models import PassportVersion


def _general(version):
    PassportVersion.objects.filter(pk=version.pk).update(status="general")


def test_without_any_version_every_feature_is_on(tenant_a):
    assert all(feature_enabled(k, tenant_a) for k in FEATURES)


def test_tenant_without_assignment_follows_the_general_version(make_version, tenant_a):
    _general(make_version("2026.3", features=["care.passport"]))
    assert feature_enabled("care.passport", tenant_a)
    assert not feature_enabled("care.what_if", tenant_a)


def test_gating_is_per_tenant(make_version, make_group, vendor, tenant_a, tenant_b):
    _general(make_version("2026.3", features=["care.passport"]))
    new = make_version("2026.4", features=["care.passport", "care.what_if"])
    rollout = services.rollout_create(version=new, by=vendor, stages=[{"group": make_group("Pilot", tenant_a)}])
    services.rollout_start(rollout=rollout, by=vendor)
    assert feature_enabled("care.what_if", tenant_a)
    assert not feature_enabled("care.what_if", tenant_b)


def test_default_tenant_is_the_connection_tenant_and_public_fails_closed(make_version, vendor, tenant_a):
    _general(make_version("2026.3", features=[]))
    with in_tenant(tenant_a):
        assert feature_enabled("care.passport") is False
    connection.set_schema_to_public()
    with pytest.raises(LookupError):
        feature_enabled("care.passport")


def test_unknown_feature_key_is_an_error_not_a_silent_off(tenant_a):
    with pytest.raises(LookupError, match="care.teleport"):
        feature_enabled("care.teleport", tenant_a)


def test_answers_are_cached_within_a_scope_and_fresh_outside(make_version, vendor, tenant_a,
                                                             django_assert_num_queries):
    _general(make_version("2026.3", features=["care.passport"]))
    with feature_cache():
        feature_enabled("care.passport", tenant_a)
        with django_assert_num_queries(0):
            for key in FEATURES:
                feature_enabled(key, tenant_a)


def _pilot(make_version, make_group, vendor, tenant, features):
    version = make_version("2026.4", features=features)
    rollout = services.rollout_create(version=version, by=vendor, stages=[{"group": make_group("Pilot", tenant)}])
    services.rollout_start(rollout=rollout, by=vendor)
    return version


def test_feature_off_makes_page_and_api_answer_404(make_version, make_group, vendor, tenant_a):
    version = _pilot(make_version, make_group, vendor, tenant_a, ["care.passport", "releases.pilot_feedback"])
    user = make_user(tenant_a, roles=("employee",))
    assert client_for(tenant_a, user).get("/releases/feedback/").status_code == 200
    assert api_client_for(tenant_a, user).get("/api/v1/releases/feedback/").status_code == 200
    services.version_update(version=version, features=["care.passport"], by=vendor)
    # the very next request sees it: the cache lives for one request only
    assert client_for(tenant_a, user).get("/releases/feedback/").status_code == 404
    assert api_client_for(tenant_a, user).get("/api/v1/releases/feedback/").status_code == 404


def test_feature_on_for_one_tenant_stays_404_for_another(make_version, make_group, vendor, tenant_a, tenant_b):
    _general(make_version("2026.3", features=["care.passport"]))
    _pilot(make_version, make_group, vendor, tenant_a, ["care.passport", "releases.pilot_feedback"])
    user_b = make_user(tenant_b)
    assert client_for(tenant_b, user_b).get("/releases/feedback/").status_code == 404
    assert api_client_for(tenant_b, user_b).post("/api/v1/releases/feedback/", {"text": "x"}).status_code == 404


def test_templates_see_the_enabled_features(make_version, make_group, vendor, tenant_a):
    from django.template import Context, Template
    from django.test import RequestFactory

    _pilot(make_version, make_group, vendor, tenant_a, ["care.passport"])
    request = RequestFactory().get("/")
    request.tenant = tenant_a
    html = Template('{% load releases %}{% feature_enabled "care.passport" as a %}'
                    '{% feature_enabled "care.what_if" as b %}{{ a }}/{{ b }}').render(Context({"request": request}))
    assert html == "True/False"
    from apps.releases.context import releases_context

    request.user = make_user(tenant_a)
    with in_tenant(tenant_a):
        ctx = releases_context(request)
    assert "care.passport" in ctx["features"] and "care.what_if" not in ctx["features"]
