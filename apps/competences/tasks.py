"""Celery tasks of the care passport: thin, idempotent, tenant-scoped."""
from apps.competences import services
from config.celery import app


@app.tenant_task(name="competences.recompute_statuses")
def recompute_statuses(job_id: str) -> None:
    """Recompute the people of a job in chunks, with progress; resumes when redelivered."""
    from apps.jobs.services import job_fail

    try:
        services.statuses_recompute_job_run(job_id=job_id)
    except Exception as exc:  # the job shows the failure; the broker redelivers on crash only
        job_fail(job_id=job_id, message=str(exc))
        raise


@app.tenant_task(name="competences.sweep_due_statuses")
def sweep_due_statuses() -> dict:
    """Nightly (beat, one per tenant): re-decide only statuses whose next_change has come."""
    result = services.statuses_sweep_due()
    return {"decided": result.decided, "updated": result.updated}
