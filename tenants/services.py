"""Writes of the control plane: provisioning tenants and keeping every schema migrated;
customer groups, passport versions, rollouts, pins, feedback and support sessions.

New tenants are cloned from a migrated template schema (TENANT_BASE_SCHEMA) inside one
transaction with their Domain row and first administrator, so a failure anywhere leaves
no schema, domain or user behind. Migrations run in parallel and skip current schemas.
"""
from __future__ import annotations

import datetime as _dt
import logging
import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import F
from django.utils import timezone
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_context, schema_exists

from tenants.models import (
    RESERVED_SLUGS, SLUG_PATTERN, ControlPlaneAuditEntry, CustomerGroup, Domain, Feedback, PassportVersion,
    Rollout, RolloutStage, SupportSession, Tenant, TenantVersionAssignment, VersionPin,
)

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
    _spare_schemas_drop_stale(targets)  # empty anyway: refilled from the new template
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


# --- the warm pool: spare schemas cloned ahead of time --------------------------------------
# Cloning costs about as much as the per-table work of the template; renaming a spare
# costs milliseconds. tenant_create takes a spare when one is there and clones otherwise.
SPARE_PREFIX = "spare_"


def spare_schemas() -> list[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY nspname",
                    [SPARE_PREFIX.replace("_", "\\_") + "%"])
        return [r[0] for r in cur.fetchall()]


def spare_schemas_fill(*, count: int | None = None) -> int:
    """Clone the template into spare schemas until `count` are ready; returns how many were made."""
    import uuid

    count = settings.TENANT_SPARE_SCHEMAS if count is None else count
    connection.set_schema_to_public()
    made = 0
    while len(spare_schemas()) < count:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT clone_schema(%s, %s, 'DATA')",
                        [TEMPLATE_SCHEMA, f"{SPARE_PREFIX}{uuid.uuid4().hex[:12]}"])
        made += 1
    return made


