"""Full recompute of VAVO funding decisions: 10,000 participants with 5 subjects each.

Works in a dedicated tenant (slug "bench-vavo"), provisioned on first use and filled once
with deterministic synthetic facts (bulk inserts). Prints:

* rule throughput: decisions per second of the pure rules on facts already in memory
  (target >= 20,000/s), and of ``compute_decisions`` (rules + building the rows);
* end to end with writes: ``decisions_recompute_all`` (load facts, decide, delete and insert
  the provisional decisions, in chunks of 1,000 participants) in seconds and decisions/s.

Run from the project root against your own database, e.g.:
    PASPOORT_DB_NAME=paspoort_bench .venv/bin/python manage.py migrate_schemas --shared
    PASPOORT_DB_NAME=paspoort_bench .venv/bin/python bench/funding_recompute.py [--participants N]
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

SLUG = "bench-vavo"
SUBJECT_NAMES = ("Nederlands", "Engels", "wiskunde A", "geschiedenis", "biologie")


def bench_tenant():
    from tenants.models import Tenant
    from tenants.services import public_tenant_ensure, template_ensure, tenant_create

    connection.set_schema_to_public()
    tenant = Tenant.objects.filter(slug=SLUG).first()
    if tenant is None:
        template_ensure()
        public_tenant_ensure()
        tenant = tenant_create(slug=SLUG, name="VAVO benchmark", kind="education",
                               admin_email="bench@bench-vavo.test", admin_password="bench-pass-123").tenant
    return tenant


def fill(n: int, seed: int = 20251001) -> None:
    """Bulk-insert n participants, each with one enrolment, 5 subjects, a diploma per third."""
    from apps.funding.demo import demo_bsn
    from apps.funding.models import Diploma, Enrolment, FundingDecision, Participant, SubjectResult

    if Participant.objects.count() == n:
        return
    with transaction.atomic():
        FundingDecision.objects.all().delete()
        Participant.objects.all().delete()
        rng = random.Random(seed)
        people = Participant.objects.bulk_create([
            Participant(external_id=f"B{i}", bsn=demo_bsn(rng) if rng.random() < 0.95 else "",
                        first_name="Deelnemer", last_name=str(i),
                        birth_date=date(1990, 1, 1) + timedelta(days=rng.randrange(0, 365 * 18)),
                        resident_in_nl=rng.random() < 0.97, nationality_dutch=rng.random() < 0.85,
                        lawful_residence=rng.random() < 0.8, continuing_course=rng.random() < 0.3)
            for i in range(n)], batch_size=2000)
        enrolments = []
        for i, person in enumerate(people):
            start = date(2025, 8, 1) + timedelta(days=rng.randrange(0, 90))
            enrolments.append(Enrolment(
                external_id=f"BE{i}", participant=person, track=rng.choice(("vwo", "havo", "vmbo-t")), start=start,
                planned_end=start + timedelta(days=rng.randrange(200, 340)),
                placed_by_vo_school=rng.random() < 0.03, attending=rng.random() < 0.97,
                marked_not_funded=rng.random() < 0.02,
                registered_on=start + timedelta(days=rng.randrange(-10, 40 if rng.random() < 0.98 else 400))))
        enrolments = Enrolment.objects.bulk_create(enrolments, batch_size=2000)
        subjects, diplomas = [], []
        for e in enrolments:
            for name in SUBJECT_NAMES:
                grade = Decimal(rng.randint(40, 95)) / 10
                subjects.append(SubjectResult(enrolment=e, subject=name, status=rng.choice("GGGGGGGDVI"),
                                              final_grade=grade, completed_on=date(2026, 6, rng.randint(1, 30))))
            if rng.random() < 1 / 3:
                diplomas.append(Diploma(enrolment=e, exam_result=rng.choice("GGGGA"),
                                        issued_on=date(2026, 7, rng.randint(1, 20))))
        SubjectResult.objects.bulk_create(subjects, batch_size=5000)
        Diploma.objects.bulk_create(diplomas, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from apps.funding import rules
    from apps.funding.models import FundingDecision
    from apps.funding.recompute import (
        compute_decisions,
        decisions_recompute_all,
        diploma_fact,
        enrolment_fact,
        last_count_year,
        load_facts,
        participant_fact,
        subject_fact,
        year_context,
    )

    tenant = bench_tenant()
    with schema_context(tenant.schema_name):
        started = time.perf_counter()
        fill(args.participants)
        print(f"facts ready in {time.perf_counter() - started:.1f}s (tenant {SLUG})")

        started = time.perf_counter()
        facts = load_facts()
        load_seconds = time.perf_counter() - started
        people, enrolments, subjects, diplomas = facts
        print(f"load facts: {len(people)} participants, {len(enrolments)} enrolments, {len(subjects)} subjects, "
              f"{len(diplomas)} diplomas in {load_seconds:.2f}s")

        # 1. The pure rules on facts in memory (what the what-if runs).
        p_facts = [participant_fact(p) for p in people]
        e_facts = [enrolment_fact(e) for e in enrolments]
        s_facts = [subject_fact(s) for s in subjects]
        d_facts = [diploma_fact(d) for d in diplomas]
        ctx = year_context(2027)
        best = float("inf")
        for _ in range(args.repeat):
            gc.collect()
            started = time.perf_counter()
            decisions, _totals = rules.evaluate(p_facts, e_facts, s_facts, d_facts, count_date=ctx.count_date,
                                                exam_year=2026, rules=ctx.rules)
            best = min(best, time.perf_counter() - started)
        print(f"rules.evaluate: {len(decisions)} decisions in {best:.3f}s = {len(decisions) / best:,.0f} decisions/s "
              f"(target >= 20,000/s)")

        # 2. Rules + building the rows to store (no database).
        last_year = last_count_year()
        best = float("inf")
        for _ in range(args.repeat):
            gc.collect()
            started = time.perf_counter()
            rows = compute_decisions(people, enrolments, subjects, diplomas, last_year=last_year)
            best = min(best, time.perf_counter() - started)
        print(f"compute_decisions (rules + rows): {len(rows)} decisions in {best:.3f}s = "
              f"{len(rows) / best:,.0f} decisions/s")

        # 3. End to end with writes.
        started = time.perf_counter()
        written = decisions_recompute_all()
        seconds = time.perf_counter() - started
        print(f"decisions_recompute_all (load + decide + delete + insert): {written} decisions in {seconds:.2f}s = "
              f"{written / seconds:,.0f} decisions/s")
        funded = FundingDecision.objects.filter(kind="provisional", status="funded").count()
        print(f"stored: {FundingDecision.objects.count()} provisional decisions, {funded} funded")


if __name__ == "__main__":
    main()
