"""Celery tasks of the care passport: thin, idempotent, tenant-scoped."""
from apps.competences import services
from config.celery import app


@app.tenant_task(name="competences.recompute_statuses")
def recompute_statuses(job_id: str) -> None:
    """Recompute the people of a job in chunks, with progress; resumes when sent again
    (apps.jobs: a second delivery returns at once while a run is alive or the job is done;
    a run that raises is marked failed by the claim)."""
    from apps.jobs.services import job_claim

    with job_claim(job_id=job_id) as job:
        if job is not None:
            services.statuses_recompute_job_run(job_id=job_id)


@app.tenant_task(name="competences.sweep_due_statuses")
def sweep_due_statuses() -> dict:
    """Nightly (beat, one per tenant): re-decide only statuses whose next_change has come."""
    result = services.statuses_sweep_due()
    return {"decided": result.decided, "updated": result.updated}