def _spare_schemas_drop_stale(targets: set[tuple[str, str]]) -> None:
    spares = spare_schemas()
    applied = applied_migrations_by_schema(spares)
    for schema in spares:
        if not targets <= applied.get(schema, set()):
            with connection.cursor() as cur:
                cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _take_spare_schema(schema: str) -> bool:
    """Inside the caller's transaction: rename a free spare to `schema`; False when none."""
    with connection.cursor() as cur:
        for spare in spare_schemas():
            cur.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [spare])
            if not cur.fetchone()[0] or not schema_exists(spare):
                continue  # another creation holds it, or took it a moment ago
            cur.execute(f'ALTER SCHEMA "{spare}" RENAME TO "{schema}"')
            return True
    return False


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
    """Provision a customer: schema (a spare from the warm pool, else cloned from the
    template), domain `<slug>.<BASE_DOMAIN>`, first admin.

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
            if not _take_spare_schema(schema):
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
    if settings.TENANT_SPARE_SCHEMAS:
        from tenants.tasks import spare_schemas_refill

        transaction.on_commit(lambda: spare_schemas_refill.delay())
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


# =============================================================================================
# Release management: customer groups, passport versions, rollouts, pins, feedback, support.
# Every write here records a ControlPlaneAuditEntry in its own transaction.
# =============================================================================================

SUPPORT_TOKEN_SALT = "paspoort.support-session"
SUPPORT_LINK_MAX_AGE = 10 * 60  # seconds a support link may wait before it is used
SUPPORT_SESSION_KEY = "support_session_id"


def actor_label(by) -> str:
    if by is None:
        return "systeem"
    return getattr(by, "email", "") or str(by)


def control_plane_audit(*, by, action: str, obj=None, tenant=None, reason: str = "",
                        details: dict | None = None, actor_label_override: str = "") -> ControlPlaneAuditEntry:
    return ControlPlaneAuditEntry.objects.create(
        actor=by if (by is not None and getattr(by, "pk", None) and not getattr(by, "is_support", False)
                     and connection.schema_name == "public") else None,
        actor_label=actor_label_override or actor_label(by),
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=str(obj)[:300] if obj is not None else "",
        tenant=tenant if tenant is not None else (obj if isinstance(obj, Tenant) else None),
        reason=reason or "",
        details=details or {},
    )


def _require_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: "Geef een reden op."})
    return reason


def _customer(tenant_id) -> Tenant:
    try:
        return Tenant.objects.exclude(schema_name="public").get(pk=tenant_id)
    except (Tenant.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"tenant": f"Onbekende klant: {tenant_id}."})


# --- tenants --------------------------------------------------------------------------------

@transaction.atomic
def tenant_suspend(*, tenant: Tenant, by, reason: str = "") -> Tenant:
    if tenant.is_public:
        raise ValidationError({"tenant": "De control plane kan niet worden opgeschort."})
    old = tenant.status
    tenant_set_status(tenant=tenant, status=Tenant.Status.SUSPENDED)
    control_plane_audit(by=by, action="tenant.suspend", obj=tenant, reason=reason,
                        details={"old": old, "new": tenant.status})
    return tenant


@transaction.atomic
def tenant_activate(*, tenant: Tenant, by, reason: str = "") -> Tenant:
    old = tenant.status
    tenant_set_status(tenant=tenant, status=Tenant.Status.ACTIVE)
    control_plane_audit(by=by, action="tenant.activate", obj=tenant, reason=reason,
                        details={"old": old, "new": tenant.status})
    return tenant


# --- customer groups -------------------------------------------------------------------------

@transaction.atomic
def customer_group_create(*, name: str, slug: str, description: str = "", tenant_ids=(), by) -> CustomerGroup:
    group = CustomerGroup(name=(name or "").strip(), slug=(slug or "").strip(), description=description or "")
    group.full_clean()
    group.save()
    if tenant_ids:
        group.tenants.set([_customer(t).pk for t in tenant_ids])
    control_plane_audit(by=by, action="group.create", obj=group,
                        details={"tenants": sorted(group.tenants.values_list("slug", flat=True))})
    return group


@transaction.atomic
def customer_group_update(*, group: CustomerGroup, by, name: str | None = None,
                          description: str | None = None, tenant_ids=None) -> CustomerGroup:
    old = sorted(group.tenants.values_list("slug", flat=True))
    if name is not None:
        group.name = name.strip()
    if description is not None:
        group.description = description
    group.full_clean()
    group.save()
    if tenant_ids is not None:
        group.tenants.set([_customer(t).pk for t in tenant_ids])
    control_plane_audit(by=by, action="group.update", obj=group,
                        details={"old_tenants": old, "tenants": sorted(group.tenants.values_list("slug", flat=True))})
    return group


# --- passport versions -----------------------------------------------------------------------

VERSION_EDITABLE_FIELDS = ("release_notes_nl", "release_notes_en", "features", "care_rules_version",
                           "funding_rules_version")


@transaction.atomic
def version_create(*, name: str, care_rules_version: str, funding_rules_version: str, features=(),
                   release_notes_nl: str = "", release_notes_en: str = "", by) -> PassportVersion:
    version = PassportVersion(name=(name or "").strip(), care_rules_version=care_rules_version,
                              funding_rules_version=funding_rules_version, features=list(features),
                              release_notes_nl=release_notes_nl or "", release_notes_en=release_notes_en or "")
    version.full_clean()
    version.save()
    control_plane_audit(by=by, action="version.create", obj=version,
                        details={f: getattr(version, f) for f in VERSION_EDITABLE_FIELDS})
    return version


@transaction.atomic
def version_update(*, version: PassportVersion, by, **fields) -> PassportVersion:
    unknown = set(fields) - set(VERSION_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "Dit veld kan niet worden gewijzigd."})
    if version.status in (PassportVersion.Status.GENERAL, PassportVersion.Status.RETIRED) and (
            {"features", "care_rules_version", "funding_rules_version"} & set(fields)):
        raise ValidationError({"status": f"Versie {version.name} is {version.get_status_display()}: "
                                         "functies en regelsets liggen vast; maak een nieuwe versie."})
    old = {f: getattr(version, f) for f in fields}
    for f, value in fields.items():
        setattr(version, f, list(value) if f == "features" else value)
    version.full_clean()
    version.save()
    control_plane_audit(by=by, action="version.update", obj=version,
                        details={"old": old, "new": {f: getattr(version, f) for f in fields}})
    return version


def _version_move(version: PassportVersion, status: str, *, by, reason: str = "", now=None) -> None:
    if status not in PassportVersion.Status.values:
        raise ValidationError({"status": f"Onbekende status '{status}'."})
    if status not in PassportVersion.TRANSITIONS[version.status]:
        allowed = ", ".join(sorted(PassportVersion.TRANSITIONS[version.status])) or "geen"
        raise ValidationError({"status": f"Versie {version.name} kan niet van '{version.status}' naar "
                                         f"'{status}' (toegestaan: {allowed})."})
    old = version.status
    version.status = status
    version.status_changed_at = now or timezone.now()
    version.save(update_fields=["status", "status_changed_at"])
    control_plane_audit(by=by, action="version.transition", obj=version, reason=reason,
                        details={"old": old, "new": status})


@transaction.atomic
def version_transition(*, version: PassportVersion, status: str, by, reason: str = "") -> PassportVersion:
    """A manual lifecycle move (e.g. retire a version); rollouts move versions themselves."""
    version = PassportVersion.objects.select_for_update().get(pk=version.pk)
    if status == PassportVersion.Status.RETIRED:
        in_use = (VersionPin.objects.filter(version=version, removed_at__isnull=True).exists()
                  or TenantVersionAssignment.objects.filter(version=version, until__isnull=True).exists())
        if in_use:
            raise ValidationError({"status": f"Versie {version.name} is nog in gebruik bij klanten."})
    if Rollout.objects.filter(version=version, status__in=_ACTIVE_ROLLOUT).exists():
        raise ValidationError({"status": f"Versie {version.name} heeft een lopende uitrol; gebruik de "
                                         "knoppen van de uitrol."})
    _version_move(version, status, by=by, reason=reason)
    return version


# --- rollouts --------------------------------------------------------------------------------

_ACTIVE_ROLLOUT = (Rollout.Status.DRAFT, Rollout.Status.RUNNING, Rollout.Status.PAUSED)
# action: (statuses it may start from, Dutch verb for the message)
ROLLOUT_ACTIONS = {
    "start": ((Rollout.Status.DRAFT,), "starten"),
    "advance": ((Rollout.Status.RUNNING,), "naar de volgende fase"),
    "pause": ((Rollout.Status.RUNNING,), "pauzeren"),
    "resume": ((Rollout.Status.PAUSED,), "hervatten"),
    "rollback": ((Rollout.Status.RUNNING, Rollout.Status.PAUSED), "terugdraaien"),
}


def _rollout_locked(rollout: Rollout, action: str) -> Rollout:
    rollout = Rollout.objects.select_for_update().select_related("version").get(pk=rollout.pk)
    allowed, verb = ROLLOUT_ACTIONS[action]
    if rollout.status not in allowed:
        raise ValidationError({"status": f"Uitrol {rollout} kan niet {verb} in status "
                                         f"'{rollout.get_status_display()}' (kan vanuit: "
                                         f"{', '.join(str(Rollout.Status(s).label) for s in allowed)})."})
    return rollout


@transaction.atomic
def rollout_create(*, version: PassportVersion, stages: list[dict], by) -> Rollout:
    """stages: [{"group": CustomerGroup | id | None (all remaining), "planned_start": datetime | None,
    "min_days_in_previous_stage": int, "block_on_open_blocking_feedback": bool}, ...] in order."""
    if version.status not in (PassportVersion.Status.DRAFT, PassportVersion.Status.PILOTING,
                              PassportVersion.Status.ROLLING_OUT):
        raise ValidationError({"version": f"Versie {version.name} is {version.get_status_display()}: "
                                          "er valt niets meer uit te rollen."})
    if Rollout.objects.filter(version=version, status__in=_ACTIVE_ROLLOUT).exists():
        raise ValidationError({"version": f"Versie {version.name} heeft al een uitrol die niet is afgerond."})
    if not stages:
        raise ValidationError({"stages": "Een uitrol heeft minstens één fase."})
    rollout = Rollout.objects.create(version=version, created_by=by if getattr(by, "pk", None) else None,
                                     created_by_label=actor_label(by))
    seen_all_remaining = False
    for order, spec in enumerate(stages, start=1):
        group = spec.get("group")
        if group is not None and not isinstance(group, CustomerGroup):
            group = CustomerGroup.objects.filter(pk=group).first()
            if group is None:
                raise ValidationError({"stages": f"Fase {order}: onbekende klantgroep {spec.get('group')}."})
        if seen_all_remaining:
            raise ValidationError({"stages": "'Alle overige klanten' is altijd de laatste fase."})
        seen_all_remaining = group is None
        min_days = spec.get("min_days_in_previous_stage") or 0
        if int(min_days) < 0:
            raise ValidationError({"stages": f"Fase {order}: minimaal aantal dagen kan niet negatief zijn."})
        RolloutStage.objects.create(
            rollout=rollout, order=order, group=group, planned_start=spec.get("planned_start"),
            min_days_in_previous_stage=int(min_days),
            block_on_open_blocking_feedback=bool(spec.get("block_on_open_blocking_feedback", True)))
    control_plane_audit(by=by, action="rollout.create", obj=rollout, details={"stages": [
        {"order": s.order, "target": s.target_label,
         "planned_start": s.planned_start.isoformat() if s.planned_start else None,
         "min_days": s.min_days_in_previous_stage, "block_on_feedback": s.block_on_open_blocking_feedback}
        for s in rollout.stages.select_related("group")]})
    return rollout


def stage_target_tenant_ids(stage: RolloutStage) -> list[int]:
    """The customers a stage brings to the version: its group, or everyone not on it yet."""
    if stage.group_id:
        qs = stage.group.tenants.exclude(schema_name="public")
    else:
        qs = Tenant.objects.exclude(schema_name="public")
    ids = list(qs.values_list("id", flat=True))
    on_version = set(TenantVersionAssignment.objects.filter(
        tenant_id__in=ids, until__isnull=True, version=stage.rollout.version_id).values_list("tenant_id", flat=True))
    return [i for i in ids if i not in on_version]


def _assign_stage(stage: RolloutStage, now) -> int:
    """Metadata only: close the tenants' current rows and open new ones, in bulk."""
    version = stage.rollout.version
    targets = stage_target_tenant_ids(stage)
    if not targets:
        return 0
    previous = dict(TenantVersionAssignment.objects.filter(tenant_id__in=targets, until__isnull=True)
                    .values_list("tenant_id", "version_id"))
    TenantVersionAssignment.objects.filter(tenant_id__in=targets, until__isnull=True).update(until=now)
    TenantVersionAssignment.objects.bulk_create([
        TenantVersionAssignment(tenant_id=t, version=version, previous_version_id=previous.get(t),
                                via_stage=stage, since=now, reason="rollout") for t in targets
    ], batch_size=2000)
    return len(targets)


