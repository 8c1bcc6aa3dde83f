"""Loading the facts the rules need, in bulk: a constant number of queries per batch of
people, whatever the number of people and competences.

Other apps contribute facts through providers:

- ``register_enrolment_provider(fn)``: ``fn(person_ids: list[int]) -> dict[int, list[EnrolmentFact]]``
  gives, per person, the course enrolments that lead to a competence (``EnrolmentFact.competence``
  is the competence *code*). The learning app registers one in its ``AppConfig.ready()``;
  as a fallback, ``apps.learning.selectors.enrolment_facts_for(person_ids)`` is used when
  that function exists. Without any provider nobody is enrolled.
- ``register_rules_version_provider(fn)``: ``fn() -> str | None`` names this tenant's active
  care rule-set version (the releases app); default ``rules.CURRENT_VERSION``.
"""
from __future__ import annotations

import functools
import importlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

from django.db.models import Q

from apps.competences import rules
from apps.competences.models import (Competence, Evidence, EvidenceRequirement, Exemption, NotApplicable,
                                     Order, PracticeRecord, Profile, ProfileLink, Revocation)

EnrolmentProvider = Callable[[list[int]], dict[int, list[rules.EnrolmentFact]]]
_ENROLMENT_PROVIDERS: list[EnrolmentProvider] = []
_RULES_VERSION_PROVIDERS: list[Callable[[], str | None]] = []
_ONE_DAY = timedelta(days=1)


def register_enrolment_provider(fn: EnrolmentProvider) -> None:
    if fn not in _ENROLMENT_PROVIDERS:
        _ENROLMENT_PROVIDERS.append(fn)


def register_rules_version_provider(fn: Callable[[], str | None]) -> None:
    if fn not in _RULES_VERSION_PROVIDERS:
        _RULES_VERSION_PROVIDERS.append(fn)


def active_rule_set() -> rules.RuleSet:
    for fn in _RULES_VERSION_PROVIDERS:
        version = fn()
        if version:
            try:
                return rules.rule_set(version)
            except rules.UnknownRuleSet:
                continue
    return rules.rule_set(rules.CURRENT_VERSION)


@functools.cache
def _learning_fallback() -> EnrolmentProvider | None:
    """``apps.learning.selectors.enrolment_facts_for`` when the learning app has it and its
    tables exist (it ships migrations); None otherwise, so the loader works without it."""
    from pathlib import Path

    try:
        module = importlib.import_module("apps.learning.selectors")
    except ImportError:
        return None
    fn = getattr(module, "enrolment_facts_for", None)
    migrations = Path(importlib.import_module("apps.learning").__file__).parent / "migrations"
    if fn is None or not any(migrations.glob("0001_*.py")):
        return None
    return fn


def _enrolment_providers() -> list[EnrolmentProvider]:
    providers = list(_ENROLMENT_PROVIDERS)
    fallback = _learning_fallback()
    if fallback is not None and fallback not in providers:
        providers.append(fallback)
    return providers


@dataclass
class Catalogue:
    specs: dict[str, rules.CompetenceSpec]
    id_by_code: dict[str, int]
    code_by_id: dict[int, str]
    names: dict[str, str]
    categories: dict[str, str]
    authorised_professions: dict[str, list[str]]


def catalogue_load() -> Catalogue:
    """Every competence as a rules.CompetenceSpec (two queries)."""
    evidence: dict[int, dict[str, int]] = defaultdict(dict)
    for cid, kind, months in EvidenceRequirement.objects.values_list("competence_id", "kind", "validity_months"):
        evidence[cid][kind] = months
    specs, id_by_code, code_by_id, names, categories, professions = {}, {}, {}, {}, {}, {}
    for c in Competence.objects.all().only(
            "id", "code", "name", "category", "practice_count", "practice_months",
            "practice_verified_only", "warning_days", "authorised_professions"):
        practice = None
        if c.practice_count and c.practice_months:
            practice = rules.PracticeRequirement(c.practice_count, c.practice_months, c.practice_verified_only)
        specs[c.code] = rules.CompetenceSpec(code=c.code, name=c.name, evidence=evidence.get(c.id, {}),
                                             practice=practice, warning_days=c.warning_days,
                                             category=c.category)
        id_by_code[c.code] = c.id
        code_by_id[c.id] = c.code
        names[c.code] = c.name
        categories[c.code] = c.category
        professions[c.code] = list(c.authorised_professions or [])
    return Catalogue(specs, id_by_code, code_by_id, names, categories, professions)


@dataclass
class PersonSnapshot:
    person_id: int
    is_active: bool
    facts: rules.PersonFacts
    # First day after D on which a profile link or an order starts or ends (time alone
    # changes what is required or who is authorised); rules.decide does not see these.
    extra_next_change: date | None = None


@dataclass
class FactBatch:
    catalogue: Catalogue
    people: dict[int, PersonSnapshot] = field(default_factory=dict)


def _active(start: date | None, until: date | None, d: date) -> bool:
    return (start is None or start <= d) and (until is None or d <= until)


def _boundary(start: date | None, until: date | None, d: date, current: date | None) -> date | None:
    for candidate in (start, until + _ONE_DAY if until else None):
        if candidate is not None and candidate > d and (current is None or candidate < current):
            current = candidate
    return current


