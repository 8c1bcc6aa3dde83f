"""Reads of the control plane for screens, APIs and the gating function."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from tenants.models import (
    ControlPlaneAuditEntry, CustomerGroup, Feedback, PassportVersion, Rollout, RolloutStage,
    SupportSession, Tenant, TenantVersionAssignment, VersionPin,
)


@dataclass(frozen=True)
class EffectiveVersion:
    version: PassportVersion | None
    source: str  # "pin", "rollout", "default" (newest general version) or "none"
    since: datetime | None = None


def default_version() -> PassportVersion | None:
    """The version of tenants that no rollout reached: the newest general one."""
    return (PassportVersion.objects.filter(status=PassportVersion.Status.GENERAL)
            .order_by("-status_changed_at", "-created_at", "-id").first())


def effective_version_for(*, tenant: Tenant) -> EffectiveVersion:
    """A pin wins; then the current rollout assignment; then the default version."""
    pin = VersionPin.objects.filter(tenant=tenant, removed_at__isnull=True).select_related("version").first()
    if pin is not None:
        return EffectiveVersion(pin.version, "pin", pin.at)
    current = (TenantVersionAssignment.objects.filter(tenant=tenant, until__isnull=True)
               .select_related("version").first())
    if current is not None and current.version is not None:
        return EffectiveVersion(current.version, "rollout", current.since)
    version = default_version()
    return EffectiveVersion(version, "default" if version else "none", None)


def effective_versions_all_tenants() -> dict[int, EffectiveVersion]:
    """Every customer's effective version in three queries (dashboard, tenant list)."""
    default = default_version()
    pins = {p.tenant_id: p for p in VersionPin.objects.filter(removed_at__isnull=True).select_related("version")}
    current = {a.tenant_id: a for a in TenantVersionAssignment.objects.filter(until__isnull=True)
               .select_related("version")}
    result = {}
    for tenant_id in Tenant.objects.exclude(schema_name="public").values_list("id", flat=True):
        if tenant_id in pins:
            result[tenant_id] = EffectiveVersion(pins[tenant_id].version, "pin", pins[tenant_id].at)
        elif tenant_id in current and current[tenant_id].version is not None:
            result[tenant_id] = EffectiveVersion(current[tenant_id].version, "rollout", current[tenant_id].since)
        else:
            result[tenant_id] = EffectiveVersion(default, "default" if default else "none", None)
    return result


def tenant_list() -> list[Tenant]:
    """Customers (not the public row) with their groups and effective version attached."""
    versions = effective_versions_all_tenants()
    tenants = list(Tenant.objects.exclude(schema_name="public").prefetch_related("customer_groups"))
    for t in tenants:
        t.effective = versions.get(t.id)
    return tenants


def tenants_per_version() -> list[dict]:
    counts = Counter((ev.version.name if ev.version else "—") for ev in effective_versions_all_tenants().values())
    total = sum(counts.values()) or 1
    return [{"name": name, "count": n, "percent": round(100 * n / total)}
            for name, n in sorted(counts.items())]


def version_history_for(*, tenant: Tenant):
    return (TenantVersionAssignment.objects.filter(tenant=tenant)
            .select_related("version", "previous_version", "via_stage__rollout"))


def group_list():
    return CustomerGroup.objects.annotate(tenant_count=Count("tenants")).prefetch_related("tenants")


def version_list():
    return PassportVersion.objects.annotate(
        open_blocking=Count("feedback", filter=Q(feedback__blocking=True, feedback__resolved=False)),
        feedback_count=Count("feedback"))


def rollout_list():
    return Rollout.objects.select_related("version").prefetch_related(
        Prefetch("stages", queryset=RolloutStage.objects.select_related("group")))


def rollout_detail(*, rollout_id: int) -> Rollout:
    return rollout_list().get(pk=rollout_id)


def open_blocking_feedback_count(*, version: PassportVersion) -> int:
    return Feedback.objects.filter(version=version, blocking=True, resolved=False).count()


def feedback_list(*, version_id=None, tenant_id=None):
    qs = Feedback.objects.select_related("tenant", "version")
    if version_id:
        qs = qs.filter(version_id=version_id)
    if tenant_id:
        qs = qs.filter(tenant_id=tenant_id)
    return qs


def feedback_for_tenant(*, tenant: Tenant):
    """One tenant's own feedback, never another's."""
    return Feedback.objects.filter(tenant=tenant).select_related("version")


def support_sessions(*, tenant_id=None, open_only: bool = False):
    qs = SupportSession.objects.select_related("tenant")
    if tenant_id:
        qs = qs.filter(tenant_id=tenant_id)
    if open_only:
        qs = qs.filter(ended_at__isnull=True, expires_at__gt=timezone.now())
    return qs


def support_sessions_for_tenant(*, tenant: Tenant):
    """Current and past support sessions of this tenant only (for its administrators)."""
    return SupportSession.objects.filter(tenant=tenant)


def audit_entries(*, tenant_id=None, limit: int = 200):
    qs = ControlPlaneAuditEntry.objects.select_related("tenant")
    if tenant_id:
        qs = qs.filter(tenant_id=tenant_id)
    return qs[:limit]
