"""The one Celery app. Every task is tenant-aware: it runs in the schema it was sent from.

Tasks that need a tenant use `@tenant_task`; such a task fails closed when it arrives
without a tenant (it would otherwise run in the public schema). Beat dispatches one
task per active tenant through the tenant-aware scheduler.
"""
from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp
from tenant_schemas_celery.task import TenantTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class TenantScopeError(RuntimeError):
    """A tenant-scoped task ran without a tenant."""


class TenantScopedTask(TenantTask):
    abstract = True

    def __call__(self, *args, **kwargs):
        from django.db import connection

        if connection.schema_name == "public" or not getattr(connection, "tenant", None):
            raise TenantScopeError(f"task {self.name} needs a tenant and was sent without one")
        return super().__call__(*args, **kwargs)


class PaspoortCelery(CeleryApp):
    def tenant_task(self, *args, **opts):
        """Decorator for tasks that must run inside one tenant's schema."""
        opts.setdefault("base", TenantScopedTask)
        return self.task(*args, **opts)


app = PaspoortCelery("paspoort")


# Lazy: read on first use, after Django's settings are ready (config/celery_conf.py).
app.config_from_object("config.celery_conf")


def _task_packages() -> list[str]:
    from django.conf import settings

    return ["tenants"] + [a for a in settings.INSTALLED_APPS if a.startswith("apps.")]


app.autodiscover_tasks(_task_packages)
