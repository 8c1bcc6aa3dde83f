"""Writes for jobs. Progress is written outside the caller's work transactions (each call
commits on its own), so another request sees the bar move while the job runs.

Recovery (CONTRIBUTING.md, "Long jobs"): ``job_dispatch`` records the task and its arguments
on the job and sends it; the task runs its work inside ``job_claim``, which lets one process
at a time work on a job (a PostgreSQL advisory lock held for the whole run, released by the
server when the worker's connection dies) and never after the job finished; the work saves
``job_checkpoint_save`` in the same transaction as each chunk; ``jobs_resume_stalled`` sends
again the jobs nobody is working on any more.
"""
from __future__ import annotations

import logging
import uuid
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.jobs.models import Job

logger = logging.getLogger(__name__)

# First key of the two-key advisory locks that guard job runs ("JOBS"); the single-key
# space used elsewhere (tenants.services) does not overlap with it.
RUN_LOCK_NAMESPACE = 0x4A4F4253


def job_create(*, kind: str, label: str, total: int = 0, params: dict | None = None, by=None,
               job_id=None) -> Job:
    """``job_id`` is for a task that makes its own job and must find it again when its
    message is delivered twice (it passes its Celery task id)."""
    extra = {"pk": job_id} if job_id is not None else {}
    return Job.objects.create(kind=kind, label=label, total=total, params=params or {},
                              created_by=by if (by is not None and by.pk) else None, **extra)


def job_start(*, job_id, total: int | None = None) -> None:
    now = timezone.now()
    fields = {"status": Job.Status.RUNNING, "started_at": Coalesce(F("started_at"), now), "heartbeat_at": now}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job_id).exclude(status=Job.Status.DONE).update(**fields)


def job_set_progress(*, job_id, done: int, total: int | None = None, message: str = "") -> None:
    fields = {"done": done, "heartbeat_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    if message:
        fields["message"] = message
    Job.objects.filter(pk=job_id).update(**fields)


def job_advance(*, job_id, by: int = 1) -> None:
    Job.objects.filter(pk=job_id).update(done=F("done") + by, heartbeat_at=timezone.now())


def job_checkpoint_save(*, job_id, done: int, state: dict, total: int | None = None, message: str = "") -> None:
    """Progress plus the task's resume state. Call it *inside* the chunk's transaction: the
    chunk and the point to resume from then commit together, so a run killed at any moment
    resumes exactly after the last committed chunk (nothing done twice, nothing counted twice)."""
    fields = {"done": done, "checkpoint": state, "heartbeat_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    if message:
        fields["message"] = message
    Job.objects.filter(pk=job_id).update(**fields)


@transaction.atomic
def job_finish(*, job_id, result: dict | None = None, errors: list | None = None,
               message: str = "") -> Job:
    job = Job.objects.select_for_update().get(pk=job_id)
    job.status = Job.Status.DONE
    job.finished_at = timezone.now()
    job.heartbeat_at = job.finished_at
    job.done = max(job.done, job.total)
    if result is not None:
        job.result = result
    if errors is not None:
        job.errors = errors
    if message:
        job.message = message
    job.save()
    return job


def job_fail(*, job_id, message: str) -> None:
    Job.objects.filter(pk=job_id).update(status=Job.Status.FAILED, message=message[:2000],
                                         finished_at=timezone.now())


# --------------------------------------------------------------------------- recovery


def _task_name(task) -> str:
    return task if isinstance(task, str) else task.name


def job_track(*, job: Job, task, **kwargs) -> dict:
    """Record which task does this job's work, with which keyword arguments (``job_id`` is
    added), so that ``jobs_resume_stalled`` can send it again. Returns the kwargs."""
    kwargs = {**kwargs, "job_id": str(job.pk)}
    job.task_name, job.task_kwargs = _task_name(task), kwargs
    Job.objects.filter(pk=job.pk).update(task_name=job.task_name, task_kwargs=kwargs)
    return kwargs


def _send(task_name: str, kwargs: dict, schema_name: str) -> None:
    from config.celery import app

    # The schema is taken when the job was dispatched, not when the transaction commits.
    app.send_task(task_name, kwargs=kwargs, headers={"_schema_name": schema_name})


def job_dispatch(*, job: Job, task, **kwargs) -> Job:
    """Record the task on the job and send it, in this schema, once the transaction commits.

    The task is called with ``job_id=<job id>`` plus ``kwargs`` (JSON values), and must do
    its work inside ``job_claim`` so a second delivery is harmless."""
    kwargs = job_track(job=job, task=task, **kwargs)
    transaction.on_commit(partial(_send, job.task_name, kwargs, connection.schema_name))
    return job


def _run_lock_key(job_id) -> int:
    return int.from_bytes(uuid.UUID(str(job_id)).bytes[:4], "big", signed=True)


@contextmanager
def job_claim(*, job_id):
    """Run a job's work here, at most one process at a time and never after it finished.

    Yields the Job, or ``None`` when the job is finished, unknown, or being worked on by
    another live process (a redelivered or re-sent message): the task then returns at once.
    The lock is a session-level advisory lock on this worker's database connection, held for
    the whole run; PostgreSQL releases it when the run ends or when the connection dies
    (kill -9 closes the socket), which is how ``jobs_resume_stalled`` tells a dead run from a
    slow one. A run that raises is marked failed.
    """
    key = _run_lock_key(job_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK_NAMESPACE, key])
        locked = cursor.fetchone()[0]
    if not locked:
        logger.info("job %s is being run by another process; this delivery is dropped", job_id)
        yield None
        return
    try:
        job = Job.objects.filter(pk=job_id).first()
        if job is None or job.is_finished:
            logger.info("job %s is %s; this delivery is dropped", job_id, job.status if job else "unknown")
            yield None
            return
        Job.objects.filter(pk=job_id).update(attempts=F("attempts") + 1, heartbeat_at=timezone.now())
        job.refresh_from_db()
        try:
            yield job
        except Exception as exc:
            try:
                Job.objects.filter(pk=job_id).exclude(status=Job.Status.DONE).update(
                    status=Job.Status.FAILED, message=str(exc)[:2000] or type(exc).__name__,
                    finished_at=timezone.now())
            except DatabaseError:
                logger.exception("could not mark job %s failed", job_id)
            raise
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK_NAMESPACE, key])
        except DatabaseError:
            pass  # the connection is gone, and the lock with it