def _check_gates(rollout: Rollout, stage: RolloutStage, previous: RolloutStage | None, now,
                 respect_planned_start: bool) -> None:
    if respect_planned_start and (stage.planned_start is None or stage.planned_start > now):
        raise ValidationError({"planned_start": f"Fase {stage.order} is nog niet aan de beurt "
                                                f"(gepland: {stage.planned_start or 'geen datum'})."})
    if previous is not None and stage.min_days_in_previous_stage and previous.started_at:
        allowed_from = previous.started_at + _dt.timedelta(days=stage.min_days_in_previous_stage)
        if now < allowed_from:
            raise ValidationError({"min_days_in_previous_stage": (
                f"Fase {stage.order} mag pas vanaf {timezone.localtime(allowed_from):%d-%m-%Y %H:%M} starten: "
                f"minimaal {stage.min_days_in_previous_stage} dagen na de start van fase {previous.order}.")})
    if stage.block_on_open_blocking_feedback:
        open_blocking = Feedback.objects.filter(version=rollout.version, blocking=True, resolved=False).count()
        if open_blocking:
            raise ValidationError({"feedback": (
                f"Er staat {open_blocking} blokkerende feedback open voor versie {rollout.version.name}; "
                f"fase {stage.order} wacht tot die is opgelost.")})


