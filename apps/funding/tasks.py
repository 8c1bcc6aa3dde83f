"""Celery tasks for VAVO funding: thin, idempotent, each calls a service."""
from __future__ import annotations

from config.celery import app


@app.tenant_task(name="funding.recompute_all")
def recompute_all(job_id: str | None = None) -> None:
    """Recompute every provisional decision of this tenant (also run nightly by beat, so an
    open-ended enrolment reaches each new count date)."""
    from apps.funding.recompute import recompute_job_run

    recompute_job_run(job_id=job_id)


@app.tenant_task(name="funding.import")
def import_csv(import_id: int, job_id: str) -> None:
    """Import an uploaded CSV (apps/funding/IMPORT.md); safe to run again after a crash."""
    from apps.funding.imports import import_run

    import_run(import_id=import_id, job_id=job_id)
