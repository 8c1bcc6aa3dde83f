"""Control-plane tasks: they run in the public schema (plain tasks, not tenant tasks)."""
from config.celery import app


@app.task(name="tenants.advance_due_rollout_stages")
def advance_due_rollout_stages() -> list:
    from django.db import connection

    from tenants.services import rollouts_advance_due

    connection.set_schema_to_public()
    return rollouts_advance_due()


@app.task(name="tenants.rollout_impact_preview")
def rollout_impact_preview(job_id: str) -> None:
    from apps.jobs.services import job_fail
    from tenants.services import rollout_impact_preview_run

    try:
        rollout_impact_preview_run(job_id=job_id)
    except Exception as exc:
        job_fail(job_id=job_id, message=str(exc))
        raise


@app.task(name="tenants.spare_schemas_refill")
def spare_schemas_refill() -> int:
    """Keep the warm pool of pre-cloned schemas full (runs in public)."""
    from tenants.services import spare_schemas_fill

    return spare_schemas_fill()
