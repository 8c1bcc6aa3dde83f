"""The control plane (public schema): customer organisations and their domains.

Further control-plane models (customer groups, passport versions, rollouts, feedback,
support sessions) live beside these.
"""
from __future__ import annotations

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
