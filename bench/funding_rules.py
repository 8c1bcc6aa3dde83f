"""Throughput of the pure VAVO funding rules (apps/funding/rules.py).

Builds 10,000 synthetic participants, each with one enrolment and five subjects, plus a
diploma for every third participant (deterministic seed, a mix of facts that pass and fail),
then times ``evaluate`` on one core. Target: at least 20,000 decisions per second.

Run from the project root:  .venv/bin/python bench/funding_rules.py [--participants N] [--repeat R]
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apps.funding.rules import (  # noqa: E402
    DiplomaFact,
    EnrolmentFact,
    ParticipantFact,
    SubjectFact,
    evaluate,
    rule_set_for,
)

COUNT_DATE = date(2025, 10, 1)
EXAM_YEAR = 2026
TARGET_PER_SECOND = 20_000
SUBJECT_NAMES = ("Nederlands", "Engels", "wiskunde A", "geschiedenis", "biologie", "economie")
TRACKS = ("vwo", "havo", "vmbo-t")


def _bsn(rng: random.Random) -> str:
    """A random 9-digit string made valid by the 11-test (weights 9..2, -1)."""
    while True:
        digits = [rng.randrange(10) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1)))
        check = total % 11
        if check < 10 and any(digits):
            return "".join(map(str, digits)) + str(check)


def build(n_participants: int, seed: int = 20251001):
    rng = random.Random(seed)
    participants, enrolments, subjects, diplomas = [], [], [], []
    for i in range(n_participants):
        pid, eid = f"p{i}", f"e{i}"
        roll = rng.random()
        bsn = _bsn(rng) if roll < 0.9 else ("123456789" if roll < 0.95 else None)
        onderwijsnummer = "100000016" if bsn is None and rng.random() < 0.5 else None
        birth = date(1990, 1, 1) + timedelta(days=rng.randrange(0, 365 * 18))  # some under 18
        participants.append(
            ParticipantFact(
                id=pid,
                bsn=bsn,
                onderwijsnummer=onderwijsnummer,
                birth_date=birth,
                resident_in_nl=rng.random() < 0.97,
                nationality_dutch=rng.random() < 0.85,
                lawful_residence=rng.random() < 0.8,
                continuing_course=rng.random() < 0.3,
            )
        )
        start = date(2025, 8, 1) + timedelta(days=rng.randrange(0, 90))
        end = None if rng.random() < 0.1 else start + timedelta(days=rng.randrange(200, 400))
        enrolments.append(
            EnrolmentFact(
                id=eid,
                participant=pid,
                track=rng.choice(TRACKS),
                start=start,
                end=end,
                placed_by_vo_school=rng.random() < 0.05,
                attending=rng.random() < 0.95,
                marked_not_funded=rng.random() < 0.02,
                registered_on=start + timedelta(days=rng.randrange(0, 400)),
            )
        )
        for j in range(5):
            status = "G" if rng.random() < 0.9 else rng.choice("DVI")
            grade = None if rng.random() < 0.03 else Decimal(rng.randrange(30, 100)) / 10
            subjects.append(
                SubjectFact(
                    id=f"s{i}-{j}",
                    enrolment=eid,
                    subject=SUBJECT_NAMES[j],
                    status=status,
                    final_grade=grade,
                    completed_on=date(2026, 5, 15) + timedelta(days=rng.randrange(-200, 250)),
                )
            )
        if i % 3 == 0:
            diplomas.append(
                DiplomaFact(
                    id=f"d{i}",
                    enrolment=eid,
                    exam_result="G" if rng.random() < 0.85 else rng.choice("ATD"),
                    issued_on=date(2026, 7, 1) + timedelta(days=rng.randrange(-60, 240)),
                )
            )
    return participants, enrolments, subjects, diplomas


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best one is reported")
    args = parser.parse_args()

    facts = build(args.participants)
    rules = rule_set_for(COUNT_DATE)
    timings = []
    decisions = totals = None
    for _ in range(args.repeat):
        gc.collect()
        started = time.perf_counter()
        decisions, totals = evaluate(*facts, count_date=COUNT_DATE, exam_year=EXAM_YEAR, rules=rules)
        timings.append(time.perf_counter() - started)

    best = min(timings)
    rate = len(decisions) / best
    funded = Counter((d.object, d.status) for d in decisions)
    print(f"rules {rules.version}; {args.participants} participants, {len(facts[1])} enrolments, "
          f"{len(facts[2])} subjects, {len(facts[3])} diplomas -> {len(decisions)} decisions")
    print("status mix: " + ", ".join(f"{obj} {status} {n}" for (obj, status), n in sorted(funded.items())))
    print(f"totals: {totals.to_dict()}")
    print(f"runs: {', '.join(f'{t:.3f}s' for t in timings)}")
    print(f"best: {best:.3f} s, {rate:,.0f} decisions/s (target >= {TARGET_PER_SECOND:,})")
    return 0 if rate >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    raise SystemExit(main())
