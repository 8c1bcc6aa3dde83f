"""Throughput of the care passport rules: 5,000 synthetic persons x 30 competences.

Builds the facts in memory (deterministic seed), then times only ``decide`` over everyone.
Run from the project root: ``.venv/bin/python bench/care_rules.py``. Target: >= 20,000
decisions/s on one core.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apps.competences.rules import (  # noqa: E402
    AuthorisationFact,
    CompetenceSpec,
    EnrolmentFact,
    EvidenceFact,
    PeriodFact,
    PersonFacts,
    PracticeFact,
    PracticeRequirement,
    Requirement,
    decide,
    rule_set,
)

SEED = 20261201
PERSONS = 5_000
PER_PERSON = 30
CATALOGUE = 60
AS_OF = date(2026, 12, 1)
RUNS = 3

KIND_SETS = (
    {"theory": 24, "practical": 24},
    {"theory": 12, "practical": 24},
    {"elearning": 12},
    {"theory": 36, "practical": 12, "elearning": 24},
    {"certificate": 60},
    {"elearning": 24, "practical": 24},
)


def build_catalogue(rng: random.Random) -> dict[str, CompetenceSpec]:
    catalogue = {}
    for i in range(CATALOGUE):
        code = f"C{i:03d}"
        practice = None
        if rng.random() < 0.4:
            practice = PracticeRequirement(
                count=rng.choice((2, 3, 5)),
                months=rng.choice((6, 12)),
                verified_only=rng.random() < 0.5,
            )
        catalogue[code] = CompetenceSpec(
            code=code,
            name=f"Handeling {i}",
            evidence=dict(rng.choice(KIND_SETS)),
            practice=practice,
            warning_days=rng.choice((None, None, 30, 60, 90)),
            category=rng.choice(("reserved", "risky", "other")),
        )
    return catalogue


def days_before(rng: random.Random, low: int, high: int) -> date:
    return AS_OF - timedelta(days=rng.randint(low, high))


def build_person(rng: random.Random, catalogue: dict[str, CompetenceSpec], profiles) -> PersonFacts:
    codes = rng.sample(sorted(catalogue), PER_PERSON)
    requirements = []
    for code in codes:
        sources = tuple(p for p in rng.sample(profiles, rng.randint(1, 2)))
        requirements.append(Requirement(code, sources))

    evidence, practice, exemptions, marks, revocations, enrolments = [], [], [], [], [], []
    for code in codes:
        spec = catalogue[code]
        profile = rng.random()  # how far along this person is with this competence
        for kind in spec.evidence:
            if profile < 0.08:
                continue  # nothing yet
            for _ in range(rng.choice((1, 1, 2, 3))):
                if profile < 0.15 and rng.random() < 0.5:
                    continue  # partly proven
                evidence.append(
                    EvidenceFact(
                        code,
                        kind,
                        days_before(rng, -20, 800 if rng.random() < 0.8 else 1500),
                        passed=rng.random() > 0.1,
                        valid_until=days_before(rng, -500, 100) if rng.random() < 0.05 else None,
                        assessor="beoordelaar",
                    )
                )
        if spec.practice is not None:
            for _ in range(rng.randint(0, 12)):
                practice.append(
                    PracticeFact(
                        code, days_before(rng, -10, 400), rng.choice((1, 1, 2)), rng.random() < 0.8
                    )
                )
        r = rng.random()
        if r < 0.03:
            until = rng.choice((None, days_before(rng, -300, 100)))
            exemptions.append(
                PeriodFact(code, days_before(rng, 0, 400), until, "ervaring", "manager")
            )
        elif r < 0.05:
            marks.append(
                PeriodFact(code, days_before(rng, 0, 400), None, "geen patiëntcontact", "manager")
            )
        elif r < 0.06:
            revocations.append(
                PeriodFact(
                    code, days_before(rng, 0, 200), days_before(rng, -200, 0), "incident", "manager"
                )
            )
        if rng.random() < 0.1:
            enrolments.append(EnrolmentFact(code, f"Cursus {code}", days_before(rng, -120, 30)))

    authorisations = []
    if rng.random() < 0.5:
        authorisations.append(
            AuthorisationFact(
                None, "registration", "BIG-registratie verpleegkundige",
                days_before(rng, 400, 4000), None,
            )
        )
    for code in rng.sample(codes, rng.randint(0, 3)):
        authorisations.append(
            AuthorisationFact(
                code, "order", "Opdracht arts", days_before(rng, 0, 400), days_before(rng, -400, 0)
            )
        )

    return PersonFacts(
        requirements=tuple(requirements),
        evidence=tuple(evidence),
        practice=tuple(practice),
        exemptions=tuple(exemptions),
        not_applicable=tuple(marks),
        revocations=tuple(revocations),
        enrolments=tuple(enrolments),
        authorisations=tuple(authorisations),
    )


def main() -> None:
    rng = random.Random(SEED)
    catalogue = build_catalogue(rng)
    profiles = [f"Afdeling {n}" for n in ("Chirurgie", "Interne", "Cardiologie", "SEH", "IC")] + [
        f"Functie {n}" for n in ("Verpleegkundige", "Verzorgende IG", "MBO-V")
    ]
    t0 = time.perf_counter()
    persons = [build_person(rng, catalogue, profiles) for _ in range(PERSONS)]
    facts = sum(
        len(p.evidence) + len(p.practice) + len(p.exemptions) + len(p.not_applicable)
        + len(p.revocations) + len(p.enrolments) + len(p.authorisations)
        for p in persons
    )
    print(f"built {PERSONS} persons x {PER_PERSON} requirements, {facts} facts "
          f"in {time.perf_counter() - t0:.2f} s")

    rules = rule_set("care-2026.1")
    best = None
    statuses: Counter[str] = Counter()
    for run in range(1, RUNS + 1):
        start = time.perf_counter()
        count = 0
        for person in persons:
            count += len(decide(person, catalogue, AS_OF, rules))
        seconds = time.perf_counter() - start
        rate = count / seconds
        best = rate if best is None else max(best, rate)
        print(f"run {run}: {count} decisions in {seconds:.3f} s = {rate:,.0f} decisions/s")

    for person in persons:
        statuses.update(d.status for d in decide(person, catalogue, AS_OF, rules))
    print("statuses:", ", ".join(f"{s}={n}" for s, n in statuses.most_common()))
    print(f"best: {best:,.0f} decisions/s (target 20,000)")


if __name__ == "__main__":
    main()
