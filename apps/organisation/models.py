"""The organisation of a care tenant: org units as a tree (departments and teams), the
people who work there (linked to a login, a unit and a function), their professional
registration (which makes them authorised, *bevoegd*, for some procedures) and the managers
of each unit. A manager of a unit manages its subunits too
(``apps.organisation.selectors.unit_ids_managed_by``).

People are never deleted: people who leave are deactivated, so their history stays.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgUnit(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Afdeling")
        TEAM = "team", _("Team")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", verbose_name=_("valt onder"))
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="managed_units",
                                      verbose_name=_("leidinggevenden"))
    is_active = models.BooleanField(_("actief"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie-eenheid")
        verbose_name_plural = _("organisatie-eenheden")

    def __str__(self) -> str:
        return self.name


class Profession(models.TextChoices):
    """Professions with a BIG registration; which procedures each may perform independently
    is catalogue data (``Competence.authorised_professions``)."""

    NONE = "", _("geen")
    NURSE = "nurse", _("Verpleegkundige")
    PHYSICIAN = "physician", _("Arts")
    MIDWIFE = "midwife", _("Verloskundige")
    NURSE_SPECIALIST = "nurse_specialist", _("Verpleegkundig specialist")
    PHYSICIAN_ASSISTANT = "physician_assistant", _("Physician assistant")


class Person(models.Model):
    personnel_number = models.CharField(_("personeelsnummer"), max_length=40, unique=True)
    first_name = models.CharField(_("voornaam"), max_length=100)
    last_name = models.CharField(_("achternaam"), max_length=150)
    email = models.EmailField(_("e-mailadres"), blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="person", verbose_name=_("gebruiker"))
    org_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="members", verbose_name=_("organisatie-eenheid"))
    function = models.CharField(_("functie"), max_length=120, blank=True)
    employment_start = models.DateField(_("in dienst"), null=True, blank=True)
    employment_end = models.DateField(_("uit dienst"), null=True, blank=True)
    is_active = models.BooleanField(_("actief"), default=True)
    registration_number = models.CharField(_("BIG-nummer"), max_length=20, blank=True)
    profession = models.CharField(_("beroep (BIG)"), max_length=30, choices=Profession.choices,
                                  blank=True, default="")

    class Meta:
        ordering = ["last_name", "first_name", "personnel_number"]
        verbose_name = _("medewerker")
        verbose_name_plural = _("medewerkers")
        indexes = [models.Index(fields=["org_unit", "is_active"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
