"""The care passport: what is required of each person, what they have proven, and the
status that follows.

- Catalogue: ``Competence`` with its requirement parts (``EvidenceRequirement`` per kind
  with its validity, practice minimum, warning window, which professions are authorised).
- Requirements: ``Profile`` (department or function, owned by an org unit) linked to people
  or whole org units by ``ProfileLink`` (from/until).
- Facts: ``Evidence``, ``PracticeRecord``, ``Exemption``, ``NotApplicable``, ``Revocation``,
  ``Order`` (authorisation by opdracht).
- Decisions: ``CompetenceStatus`` (materialised, one row per person x required competence)
  and ``CompetenceStatusHistory`` (every change, with the dates it held, so the passport of
  any past date is a query). Decided by ``rules.decide`` through ``services.statuses_recompute``.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.competences import rules


class Category(models.TextChoices):
    RESERVED = "reserved", _("Voorbehouden handeling")
    RISKY = "risky", _("Risicovolle handeling")
    OTHER = "other", _("Overig")


class EvidenceKind(models.TextChoices):
    THEORY = "theory", _("Theorie")
    PRACTICAL = "practical", _("Praktijktoets")
    ELEARNING = "elearning", _("E-learning")
    CERTIFICATE = "certificate", _("Certificaat")


class Status(models.TextChoices):
    COMPETENT = rules.COMPETENT, _("Bekwaam")
    EXPIRING = rules.EXPIRING, _("Verloopt binnenkort")
    EXPIRED = rules.EXPIRED, _("Verlopen")
    IN_PROGRESS = rules.IN_PROGRESS, _("Bezig")
    MISSING = rules.MISSING, _("Ontbreekt")
    EXEMPT = rules.EXEMPT, _("Vrijgesteld")
    NOT_APPLICABLE = rules.NOT_APPLICABLE, _("Niet van toepassing")
    REVOKED = rules.REVOKED, _("Ingetrokken")


class Competence(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    category = models.CharField(_("categorie"), max_length=20, choices=Category.choices, default=Category.OTHER)
    description = models.TextField(_("omschrijving"), blank=True)
    practice_count = models.PositiveIntegerField(_("praktijk: minimaal aantal"), null=True, blank=True)
    practice_months = models.PositiveIntegerField(_("praktijk: in maanden"), null=True, blank=True)
    practice_verified_only = models.BooleanField(_("praktijk: alleen geverifieerd"), default=False)
    warning_days = models.PositiveIntegerField(_("waarschuwen (dagen)"), null=True, blank=True,
                                               help_text=_("Leeg: standaard van de regelset (60)."))
    # Professions (apps.organisation.models.Profession) that may perform it independently.
    authorised_professions = ArrayField(models.CharField(max_length=30), default=list, blank=True,
                                        verbose_name=_("zelfstandig bevoegde beroepen"))
    is_active = models.BooleanField(_("actief"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("bekwaamheid")
        verbose_name_plural = _("bekwaamheden")
        constraints = [
            models.CheckConstraint(
                condition=(Q(practice_count__isnull=True) & Q(practice_months__isnull=True))
                | (Q(practice_count__gte=1) & Q(practice_months__gte=1)),
                name="competence_practice_both_or_none"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class EvidenceRequirement(models.Model):
    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="requirements")
    kind = models.CharField(_("soort bewijs"), max_length=20, choices=EvidenceKind.choices)
    validity_months = models.PositiveIntegerField(_("geldigheid (maanden)"))

    class Meta:
        ordering = ["competence", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["competence", "kind"], name="evidence_requirement_unique_kind"),
            models.CheckConstraint(condition=Q(validity_months__gte=1), name="evidence_requirement_validity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.competence.code}: {self.kind} {self.validity_months} mnd"


class Profile(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Afdelingsprofiel")
        FUNCTION = "function", _("Functieprofiel")

    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    org_unit = models.ForeignKey("organisation.OrgUnit", on_delete=models.PROTECT, related_name="profiles",
                                 verbose_name=_("eigenaar"))
    description = models.TextField(_("omschrijving"), blank=True)
    competences = models.ManyToManyField(Competence, blank=True, related_name="profiles",
                                         verbose_name=_("bekwaamheden"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("profiel")
        verbose_name_plural = _("profielen")

    def __str__(self) -> str:
        return self.name


class ProfileLink(models.Model):
    """A profile required of one person, or of every member of an org unit (and its subunits),
    from ``valid_from`` through ``valid_until`` (inclusive; open-ended when empty)."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="links")
    person = models.ForeignKey("organisation.Person", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="profile_links")
    org_unit = models.ForeignKey("organisation.OrgUnit", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="profile_links")
    valid_from = models.DateField(_("vanaf"))
    valid_until = models.DateField(_("tot en met"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["profile", "valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(org_unit__isnull=True))
                | (Q(person__isnull=True) & Q(org_unit__isnull=False)),
                name="profile_link_person_xor_unit"),
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                                   name="profile_link_until_after_from"),
        ]

    def __str__(self) -> str:
        target = self.person or self.org_unit
        return f"{self.profile} → {target}"


