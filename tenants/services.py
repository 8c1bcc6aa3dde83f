"""Writes of the control plane: provisioning tenants and keeping every schema migrated.

New tenants are cloned from a migrated template schema (TENANT_BASE_SCHEMA) inside one
transaction with their Domain row and first administrator, so a failure anywhere leaves
no schema, domain or user behind. Migrations run in parallel and skip current schemas.
"""
from __future__ import annotations

import logging
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_context, schema_exists

from tenants.models import RESERVED_SLUGS, SLUG_PATTERN, Domain, Tenant

log = logging.getLogger(__name__)
TEMPLATE_SCHEMA = settings.TENANT_BASE_SCHEMA
# Rows the template may hold: migration bookkeeping and what post_migrate creates.
TEMPLATE_SYSTEM_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})


def schema_name_for(slug: str) -> str:
    return "t_" + slug.replace("-", "_")


def tenant_domain_for(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def validate_slug(slug: str) -> None:
    if not slug or not re.match(SLUG_PATTERN, slug):
        raise ValidationError({"slug": "Gebruik 1-40 kleine letters, cijfers of koppeltekens "
                                       "(niet aan het begin of eind)."})
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"'{slug}' is gereserveerd."})


# --- the public tenant and the template --------------------------------------------------

def public_tenant_ensure() -> Tenant:
    """The control plane's own row and domain (the bare BASE_DOMAIN)."""
    tenant, _ = Tenant.objects.get_or_create(
        schema_name="public",
        defaults={"slug": "public", "name": "Paspoort (leverancier)", "kind": Tenant.Kind.CARE},
    )
    Domain.objects.get_or_create(domain=settings.BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True})
    return tenant


def tenant_app_migration_targets() -> set[tuple[str, str]]:
    """Every migration on disk for the apps that live in tenant schemas."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    tenant_labels = set()
    from django.apps import apps as django_apps

    for app_name in settings.TENANT_APPS:
        for config in django_apps.get_app_configs():
            if config.name == app_name:
                tenant_labels.add(config.label)
    return {key for key in loader.disk_migrations if key[0] in tenant_labels}


def applied_migrations_by_schema(schemas: list[str]) -> dict[str, set[tuple[str, str]]]:
    """One query for every schema's django_migrations (schemas without the table: empty)."""
    result: dict[str, set[tuple[str, str]]] = {s: set() for s in schemas}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'django_migrations' AND table_schema = ANY(%s)", [schemas])
        present = [r[0] for r in cur.fetchall()]
        for start in range(0, len(present), 200):
            chunk = present[start:start + 200]
            union = " UNION ALL ".join(
                f"SELECT %s, app, name FROM \"{s}\".django_migrations" for s in chunk)
            cur.execute(union, chunk)
            for schema, app, name in cur.fetchall():
                result[schema].add((app, name))
    return result


def _migrate_one_schema(schema: str) -> str:
    connections.close_all()
    call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)
    connections.close_all()
    return schema


@dataclass
class MigrateReport:
    schemas: int
    migrated: list[str]
    seconds: float


def tenants_migrate_all(*, parallel: int | None = None, verbosity: int = 1) -> MigrateReport:
    """Migrate public, then the template and every tenant schema that is behind, in parallel.

    Schemas that already have every migration are skipped after one query, so a deploy
    with nothing to migrate costs milliseconds per tenant, not a migrate run per schema.
    """
    import time

    started = time.monotonic()
    connection.set_schema_to_public()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=max(verbosity - 1, 0))
    template_ensure()
    schemas = list(Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True))
    targets = tenant_app_migration_targets()
    applied = applied_migrations_by_schema(schemas)
    stale = [s for s in schemas if not targets <= applied.get(s, set())]
    parallel = parallel or settings.TENANT_MULTIPROCESSING_MAX_PROCESSES
    if stale:
        if verbosity:
            print(f"migrating {len(stale)} of {len(schemas)} tenant schemas ({parallel} in parallel)")
        connections.close_all()
        if parallel > 1 and len(stale) > 1:
            import multiprocessing

            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=parallel, mp_context=ctx) as pool:
                list(pool.map(_migrate_one_schema, stale))
        else:
            for schema in stale:
                _migrate_one_schema(schema)
    elif verbosity:
        print(f"all {len(schemas)} tenant schemas are current")
    return MigrateReport(schemas=len(schemas), migrated=stale, seconds=time.monotonic() - started)