def _activate_stage(rollout: Rollout, stage: RolloutStage, now) -> int:
    count = _assign_stage(stage, now)
    stage.status = RolloutStage.Status.ACTIVE
    stage.started_at = now
    stage.tenant_count = count
    stage.save(update_fields=["status", "started_at", "tenant_count"])
    return count


@transaction.atomic
def rollout_start(*, rollout: Rollout, by, reason: str = "", now=None) -> Rollout:
    now = now or timezone.now()
    rollout = _rollout_locked(rollout, "start")
    stages = list(rollout.stages.select_related("group").order_by("order"))
    first = stages[0]
    _check_gates(rollout, first, None, now, respect_planned_start=False)
    if rollout.version.status == PassportVersion.Status.DRAFT:
        _version_move(rollout.version, PassportVersion.Status.PILOTING, by=by, reason=reason, now=now)
    if len(stages) == 1 and rollout.version.status == PassportVersion.Status.PILOTING and first.group_id is None:
        _version_move(rollout.version, PassportVersion.Status.ROLLING_OUT, by=by, reason=reason, now=now)
    count = _activate_stage(rollout, first, now)
    rollout.status = Rollout.Status.RUNNING
    rollout.started_at = now
    rollout.save(update_fields=["status", "started_at"])
    control_plane_audit(by=by, action="rollout.start", obj=rollout, reason=reason,
                        details={"stage": first.order, "target": first.target_label, "tenants": count})
    return rollout


