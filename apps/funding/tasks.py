"""Celery tasks for VAVO funding: thin, idempotent, each calls a service.

Both run inside ``job_claim``: a second delivery of the same job (a Redis redelivery, a
re-send by ``jobs_resume_stalled``) returns at once while a run is alive or once the job is
done, and otherwise resumes from the job's checkpoint."""
from __future__ import annotations

from config.celery import app


@app.tenant_task(name="funding.recompute_all", bind=True)
def recompute_all(self, job_id: str | None = None) -> None:
    """Recompute every provisional decision of this tenant (also run nightly by beat, so an
    open-ended enrolment reaches each new count date)."""
    from apps.funding.recompute import recompute_job_ensure, recompute_job_run
    from apps.jobs.services import job_claim

    if job_id is None:  # from beat: the job is made here, keyed by this message's id
        job_id = recompute_job_ensure(job_id=self.request.id, task=self)
    with job_claim(job_id=job_id) as job:
        if job is not None:
            recompute_job_run(job_id=job_id)


@app.tenant_task(name="funding.import")
def import_csv(import_id: int, job_id: str) -> None:
    """Import an uploaded CSV (apps/funding/IMPORT.md); safe to run again after a crash."""
    from apps.funding.imports import import_run
    from apps.jobs.services import job_claim

    with job_claim(job_id=job_id) as job:
        if job is not None:
            import_run(import_id=import_id, job_id=job_id)
