"""Writes for jobs. Progress is written outside the caller's work transactions (each call
commits on its own), so another request sees the bar move while the job runs."""
from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.jobs.models import Job


def job_create(*, kind: str, label: str, total: int = 0, params: dict | None = None, by=None) -> Job:
    return Job.objects.create(kind=kind, label=label, total=total, params=params or {},
                              created_by=by if (by is not None and by.pk) else None)


def job_start(*, job_id, total: int | None = None) -> None:
    fields = {"status": Job.Status.RUNNING, "started_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job_id).exclude(status=Job.Status.DONE).update(**fields)


def job_set_progress(*, job_id, done: int, total: int | None = None, message: str = "") -> None:
    fields = {"done": done}
    if total is not None:
        fields["total"] = total
    if message:
        fields["message"] = message
    Job.objects.filter(pk=job_id).update(**fields)


def job_advance(*, job_id, by: int = 1) -> None:
    Job.objects.filter(pk=job_id).update(done=F("done") + by)


@transaction.atomic
def job_finish(*, job_id, result: dict | None = None, errors: list | None = None,
               message: str = "") -> Job:
    job = Job.objects.select_for_update().get(pk=job_id)
    job.status = Job.Status.DONE
    job.finished_at = timezone.now()
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