@transaction.atomic
def rollout_advance(*, rollout: Rollout, by, reason: str = "", now=None,
                    respect_planned_start: bool = False) -> Rollout:
    """Finish the active stage and start the next (gates permitting); after the last stage
    the rollout is completed and the version becomes general."""
    now = now or timezone.now()
    rollout = _rollout_locked(rollout, "advance")
    stages = list(rollout.stages.select_related("group", "rollout__version").order_by("order"))
    active = next((s for s in stages if s.status == RolloutStage.Status.ACTIVE), None)
    following = next((s for s in stages if s.status == RolloutStage.Status.PENDING), None)
    if following is not None:
        _check_gates(rollout, following, active, now, respect_planned_start)
    if active is not None:
        active.status = RolloutStage.Status.DONE
        active.finished_at = now
        active.save(update_fields=["status", "finished_at"])
    version = rollout.version
    if following is None:
        rollout.status = Rollout.Status.COMPLETED
        rollout.finished_at = now
        rollout.save(update_fields=["status", "finished_at"])
        if version.status == PassportVersion.Status.PILOTING:
            _version_move(version, PassportVersion.Status.ROLLING_OUT, by=by, reason=reason, now=now)
        _version_move(version, PassportVersion.Status.GENERAL, by=by, reason=reason, now=now)
        control_plane_audit(by=by, action="rollout.complete", obj=rollout, reason=reason,
                            details={"last_stage": active.order if active else None})
        return rollout
    if version.status == PassportVersion.Status.PILOTING:
        _version_move(version, PassportVersion.Status.ROLLING_OUT, by=by, reason=reason, now=now)
    count = _activate_stage(rollout, following, now)
    control_plane_audit(by=by, action="rollout.advance", obj=rollout, reason=reason,
                        details={"stage": following.order, "target": following.target_label, "tenants": count,
                                 "automatic": by is None})
    return rollout


@transaction.atomic
def rollout_pause(*, rollout: Rollout, by, reason: str = "") -> Rollout:
    rollout = _rollout_locked(rollout, "pause")
    rollout.status = Rollout.Status.PAUSED
    rollout.save(update_fields=["status"])
    control_plane_audit(by=by, action="rollout.pause", obj=rollout, reason=reason)
    return rollout


@transaction.atomic
def rollout_resume(*, rollout: Rollout, by, reason: str = "") -> Rollout:
    rollout = _rollout_locked(rollout, "resume")
    rollout.status = Rollout.Status.RUNNING
    rollout.save(update_fields=["status"])
    control_plane_audit(by=by, action="rollout.resume", obj=rollout, reason=reason)
    return rollout


@transaction.atomic
def rollout_rollback(*, rollout: Rollout, by, reason: str, now=None) -> Rollout:
    """Every tenant this rollout moved returns to its previous version at once (bulk)."""
    reason = _require_reason(reason)
    now = now or timezone.now()
    rollout = _rollout_locked(rollout, "rollback")
    current = TenantVersionAssignment.objects.filter(via_stage__rollout=rollout, until__isnull=True)
    rows = list(current.values_list("tenant_id", "previous_version_id"))
    current.update(until=now)
    TenantVersionAssignment.objects.bulk_create([
        TenantVersionAssignment(tenant_id=t, version_id=prev, previous_version=rollout.version,
                                since=now, reason="rollback") for t, prev in rows], batch_size=2000)
    rollout.stages.filter(status__in=[RolloutStage.Status.ACTIVE, RolloutStage.Status.DONE]).update(
        status=RolloutStage.Status.ROLLED_BACK, finished_at=now)
    rollout.status = Rollout.Status.ROLLED_BACK
    rollout.finished_at = now
    rollout.save(update_fields=["status", "finished_at"])
    if rollout.version.status in (PassportVersion.Status.PILOTING, PassportVersion.Status.ROLLING_OUT):
        _version_move(rollout.version, PassportVersion.Status.DRAFT, by=by, reason=reason, now=now)
    control_plane_audit(by=by, action="rollout.rollback", obj=rollout, reason=reason,
                        details={"tenants": len(rows)})
    return rollout


def rollouts_advance_due(*, now=None) -> list[dict]:
    """Beat: advance each running rollout whose next stage's planned start has come and whose
    gates pass. A gate that holds is reported, not raised: the next run tries again."""
    now = now or timezone.now()
    report = []
    due = (RolloutStage.objects.filter(rollout__status=Rollout.Status.RUNNING, status=RolloutStage.Status.PENDING,
                                       planned_start__lte=now)
           .values_list("rollout_id", flat=True).distinct())
    for rollout in Rollout.objects.filter(pk__in=list(due)):
        try:
            rollout_advance(rollout=rollout, by=None, reason="geplande start", now=now, respect_planned_start=True)
            report.append({"rollout": rollout.pk, "advanced": True})
        except ValidationError as exc:
            log.info("rollout %s not advanced: %s", rollout.pk, exc)
            report.append({"rollout": rollout.pk, "advanced": False, "why": exc.messages})
    return report


