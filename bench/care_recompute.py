"""Full recompute of a 5,000-person x 30-competence care tenant (dedicated tenant
'bench-care', created fresh and dropped afterwards; ``--keep`` keeps it).

Reports separately:
- rule throughput: decisions/s of ``rules.decide`` alone over facts loaded in memory
  (target >= 20,000/s);
- fact loading: the bulk loader (``facts_load``) alone;
- end to end: ``statuses_recompute`` for everyone, including loading and all writes
  (first run: every status and history row created), then a second run with nothing changed.

Run: ``.venv/bin/python bench/care_recompute.py`` (set PASPOORT_DB_NAME / DATABASE_URL as usual).
"""
from __future__ import annotations

import time
from collections import Counter
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

SLUG = "bench-care"


def bench_tenant_fresh():
    """Drop a left-over bench tenant, then provision a new one (cloned from the template)."""
    from django.db import connection
    from tenants.models import Tenant
    from tenants.services import public_tenant_ensure, template_ensure, tenant_create

    connection.set_schema_to_public()
    template_ensure()
    public_tenant_ensure()
    bench_tenant_drop()
    return tenant_create(slug=SLUG, name="Benchmark zorg", kind="care", admin_email="bench@bench-care.test",
                         admin_password="bench-pass-123").tenant


def bench_tenant_drop():
    from django.db import connection
    from tenants.models import Domain, Tenant

    connection.set_schema_to_public()
    for t in Tenant.objects.filter(slug=SLUG):
        Domain.objects.filter(tenant=t).delete()
        with connection.cursor() as cur:
            cur.execute(f'DROP SCHEMA IF EXISTS "{t.schema_name}" CASCADE')
        Tenant.objects.filter(pk=t.pk).delete()


def build_population(*, people: int, competences: int, seed: int = 20261201):
    """A catalogue, one department profile with every competence linked to the department,
    ``people`` members, and evidence/practice/period facts so that every status occurs."""
    import random
    from datetime import timedelta

    from django.utils import timezone

    from apps.competences import rules
    from apps.competences.models import (Competence, Evidence, EvidenceRequirement, Exemption, PracticeRecord, Profile,
                                         ProfileLink, Revocation)
    from apps.organisation.models import OrgUnit, Person

    rng = random.Random(seed)
    today = timezone.localdate()
    unit = OrgUnit.objects.create(code="BENCH", name="Benchmark afdeling")
    kind_sets = ({"theory": 24, "practical": 24}, {"elearning": 12}, {"theory": 12, "practical": 24},
                 {"certificate": 60}, {"elearning": 24, "practical": 24})
    comps, kinds = [], {}
    for i in range(competences):
        ks = kind_sets[i % len(kind_sets)]
        practice = (3, 12) if i % 3 == 0 else None
        c = Competence.objects.create(code=f"B{i:03d}", name=f"Handeling {i}", category="reserved",
                                      practice_count=practice[0] if practice else None,
                                      practice_months=practice[1] if practice else None)
        comps.append(c)
        kinds[c.pk] = ks
    EvidenceRequirement.objects.bulk_create([EvidenceRequirement(competence=c, kind=k, validity_months=m)
                                             for c in comps for k, m in kinds[c.pk].items()])
    profile = Profile.objects.create(name="Afdeling Benchmark", org_unit=unit)
    profile.competences.set(comps)
    ProfileLink.objects.create(profile=profile, org_unit=unit, valid_from=today - timedelta(days=1000))
    Person.objects.bulk_create([Person(personnel_number=f"P{i:05d}", first_name="Bench", last_name=f"Persoon {i}",
                                       org_unit=unit) for i in range(people)])
    ids = list(Person.objects.values_list("id", flat=True))
    evidence, practice, exemptions, revocations = [], [], [], []
    for pid in ids:
        for c in comps:
            r = rng.random()
            if r < 0.1:
                continue  # missing
            for kind, months in kinds[c.pk].items():
                if r < 0.2 and kind != next(iter(kinds[c.pk])):
                    continue  # in progress
                days = rng.randint(10, months * 30 + 200)
                evidence.append(Evidence(person_id=pid, competence=c, kind=kind,
                                         achieved_on=today - timedelta(days=days), passed=rng.random() > 0.03))
            if c.practice_count:
                for _ in range(rng.randint(0, 5)):
                    practice.append(PracticeRecord(person_id=pid, competence=c, count=1,
                                                   performed_on=today - timedelta(days=rng.randint(1, 500))))
            if r > 0.98:
                exemptions.append(Exemption(person_id=pid, competence=c, start=today - timedelta(days=30),
                                            reason="bench"))
            elif r > 0.97:
                revocations.append(Revocation(person_id=pid, competence=c, start=today - timedelta(days=30),
                                              reason="bench"))
    Evidence.objects.bulk_create(evidence, batch_size=5000)
    PracticeRecord.objects.bulk_create(practice, batch_size=5000)
    Exemption.objects.bulk_create(exemptions, batch_size=5000)
    Revocation.objects.bulk_create(revocations, batch_size=5000)
    return ids, len(evidence), len(practice)