def _nobody_runs(job_id) -> bool:
    """True when no live process holds the job's run lock. Takes it until this transaction
    ends, so a delivery that arrives meanwhile steps aside for the one sent on commit."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [RUN_LOCK_NAMESPACE, _run_lock_key(job_id)])
        return cursor.fetchone()[0]


def jobs_resume_stalled(*, older_than_seconds: float, max_attempts: int) -> dict[str, list[str]]:
    """Send again the jobs of this schema that nobody is working on any more.

    A job is stalled when it is queued or running, was dispatched with a task
    (``job_dispatch``), its last sign of life (heartbeat, else creation) is older than
    ``older_than_seconds``, and no live process holds its run lock (a slow chunk of a live run
    is never mistaken for a dead one). A stalled job that workers already started
    ``max_attempts`` times is marked failed instead (a job that kills its worker must not
    loop for ever); a job that never started is always sent again. Returns the ids.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    schema = connection.schema_name
    resumed: list[str] = []
    failed: list[str] = []
    with transaction.atomic():
        # skip_locked: a job whose row a run or another sweep is writing right now is alive.
        candidates = (Job.objects.select_for_update(skip_locked=True)
                      .filter(status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
                      .exclude(task_name="")
                      .annotate(last_sign=Coalesce("heartbeat_at", "created_at"))
                      .filter(last_sign__lt=cutoff)
                      .order_by("created_at"))
        for job in candidates:
            if not _nobody_runs(job.pk):
                continue
            if job.attempts >= max_attempts:
                Job.objects.filter(pk=job.pk).update(
                    status=Job.Status.FAILED, finished_at=now,
                    message=f"Gestopt na {job.attempts} pogingen: de verwerking brak steeds af.")
                failed.append(str(job.pk))
                logger.warning("job %s (%s) failed after %s attempts", job.pk, job.task_name, job.attempts)
                continue
            # The clock starts again, so the next sweep waits a full period for this send.
            Job.objects.filter(pk=job.pk).update(heartbeat_at=now)
            transaction.on_commit(partial(_send, job.task_name, job.task_kwargs, schema))
            resumed.append(str(job.pk))
            logger.warning("job %s (%s) stalled in %s since %s: sent again", job.pk, job.task_name, schema,
                           job.last_sign.isoformat())
    return {"resumed": resumed, "failed": failed}