# --- pins --------------------------------------------------------------------------------------

@transaction.atomic
def version_pin(*, tenant: Tenant, version: PassportVersion, reason: str, by) -> VersionPin:
    reason = _require_reason(reason)
    if tenant.is_public:
        raise ValidationError({"tenant": "Alleen klanten krijgen een versie."})
    if version.status == PassportVersion.Status.RETIRED:
        raise ValidationError({"version": f"Versie {version.name} is uitgefaseerd."})
    now = timezone.now()
    old = VersionPin.objects.select_for_update().filter(tenant=tenant, removed_at__isnull=True).first()
    if old is not None:
        old.removed_at = now
        old.removed_by_label = actor_label(by)
        old.save(update_fields=["removed_at", "removed_by_label"])
    pin = VersionPin.objects.create(tenant=tenant, version=version, reason=reason,
                                    by=by if getattr(by, "pk", None) else None, by_label=actor_label(by))
    control_plane_audit(by=by, action="version.pin", obj=tenant, reason=reason,
                        details={"version": version.name, "replaced": old.version.name if old else None})
    return pin


@transaction.atomic
def version_unpin(*, tenant: Tenant, by, reason: str = "") -> None:
    pin = VersionPin.objects.select_for_update().filter(tenant=tenant, removed_at__isnull=True).first()
    if pin is None:
        raise ValidationError({"tenant": f"{tenant} heeft geen vastgezette versie."})
    pin.removed_at = timezone.now()
    pin.removed_by_label = actor_label(by)
    pin.save(update_fields=["removed_at", "removed_by_label"])
    control_plane_audit(by=by, action="version.unpin", obj=tenant, reason=reason,
                        details={"version": pin.version.name})


# --- feedback ----------------------------------------------------------------------------------

@transaction.atomic
def feedback_submit(*, tenant: Tenant, version: PassportVersion, author_email: str, text: str,
                    author_name: str = "", by=None) -> Feedback:
    if tenant.is_public:
        raise ValidationError({"tenant": "Feedback komt van klanten."})
    feedback = Feedback(tenant=tenant, version=version, author_email=(author_email or "").strip().lower(),
                        author_name=(author_name or "").strip()[:200], text=(text or "").strip())
    feedback.full_clean()
    feedback.save()
    control_plane_audit(by=None, action="feedback.submit", obj=feedback, tenant=tenant,
                        actor_label_override=f"{feedback.author_email} ({tenant.slug})",
                        details={"version": version.name})
    return feedback


@transaction.atomic
def feedback_mark(*, feedback: Feedback, by, blocking: bool | None = None, resolved: bool | None = None,
                  reason: str = "") -> Feedback:
    if blocking is None and resolved is None:
        raise ValidationError({"blocking": "Geef blokkerend en/of opgelost op."})
    old = {"blocking": feedback.blocking, "resolved": feedback.resolved}
    if blocking is not None:
        feedback.blocking = bool(blocking)
    if resolved is not None:
        feedback.resolved = bool(resolved)
    feedback.marked_by_label = actor_label(by)
    feedback.marked_at = timezone.now()
    feedback.save(update_fields=["blocking", "resolved", "marked_by_label", "marked_at"])
    control_plane_audit(by=by, action="feedback.mark", obj=feedback, tenant=feedback.tenant, reason=reason,
                        details={"old": old, "new": {"blocking": feedback.blocking, "resolved": feedback.resolved}})
    return feedback


# --- support sessions ----------------------------------------------------------------------------

def support_email_for(staff_id) -> str:
    return f"support+{staff_id}@vendor.invalid"


@transaction.atomic
def support_session_open(*, tenant: Tenant, staff, reason: str, minutes: int = 60) -> SupportSession:
    """Vendor staff opens a time-boxed session (at most 4 hours) on one customer."""
    reason = _require_reason(reason)
    if staff is None or not getattr(staff, "is_staff", False) or connection.schema_name != "public":
        raise ValidationError({"staff": "Alleen medewerkers van de leverancier openen een supportsessie."})
    if tenant.is_public:
        raise ValidationError({"tenant": "Kies een klant."})
    if tenant.is_suspended:
        raise ValidationError({"tenant": f"{tenant} is opgeschort."})
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        raise ValidationError({"minutes": "Geef de duur in minuten."})
    if not 1 <= minutes <= SupportSession.MAX_MINUTES:
        raise ValidationError({"minutes": f"Een supportsessie duurt 1 tot {SupportSession.MAX_MINUTES} minuten "
                                          "(maximaal 4 uur)."})
    now = timezone.now()
    session = SupportSession.objects.create(staff=staff, staff_email=staff.email, tenant=tenant, reason=reason,
                                            started_at=now, expires_at=now + _dt.timedelta(minutes=minutes))
    control_plane_audit(by=staff, action="support.open", obj=session, tenant=tenant, reason=reason,
                        details={"minutes": minutes, "expires_at": session.expires_at.isoformat()})
    return session


