"""Import of a 10,000-row funding CSV (apps/funding/IMPORT.md): seconds and peak memory.

The file holds 2,000 participants, 2,000 enrolments and 6,000 subject results (10,000 data
rows). It is imported into the dedicated tenant "bench-vavo" with the import service (the
same code the Celery task runs, chunks of 500 rows, a savepoint per row, audit per row and a
recompute per chunk). Prints:

* a fresh import (every row created): seconds, rows/s and the process's peak RSS;
* the same file again (every row unchanged) under tracemalloc: seconds and peak Python memory.

Run from the project root against your own database, e.g.:
    PASPOORT_DB_NAME=paspoort_bench .venv/bin/python manage.py migrate_schemas --shared
    PASPOORT_DB_NAME=paspoort_bench .venv/bin/python bench/funding_import.py
"""
from __future__ import annotations

import argparse
import io
import os
import random
import resource
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django_tenants.utils import schema_context  # noqa: E402

from funding_recompute import bench_tenant  # noqa: E402

COLUMNS = ("record_type,participant_id,enrolment_id,bsn,first_name,last_name,birth_date,track,start,planned_end,"
           "registered_on,subject,status,final_grade,completed_on")


def build_csv(rows: int, seed: int = 7) -> str:
    from apps.funding.demo import demo_bsn

    rng = random.Random(seed)
    people = rows // 5
    out = io.StringIO()
    out.write(COLUMNS + "\n")
    for i in range(people):
        birth = date(1985, 1, 1) + timedelta(days=rng.randrange(0, 365 * 22))
        out.write(f"participant,IP{i},,{demo_bsn(rng)},Deelnemer,{i},{birth.isoformat()},,,,,,,,\n")
    for i in range(people):
        start = date(2025, 8, 1) + timedelta(days=rng.randrange(0, 60))
        out.write(f"enrolment,IP{i},IE{i},,,,,{rng.choice(('vwo', 'havo', 'vmbo-t'))},{start.isoformat()},"
                  f"2026-07-31,{(start + timedelta(days=2)).isoformat()},,,,\n")
    for i in range(people):
        for name in ("Nederlands", "Engels", "wiskunde A"):
            grade = f"{rng.randint(45, 95) / 10:.1f}".replace(".", ",")
            out.write(f'subject,,IE{i},,,,,,,,,{name},G,"{grade}",2026-06-{rng.randint(10, 28)}\n')
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    from apps.funding.imports import import_rows, read_rows
    from apps.funding.models import Participant

    text = build_csv(args.rows)
    tenant = bench_tenant()
    with schema_context(tenant.schema_name):
        Participant.objects.filter(external_id__startswith="IP").delete()
        header, rows = read_rows(text)
        print(f"file: {len(rows)} data rows, {len(text) / 1e6:.2f} MB")

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        summary, errors = import_rows(rows, by=None)
        seconds = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"fresh import: {summary} in {seconds:.1f}s = {len(rows) / seconds:,.0f} rows/s; "
              f"peak RSS {rss_after / 1024:.0f} MB (+{(rss_after - rss_before) / 1024:.0f} MB during the import)")
        assert not errors, errors[:5]

        tracemalloc.start()
        started = time.perf_counter()
        header, rows = read_rows(text)
        summary, errors = import_rows(rows, by=None)
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"re-import of the same file (tracemalloc on): {summary} in {seconds:.1f}s; "
              f"peak Python memory {peak / 1e6:.1f} MB")

        # Leave the tenant as bench/funding_recompute.py expects it.
        from apps.funding.models import FundingDecision

        ids = list(Participant.objects.filter(external_id__startswith="IP").values_list("pk", flat=True))
        FundingDecision.objects.filter(participant_id__in=ids).delete()
        Participant.objects.filter(pk__in=ids).delete()


if __name__ == "__main__":
    main()
