"""When stalled jobs are sent again (CONTRIBUTING.md, "Long jobs").

* Every minute, per active tenant and for public (beat entry ``resume-stalled-jobs`` in
  config/celery_conf.py), jobs without a sign of life for ``STALLED_AFTER_SECONDS``.
* When a worker starts (``worker_ready``), in every active tenant and public, jobs without a
  sign of life for ``RESUME_ON_START_SECONDS``: a job whose worker was just killed is picked
  up by the replacement at once. The threshold only has to be shorter than a worker's boot
  (a few seconds), so the job that died with the previous worker counts as stalled. The
  price of a short one: a queued job whose message is still waiting in the broker is sent a
  second time; the copy that arrives second finds the job running (run lock) or done and is
  dropped, so it costs one empty delivery. A *running* job is never sent again while its
  run is alive, whatever the threshold: its run lock says so (services.job_claim).
"""
from __future__ import annotations

import logging

from celery.signals import worker_ready

logger = logging.getLogger(__name__)

STALLED_AFTER_SECONDS = 120
RESUME_ON_START_SECONDS = 2
MAX_ATTEMPTS = 3


def resume_everywhere(*, older_than_seconds: float) -> dict[str, dict]:
    """``jobs_resume_stalled`` in public and in every active tenant; one schema failing
    does not stop the others."""
    from django.db import connection
    from django_tenants.utils import get_public_schema_name, schema_context

    from apps.jobs.services import jobs_resume_stalled
    from tenants.models import Tenant

    public = get_public_schema_name()
    connection.set_schema_to_public()
    schemas = [public] + [s for s in Tenant.objects.filter(status=Tenant.Status.ACTIVE)
                          .order_by("schema_name").values_list("schema_name", flat=True) if s != public]
    outcome = {}
    for schema in schemas:
        try:
            with schema_context(schema):
                result = jobs_resume_stalled(older_than_seconds=older_than_seconds, max_attempts=MAX_ATTEMPTS)
        except Exception:  # noqa: BLE001 - a broken schema must not keep the others' jobs stalled
            logger.exception("resuming stalled jobs in schema %s failed", schema)
            continue
        if result["resumed"] or result["failed"]:
            outcome[schema] = result
    return outcome


@worker_ready.connect(dispatch_uid="jobs_resume_on_worker_start")
def resume_on_worker_start(sender=None, **kwargs) -> None:
    try:
        outcome = resume_everywhere(older_than_seconds=RESUME_ON_START_SECONDS)
    except Exception:  # noqa: BLE001 - the worker must start even when the database is down
        logger.exception("resuming stalled jobs at worker start failed")
        return
    if outcome:
        logger.warning("worker start: stalled jobs sent again: %s", outcome)
