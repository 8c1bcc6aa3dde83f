"""Logs and errors that always say which tenant they belong to."""
from __future__ import annotations

import logging


def current_schema() -> str:
    try:
        from django.db import connection

        return getattr(connection, "schema_name", "-") or "-"
    except Exception:  # settings not ready yet (early start-up logging)
        return "-"


class TenantLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.tenant = current_schema()
        return True


def _tag_tenant(event, hint):
    schema = current_schema()
    event.setdefault("tags", {})["tenant"] = schema
    return event


def init_sentry(dsn: str, *, environment: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=_tag_tenant,
        send_default_pii=False,
        traces_sample_rate=0.0,
    )
