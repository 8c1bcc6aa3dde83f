"""Expiry reminders (90, 60, 30 days before and on the day) to the employee and their team
leader, at most once whatever happens; the weekly manager digest; preferences."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection

from support import in_tenant


def _expiring(care, days_left: int, person=None, by=None):
    """Give the nurse (theory) evidence that holds until today + days_left."""
    from apps.competences.services import evidence_record

    with in_tenant(care.tenant):
        evidence_record(person=person or care.nurse, competence=care.kath, kind="theory",
                        achieved_on=care.days(-10), valid_until=care.days(days_left), by=by or care.assessor)


def _run(care, day_offset: int = 0):
    from apps.notifications.services import reminders_send_due

    with in_tenant(care.tenant):
        return reminders_send_due(as_of=care.days(day_offset))


def _claims(care):
    from apps.notifications.models import SentReminder

    with in_tenant(care.tenant):
        return sorted(SentReminder.objects.values_list("offset", "recipient_id"))


def test_reminders_are_sent_exactly_once_across_repeated_runs(care):
    from apps.notifications.models import Notification

    _expiring(care, 30)
    first = _run(care)
    second = _run(care)
    third = _run(care)
    assert (first.claimed, second.claimed, third.claimed) == (1, 0, 0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [care.employee.email]
    assert "Katheteriseren" in mail.outbox[0].subject
    with in_tenant(care.tenant):
        assert Notification.objects.filter(user=care.employee, kind="expiry_reminder").count() == 1


def test_each_offset_is_sent_once_on_its_day_from_90_days_to_the_day_itself(care):
    _expiring(care, 100)
    for day in range(0, 101):  # every day from today through the expiry date, each run twice
        _run(care, day)
        _run(care, day)
    assert [o for o, _r in _claims(care)] == [0, 30, 60, 90]
    assert len(mail.outbox) == 4


def test_a_missed_day_is_caught_up_the_next_day_once(care):
    _expiring(care, 60)
    _run(care, 1)  # 59 days left: the 60-day reminder is still due
    _run(care, 2)
    assert [o for o, _r in _claims(care)] == [60]


def test_no_reminder_outside_the_window_or_after_expiry(care):
    _expiring(care, 120)
    _run(care)
    _run(care, 121)  # expired by then
    assert _claims(care) == [] and mail.outbox == []


def test_the_team_leader_gets_the_reminder_too(care):
    from apps.sharing.services import team_leader_set

    _expiring(care, 0)
    with in_tenant(care.tenant):
        team_leader_set(leader=care.colleague.pk, by=care.employee)
    _run(care)
    _run(care)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([care.employee.email, care.colleague_user.email])
    leader_mail = next(m for m in mail.outbox if m.to == [care.colleague_user.email])
    assert "Sanne Jansen" in leader_mail.subject


def test_preferences_turn_off_email_or_a_reminder(care):
    from apps.notifications.models import Notification
    from apps.notifications.services import preference_update

    with in_tenant(care.tenant):
        preference_update(by=care.employee, email_enabled=False)
    _expiring(care, 30)
    _run(care)
    assert mail.outbox == []
    with in_tenant(care.tenant):
        assert Notification.objects.filter(user=care.employee).count() == 1
        preference_update(by=care.employee, email_enabled=True, reminder_offsets=[90, 60])
    _run(care, 30)  # the day itself: not among the chosen reminders
    assert mail.outbox == []


def test_a_worker_that_died_after_claiming_does_not_cause_a_second_email(care):
    from apps.notifications.models import SentReminder

    _expiring(care, 30)
    with in_tenant(care.tenant):
        # What a crash right after the claim committed leaves behind: a claim, no e-mail.
        SentReminder.objects.create(person=care.nurse, competence=care.kath, valid_until=care.days(30), offset=30,
                                    recipient=care.employee)
    _run(care)
    _run(care)
    assert mail.outbox == []


def test_a_failing_mail_server_is_recorded_and_not_retried(care, monkeypatch):
    from apps.notifications import services
    from apps.notifications.models import SentReminder

    _expiring(care, 30)

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "send_mail", broken)
    result = _run(care)
    assert result.failed == 1
    monkeypatch.undo()
    _run(care)
    assert mail.outbox == []
    with in_tenant(care.tenant):
        assert "smtp down" in SentReminder.objects.get().email_error


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_runs_send_each_reminder_once(tenant_a):
    from learning.care_world import build_care
    from apps.notifications.models import SentReminder
    from apps.notifications.services import reminders_send_due

    care = build_care(tenant_a)
    _expiring(care, 30)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            with in_tenant(care.tenant):
                barrier.wait(timeout=10)
                reminders_send_due(as_of=care.today)
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert len(mail.outbox) == 1
    with in_tenant(care.tenant):
        assert SentReminder.objects.count() == 1


def test_weekly_digest_goes_to_the_manager_once_a_week(care):
    from apps.notifications.services import digest_send_weekly

    _expiring(care, 40)
    with in_tenant(care.tenant):
        monday = care.today - timedelta(days=care.today.weekday())
        first = digest_send_weekly(as_of=monday)
        again = digest_send_weekly(as_of=monday + timedelta(days=2))
        next_week = digest_send_weekly(as_of=monday + timedelta(days=7))
    to_manager = [m for m in mail.outbox if m.to == [care.manager.email]]
    assert first.claimed >= 1 and again.claimed == 0 and next_week.claimed >= 1
    assert len(to_manager) == 2
    assert "Sanne Jansen" in to_manager[0].body


def test_celery_tasks_have_the_beat_names_and_fail_closed_without_a_tenant(care):
    from config.celery import TenantScopeError, app
    from apps.notifications.tasks import send_due_reminders

    assert {"notifications.send_due_reminders", "notifications.send_weekly_digest"} <= set(app.tasks)
    connection.set_schema_to_public()
    with pytest.raises(TenantScopeError):
        send_due_reminders()


def test_reminder_task_runs_in_the_tenant(care):
    from apps.notifications.tasks import send_due_reminders

    _expiring(care, 30)
    with in_tenant(care.tenant):
        connection.tenant = care.tenant
        out = send_due_reminders(care.today.isoformat())
        again = send_due_reminders(care.today.isoformat())
    assert out["claimed"] == 1 and again["claimed"] == 0
