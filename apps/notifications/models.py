"""Notifications: in-app messages per user, e-mail reminders before a competence expires
(90, 60 and 30 days before and on the day, to the employee and their team leader), a weekly
digest for managers, and each user's preferences.

``SentReminder`` and ``SentDigest`` are claims: a row is committed *before* the e-mail is
sent, and its unique constraint makes a second claim fail. So a reminder goes out at most
once, even when the task runs twice at the same time or a worker dies mid-run (then that
one e-mail is lost rather than sent twice; the in-app notification, written in the same
transaction as the claim, is always there).
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

REMINDER_OFFSETS = (90, 60, 30, 0)


def default_offsets() -> list[int]:
    return list(REMINDER_OFFSETS)


class Notification(models.Model):
    class Kind(models.TextChoices):
        EXPIRY_REMINDER = "expiry_reminder", _("Herinnering verloop")
        WEEKLY_DIGEST = "weekly_digest", _("Weekoverzicht")
        ENROLMENT = "enrolment", _("Inschrijving")
        SHARE = "share", _("Gedeeld paspoort")
        PRACTICE = "practice", _("Praktijkervaring")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("soort"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("titel"), max_length=200)
    body = models.TextField(_("bericht"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("gelezen op"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    email_enabled = models.BooleanField(_("e-mail ontvangen"), default=True)
    reminder_offsets = ArrayField(models.PositiveIntegerField(), default=default_offsets, blank=True,
                                  verbose_name=_("herinneringen (dagen vooraf)"))
    weekly_digest = models.BooleanField(_("weekoverzicht voor leidinggevenden"), default=True)

    class Meta:
        verbose_name = _("meldingsvoorkeur")
        verbose_name_plural = _("meldingsvoorkeuren")

    def __str__(self) -> str:
        return str(self.user)


class SentReminder(models.Model):
    """Claim that the reminder ``offset`` days before ``valid_until`` went to ``recipient``."""

    person = models.ForeignKey("organisation.Person", on_delete=models.CASCADE, related_name="+")
    competence = models.ForeignKey("competences.Competence", on_delete=models.CASCADE, related_name="+")
    valid_until = models.DateField()
    offset = models.PositiveIntegerField()
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["person", "competence", "valid_until", "offset", "recipient"],
                                               name="sent_reminder_once")]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.competence_id} {self.valid_until} -{self.offset}d → {self.recipient_id}"


class SentDigest(models.Model):
    """Claim that the weekly digest of the week starting ``week`` went to ``recipient``."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    claimed_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-week", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "week"], name="sent_digest_once")]