def facts_load(person_ids, as_of: date, catalogue: Catalogue | None = None) -> FactBatch:
    """The facts of these people on ``as_of``: requirements from the profile links active on
    that day (direct links and links to their unit or any unit above it), evidence, practice,
    period marks, orders and registrations, enrolments."""
    from apps.organisation.models import Person
    from apps.organisation.selectors import unit_ancestors

    catalogue = catalogue or catalogue_load()
    code_by_id = catalogue.code_by_id
    person_ids = list(person_ids)
    people = list(Person.objects.filter(id__in=person_ids).values_list(
        "id", "org_unit_id", "is_active", "profession", "registration_number"))
    ancestors = unit_ancestors(p[1] for p in people)
    all_units = {u for chain in ancestors.values() for u in chain}

    links = list(ProfileLink.objects.filter(Q(person_id__in=person_ids) | Q(org_unit_id__in=all_units))
                 .values_list("profile_id", "profile__name", "person_id", "org_unit_id", "valid_from", "valid_until"))
    profile_ids = {link[0] for link in links}
    profile_competences: dict[int, list[int]] = defaultdict(list)
    if profile_ids:
        through = Profile.competences.through
        for pid, cid in through.objects.filter(profile_id__in=profile_ids).values_list("profile_id", "competence_id"):
            profile_competences[pid].append(cid)
    links_by_person: dict[int, list] = defaultdict(list)
    links_by_unit: dict[int, list] = defaultdict(list)
    for link in links:
        if link[2] is not None:
            links_by_person[link[2]].append(link)
        else:
            links_by_unit[link[3]].append(link)

    def by_person(qs, *fields):
        out: dict[int, list] = defaultdict(list)
        for row in qs.filter(person_id__in=person_ids).values_list("person_id", *fields):
            out[row[0]].append(row[1:])
        return out

    evidence = by_person(Evidence.objects, "competence_id", "kind", "achieved_on", "passed", "valid_until")
    practice = by_person(PracticeRecord.objects.filter(rejected=False), "competence_id", "performed_on", "count",
                         "verified_by_id", "verified_at")
    period_fields = ("competence_id", "start", "until", "reason", "by__email")
    exemptions = by_person(Exemption.objects, *period_fields)
    not_applicable = by_person(NotApplicable.objects, *period_fields)
    revocations = by_person(Revocation.objects, *period_fields)
    orders = by_person(Order.objects, "competence_id", "given_by", "description", "start", "until")
    enrolments: dict[int, list[rules.EnrolmentFact]] = defaultdict(list)
    for provider in _enrolment_providers():
        for pid, facts in (provider(person_ids) or {}).items():
            enrolments[pid].extend(f for f in facts if f.competence in catalogue.specs)

    batch = FactBatch(catalogue)
    for pid, unit_id, is_active, profession, registration in people:
        extra: date | None = None
        requirements: list[rules.Requirement] = []
        if is_active:
            sources: dict[str, list[str]] = {}
            person_links = list(links_by_person.get(pid, ()))
            for u in ancestors.get(unit_id, ()):
                person_links.extend(links_by_unit.get(u, ()))
            for profile_id, profile_name, _p, _u, start, until in person_links:
                extra = _boundary(start, until, as_of, extra)
                if not _active(start, until, as_of):
                    continue
                for cid in profile_competences.get(profile_id, ()):
                    code = code_by_id[cid]
                    names = sources.setdefault(code, [])
                    if profile_name not in names:
                        names.append(profile_name)
            requirements = [rules.Requirement(code, tuple(sorted(names))) for code, names in sources.items()]

        def period(rows):
            return tuple(rules.PeriodFact(code_by_id[cid], start, until, reason or "", by or "")
                         for cid, start, until, reason, by in rows)

        authorisations = []
        if registration and profession:
            for code, allowed in catalogue.authorised_professions.items():
                if profession in allowed:
                    authorisations.append(rules.AuthorisationFact(
                        code, "registration", f"BIG-registratie {registration} ({profession})"))
        for cid, given_by, description, start, until in orders.get(pid, ()):
            extra = _boundary(start, until, as_of, extra)
            authorisations.append(rules.AuthorisationFact(
                code_by_id[cid] if cid else None, "order",
                f"opdracht van {given_by}" + (f": {description}" if description else ""), start, until))

        facts = rules.PersonFacts(
            requirements=tuple(requirements),
            evidence=tuple(rules.EvidenceFact(code_by_id[cid], kind, achieved, passed, until)
                           for cid, kind, achieved, passed, until in evidence.get(pid, ())),
            practice=tuple(rules.PracticeFact(code_by_id[cid], performed, count, verified_at is not None)
                           for cid, performed, count, _by, verified_at in practice.get(pid, ())),
            exemptions=period(exemptions.get(pid, ())),
            not_applicable=period(not_applicable.get(pid, ())),
            revocations=period(revocations.get(pid, ())),
            enrolments=tuple(enrolments.get(pid, ())),
            authorisations=tuple(authorisations),
        )
        batch.people[pid] = PersonSnapshot(pid, is_active, facts, extra)
    return batch
