"""Passport versions and rollouts: the state machines, assignments, rollback, pins, gates, beat."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tenants import services
from tenants.models import (
    ControlPlaneAuditEntry, PassportVersion, Rollout, RolloutStage, Tenant, TenantVersionAssignment,
)
from tenants.selectors import effective_version_for


def _name(tenant):
    ev = effective_version_for(tenant=tenant)
    return ev.version.name if ev.version else None


def _two_stage(make_version, make_group, vendor, tenant_a, tenant_b, **second):
    version = make_version("2026.4", care="care-2026.2", funding="vavo-2026.1")
    pilot = make_group("Pilot", tenant_a)
    rollout = services.rollout_create(version=version, by=vendor, stages=[
        {"group": pilot}, {"group": None, **second}])
    return version, rollout


# --- versions ---------------------------------------------------------------------------------

def test_version_refuses_unknown_feature_keys_and_rule_sets(make_version):
    with pytest.raises(ValidationError) as err:
        make_version("9.9", features=["care.passport", "care.teleport"], care="care-1999", funding="vavo-0")
    assert {"features", "care_rules_version", "funding_rules_version"} <= set(err.value.message_dict)
    assert "care.teleport" in err.value.message_dict["features"][0]


ILLEGAL_VERSION_MOVES = [(a, b) for a in PassportVersion.Status.values for b in PassportVersion.Status.values
                         if b not in PassportVersion.TRANSITIONS[a]]


@pytest.mark.parametrize("start,target", ILLEGAL_VERSION_MOVES)
def test_illegal_version_transition_is_a_clear_error(make_version, vendor, start, target):
    version = make_version("2026.9")
    PassportVersion.objects.filter(pk=version.pk).update(status=start)
    version.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        services.version_transition(version=version, status=target, by=vendor)
    message = err.value.message_dict["status"][0]
    assert "2026.9" in message and start in message and target in message
    version.refresh_from_db()
    assert version.status == start


def test_version_walks_its_whole_lifecycle_by_hand(make_version, vendor):
    version = make_version("2026.5")
    for status in ("piloting", "rolling_out", "general", "retired"):
        version = services.version_transition(version=version, status=status, by=vendor, reason="test")
    assert version.status == "retired"
    assert ControlPlaneAuditEntry.objects.filter(action="version.transition", object_id=str(version.pk)).count() == 4


# --- the rollout state machine -----------------------------------------------------------------

def test_rollout_runs_pilot_then_everyone_and_version_becomes_general(
        make_version, make_group, vendor, tenant_a, tenant_b, school):
    version, rollout = _two_stage(make_version, make_group, vendor, tenant_a, tenant_b)
    assert rollout.status == "draft" and [_name(t) for t in (tenant_a, tenant_b, school)] == [None] * 3
    services.rollout_start(rollout=rollout, by=vendor, reason="pilot")
    version.refresh_from_db()
    assert version.status == "piloting"
    assert [_name(t) for t in (tenant_a, tenant_b, school)] == ["2026.4", None, None]
    services.rollout_pause(rollout=rollout, by=vendor, reason="wacht op klant")
    services.rollout_resume(rollout=rollout, by=vendor)
    services.rollout_advance(rollout=rollout, by=vendor, reason="golf 1")
    version.refresh_from_db()
    assert version.status == "rolling_out"
    assert [_name(t) for t in (tenant_a, tenant_b, school)] == ["2026.4"] * 3
    stages = list(rollout.stages.order_by("order"))
    assert [s.status for s in stages] == ["done", "active"] and stages[1].tenant_count >= 2
    services.rollout_advance(rollout=rollout, by=vendor)
    rollout.refresh_from_db()
    version.refresh_from_db()
    assert rollout.status == "completed" and version.status == "general"


@pytest.mark.parametrize("status,action", [
    (status, action) for status in Rollout.Status.values for action, (allowed, _) in services.ROLLOUT_ACTIONS.items()
    if status not in allowed])
def test_every_illegal_rollout_transition_is_a_clear_error(make_version, make_group, vendor, tenant_a, tenant_b,
                                                          status, action):
    version, rollout = _two_stage(make_version, make_group, vendor, tenant_a, tenant_b)
    Rollout.objects.filter(pk=rollout.pk).update(status=status)
    kwargs = {"reason": "test"}
    with pytest.raises(ValidationError) as err:
        getattr(services, f"rollout_{action}")(rollout=rollout, by=vendor, **kwargs)
    message = err.value.message_dict["status"][0]
    assert str(Rollout.Status(status).label) in message
    rollout.refresh_from_db()
    assert rollout.status == status


def test_a_version_has_one_unfinished_rollout_and_general_versions_none(make_version, make_group, vendor,
                                                                       tenant_a, tenant_b):
    version, _ = _two_stage(make_version, make_group, vendor, tenant_a, tenant_b)
    with pytest.raises(ValidationError, match="al een uitrol"):
        services.rollout_create(version=version, stages=[{"group": None}], by=vendor)
    old = make_version("2026.3")
    PassportVersion.objects.filter(pk=old.pk).update(status="general")
    old.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        services.rollout_create(version=old, stages=[{"group": None}], by=vendor)
    assert "version" in err.value.message_dict


def test_all_remaining_must_be_the_last_stage(make_version, make_group, vendor, tenant_a):
    version = make_version("2026.4")
    with pytest.raises(ValidationError, match="laatste fase"):
        services.rollout_create(version=version, by=vendor,
                                stages=[{"group": None}, {"group": make_group("Pilot", tenant_a)}])


# --- rollback and pins ---------------------------------------------------------------------------

def test_rollback_returns_every_tenant_to_its_previous_version_at_once(
        make_version, make_group, vendor, tenant_a, tenant_b, school):
    old = make_version("2026.3")
    first = services.rollout_create(version=old, by=vendor, stages=[{"group": make_group("Alpha", tenant_a)}])
    services.rollout_start(rollout=first, by=vendor)
    services.rollout_advance(rollout=first, by=vendor)  # completed: 2026.3 general
    version, rollout = _two_stage(make_version, make_group, vendor, tenant_a, tenant_b,
                                  block_on_open_blocking_feedback=False)
    services.rollout_start(rollout=rollout, by=vendor)
    services.rollout_advance(rollout=rollout, by=vendor)
    assert {_name(t) for t in (tenant_a, tenant_b, school)} == {"2026.4"}
    with pytest.raises(ValidationError) as err:
        services.rollout_rollback(rollout=rollout, by=vendor, reason=" ")
    assert "reason" in err.value.message_dict
    services.rollout_rollback(rollout=rollout, by=vendor, reason="fout in de regels")
    # tenant_a had 2026.3 through a rollout; the others had the default, which is 2026.3 now too
    assert [effective_version_for(tenant=t).source for t in (tenant_a, tenant_b)] == ["rollout", "default"]
    assert {_name(t) for t in (tenant_a, tenant_b, school)} == {"2026.3"}
    rollout.refresh_from_db()
    version.refresh_from_db()
    assert rollout.status == "rolled_back" and version.status == "draft"
    assert set(rollout.stages.values_list("status", flat=True)) == {"rolled_back"}
    entry = ControlPlaneAuditEntry.objects.get(action="rollout.rollback")
    assert entry.reason == "fout in de regels" and entry.actor_label == vendor.email
    assert TenantVersionAssignment.objects.filter(tenant=tenant_a, until__isnull=True).count() == 1


def test_pin_takes_precedence_over_rollouts_until_unpinned(make_version, make_group, vendor, tenant_a, tenant_b):
    old = make_version("2026.3")
    version, rollout = _two_stage(make_version, make_group, vendor, tenant_a, tenant_b)
    with pytest.raises(ValidationError) as err:
        services.version_pin(tenant=tenant_a, version=old, reason="", by=vendor)
    assert "reason" in err.value.message_dict
    services.version_pin(tenant=tenant_a, version=old, reason="klant wacht op training", by=vendor)
    services.rollout_start(rollout=rollout, by=vendor)
    ev = effective_version_for(tenant=tenant_a)
    assert (ev.version.name, ev.source) == ("2026.3", "pin")
    services.version_unpin(tenant=tenant_a, by=vendor, reason="training gehad")
    assert _name(tenant_a) == "2026.4"
    with pytest.raises(ValidationError):
        services.version_unpin(tenant=tenant_a, by=vendor)
    actions = list(ControlPlaneAuditEntry.objects.filter(tenant=tenant_a).values_list("action", flat=True))
    assert {"version.pin", "version.unpin"} <= set(actions)


# --- gates -------------------------------------------------------------------------------------

def test_min_days_gate_holds_the_next_stage_until_enough_days_passed(make_version, make_group, vendor,
                                                                     tenant_a, tenant_b):
    version, rollout = _two_stage(make_version, make_group, vendor, tenant_a, tenant_b,
                                  min_days_in_previous_stage=7)
    start = timezone.now()
    services.rollout_start(rollout=rollout, by=vendor, now=start)
    with pytest.raises(ValidationError) as err:
        services.rollout_advance(rollout=rollout, by=vendor, now=start + dt.timedelta(days=6, hours=23))
    assert "min_days_in_previous_stage" in err.value.message_dict
    assert "7 dagen" in err.value.message_dict["min_days_in_previous_stage"][0]
    assert _name(tenant_b) is None
    services.rollout_advance(rollout=rollout, by=vendor, now=start + dt.timedelta(days=7))
    assert _name(tenant_b) == "2026.4"


def test_open_blocking_feedback_gate_holds_until_resolved(make_version, make_group, vendor, tenant_a, tenant_b):
    version, rollout = _two_stage(make_version, make_group, vendor, tenant_a, tenant_b)
    services.rollout_start(rollout=rollout, by=vendor)
    feedback = services.feedback_submit(tenant=tenant_a, version=version, author_email="nurse@alpha.test",
                                        text="De lijst laadt niet")
    services.feedback_mark(feedback=feedback, by=vendor, blocking=True)
    with pytest.raises(ValidationError) as err:
        services.rollout_advance(rollout=rollout, by=vendor)
    assert "feedback" in err.value.message_dict and "blokkerende" in err.value.message_dict["feedback"][0]
    services.feedback_mark(feedback=feedback, by=vendor, resolved=True)
    services.rollout_advance(rollout=rollout, by=vendor)
    assert _name(tenant_b) == "2026.4"


def test_stage_without_feedback_gate_ignores_blocking_feedback(make_version, make_group, vendor, tenant_a, tenant_b):
    version, rollout = _two_stage(make_version, make_group, vendor, tenant_a, tenant_b,
                                  block_on_open_blocking_feedback=False)
    services.rollout_start(rollout=rollout, by=vendor)
    feedback = services.feedback_submit(tenant=tenant_a, version=version, author_email="a@alpha.test", text="x")
    services.feedback_mark(feedback=feedback, by=vendor, blocking=True)
    services.rollout_advance(rollout=rollout, by=vendor)
    assert _name(tenant_b) == "2026.4"


# --- beat ---------------------------------------------------------------------------------------

def test_beat_advances_only_running_rollouts_whose_stage_is_due(make_version, make_group, vendor, tenant_a, tenant_b):
    from config.celery import app
    from tenants.tasks import advance_due_rollout_stages

    assert "tenants.advance_due_rollout_stages" in app.tasks
    now = timezone.now()
    version, rollout = _two_stage(make_version, make_group, vendor, tenant_a, tenant_b,
                                  planned_start=now + dt.timedelta(days=2))
    services.rollout_start(rollout=rollout, by=vendor, now=now)
    assert services.rollouts_advance_due(now=now + dt.timedelta(days=1)) == []
    assert _name(tenant_b) is None
    services.rollout_pause(rollout=rollout, by=vendor)
    assert services.rollouts_advance_due(now=now + dt.timedelta(days=3)) == []
    services.rollout_resume(rollout=rollout, by=vendor)
    RolloutStage.objects.filter(rollout=rollout, order=2).update(planned_start=now - dt.timedelta(minutes=1))
    report = advance_due_rollout_stages.apply().get()
    assert report == [{"rollout": rollout.pk, "advanced": True}]
    assert _name(tenant_b) == "2026.4"
    entry = ControlPlaneAuditEntry.objects.get(action="rollout.advance")
    assert entry.actor_label == "systeem" and entry.details["automatic"] is True


def test_beat_leaves_a_due_stage_waiting_while_a_gate_holds(make_version, make_group, vendor, tenant_a, tenant_b):
    now = timezone.now()
    version, rollout = _two_stage(make_version, make_group, vendor, tenant_a, tenant_b,
                                  planned_start=now - dt.timedelta(hours=1), min_days_in_previous_stage=3)
    services.rollout_start(rollout=rollout, by=vendor, now=now)
    report = services.rollouts_advance_due(now=now + dt.timedelta(hours=1))
    assert report[0]["advanced"] is False and "3 dagen" in report[0]["why"][0]
    assert services.rollouts_advance_due(now=now + dt.timedelta(days=3))[0]["advanced"] is True


# --- metadata only -------------------------------------------------------------------------------

def test_advancing_a_stage_costs_a_fixed_number_of_queries(make_version, make_group, vendor, tenant_a, tenant_b,
                                                           school, django_assert_max_num_queries):
    version, rollout = _two_stage(make_version, make_group, vendor, tenant_a, tenant_b)
    services.rollout_start(rollout=rollout, by=vendor)
    with django_assert_max_num_queries(25):
        services.rollout_advance(rollout=rollout, by=vendor)
    assert TenantVersionAssignment.objects.filter(until__isnull=True, version=version).count() == \
        Tenant.objects.exclude(schema_name="public").count()
