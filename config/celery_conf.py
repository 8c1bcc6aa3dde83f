"""Celery configuration, read lazily by config.celery from Django's settings."""
import os

from celery.schedules import crontab
from django.conf import settings

task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
task_acks_late = True  # a task whose worker dies is delivered again
task_reject_on_worker_lost = True
worker_prefetch_multiplier = 1
worker_hijack_root_logger = False
task_serializer = "json"
accept_content = ["json"]
timezone = settings.TIME_ZONE
task_ignore_result = True
beat_scheduler = "tenants.scheduling:ActiveTenantScheduler"
beat_schedule_filename = str(settings.DATA_DIR / "celerybeat-schedule")
beat_schedule = {
    # Without tenant_schemas an entry is sent once per active tenant (tenants.scheduling).
    "nightly-status-sweep": {
        "task": "competences.sweep_due_statuses",
        "schedule": crontab(hour=2, minute=15),
    },
    "daily-reminders": {
        "task": "notifications.send_due_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    "weekly-manager-digest": {
        "task": "notifications.send_weekly_digest",
        "schedule": crontab(hour=7, minute=0, day_of_week=1),
    },
    "nightly-funding-recompute": {
        "task": "funding.recompute_all",
        "schedule": crontab(hour=2, minute=45),
    },
    # Jobs whose worker died are sent again (apps/jobs/recovery.py); the queue alone cannot
    # be trusted for that (the filesystem broker loses the message, Redis returns it late).
    "resume-stalled-jobs": {
        "task": "jobs.resume_stalled",
        "schedule": crontab(minute="*"),
    },
    "resume-stalled-jobs-public": {
        "task": "jobs.resume_stalled",
        "schedule": crontab(minute="*"),
        "tenant_schemas": ["public"],
    },
    "rollout-advance-due-stages": {
        "task": "tenants.advance_due_rollout_stages",
        "schedule": crontab(minute="*/5"),
        "tenant_schemas": ["public"],
    },
}

if settings.CELERY_BROKER_URL:
    broker_url = settings.CELERY_BROKER_URL
    if broker_url.startswith("redis"):
        # long tasks (recomputes, imports) must not be redelivered while still running
        # (tests that kill a worker lower it with CELERY_VISIBILITY_TIMEOUT)
        broker_transport_options = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 3600))}
else:
    # No server needed: a real worker reads the same folders (kombu's filesystem transport).
    _folder = settings.BROKER_DIR
    for _sub in ("queue", "processed", "control"):
        (_folder / _sub).mkdir(parents=True, exist_ok=True)
    broker_url = "filesystem://"
    broker_transport_options = {
        "data_folder_in": str(_folder / "queue"),
        "data_folder_out": str(_folder / "queue"),
        "processed_folder": str(_folder / "processed"),
        "store_processed": False,
        "control_folder": str(_folder / "control"),
    }
