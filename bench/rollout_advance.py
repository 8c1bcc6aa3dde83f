"""Benchmark: advancing a rollout stage to 1,000 tenants is metadata only (target < 2 s).

Inserts 1,000 Tenant rows WITHOUT schemas (Tenant.auto_create_schema is False) and a customer
group holding them, starts a rollout whose pilot stage has one tenant, then times the advance
to the 1,000 and the rollback of all of them. Everything it made is removed afterwards.

    PASPOORT_DB_NAME=paspoort_cp .venv/bin/python bench/rollout_advance.py [--tenants 1000]

The database's public schema must be migrated (manage.py migrate_schemas --shared).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from tenants import services  # noqa: E402
from tenants.features import feature_keys  # noqa: E402
from tenants.models import (  # noqa: E402
    ControlPlaneAuditEntry, CustomerGroup, PassportVersion, Rollout, Tenant, TenantVersionAssignment,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=1000)
    args = parser.parse_args()
    connection.set_schema_to_public()
    run = uuid.uuid4().hex[:6]
    prefix = f"bench-{run}-"
    made_tenants = Tenant.objects.bulk_create([
        Tenant(schema_name=f"bench_{run}_{i:05d}", slug=f"{prefix}{i:05d}", name=f"Bench {i}", kind="care")
        for i in range(args.tenants + 1)])
    ids = [t.pk for t in made_tenants]
    try:
        pilot = CustomerGroup.objects.create(name=f"bench pilot {run}", slug=f"bench-pilot-{run}")
        pilot.tenants.add(ids[0])
        wave = CustomerGroup.objects.create(name=f"bench wave {run}", slug=f"bench-wave-{run}")
        wave.tenants.add(*ids[1:])
        version = services.version_create(name=f"bench-{run}", care_rules_version="care-2026.2",
                                          funding_rules_version="vavo-2026.1", features=feature_keys(), by=None)
        rollout = services.rollout_create(version=version, by=None, stages=[
            {"group": pilot, "block_on_open_blocking_feedback": False},
            {"group": wave, "block_on_open_blocking_feedback": False}])
        services.rollout_start(rollout=rollout, by=None)
        started = time.perf_counter()
        services.rollout_advance(rollout=rollout, by=None, reason="bench")
        advance = time.perf_counter() - started
        moved = TenantVersionAssignment.objects.filter(version=version, until__isnull=True).count()
        started = time.perf_counter()
        services.rollout_rollback(rollout=rollout, by=None, reason="bench")
        rollback = time.perf_counter() - started
        print(f"advance stage to {moved - 1} tenants: {advance:.3f} s (target < 2 s)")
        print(f"roll back {moved} tenants at once:    {rollback:.3f} s")
    finally:
        TenantVersionAssignment.objects.filter(tenant_id__in=ids).delete()
        for rollout in Rollout.objects.filter(version__name=f"bench-{run}"):
            ControlPlaneAuditEntry.objects.filter(object_type="rollout", object_id=str(rollout.pk)).delete()
            rollout.delete()
        ControlPlaneAuditEntry.objects.filter(object_label__contains=f"bench").filter(
            object_label__contains=run).delete()
        PassportVersion.objects.filter(name=f"bench-{run}").delete()
        CustomerGroup.objects.filter(slug__endswith=run).delete()
        Tenant.objects.filter(pk__in=ids).delete()
        print(f"cleaned up ({Tenant.objects.filter(slug__startswith=prefix).count()} bench tenants left)")


if __name__ == "__main__":
    main()