def support_session_token(*, session: SupportSession) -> str:
    """The one-time link's token: signed session id and tenant schema, valid for minutes."""
    return signing.dumps({"sid": session.pk, "schema": session.tenant.schema_name}, salt=SUPPORT_TOKEN_SALT)


def support_session_url(*, session: SupportSession, scheme: str = "https", port: str = "") -> str:
    """The absolute one-time link to the tenant's subdomain."""
    from django.urls import reverse

    path = reverse("releases:support-enter", args=[support_session_token(session=session)],
                   urlconf=settings.ROOT_URLCONF)
    host = tenant_domain_for(session.tenant.slug)
    if port and str(port) not in ("80", "443"):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{path}"


@transaction.atomic
def support_session_enter(*, token: str, tenant: Tenant, now=None):
    """On the tenant's host: check the link and make or reactivate the marked support user.

    Returns (session, user); the caller logs the user in and keeps the session id."""
    from apps.accounts.models import Role, User
    from apps.audit.services import audit_record

    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=SUPPORT_TOKEN_SALT, max_age=SUPPORT_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError({"token": "Deze supportlink is verlopen; open een nieuwe sessie."})
    except signing.BadSignature:
        raise ValidationError({"token": "Ongeldige supportlink."})
    if data.get("schema") != tenant.schema_name:
        raise ValidationError({"token": "Deze supportlink hoort bij een andere klant."})
    session = SupportSession.objects.select_for_update().filter(pk=data.get("sid"), tenant=tenant).first()
    if session is None or not session.is_open(now):
        raise ValidationError({"token": "Deze supportsessie is beëindigd of verlopen."})
    if session.entered_at is not None:
        raise ValidationError({"token": "Deze supportlink is al gebruikt."})
    session.entered_at = now
    session.save(update_fields=["entered_at"])
    user, _ = User.objects.get_or_create(
        email=support_email_for(session.staff_id or session.staff_email),
        defaults={"first_name": "Support", "last_name": session.staff_email, "is_support": True})
    user.is_support = user.is_staff = user.is_superuser = user.is_active = True
    user.roles = [Role.TENANT_ADMIN]
    user.set_unusable_password()
    user.save()
    audit_record(by=user, action="support.enter", obj=session, object_type="supportsession",
                 object_label=f"supportsessie van {session.staff_email}", reason=session.reason,
                 new={"expires_at": session.expires_at})
    control_plane_audit(by=None, action="support.enter", obj=session, tenant=tenant, reason=session.reason,
                        actor_label_override=session.staff_email)
    return session, user


@transaction.atomic
def support_session_end(*, session: SupportSession, by, reason: str = "") -> SupportSession:
    session = SupportSession.objects.select_for_update().get(pk=session.pk)
    if session.ended_at is not None:
        raise ValidationError({"status": "Deze supportsessie is al beëindigd."})
    session.ended_at = timezone.now()
    session.ended_by_label = actor_label(by)
    session.save(update_fields=["ended_at", "ended_by_label"])
    control_plane_audit(by=by, action="support.end", obj=session, tenant=session.tenant, reason=reason)
    return session


def support_session_record_action(*, session: SupportSession, user, method: str, path: str,
                                  status_code: int) -> None:
    """Every change made through a support session lands in both audits (tenant and vendor)."""
    from apps.audit.services import audit_record

    with transaction.atomic():
        audit_record(by=user, action="support.request", object_type="request", object_label=f"{method} {path}",
                     new={"status": status_code}, reason=session.reason)
        control_plane_audit(by=None, action="support.request", obj=session, tenant=session.tenant,
                            reason=session.reason, actor_label_override=session.staff_email,
                            details={"method": method, "path": path, "status": status_code})
        SupportSession.objects.filter(pk=session.pk).update(actions=F("actions") + 1)


# --- impact preview ------------------------------------------------------------------------------

IMPACT_PREVIEW_MODULES = {Tenant.Kind.CARE: "apps.competences.selectors",
                          Tenant.Kind.EDUCATION: "apps.funding.selectors"}


def rollout_next_stage(rollout: Rollout) -> RolloutStage | None:
    return rollout.stages.filter(status=RolloutStage.Status.PENDING).select_related("group").order_by("order").first()