def template_ensure() -> None:
    """Create or migrate the template schema that new tenants are cloned from."""
    connection.set_schema_to_public()
    if not schema_exists(TEMPLATE_SCHEMA):
        with connection.cursor() as cur:
            cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{TEMPLATE_SCHEMA}"')
    targets = tenant_app_migration_targets()
    applied = applied_migrations_by_schema([TEMPLATE_SCHEMA])[TEMPLATE_SCHEMA]
    if not targets <= applied:
        call_command("migrate_schemas", schema_name=TEMPLATE_SCHEMA, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    # The clone function is (re)created here, once, rather than by every concurrent clone.
    CloneSchema()._create_clone_schema_function()


def template_row_counts() -> dict[str, int]:
    """Rows per table in the template, other than the system tables (should all be 0)."""
    counts = {}
    with connection.cursor() as cur:
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                    "AND table_type = 'BASE TABLE'", [TEMPLATE_SCHEMA])
        for (table,) in cur.fetchall():
            if table in TEMPLATE_SYSTEM_TABLES:
                continue
            cur.execute(f'SELECT count(*) FROM "{TEMPLATE_SCHEMA}"."{table}"')
            counts[table] = cur.fetchone()[0]
    return counts


# --- provisioning --------------------------------------------------------------------------

@dataclass
class ProvisionResult:
    tenant: Tenant
    domain: str
    admin_email: str
    admin_password: str


def tenant_create(*, slug: str, name: str, kind: str, admin_email: str,
                  admin_password: str | None = None) -> ProvisionResult:
    """Provision a customer: schema (cloned), domain `<slug>.<BASE_DOMAIN>`, first admin.

    All or nothing: PostgreSQL DDL is transactional, so the schema is rolled back together
    with the rows when any step fails. Two concurrent calls for one slug: the second waits
    on the unique index and then fails cleanly.
    """
    from apps.accounts.services import generate_password, tenant_admin_create

    slug = (slug or "").strip()
    validate_slug(slug)
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Naam is verplicht."
    if kind not in Tenant.Kind.values:
        errors["kind"] = f"Kies uit: {', '.join(Tenant.Kind.values)}."
    if errors:
        raise ValidationError(errors)
    password = admin_password or generate_password()
    connection.set_schema_to_public()
    if not schema_exists(TEMPLATE_SCHEMA):
        template_ensure()
    schema = schema_name_for(slug)
    try:
        with transaction.atomic():
            tenant = Tenant(schema_name=schema, slug=slug, name=name.strip(), kind=kind)
            tenant.full_clean()
            tenant.save()
            domain = tenant_domain_for(slug)
            Domain.objects.create(domain=domain, tenant=tenant, is_primary=True)
            if schema_exists(schema):
                raise ValidationError({"slug": "Er bestaat al een schema voor dit subdomein."})
            with connection.cursor() as cur:
                cur.execute("SELECT clone_schema(%s, %s, 'DATA')", [TEMPLATE_SCHEMA, schema])
            with schema_context(schema):
                tenant_admin_create(email=admin_email, password=password)
            connection.set_schema_to_public()
    except IntegrityError:
        connection.set_schema_to_public()
        raise ValidationError({"slug": f"Het subdomein '{slug}' is al in gebruik."})
    except ValidationError as exc:
        connection.set_schema_to_public()
        if hasattr(exc, "error_dict") and "slug" in exc.error_dict and \
                any("bestaat al" in str(e) or "already exists" in str(e) for e in exc.error_dict["slug"]):
            raise ValidationError({"slug": f"Het subdomein '{slug}' is al in gebruik."})
        raise
    log.info("tenant %s provisioned (schema %s)", slug, schema)
    return ProvisionResult(tenant=tenant, domain=domain, admin_email=admin_email.lower(),
                           admin_password=password)


@transaction.atomic
def tenant_set_status(*, tenant: Tenant, status: str) -> Tenant:
    if status not in Tenant.Status.values:
        raise ValidationError({"status": f"Kies uit: {', '.join(Tenant.Status.values)}."})
    tenant.status = status
    tenant.save(update_fields=["status"])
    return tenant


def tenant_api_token(*, slug: str, email: str) -> str:
    from apps.accounts.models import User
    from apps.accounts.services import api_token_for

    try:
        tenant = Tenant.objects.exclude(schema_name="public").get(slug=slug)
    except Tenant.DoesNotExist:
        raise ValidationError({"slug": f"Onbekende klant '{slug}'."})
    with schema_context(tenant.schema_name):
        try:
            user = User.objects.get(email=email.lower())
        except User.DoesNotExist:
            raise ValidationError({"email": f"Geen gebruiker '{email}' bij {slug}."})
        return api_token_for(user=user)
