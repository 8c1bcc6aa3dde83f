"""Learning toward competence: courses and their sessions, enrolments (with capacity,
waitlist and results) and learning paths (ordered steps leading to a competence).

A passed result of an enrolment becomes ``competences.Evidence`` through the competences
service; active enrolments are facts for the status rules
(``apps.learning.selectors.enrolment_facts_for``). Practice records belong to the
competences app; this app holds the pages for logging and signing them off.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.competences.models import EvidenceKind


class Course(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    competence = models.ForeignKey("competences.Competence", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="courses", verbose_name=_("leidt tot bekwaamheid"))
    evidence_kind = models.CharField(_("levert bewijs"), max_length=20, choices=EvidenceKind.choices, blank=True,
                                     help_text=_("Soort bewijs dat een geslaagd resultaat oplevert."))
    description = models.TextField(_("omschrijving"), blank=True)
    is_active = models.BooleanField(_("actief"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cursus")
        verbose_name_plural = _("cursussen")

    def __str__(self) -> str:
        return self.name


class CourseSession(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions",
                               verbose_name=_("cursus"))
    starts_at = models.DateTimeField(_("begint op"))
    place = models.CharField(_("locatie"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("aantal plaatsen"))
    enrolment_deadline = models.DateField(_("inschrijven tot en met"))
    cancelled = models.BooleanField(_("geannuleerd"), default=False)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("cursussessie")
        verbose_name_plural = _("cursussessies")
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=1), name="course_session_capacity_positive")]

    def __str__(self) -> str:
        return f"{self.course.name} · {timezone.localtime(self.starts_at):%d-%m-%Y %H:%M}"

    @property
    def session_date(self):
        return timezone.localtime(self.starts_at).date()

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and not self.place


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Ingeschreven")
        WAITLISTED = "waitlisted", _("Wachtlijst")
        CANCELLED = "cancelled", _("Geannuleerd")
        COMPLETED = "completed", _("Afgerond")

    class Result(models.TextChoices):
        NONE = "", _("Geen")
        PASSED = "passed", _("Geslaagd")
        FAILED = "failed", _("Niet geslaagd")

    ACTIVE = (Status.ENROLLED, Status.WAITLISTED)

    session = models.ForeignKey(CourseSession, on_delete=models.PROTECT, related_name="enrolments",
                                verbose_name=_("sessie"))
    person = models.ForeignKey("organisation.Person", on_delete=models.PROTECT, related_name="enrolments",
                               verbose_name=_("medewerker"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ENROLLED)
    # Place on the waitlist (1 = first in line); empty when not waitlisted.
    position = models.PositiveIntegerField(_("plaats op wachtlijst"), null=True, blank=True)
    result = models.CharField(_("resultaat"), max_length=10, choices=Result.choices, blank=True, default="")
    result_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("resultaat vastgelegd door"))
    result_at = models.DateTimeField(_("resultaat vastgelegd op"), null=True, blank=True)
    evidence = models.ForeignKey("competences.Evidence", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("bewijs"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "status", "position", "id"]
        verbose_name = _("inschrijving")
        verbose_name_plural = _("inschrijvingen")
        constraints = [
            # One live enrolment per person and session; cancelled ones stay as history.
            models.UniqueConstraint(fields=["session", "person"], condition=~Q(status="cancelled"),
                                    name="enrolment_one_live_per_person"),
        ]
        indexes = [models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.person} → {self.session} ({self.status})"


class LearningPath(models.Model):
    competence = models.ForeignKey("competences.Competence", on_delete=models.PROTECT,
                                   related_name="learning_paths", verbose_name=_("bekwaamheid"))
    name = models.CharField(_("naam"), max_length=200)
    description = models.TextField(_("omschrijving"), blank=True)
    is_active = models.BooleanField(_("actief"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("leerpad")
        verbose_name_plural = _("leerpaden")

    def __str__(self) -> str:
        return self.name


class LearningPathStep(models.Model):
    class Kind(models.TextChoices):
        COURSE = "course", _("Cursus")
        ELEARNING = "elearning", _("E-learning")
        PRACTICAL_ASSESSMENT = "practical_assessment", _("Praktijktoets")
        PRACTICE_COUNT = "practice_count", _("Praktijkervaring")

    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("volgorde"))
    kind = models.CharField(_("soort stap"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("titel"), max_length=200, blank=True)
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.PROTECT, related_name="path_steps",
                               verbose_name=_("cursus"))
    required_count = models.PositiveIntegerField(_("vereist aantal"), default=1)

    class Meta:
        ordering = ["path", "order"]
        verbose_name = _("leerpadstap")
        verbose_name_plural = _("leerpadstappen")
        constraints = [
            models.UniqueConstraint(fields=["path", "order"], name="learning_path_step_order_unique"),
            models.CheckConstraint(condition=~Q(kind="course") | Q(course__isnull=False),
                                   name="learning_path_step_course_needs_course"),
            models.CheckConstraint(condition=Q(required_count__gte=1), name="learning_path_step_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.label}"

    @property
    def label(self) -> str:
        if self.title:
            return self.title
        if self.course_id:
            return self.course.name
        if self.kind == self.Kind.PRACTICE_COUNT:
            return f"{self.get_kind_display()} ×{self.required_count}"
        return str(self.get_kind_display())
