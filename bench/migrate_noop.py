"""A deploy with nothing to migrate, over 500 tenant schemas: ``tenants_migrate_all()``.

Known django-tenants installs report about 15 minutes for 300 schemas on a no-op
``migrate_schemas``, because every schema gets a full migrate run (graph, checks, signals).
``tenants.services.tenants_migrate_all`` reads every schema's django_migrations in one
query and skips the current ones. Target: < 30 s for 500 schemas.

The 500 schemas (Tenant + Domain rows, slug ``noop-NNN``) are made once, cheaply, by cloning
the template with the same ``clone_schema()`` SQL function ``tenant_create`` uses (no
administrator: nothing here logs in), and kept for the next run. ``--cleanup`` drops them.
``--naive N`` also times a plain per-schema ``migrate_schemas --schema=X`` on N of them and
extrapolates, for comparison with what a plain django-tenants deploy would cost.

Runs in its own database: ``paspoort_bench`` on the embedded server, or the database of
``DATABASE_URL`` when that is set.

Run from the project root: ``.venv/bin/python bench/migrate_noop.py [--tenants 500] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if not os.environ.get("DATABASE_URL"):
    # Before django.setup(): settings read it, and the embedded server creates the database.
    os.environ["PASPOORT_DB_NAME"] = "paspoort_bench"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from tenants.models import Domain, Tenant  # noqa: E402
from tenants.services import (  # noqa: E402
    TEMPLATE_SCHEMA,
    schema_name_for,
    tenant_domain_for,
    tenants_migrate_all,
)

PREFIX = "noop-"
TARGET_SECONDS = 30.0


def bench_slugs(count: int) -> list[str]:
    return [f"{PREFIX}{i:03d}" for i in range(count)]


def existing_schemas() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                    [schema_name_for(PREFIX).replace("_", r"\_") + "%"])
        return {r[0] for r in cur.fetchall()}


def ensure_tenants(count: int) -> None:
    """Clone the template for every missing bench tenant, one transaction per tenant."""
    connection.set_schema_to_public()
    have_rows = set(Tenant.objects.filter(slug__startswith=PREFIX).values_list("slug", flat=True))
    have_schemas = existing_schemas()
    missing = [s for s in bench_slugs(count)
               if s not in have_rows or schema_name_for(s) not in have_schemas]
    if not missing:
        print(f"{count} bench tenants present")
        return
    print(f"cloning the template for {len(missing)} bench tenants ...", flush=True)
    started = time.perf_counter()
    for n, slug in enumerate(missing, 1):
        schema = schema_name_for(slug)
        with transaction.atomic():
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant is None:
                tenant = Tenant(schema_name=schema, slug=slug, name=f"Bench {slug}", kind="care")
                tenant.save()
            Domain.objects.get_or_create(domain=tenant_domain_for(slug),
                                         defaults={"tenant": tenant, "is_primary": True})
            with connection.cursor() as cur:
                if schema not in have_schemas:
                    cur.execute("SELECT clone_schema(%s, %s, 'DATA')", [TEMPLATE_SCHEMA, schema])
        if n % 100 == 0:
            print(f"  {n}/{len(missing)}", flush=True)
    seconds = time.perf_counter() - started
    print(f"cloned {len(missing)} in {seconds:.1f} s ({seconds / len(missing):.3f} s/tenant)")


def cleanup() -> None:
    connection.set_schema_to_public()
    schemas = existing_schemas()
    tenants = Tenant.objects.filter(slug__startswith=PREFIX)
    schemas |= set(tenants.values_list("schema_name", flat=True))
    with transaction.atomic():
        Domain.objects.filter(tenant__in=tenants).delete()
        tenants.delete()
    # One schema per transaction: dropping hundreds at once would exhaust the lock table.
    for schema in sorted(schemas):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    print(f"dropped {len(schemas)} bench schemas and their Tenant/Domain rows")


def naive_sample(count: int, total: int) -> None:
    """A plain django-tenants deploy: one migrate run per schema, nothing to apply."""
    schemas = [schema_name_for(s) for s in bench_slugs(total)][:count]
    times = []
    for schema in schemas:
        started = time.perf_counter()
        call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)
        times.append(time.perf_counter() - started)
    connection.set_schema_to_public()
    per = statistics.mean(times)
    print(f"naive migrate_schemas --schema=X, nothing to apply: {per:.3f} s/schema "
          f"(n={count}) -> ~{per * total:.0f} s for {total} sequentially")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3, help="timed no-op runs")
    parser.add_argument("--naive", type=int, default=0, metavar="N",
                        help="also time a plain migrate_schemas on N schemas and extrapolate")
    parser.add_argument("--cleanup", action="store_true", help="drop the bench tenants and exit")
    args = parser.parse_args()

    print(f"database: {connection.settings_dict['NAME']} "
          f"({'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'embedded'})")
    tenants_migrate_all(verbosity=0)  # public and template current; clone_schema() present
    if args.cleanup:
        cleanup()
        return 0
    ensure_tenants(args.tenants)
    total = Tenant.objects.exclude(schema_name="public").count()

    runs = []
    for _ in range(args.runs):
        connection.set_schema_to_public()
        report = tenants_migrate_all(verbosity=0)
        if report.migrated:
            print(f"  (this run migrated {len(report.migrated)} schemas; the next one is the no-op)")
            continue
        runs.append(report.seconds)
    if not runs:
        print("no no-op run measured")
        return 1
    best, median = min(runs), statistics.median(runs)
    verdict = "OK" if median < TARGET_SECONDS else "ABOVE TARGET"
    print(f"tenants_migrate_all, nothing to migrate, {total} tenant schemas: "
          f"median {median:.2f} s, best {best:.2f} s over {len(runs)} runs "
          f"({median / total * 1000:.1f} ms/tenant; target < {TARGET_SECONDS:.0f} s: {verdict})")

    # Where the time goes: the public migrate run vs the one-query skip of every tenant.
    from tenants.services import applied_migrations_by_schema, tenant_app_migration_targets

    started = time.perf_counter()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    public_seconds = time.perf_counter() - started
    started = time.perf_counter()
    schemas = list(Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True))
    targets = tenant_app_migration_targets()
    applied = applied_migrations_by_schema(schemas)
    stale = [s for s in schemas if not targets <= applied[s]]
    check_seconds = time.perf_counter() - started
    print(f"  of which: public migrate run {public_seconds:.2f} s; "
          f"checking {len(schemas)} schemas {check_seconds:.2f} s ({len(stale)} stale)")
    if args.naive:
        naive_sample(args.naive, args.tenants)
    return 0


if __name__ == "__main__":
    sys.exit(main())
