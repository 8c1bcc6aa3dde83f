"""Migrate public, the template and every tenant schema that is behind (in parallel)."""
from django.core.management.base import BaseCommand

from tenants.services import public_tenant_ensure, tenants_migrate_all


class Command(BaseCommand):
    help = "Migrate all schemas; schemas that are current are skipped after one query."

    def add_arguments(self, parser):
        parser.add_argument("--parallel", type=int, default=None)

    def handle(self, *args, **opts):
        report = tenants_migrate_all(parallel=opts["parallel"], verbosity=opts["verbosity"])
        public_tenant_ensure()
        self.stdout.write(f"{report.schemas} tenant schemas, {len(report.migrated)} migrated, "
                          f"{report.seconds:.1f}s")
