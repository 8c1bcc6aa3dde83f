"""Jobs: dispatch records the task, a claim guards the run, stalled jobs are sent again."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from apps.jobs.models import Job
from apps.jobs.services import (
    RUN_LOCK_NAMESPACE,
    _run_lock_key,
    job_advance,
    job_checkpoint_save,
    job_claim,
    job_create,
    job_dispatch,
    job_finish,
    job_set_progress,
    job_start,
    jobs_resume_stalled,
)
from support import in_tenant, wait_for

TASK = "funding.import"


@pytest.fixture
def sent(monkeypatch):
    """Messages the code under test sends: (task name, kwargs, schema header)."""
    from config.celery import app

    messages = []
    monkeypatch.setattr(app, "send_task", lambda name, kwargs=None, headers=None, **options: messages.append(
        (name, kwargs, (headers or {}).get("_schema_name"))))
    return messages


@pytest.fixture
def in_school(school):
    with in_tenant(school):
        yield school


def dispatched(*, age_seconds=0, status=Job.Status.QUEUED, attempts=0, heartbeat_age=None, **kwargs) -> Job:
    job = job_create(kind="test", label="test")
    job_dispatch(job=job, task=TASK, import_id=7, **kwargs)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=status, attempts=attempts, created_at=now - timedelta(seconds=age_seconds),
        heartbeat_at=None if heartbeat_age is None else now - timedelta(seconds=heartbeat_age))
    return Job.objects.get(pk=job.pk)


@pytest.fixture
def other_session():
    """A second database session, standing for another worker process."""
    other = connections.create_connection("default")
    yield other
    other.close()


def hold_run_lock(session, job) -> None:
    with session.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [RUN_LOCK_NAMESPACE, _run_lock_key(job.pk)])


def end_session(session, job) -> None:
    """Close the other session; its backend exits (and drops its locks) a moment later."""
    session.close()

    def released():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
                           "AND objid = (%s::bigint & 4294967295) AND objsubid = 2",
                           [RUN_LOCK_NAMESPACE, _run_lock_key(job.pk)])
            return cursor.fetchone()[0] == 0
    wait_for(released, timeout=10, interval=0.05)


def test_dispatch_records_the_task_and_sends_it_from_this_schema_on_commit(
        in_school, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(kind="test", label="test")
        job_dispatch(job=job, task=TASK, import_id=7)
        assert sent == [], "nothing is sent before the transaction commits"
    job.refresh_from_db()
    assert job.task_name == TASK and job.task_kwargs == {"import_id": 7, "job_id": str(job.pk)}
    assert sent == [(TASK, {"import_id": 7, "job_id": str(job.pk)}, in_school.schema_name)]


def test_progress_calls_are_heartbeats(in_school):
    job = job_create(kind="test", label="test")
    assert job.heartbeat_at is None
    beats = []
    for call in (lambda: job_start(job_id=job.pk, total=3), lambda: job_set_progress(job_id=job.pk, done=1),
                 lambda: job_advance(job_id=job.pk), lambda: job_checkpoint_save(job_id=job.pk, done=3, state={"a": 1})):
        Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
        call()
        beats.append(Job.objects.get(pk=job.pk).heartbeat_at)
    assert all(timezone.now() - beat < timedelta(seconds=30) for beat in beats)
    job.refresh_from_db()
    assert (job.done, job.checkpoint) == (3, {"a": 1})


def test_a_restarted_job_keeps_its_first_start_time(in_school):
    job = job_create(kind="test", label="test")
    job_start(job_id=job.pk)
    first = Job.objects.get(pk=job.pk).started_at
    job_start(job_id=job.pk)
    assert Job.objects.get(pk=job.pk).started_at == first


def test_stalled_queued_and_running_jobs_are_sent_again(in_school, sent, django_capture_on_commit_callbacks):
    queued = dispatched(age_seconds=600)
    running = dispatched(age_seconds=900, status=Job.Status.RUNNING, attempts=1, heartbeat_age=600)
    with django_capture_on_commit_callbacks(execute=True):
        result = jobs_resume_stalled(older_than_seconds=120, max_attempts=3)
    assert sorted(result["resumed"]) == sorted([str(queued.pk), str(running.pk)]) and result["failed"] == []
    assert sorted(sent, key=str) == sorted(((TASK, {"import_id": 7, "job_id": str(j.pk)}, in_school.schema_name)
                                            for j in (queued, running)), key=str)
    running.refresh_from_db()
    assert running.status == Job.Status.RUNNING and timezone.now() - running.heartbeat_at < timedelta(seconds=30)


def test_fresh_finished_and_untracked_jobs_are_left_alone(in_school, sent, django_capture_on_commit_callbacks):
    dispatched(age_seconds=5)                                                     # just sent
    dispatched(age_seconds=900, status=Job.Status.RUNNING, heartbeat_age=10)      # beating
    dispatched(age_seconds=900, status=Job.Status.DONE)
    dispatched(age_seconds=900, status=Job.Status.FAILED)
    untracked = job_create(kind="test", label="no task recorded")
    Job.objects.filter(pk=untracked.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_resume_stalled(older_than_seconds=120, max_attempts=3) == {"resumed": [], "failed": []}
    assert sent == []


def test_a_resumed_job_waits_a_full_period_before_it_is_sent_again(in_school, sent,
                                                                    django_capture_on_commit_callbacks):
    dispatched(age_seconds=600)
    with django_capture_on_commit_callbacks(execute=True):
        jobs_resume_stalled(older_than_seconds=120, max_attempts=3)
        jobs_resume_stalled(older_than_seconds=120, max_attempts=3)
    assert len(sent) == 1


def test_a_job_whose_run_is_alive_is_not_sent_again_however_old_its_heartbeat(
        in_school, sent, other_session, django_capture_on_commit_callbacks):
    job = dispatched(age_seconds=3600, status=Job.Status.RUNNING, attempts=1, heartbeat_age=3600)
    other_session.set_schema(in_school.schema_name)
    hold_run_lock(other_session, job)  # another worker is in the middle of a long chunk
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_resume_stalled(older_than_seconds=120, max_attempts=3)["resumed"] == []
    end_session(other_session, job)  # that worker dies: PostgreSQL drops its lock with the connection
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_resume_stalled(older_than_seconds=120, max_attempts=3)["resumed"] == [str(job.pk)]
    assert len(sent) == 1


def test_a_job_that_keeps_dying_fails_after_max_attempts(in_school, sent, django_capture_on_commit_callbacks):
    job = dispatched(age_seconds=900, status=Job.Status.RUNNING, attempts=3, heartbeat_age=600)
    never_started = dispatched(age_seconds=900, attempts=0)
    with django_capture_on_commit_callbacks(execute=True):
        result = jobs_resume_stalled(older_than_seconds=120, max_attempts=3)
    assert result == {"resumed": [str(never_started.pk)], "failed": [str(job.pk)]}
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "3 pogingen" in job.message and job.finished_at
    assert [kwargs["job_id"] for _name, kwargs, _schema in sent] == [str(never_started.pk)]


def test_claim_counts_attempts_and_refuses_a_finished_job(in_school):
    job = dispatched()
    with job_claim(job_id=job.pk) as claimed:
        assert claimed.pk == job.pk and claimed.attempts == 1
    with job_claim(job_id=job.pk) as claimed:
        assert claimed.attempts == 2
    job_finish(job_id=job.pk)
    with job_claim(job_id=job.pk) as claimed:
        assert claimed is None
    assert Job.objects.get(pk=job.pk).attempts == 2


def test_claim_steps_aside_while_another_process_runs_the_job(in_school, other_session):
    job = dispatched()
    other_session.set_schema(in_school.schema_name)
    hold_run_lock(other_session, job)
    with job_claim(job_id=job.pk) as claimed:
        assert claimed is None
    end_session(other_session, job)
    with job_claim(job_id=job.pk) as claimed:
        assert claimed is not None


def test_claim_releases_its_lock_and_marks_a_crashed_run_failed(in_school, other_session):
    job = dispatched()
    with pytest.raises(RuntimeError):
        with job_claim(job_id=job.pk):
            raise RuntimeError("kapot")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message == "kapot"
    with other_session.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK_NAMESPACE, _run_lock_key(job.pk)])
        assert cursor.fetchone()[0], "the run lock was released"


def test_worker_start_resumes_stalled_jobs_in_every_active_tenant_and_public(
        school, tenant_a, sent, django_capture_on_commit_callbacks):
    from apps.jobs.recovery import resume_everywhere

    with in_tenant(school):
        in_school_job = dispatched(age_seconds=60)
    with in_tenant(tenant_a):
        in_alpha_job = dispatched(age_seconds=60)
    connection.set_schema_to_public()
    public_job = dispatched(age_seconds=60)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = resume_everywhere(older_than_seconds=2)
    assert outcome == {"public": {"resumed": [str(public_job.pk)], "failed": []},
                       school.schema_name: {"resumed": [str(in_school_job.pk)], "failed": []},
                       tenant_a.schema_name: {"resumed": [str(in_alpha_job.pk)], "failed": []}}
    assert sorted(schema for _n, _k, schema in sent) == sorted(["public", school.schema_name, tenant_a.schema_name])


def test_beat_sweeps_every_minute_in_each_tenant_and_in_public():
    from celery.schedules import crontab

    from config.celery import app

    entries = {name: e for name, e in app.conf.beat_schedule.items() if e["task"] == "jobs.resume_stalled"}
    assert sorted(e.get("tenant_schemas") or ["*"] for e in entries.values()) == [["*"], ["public"]]
    assert all(e["schedule"] == crontab(minute="*") for e in entries.values())
