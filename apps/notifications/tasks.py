"""Celery tasks of notifications: thin, tenant-scoped, safe to run twice (beat sends one
per tenant; see config/celery_conf.py)."""
from apps.notifications import services
from config.celery import app


@app.tenant_task(name="notifications.send_due_reminders")
def send_due_reminders(as_of: str | None = None) -> dict:
    from datetime import date

    r = services.reminders_send_due(as_of=date.fromisoformat(as_of) if as_of else None)
    return {"claimed": r.claimed, "emailed": r.emailed, "skipped": r.skipped, "failed": r.failed}


@app.tenant_task(name="notifications.send_weekly_digest")
def send_weekly_digest(as_of: str | None = None) -> dict:
    from datetime import date

    r = services.digest_send_weekly(as_of=date.fromisoformat(as_of) if as_of else None)
    return {"claimed": r.claimed, "emailed": r.emailed, "skipped": r.skipped, "failed": r.failed}
