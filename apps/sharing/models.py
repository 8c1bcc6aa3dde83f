"""Sharing a passport: an employee grants chosen colleagues a read-only view of their
passport (``PassportShare``) and can stop it at any moment; permission is checked on every
request, never cached. An employee also names their team leader (``TeamLeader``), who then
sees the passport of everyone who named them.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PassportShare(models.Model):
    owner = models.ForeignKey("organisation.Person", on_delete=models.CASCADE, related_name="shares_given",
                              verbose_name=_("eigenaar"))
    shared_with = models.ForeignKey("organisation.Person", on_delete=models.CASCADE, related_name="shares_received",
                                    verbose_name=_("gedeeld met"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    revoked_at = models.DateTimeField(_("gestopt op"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("gedeeld paspoort")
        verbose_name_plural = _("gedeelde paspoorten")
        constraints = [
            models.UniqueConstraint(fields=["owner", "shared_with"], condition=Q(revoked_at__isnull=True),
                                    name="passport_share_one_active"),
            models.CheckConstraint(condition=~Q(owner=F("shared_with")), name="passport_share_not_self"),
        ]
        indexes = [models.Index(fields=["shared_with"], condition=Q(revoked_at__isnull=True),
                                name="passport_share_active_to")]

    def __str__(self) -> str:
        return f"{self.owner} → {self.shared_with}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class TeamLeader(models.Model):
    """The team leader a person named; one per person (changing it replaces the row, the
    audit trail keeps the history)."""

    person = models.OneToOneField("organisation.Person", on_delete=models.CASCADE, related_name="team_leader_choice",
                                  verbose_name=_("medewerker"))
    leader = models.ForeignKey("organisation.Person", on_delete=models.CASCADE, related_name="led_people",
                               verbose_name=_("teamleider"))
    set_at = models.DateTimeField(auto_now=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")

    class Meta:
        verbose_name = _("teamleider")
        verbose_name_plural = _("teamleiders")
        constraints = [models.CheckConstraint(condition=~Q(person=F("leader")), name="team_leader_not_self")]

    def __str__(self) -> str:
        return f"{self.person} → {self.leader}"
