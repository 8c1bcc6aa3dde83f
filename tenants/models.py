"""The control plane (public schema): customer organisations and their domains.

Further control-plane models (customer groups, passport versions, rollouts, feedback,
support sessions) live beside these.
"""
from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"
RESERVED_SLUGS = frozenset({
    "public", "www", "admin", "api", "static", "media", "app", "mail", "smtp", "ftp",
    "support", "status", "help", "docs", "login", "auth", "assets", "cdn", "test",
    "template", "tenant-template", "root", "system", "postgres", "vendor", "healthz",
})


class Tenant(TenantMixin):
    class Kind(models.TextChoices):
        CARE = "care", _("Zorg")
        EDUCATION = "education", _("Onderwijs")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Actief")
        SUSPENDED = "suspended", _("Opgeschort")

    slug = models.CharField(
        _("subdomein"), max_length=40, unique=True,
        validators=[RegexValidator(SLUG_PATTERN, _("Alleen kleine letters, cijfers en koppeltekens."))],
    )
    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_on = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)

    # Schemas are created by tenants.services.tenant_create (cloned from the template),
    # never implicitly by save().
    auto_create_schema = False
    clone_mode = "NODATA"

    class Meta:
        ordering = ["name"]
        verbose_name = _("klant")
        verbose_name_plural = _("klanten")

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.schema_name == "public"

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domein")
        verbose_name_plural = _("domeinen")


# --- customer groups, passport versions, rollouts -------------------------------------------