class Evidence(models.Model):
    person = models.ForeignKey("organisation.Person", on_delete=models.PROTECT, related_name="evidence")
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("soort bewijs"), max_length=20, choices=EvidenceKind.choices)
    achieved_on = models.DateField(_("behaald op"))
    passed = models.BooleanField(_("geslaagd"), default=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assessed_evidence", verbose_name=_("beoordelaar"))
    valid_until = models.DateField(_("geldig tot (afwijkend)"), null=True, blank=True)
    file = models.FileField(_("bestand"), upload_to="evidence/%Y/", blank=True)
    note = models.TextField(_("toelichting"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-achieved_on", "-id"]
        verbose_name = _("bewijs")
        verbose_name_plural = _("bewijzen")
        indexes = [models.Index(fields=["person", "competence"])]

    def __str__(self) -> str:
        return f"{self.competence.code} {self.kind} {self.achieved_on}"


class PracticeRecord(models.Model):
    person = models.ForeignKey("organisation.Person", on_delete=models.PROTECT, related_name="practice_records")
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="practice_records")
    performed_on = models.DateField(_("uitgevoerd op"))
    count = models.PositiveIntegerField(_("aantal"), default=1)
    note = models.TextField(_("toelichting"), blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("geverifieerd door"))
    verified_at = models.DateTimeField(_("geverifieerd op"), null=True, blank=True)
    rejected = models.BooleanField(_("afgewezen"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-performed_on", "-id"]
        verbose_name = _("praktijkervaring")
        verbose_name_plural = _("praktijkervaringen")
        indexes = [models.Index(fields=["person", "competence"])]
        constraints = [models.CheckConstraint(condition=Q(count__gte=1), name="practice_count_positive")]

    def __str__(self) -> str:
        return f"{self.competence.code} {self.performed_on} ×{self.count}"


class PeriodMark(models.Model):
    """Exemption, not-applicable mark or revocation: active from ``start`` through ``until``."""

    person = models.ForeignKey("organisation.Person", on_delete=models.PROTECT, related_name="+")
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="+")
    start = models.DateField(_("vanaf"))
    until = models.DateField(_("tot en met"), null=True, blank=True)
    reason = models.TextField(_("reden"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("door"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["person", "competence"])]

    def __str__(self) -> str:
        return f"{self.competence.code} {self.start}–{self.until or '…'}"


def _period_constraints(name: str):
    return [models.CheckConstraint(condition=Q(until__isnull=True) | Q(until__gte=models.F("start")),
                                   name=f"{name}_until_after_start")]


class Exemption(PeriodMark):
    class Meta(PeriodMark.Meta):
        verbose_name = _("vrijstelling")
        verbose_name_plural = _("vrijstellingen")
        constraints = _period_constraints("exemption")


class NotApplicable(PeriodMark):
    class Meta(PeriodMark.Meta):
        verbose_name = _("niet van toepassing")
        verbose_name_plural = _("niet van toepassing")
        constraints = _period_constraints("not_applicable")


class Revocation(PeriodMark):
    class Meta(PeriodMark.Meta):
        verbose_name = _("intrekking")
        verbose_name_plural = _("intrekkingen")
        constraints = _period_constraints("revocation")


class Order(models.Model):
    """Authorisation by order (opdracht) of an independently authorised professional."""

    person = models.ForeignKey("organisation.Person", on_delete=models.PROTECT, related_name="orders")
    competence = models.ForeignKey(Competence, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   help_text=_("Leeg: voor alle bekwaamheden."))
    given_by = models.CharField(_("opdrachtgever"), max_length=200)
    description = models.CharField(_("omschrijving"), max_length=300, blank=True)
    start = models.DateField(_("vanaf"))
    until = models.DateField(_("tot en met"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("opdracht")
        verbose_name_plural = _("opdrachten")
        constraints = _period_constraints("order")

    def __str__(self) -> str:
        return f"{self.given_by}: {self.description or (self.competence.code if self.competence else '*')}"


class CompetenceStatus(models.Model):
    """The current decision for one person x required competence (materialised)."""

    person = models.ForeignKey("organisation.Person", on_delete=models.CASCADE, related_name="statuses")
    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="statuses")
    status = models.CharField(max_length=20, choices=Status.choices)
    valid_until = models.DateField(null=True, blank=True)
    next_change = models.DateField(null=True, blank=True, db_index=True)
    grounds = models.JSONField(default=list)
    authorised = models.BooleanField(default=False)
    authorisation_grounds = models.JSONField(default=list)
    rules_version = models.CharField(max_length=30)
    decided_for = models.DateField()
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["person", "competence"]
        verbose_name = _("status")
        verbose_name_plural = _("statussen")
        constraints = [models.UniqueConstraint(fields=["person", "competence"], name="competence_status_unique")]
        indexes = [models.Index(fields=["status", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.competence_id}: {self.status}"


class CompetenceStatusHistory(models.Model):
    """A status as it held from ``valid_from`` (inclusive) until ``valid_to`` (exclusive;
    open while it is the current one)."""

    person = models.ForeignKey("organisation.Person", on_delete=models.CASCADE, related_name="+")
    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    valid_until = models.DateField(null=True, blank=True)
    grounds = models.JSONField(default=list)
    authorised = models.BooleanField(default=False)
    authorisation_grounds = models.JSONField(default=list)
    rules_version = models.CharField(max_length=30)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "competence", "valid_from", "id"]
        indexes = [models.Index(fields=["person", "valid_from"]),
                   models.Index(fields=["person", "competence"], condition=Q(valid_to__isnull=True),
                                name="status_history_open")]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.competence_id}: {self.status} {self.valid_from}–{self.valid_to or ''}"