PEOPLE = 5_000
COMPETENCES = 30


def main(keep: bool = False) -> None:
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from apps.competences import rules
    from apps.competences.facts import active_rule_set, catalogue_load, facts_load
    from apps.competences.models import CompetenceStatus, CompetenceStatusHistory
    from apps.competences.services import RECOMPUTE_BATCH, statuses_recompute

    t0 = time.perf_counter()
    tenant = bench_tenant_fresh()
    try:
        with schema_context(tenant.schema_name):
            ids, n_evidence, n_practice = build_population(people=PEOPLE, competences=COMPETENCES)
            print(f"set-up: {PEOPLE} people x {COMPETENCES} competences, {n_evidence} evidence, "
                  f"{n_practice} practice records in {time.perf_counter() - t0:.1f}s")
            today = timezone.localdate()
            catalogue = catalogue_load()
            rule_set = active_rule_set()

            t = time.perf_counter()
            snapshots = []
            for i in range(0, len(ids), RECOMPUTE_BATCH):
                snapshots.extend(facts_load(ids[i:i + RECOMPUTE_BATCH], today, catalogue).people.values())
            load_s = time.perf_counter() - t

            best = None
            statuses = Counter()
            for _run in range(3):
                t = time.perf_counter()
                n = 0
                for snap in snapshots:
                    decisions = rules.decide(snap.facts, catalogue.specs, today, rule_set)
                    n += len(decisions)
                    if _run == 0:
                        statuses.update(d.status for d in decisions)
                elapsed = time.perf_counter() - t
                best = elapsed if best is None else min(best, elapsed)
            print(f"rule throughput: {n} decisions in {best:.2f}s = {n / best:,.0f} decisions/s (best of 3)")
            print(f"fact loading:    {len(ids)} people in {load_s:.2f}s = {len(ids) / load_s:,.0f} people/s")
            print("statuses:", dict(sorted(statuses.items())))

            t = time.perf_counter()
            result = statuses_recompute(person_ids=ids, as_of=today)
            e2e = time.perf_counter() - t
            print(f"end to end (first, all writes): {result.decided} decisions, {result.created} rows created, "
                  f"{CompetenceStatusHistory.objects.count()} history rows in {e2e:.2f}s = "
                  f"{result.decided / e2e:,.0f} decisions/s")
            t = time.perf_counter()
            result = statuses_recompute(person_ids=ids, as_of=today)
            e2e2 = time.perf_counter() - t
            print(f"end to end (again, nothing changed): {result.decided} decisions, {result.updated} updated in "
                  f"{e2e2:.2f}s = {result.decided / e2e2:,.0f} decisions/s")
            assert CompetenceStatus.objects.count() == PEOPLE * COMPETENCES
    finally:
        if not keep:
            bench_tenant_drop()


if __name__ == "__main__":
    main(keep="--keep" in sys.argv)