def rollout_impact_preview_start(*, rollout: Rollout, by, stage: RolloutStage | None = None,
                                 sample: int = 5):
    """Queue a dry run of the version's rules on the next stage's tenants; returns the Job."""
    from apps.jobs.services import job_create

    stage = stage or rollout_next_stage(rollout)
    if stage is None or stage.rollout_id != rollout.pk:
        raise ValidationError({"stage": "Er is geen volgende fase om vooraf door te rekenen."})
    if stage.status != RolloutStage.Status.PENDING:
        raise ValidationError({"stage": f"Fase {stage.order} is al gestart."})
    connection.set_schema_to_public()
    with transaction.atomic():
        job = job_create(kind="rollout.impact_preview", by=by,
                         label=f"Impactanalyse {rollout.version.name}, fase {stage.order} ({stage.target_label})",
                         params={"rollout_id": rollout.pk, "stage_id": stage.pk, "sample": int(sample)})
        RolloutStage.objects.filter(pk=stage.pk).update(preview_job_id=job.pk)
        control_plane_audit(by=by, action="rollout.impact_preview", obj=rollout,
                            details={"stage": stage.order, "job": str(job.pk)})

        def _queue():
            from tenants.tasks import rollout_impact_preview

            rollout_impact_preview.delay(str(job.pk))

        transaction.on_commit(_queue)
    return job


def _normalise_counts(counts) -> list[dict]:
    if isinstance(counts, dict):
        out = []
        for key, n in counts.items():
            old, _, new = str(key).replace("->", "→").partition("→")
            out.append({"old": old.strip(), "new": new.strip(), "count": int(n)})
        return out
    return [{"old": c.get("old"), "new": c.get("new"), "count": int(c.get("count", 0))} for c in counts or []]


def tenant_impact_preview(*, tenant: Tenant, version: PassportVersion, sample: int = 5) -> dict:
    """One tenant's dry run through its domain app's `selectors.impact_preview`, if present."""
    import importlib

    entry = {"tenant_id": tenant.pk, "slug": tenant.slug, "name": tenant.name, "kind": tenant.kind}
    rules_version = version.care_rules_version if tenant.kind == Tenant.Kind.CARE else version.funding_rules_version
    entry["rules_version"] = rules_version
    try:
        module = importlib.import_module(IMPACT_PREVIEW_MODULES[tenant.kind])
    except ImportError:
        module = None
    preview = getattr(module, "impact_preview", None)
    if preview is None:
        return {**entry, "state": "no_data"}
    try:
        with schema_context(tenant.schema_name):
            data = preview(rules_version, sample) or {}
    except Exception as exc:  # one tenant's broken data must not stop the others' preview
        log.exception("impact preview failed for %s", tenant.slug)
        return {**entry, "state": "error", "message": str(exc)[:500]}
    finally:
        connection.set_schema_to_public()
    counts = _normalise_counts(data.get("counts"))
    return {**entry, "state": "ok", "total": int(data.get("total", 0)),
            "changed": int(data.get("changed", sum(c["count"] for c in counts if c["old"] != c["new"]))),
            "counts": counts, "sample": list(data.get("sample") or [])[:sample]}


def rollout_impact_preview_run(*, job_id) -> dict:
    """The task's body: tenant by tenant, progress after each, the summary in the Job."""
    from apps.jobs.models import Job
    from apps.jobs.services import job_finish, job_set_progress, job_start

    connection.set_schema_to_public()
    job = Job.objects.get(pk=job_id)
    stage = RolloutStage.objects.select_related("rollout__version", "group").get(pk=job.params["stage_id"])
    version = stage.rollout.version
    tenants = list(Tenant.objects.filter(pk__in=stage_target_tenant_ids(stage)).order_by("name"))
    job_start(job_id=job_id, total=len(tenants))
    results, totals = [], Counter()
    for done, tenant in enumerate(tenants, start=1):
        entry = tenant_impact_preview(tenant=tenant, version=version, sample=job.params.get("sample", 5))
        results.append(entry)
        for c in entry.get("counts", []):
            totals[(c["old"], c["new"])] += c["count"]
        job_set_progress(job_id=job_id, done=done, message=tenant.name)
    summary = {
        "version": version.name, "stage": stage.order, "tenants": results,
        "totals": [{"old": o, "new": n, "count": k} for (o, n), k in sorted(totals.items())],
        "changed": sum(k for (o, n), k in totals.items() if o != n),
        "no_data": sum(1 for r in results if r["state"] == "no_data"),
    }
    job_finish(job_id=job_id, result=summary, message="")
    return summary