class CustomerGroup(models.Model):
    """A named set of tenants (pilot group, wave 1 ...); a tenant may be in several."""

    name = models.CharField(_("naam"), max_length=100, unique=True)
    slug = models.SlugField(_("code"), max_length=50, unique=True)
    description = models.TextField(_("omschrijving"), blank=True)
    tenants = models.ManyToManyField(Tenant, related_name="customer_groups", blank=True,
                                     verbose_name=_("klanten"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("klantgroep")
        verbose_name_plural = _("klantgroepen")

    def __str__(self) -> str:
        return self.name


class PassportVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("concept")
        PILOTING = "piloting", _("pilot")
        ROLLING_OUT = "rolling_out", _("wordt uitgerold")
        GENERAL = "general", _("algemeen")
        RETIRED = "retired", _("uitgefaseerd")

    # Legal lifecycle moves. Back to draft only after a rollback.
    TRANSITIONS = {
        "draft": {"piloting", "retired"},
        "piloting": {"rolling_out", "draft", "retired"},
        "rolling_out": {"general", "draft", "retired"},
        "general": {"retired"},
        "retired": set(),
    }

    name = models.CharField(_("versie"), max_length=40, unique=True,
                            validators=[RegexValidator(r"^[0-9A-Za-z][0-9A-Za-z.\-]*$",
                                                       _("Bijvoorbeeld 2026.4."))])
    release_notes_nl = models.TextField(_("release notes (Nederlands)"), blank=True)
    release_notes_en = models.TextField(_("release notes (Engels)"), blank=True)
    features = models.JSONField(_("functies"), default=list, blank=True)
    care_rules_version = models.CharField(_("regelset zorg"), max_length=40)
    funding_rules_version = models.CharField(_("regelset bekostiging"), max_length=40)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("paspoortversie")
        verbose_name_plural = _("paspoortversies")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        from tenants.features import FEATURES

        errors = {}
        if not isinstance(self.features, list) or not all(isinstance(k, str) for k in self.features):
            errors["features"] = _("Een lijst van functiesleutels.")
        else:
            unknown = sorted(set(self.features) - set(FEATURES))
            if unknown:
                errors["features"] = _("Onbekende functie: %(keys)s") % {"keys": ", ".join(unknown)}
            self.features = sorted(set(self.features))
        from apps.competences import rules as care_rules
        from apps.funding import rules as funding_rules

        if self.care_rules_version not in care_rules.RULE_SETS:
            errors["care_rules_version"] = _("Onbekende regelset: %(v)s (bekend: %(known)s)") % {
                "v": self.care_rules_version, "known": ", ".join(care_rules.RULE_SETS)}
        if self.funding_rules_version not in {r.version for r in funding_rules.RULE_SETS}:
            errors["funding_rules_version"] = _("Onbekende regelset: %(v)s (bekend: %(known)s)") % {
                "v": self.funding_rules_version,
                "known": ", ".join(r.version for r in funding_rules.RULE_SETS)}
        if errors:
            raise ValidationError(errors)

    def release_notes(self, language: str) -> str:
        if (language or "").startswith("en") and self.release_notes_en:
            return self.release_notes_en
        return self.release_notes_nl or self.release_notes_en


class Rollout(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("concept")
        RUNNING = "running", _("loopt")
        PAUSED = "paused", _("gepauzeerd")
        COMPLETED = "completed", _("voltooid")
        ROLLED_BACK = "rolled_back", _("teruggedraaid")

    version = models.ForeignKey(PassportVersion, on_delete=models.PROTECT, related_name="rollouts",
                                verbose_name=_("versie"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("uitrol")
        verbose_name_plural = _("uitrollen")

    def __str__(self) -> str:
        return f"{self.version.name} #{self.pk}"


class RolloutStage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("gepland")
        ACTIVE = "active", _("actief")
        DONE = "done", _("afgerond")
        ROLLED_BACK = "rolled_back", _("teruggedraaid")

    rollout = models.ForeignKey(Rollout, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(_("volgorde"))
    # No group: "all remaining" tenants.
    group = models.ForeignKey(CustomerGroup, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="rollout_stages", verbose_name=_("klantgroep"))
    planned_start = models.DateTimeField(_("geplande start"), null=True, blank=True)
    min_days_in_previous_stage = models.PositiveSmallIntegerField(_("minimaal dagen in vorige fase"), default=0)
    block_on_open_blocking_feedback = models.BooleanField(_("wacht op open blokkerende feedback"), default=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    tenant_count = models.PositiveIntegerField(default=0)
    preview_job_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["rollout", "order"]
        constraints = [models.UniqueConstraint(fields=["rollout", "order"], name="rollout_stage_order_unique")]
        verbose_name = _("uitrolfase")
        verbose_name_plural = _("uitrolfasen")

    def __str__(self) -> str:
        return f"{self.order}. {self.target_label}"

    @property
    def target_label(self) -> str:
        return self.group.name if self.group_id else str(_("alle overige klanten"))


class TenantVersionAssignment(models.Model):
    """The history of a tenant's version through rollouts; the row with `until` empty is
    current. Rollback ends the current row and opens one with `previous_version`."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="version_assignments")
    version = models.ForeignKey(PassportVersion, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    previous_version = models.ForeignKey(PassportVersion, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    via_stage = models.ForeignKey(RolloutStage, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="assignments")
    since = models.DateTimeField()
    until = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=40, default="rollout")  # rollout / rollback

    class Meta:
        ordering = ["-since", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant"], condition=models.Q(until__isnull=True),
                                               name="one_current_version_per_tenant")]
        indexes = [models.Index(fields=["via_stage", "until"])]


class VersionPin(models.Model):
    """Support fixes a tenant to a version; takes precedence over rollouts until removed."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="version_pins")
    version = models.ForeignKey(PassportVersion, on_delete=models.PROTECT, related_name="pins")
    reason = models.TextField(_("reden"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    by_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant"], condition=models.Q(removed_at__isnull=True),
                                               name="one_active_pin_per_tenant")]


class Feedback(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="feedback")
    version = models.ForeignKey(PassportVersion, on_delete=models.PROTECT, related_name="feedback")
    author_email = models.EmailField(_("e-mailadres"))
    author_name = models.CharField(_("naam"), max_length=200, blank=True)
    text = models.TextField(_("feedback"))
    created_at = models.DateTimeField(auto_now_add=True)
    blocking = models.BooleanField(_("blokkerend"), default=False)
    resolved = models.BooleanField(_("opgelost"), default=False)
    marked_by_label = models.CharField(max_length=200, blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["version", "blocking", "resolved"])]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.tenant} / {self.version}: {self.text[:40]}"


class SupportSession(models.Model):
    """A vendor staff member's time-boxed, audited access to one tenant's admin."""

    MAX_MINUTES = 240

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    staff_email = models.EmailField()
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="support_sessions")
    reason = models.TextField(_("reden"))
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    entered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by_label = models.CharField(max_length=200, blank=True)
    actions = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("supportsessie")
        verbose_name_plural = _("supportsessies")

    def __str__(self) -> str:
        return f"{self.staff_email} → {self.tenant} ({self.started_at:%Y-%m-%d %H:%M})"

    def is_open(self, now=None) -> bool:
        from django.utils import timezone

        now = now or timezone.now()
        return self.ended_at is None and self.expires_at > now


class ControlPlaneAuditEntry(models.Model):
    """Every control-plane action: who, when, what, on what, why. Rows are only added."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=300, blank=True)
    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("auditregel control plane")
        verbose_name_plural = _("audit control plane")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"
