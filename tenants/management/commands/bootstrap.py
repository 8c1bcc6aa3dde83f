"""Migrate every schema and load the demo customers (once; safe to repeat)."""
from django.core.management.base import BaseCommand

from tenants.demo import demo_load
from tenants.services import public_tenant_ensure, spare_schemas_fill, tenants_migrate_all


class Command(BaseCommand):
    help = "Migrate public, template and tenant schemas; load demo data unless --no-demo."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args, **opts):
        tenants_migrate_all(verbosity=opts["verbosity"])
        public_tenant_ensure()
        if not opts["no_demo"]:
            demo_load(verbose=opts["verbosity"] > 0)
        spare_schemas_fill()
