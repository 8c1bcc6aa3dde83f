"""Provisioning cost per tenant: cloning the migrated template vs replaying every migration.

(a) clone:   ``tenants.services.tenant_create`` — Tenant + Domain rows, ``clone_schema`` of the
             template, first administrator (one password hash), all in one transaction.
(b) migrate: Tenant + Domain rows, ``CREATE SCHEMA``, ``migrate_schemas --schema=X`` — what a
             plain django-tenants install does (every migration replayed in the new schema) —
             and the same first administrator, so both sides provision a usable tenant.

Prints seconds per tenant for each (mean, min, max over a few tenants), the schema step alone
on both sides (``clone_schema()`` vs CREATE SCHEMA + migrate), what a warm pool of spare
clones would cost instead (``ALTER SCHEMA spare RENAME``), the one password hash both pay,
and the ratios clone/migrate. Target: ratio <= 0.2.

Absolute figures move with the machine's load and with the size of the database's catalog
(``clone_schema()`` reads information_schema per table and column); the ratios are steadier.

Runs in its own database so it never touches dev data: ``paspoort_bench`` on the embedded
server, or the database of ``DATABASE_URL`` when that is set. Everything it creates (Tenant
and Domain rows, schemas) is dropped at the end, also after a failure.

Run from the project root: ``.venv/bin/python bench/provision.py [--clones 5] [--migrates 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if not os.environ.get("DATABASE_URL"):
    # Before django.setup(): settings read it, and the embedded server creates the database.
    os.environ["PASPOORT_DB_NAME"] = "paspoort_bench"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["TENANT_SPARE_SCHEMAS"] = "0"  # the bench fills the pool itself, untimed

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from django_tenants.utils import schema_context  # noqa: E402

from tenants.models import Domain, Tenant  # noqa: E402
from tenants.services import (  # noqa: E402
    TEMPLATE_SCHEMA,
    schema_name_for,
    spare_schemas,
    spare_schemas_fill,
    tenant_create,
    tenant_domain_for,
    tenants_migrate_all,
)

PREFIX = "bench-prov-"
TARGET_RATIO = 0.2


def drop_bench_tenants(prefix: str = PREFIX) -> int:
    """Drop every Tenant/Domain row and schema this bench made (also from an earlier crash)."""
    connection.set_schema_to_public()
    schema_prefix = schema_name_for(prefix)
    with connection.cursor() as cur:
        cur.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                    [schema_prefix.replace("_", r"\_") + "%"])
        schemas = {r[0] for r in cur.fetchall()}
    tenants = Tenant.objects.filter(slug__startswith=prefix)
    schemas |= set(tenants.values_list("schema_name", flat=True))
    with transaction.atomic():
        Domain.objects.filter(tenant__in=tenants).delete()
        tenants.delete()
    # One schema per transaction: dropping many at once can exhaust the lock table.
    for schema in sorted(schemas):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return len(schemas)


def time_clone(slug: str) -> float:
    started = time.perf_counter()
    tenant_create(slug=slug, name=f"Bench {slug}", kind="care", admin_email=f"beheer@{slug}.bench",
                  admin_password="bench-password-123")
    return time.perf_counter() - started


def time_pool(slug: str) -> float:
    """tenant_create as in production: a spare is ready in the warm pool (filled untimed)."""
    spare_schemas_fill(count=1)
    return time_clone(slug)


def drop_spares() -> None:
    for spare in spare_schemas():
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f'DROP SCHEMA "{spare}" CASCADE')


def time_clone_sql(schema: str) -> float:
    """The clone_schema SQL call on its own (no rows, no administrator)."""
    connection.set_schema_to_public()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT clone_schema(%s, %s, 'DATA')", [TEMPLATE_SCHEMA, schema])
    return time.perf_counter() - started


def time_spare_rename(spare: str, schema: str) -> float:
    """A warm pool: a spare clone made ahead of time (untimed), renamed at provisioning."""
    connection.set_schema_to_public()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT clone_schema(%s, %s, 'DATA')", [TEMPLATE_SCHEMA, spare])
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f'ALTER SCHEMA "{spare}" RENAME TO "{schema}"')
    return time.perf_counter() - started


def time_migrate(slug: str) -> tuple[float, float]:
    """Plain django-tenants provisioning: rows, CREATE SCHEMA, replay every migration, admin.

    Returns (complete seconds, seconds of CREATE SCHEMA + migrate alone).
    """
    from apps.accounts.services import tenant_admin_create

    connection.set_schema_to_public()
    schema = schema_name_for(slug)
    started = time.perf_counter()
    with transaction.atomic():
        tenant = Tenant(schema_name=schema, slug=slug, name=f"Bench {slug}", kind="care")
        tenant.save()
        Domain.objects.create(domain=tenant_domain_for(slug), tenant=tenant, is_primary=True)
    schema_started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{schema}"')
    call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)
    schema_seconds = time.perf_counter() - schema_started
    with schema_context(schema), transaction.atomic():
        tenant_admin_create(email=f"beheer@{slug}.bench", password="bench-password-123")
    connection.set_schema_to_public()
    return time.perf_counter() - started, schema_seconds


def time_password_hash() -> float:
    started = time.perf_counter()
    make_password("bench-password-123")
    return time.perf_counter() - started


def summary(label: str, values: list[float]) -> str:
    return (f"{label:<34} {statistics.mean(values):7.3f} s/tenant  "
            f"(n={len(values)}, min {min(values):.3f}, max {max(values):.3f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clones", type=int, default=5, help="tenants provisioned by cloning")
    parser.add_argument("--migrates", type=int, default=3, help="tenants provisioned by migrating")
    args = parser.parse_args()

    db = connection.settings_dict["NAME"]
    print(f"database: {db} ({'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'embedded'})")
    started = time.perf_counter()
    tenants_migrate_all(verbosity=0)
    print(f"tenants_migrate_all (public, template, tenants): {time.perf_counter() - started:.1f} s")
    drop_bench_tenants()  # leftovers of an interrupted earlier run

    run = uuid.uuid4().hex[:6]
    clone_times, clone_sql_times, migrate_times, migrate_schema_times = [], [], [], []
    rename_times, pool_times = [], []
    try:
        # One warm-up clone that is not counted (first-use caches: password hasher, SQL plans).
        tenant_create(slug=f"{PREFIX}{run}-warm", name="warm-up", kind="care",
                      admin_email="beheer@warm.bench", admin_password="bench-password-123")
        for i in range(args.clones):
            clone_times.append(time_clone(f"{PREFIX}{run}-c{i}"))
        for i in range(args.clones):
            pool_times.append(time_pool(f"{PREFIX}{run}-w{i}"))
        for i in range(args.clones):
            clone_sql_times.append(time_clone_sql(schema_name_for(f"{PREFIX}{run}-s{i}")))
        for i in range(args.migrates):
            rename_times.append(time_spare_rename(schema_name_for(f"{PREFIX}{run}-p{i}"),
                                                  schema_name_for(f"{PREFIX}{run}-r{i}")))
        for i in range(args.migrates):
            complete, schema_only = time_migrate(f"{PREFIX}{run}-m{i}")
            migrate_times.append(complete)
            migrate_schema_times.append(schema_only)
        hash_times = [time_password_hash() for _ in range(3)]
    finally:
        dropped = drop_bench_tenants()
        drop_spares()

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
                    [TEMPLATE_SCHEMA])
        tables = cur.fetchone()[0]
        cur.execute(f'SELECT count(*) FROM "{TEMPLATE_SCHEMA}".django_migrations')
        migrations = cur.fetchone()[0]
    print(f"template: {tables} tables, {migrations} migrations")
    print(summary("clone: tenant_create, complete", clone_times))
    print(summary("pool: tenant_create, spare ready", pool_times))
    print(summary("migrate: rows+schema+migrate+admin", migrate_times))
    print(summary("schema only: clone_schema()", clone_sql_times))
    print(summary("schema only: CREATE SCHEMA+migrate", migrate_schema_times))
    print(summary("schema only: rename a spare clone", rename_times))
    print(summary("both: one admin password hash", hash_times))
    ratio = statistics.mean(clone_times) / statistics.mean(migrate_times)
    schema_ratio = statistics.mean(clone_sql_times) / statistics.mean(migrate_schema_times)
    verdict = "OK" if ratio <= TARGET_RATIO else "ABOVE TARGET"
    print(f"ratio clone/migrate, complete:    {ratio:.3f} (target <= {TARGET_RATIO}: {verdict})")
    print(f"ratio clone/migrate, schema only: {schema_ratio:.3f}")
    pool_ratio = statistics.mean(pool_times) / statistics.mean(migrate_times)
    pool_verdict = "OK" if pool_ratio <= TARGET_RATIO else "ABOVE TARGET"
    print(f"ratio pool/migrate, complete:     {pool_ratio:.3f} (target <= {TARGET_RATIO}: {pool_verdict})")
    print(f"cleaned up {dropped} bench schemas and their rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
