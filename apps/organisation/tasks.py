"""Celery tasks of the organisation: the HR import, run as a job with progress."""
from config.celery import app


@app.tenant_task(name="organisation.import_hr_csv")
def import_hr_csv(job_id: str) -> None:
    from apps.jobs.models import Job
    from apps.jobs.services import job_fail, job_finish, job_start
    from apps.organisation.services import hr_import_run

    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.is_finished:
        return
    job_start(job_id=job_id)
    try:
        report = hr_import_run(content=job.params["content"], by=job.created_by, job_id=job_id,
                               deactivate_missing=job.params.get("deactivate_missing", False))
    except Exception as exc:
        job_fail(job_id=job_id, message=str(exc))
        raise
    job_finish(job_id=job_id, result=report.as_dict(), errors=report.errors,
               message=f"{report.created} nieuw, {report.updated} bijgewerkt, {len(report.errors)} fouten")
