"""VAVO funding (bekostiging): the facts a school records about its participants and the
funding decisions that follow from them.

Facts: ``Participant`` (identifiers and residence facts), ``Enrolment`` (a participant on a
track for a period), ``SubjectResult`` (a subject of a final or partial exam) and ``Diploma``.
Decisions: ``FundingDecision`` rows, one per object and funding year, computed by the pure
rules in ``rules.py``. Provisional rows are replaced on every change; final rows are a frozen
copy made by an administrator per ``FundingYear`` and are never written again.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.nl import bsn as stdnum_bsn
from stdnum.nl import onderwijsnummer as stdnum_onderwijsnummer

MIN_GRADE = Decimal("1.0")
MAX_GRADE = Decimal("10.0")


def validate_bsn(value: str) -> None:
    if value and not stdnum_bsn.is_valid(value):
        raise ValidationError(_("Ongeldig BSN: 9 cijfers die aan de elfproef voldoen."), code="invalid_bsn")


def validate_onderwijsnummer(value: str) -> None:
    if value and not stdnum_onderwijsnummer.is_valid(value):
        raise ValidationError(
            _("Ongeldig onderwijsnummer: 9 cijfers, beginnend met 10, volgens de elfproef."),
            code="invalid_onderwijsnummer",
        )


def compact_identifier(value) -> str:
    """Strip spaces, dots and dashes (as stdnum does, but without zero-padding, so a short
    number stays visibly short); whatever is left is validated by the field."""
    if value is None:
        return ""
    return "".join(ch for ch in str(value) if ch not in " -.")


class Track(models.TextChoices):
    VWO = "vwo", "vwo"
    HAVO = "havo", "havo"
    VMBO_T = "vmbo-t", "vmbo-t"


class Participant(models.Model):
    # The key a student-administration system uses for this person (import upserts on it).
    external_id = models.CharField(_("extern nummer"), max_length=64, null=True, blank=True)
    bsn = models.CharField(_("BSN"), max_length=9, blank=True, validators=[validate_bsn])
    onderwijsnummer = models.CharField(
        _("onderwijsnummer"), max_length=9, blank=True, validators=[validate_onderwijsnummer]
    )
    first_name = models.CharField(_("voornaam"), max_length=100, blank=True)
    prefix = models.CharField(_("tussenvoegsel"), max_length=30, blank=True)
    last_name = models.CharField(_("achternaam"), max_length=100, blank=True)
    birth_date = models.DateField(_("geboortedatum"))
    resident_in_nl = models.BooleanField(_("woont in Nederland"), default=True)
    nationality_dutch = models.BooleanField(_("Nederlandse nationaliteit (of gelijkgesteld)"), default=True)
    lawful_residence = models.BooleanField(_("rechtmatig verblijf op de begindatum"), default=False)
    continuing_course = models.BooleanField(_("zet een eerder begonnen opleiding voort"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("deelnemer")
        verbose_name_plural = _("deelnemers")
        constraints = [
            models.UniqueConstraint(fields=["external_id"], condition=models.Q(external_id__isnull=False),
                                    name="funding_participant_external_id_unique"),
        ]

    def __str__(self) -> str:
        name = " ".join(part for part in (self.first_name, self.prefix, self.last_name) if part)
        return name or (self.external_id or f"#{self.pk}")


class Enrolment(models.Model):
    external_id = models.CharField(_("extern nummer"), max_length=64, null=True, blank=True)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="enrolments",
                                    verbose_name=_("deelnemer"))
    track = models.CharField(_("opleiding"), max_length=10, choices=Track.choices)
    start = models.DateField(_("begindatum"))
    planned_end = models.DateField(_("geplande einddatum"), null=True, blank=True)
    actual_end = models.DateField(_("werkelijke einddatum"), null=True, blank=True)
    placed_by_vo_school = models.BooleanField(_("geplaatst door vo-school"), default=False)
    attending = models.BooleanField(_("volgt onderwijs"), default=True)
    marked_not_funded = models.BooleanField(_("niet bekostigen"), default=False)
    registered_on = models.DateField(_("geregistreerd op"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("inschrijving")
        verbose_name_plural = _("inschrijvingen")
        constraints = [
            models.UniqueConstraint(fields=["external_id"], condition=models.Q(external_id__isnull=False),
                                    name="funding_enrolment_external_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.track} {self.start:%d-%m-%Y}"

    @property
    def end(self):
        """The actual end when known, else the planned end; None is open-ended."""
        return self.actual_end or self.planned_end

    def clean(self) -> None:
        errors = {}
        if self.start and self.planned_end and self.planned_end < self.start:
            errors["planned_end"] = _("De geplande einddatum ligt voor de begindatum.")
        if self.start and self.actual_end and self.actual_end < self.start:
            errors["actual_end"] = _("De werkelijke einddatum ligt voor de begindatum.")
        if errors:
            raise ValidationError(errors)


class SubjectResult(models.Model):
    class Status(models.TextChoices):
        EXAMINED = "G", _("G – geëxamineerd")
        DISPENSATION = "D", _("D – dispensatie")
        EXEMPTION = "V", _("V – vrijstelling")
        CERTIFICATE = "I", _("I – ingebracht certificaat")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="subject_results",
                                  verbose_name=_("inschrijving"))
    subject = models.CharField(_("vak"), max_length=100)
    status = models.CharField(_("status"), max_length=1, choices=Status.choices, default=Status.EXAMINED)
    final_grade = models.DecimalField(
        _("eindcijfer"), max_digits=3, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(MIN_GRADE), MaxValueValidator(MAX_GRADE)],
    )
    completed_on = models.DateField(_("afgerond op"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["enrolment_id", "subject"]
        verbose_name = _("vakresultaat")
        verbose_name_plural = _("vakresultaten")
        # The import upserts on (enrolment, subject): one result per subject per enrolment.
        constraints = [models.UniqueConstraint(fields=["enrolment", "subject"], name="funding_subject_unique")]

    def __str__(self) -> str:
        return self.subject


class Diploma(models.Model):
    class ExamResult(models.TextChoices):
        PASSED = "G", _("G – geslaagd")
        FAILED = "A", _("A – afgewezen")
        WITHDRAWN = "T", _("T – teruggetrokken")
        CERTIFICATES = "D", _("D – alleen certificaten")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="diplomas",
                                  verbose_name=_("inschrijving"))
    exam_result = models.CharField(_("examenuitslag"), max_length=1, choices=ExamResult.choices)
    issued_on = models.DateField(_("uitgereikt op"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["issued_on", "id"]
        verbose_name = _("diploma")
        verbose_name_plural = _("diploma's")
        constraints = [models.UniqueConstraint(fields=["enrolment"], name="funding_diploma_one_per_enrolment")]

    def __str__(self) -> str:
        return f"diploma {self.issued_on:%d-%m-%Y}"


class FundingYear(models.Model):
    """National figures of one funding year (entered by an administrator) and its final run."""

    year = models.PositiveIntegerField(_("bekostigingsjaar"), unique=True,
                                       validators=[MinValueValidator(2000), MaxValueValidator(2999)])
    national_weighted = models.DecimalField(_("landelijk gewogen aantal"), max_digits=14, decimal_places=1,
                                            null=True, blank=True, validators=[MinValueValidator(0)])
    national_budget = models.DecimalField(_("landelijk budget (EUR)"), max_digits=16, decimal_places=2,
                                          null=True, blank=True, validators=[MinValueValidator(0)])
    finalised_at = models.DateTimeField(_("definitief vastgesteld op"), null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    finalised_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("bekostigingsjaar")
        verbose_name_plural = _("bekostigingsjaren")

    def __str__(self) -> str:
        return str(self.year)

    @property
    def is_final(self) -> bool:
        return self.finalised_at is not None


class FundingDecision(models.Model):
    """One object's status for one funding year. Object and participant are plain ids plus a
    label snapshot, so a final decision outlives a deleted object unchanged."""

    class Kind(models.TextChoices):
        PROVISIONAL = "provisional", _("voorlopig")
        FINAL = "final", _("definitief")

    class Status(models.TextChoices):
        FUNDED = "funded", _("bekostigd")
        REJECTED = "rejected", _("afgekeurd")

    class ObjectType(models.TextChoices):
        ENROLMENT = "enrolment", _("inschrijving")
        SUBJECT = "subject", _("vak")
        DIPLOMA = "diploma", _("diploma")

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PROVISIONAL)
    funding_year = models.PositiveIntegerField()
    count_date = models.DateField()
    exam_year = models.PositiveIntegerField()
    object_type = models.CharField(max_length=10, choices=ObjectType.choices)
    object_id = models.BigIntegerField()
    object_label = models.CharField(max_length=200, blank=True)
    participant_id = models.BigIntegerField(db_index=True)
    participant_label = models.CharField(max_length=200, blank=True)
    track = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices)
    codes = ArrayField(models.CharField(max_length=40), default=list)
    grounds = models.JSONField(default=list)
    rules_version = models.CharField(max_length=40)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["funding_year", "participant_id", "object_type", "object_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "funding_year", "object_type", "object_id"],
                                    name="funding_decision_unique"),
        ]
        indexes = [models.Index(fields=["kind", "funding_year", "status"], name="funding_dec_year_status")]

    def __str__(self) -> str:
        return f"{self.funding_year} {self.object_type} {self.object_id}: {self.status} ({self.kind})"

    def save(self, *args, **kwargs):
        # A final decision is frozen: it is made once and never changed afterwards.
        if self.pk and self.kind == self.Kind.FINAL:
            raise ValidationError({"kind": _("Een definitief besluit kan niet worden gewijzigd.")})
        super().save(*args, **kwargs)


class ImportFile(models.Model):
    """An uploaded CSV, kept in the tenant's schema so any worker can read it."""

    filename = models.CharField(max_length=255)
    content = models.TextField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.filename
