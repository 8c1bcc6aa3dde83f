"""Celery beat: one task per *active* tenant for tenant-wide schedule entries."""
from tenant_schemas_celery.scheduler import TenantAwarePersistentScheduler

from tenants.models import Tenant


class ActiveTenantScheduler(TenantAwarePersistentScheduler):
    @classmethod
    def get_queryset(cls):
        return Tenant.objects.filter(status=Tenant.Status.ACTIVE)
