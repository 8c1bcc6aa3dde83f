"""Demo data of the control plane, loaded by tenants.demo after the demo customers.

Idempotent: what exists is found, only what is missing is added. Customers that do not
exist (yet) are left out of the groups rather than created here.
"""
from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from tenants import services
from tenants.features import feature_keys
from tenants.models import CustomerGroup, Feedback, PassportVersion, Rollout, Tenant

GROUPS = {
    "pilotgroep": ("Pilotgroep", "De klanten die een nieuwe versie als eersten gebruiken.", ["noord"]),
    "golf-1": ("Golf 1", "De eerste golf na de pilot.", ["zorggroep", "vavo"]),
}
NOTES_NL = ("Versie 2026.4 waarschuwt eerder voor verlopende bekwaamheden (90 dagen in plaats van 60) "
            "en rekent de bekostiging met de regels vanaf schooljaar 2026-2027.\n"
            "Nieuw: wat-als-berekeningen voor managers en de export van het teamoverzicht.")
NOTES_EN = ("Version 2026.4 warns earlier about expiring competences (90 days instead of 60) and computes "
            "funding with the rules from school year 2026-2027.\n"
            "New: what-if evaluation for managers and the team overview export.")


def _vendor():
    from apps.accounts.models import User

    return User.objects.filter(is_staff=True).order_by("id").first()


def load() -> None:
    connection.set_schema_to_public()
    by = _vendor()
    groups = {}
    for slug, (name, description, members) in GROUPS.items():
        group = CustomerGroup.objects.filter(slug=slug).first()
        tenant_ids = list(Tenant.objects.filter(slug__in=members).values_list("id", flat=True))
        if group is None:
            group = services.customer_group_create(name=name, slug=slug, description=description,
                                                   tenant_ids=tenant_ids, by=by)
        else:
            group.tenants.add(*tenant_ids)
        groups[slug] = group

    current = PassportVersion.objects.filter(name="2026.3").first()
    if current is None:
        current = services.version_create(
            name="2026.3", care_rules_version="care-2026.1", funding_rules_version="vavo-2024.1",
            features=feature_keys(), release_notes_nl="De versie waarmee iedereen werkt.",
            release_notes_en="The version everybody works with.", by=by)
        for status in ("piloting", "rolling_out", "general"):
            current = services.version_transition(version=current, status=status, by=by,
                                                  reason="demo: algemene versie")

    pilot = PassportVersion.objects.filter(name="2026.4").first()
    if pilot is None:
        pilot = services.version_create(
            name="2026.4", care_rules_version="care-2026.2", funding_rules_version="vavo-2026.1",
            features=feature_keys(), release_notes_nl=NOTES_NL, release_notes_en=NOTES_EN, by=by)
    if not Rollout.objects.filter(version=pilot).exists():
        rollout = services.rollout_create(version=pilot, by=by, stages=[
            {"group": groups["pilotgroep"]},
            {"group": groups["golf-1"], "planned_start": timezone.now() + dt.timedelta(days=14),
             "min_days_in_previous_stage": 7, "block_on_open_blocking_feedback": True},
        ])
        services.rollout_start(rollout=rollout, by=by, reason="demo: pilot bij Ziekenhuis Noord")

    noord = Tenant.objects.filter(slug="noord").first()
    if noord is not None and not Feedback.objects.filter(tenant=noord, version=pilot).exists():
        services.feedback_submit(
            tenant=noord, version=pilot, author_email="ingrid.devries@noord.demo", author_name="Ingrid de Vries",
            text="De eerdere waarschuwing helpt: we plannen de herhaling van venapunctie nu ruim op tijd in. "
                 "Wel graag de export ook als CSV.")
