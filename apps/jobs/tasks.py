from django.db import connection

from apps.jobs.services import job_finish
from config.celery import app


@app.tenant_task(name="jobs.tenant_probe")
def tenant_probe(job_id: str) -> None:
    """Operational check: report which tenant schema a worker ran this task in, and what
    it sees there (run it from a tenant to prove the worker's wiring)."""
    from apps.accounts.models import User

    job_finish(job_id=job_id, result={
        "schema": connection.schema_name,
        "users": sorted(User.objects.values_list("email", flat=True)),
    })


@app.task(name="jobs.resume_stalled")
def resume_stalled() -> dict:
    """Beat, every minute, in each active tenant and in public: send again the jobs whose
    worker died (apps/jobs/recovery.py)."""
    from apps.jobs.recovery import MAX_ATTEMPTS, STALLED_AFTER_SECONDS
    from apps.jobs.services import jobs_resume_stalled

    return jobs_resume_stalled(older_than_seconds=STALLED_AFTER_SECONDS, max_attempts=MAX_ATTEMPTS)
