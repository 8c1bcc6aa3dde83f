"""Reads of the care passport for screens, APIs and other apps. Each owns its query count:
the passport and the team overview run a constant number of queries whatever the number of
people and competences.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from apps.competences import rules
from apps.competences.facts import active_rule_set, catalogue_load, facts_load
from apps.competences.models import Competence, CompetenceStatus, CompetenceStatusHistory, Status
from apps.organisation.models import Person
from apps.organisation.selectors import is_tenant_admin, unit_ids_managed_by, unit_ids_with_descendants

STATUS_ORDER = [s for s in rules.STATUSES]


@dataclass
class PassportEntry:
    competence: str
    name: str
    category: str
    status: str
    valid_until: date | None
    next_change: date | None
    grounds: list[dict]
    authorised: bool
    authorisation_grounds: list[dict]
    rules_version: str

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def next_steps(self) -> list[str]:
        return next_steps(self)

    def to_dict(self) -> dict:
        return {"competence": self.competence, "name": self.name, "category": self.category,
                "status": self.status, "valid_until": self.valid_until, "next_change": self.next_change,
                "grounds": self.grounds, "authorised": self.authorised,
                "authorisation_grounds": self.authorisation_grounds, "rules_version": self.rules_version,
                "next_steps": self.next_steps}


@dataclass
class Passport:
    person: Person
    as_of: date
    source: str  # "current" (stored statuses), "history" (past date), "projection" (future date)
    entries: list[PassportEntry] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(e.status for e in self.entries)
        return {s: c.get(s, 0) for s in STATUS_ORDER}


def passport_for(person: Person, as_of: date | None = None) -> Passport:
    """The person's statuses with grounds on ``as_of``: today from the stored statuses, an
    earlier day from the history (what was recorded as true that day), a later day projected
    by the rules from today's facts. One query for today and the past."""
    today = timezone.localdate()
    as_of = as_of or today
    if as_of == today:
        rows = (CompetenceStatus.objects.filter(person=person).select_related("competence")
                .order_by("competence__code"))
        entries = [_entry(r, r.next_change) for r in rows]
        return Passport(person, as_of, "current", entries)
    if as_of < today:
        rows = (CompetenceStatusHistory.objects.filter(person=person, valid_from__lte=as_of)
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=as_of))
                .select_related("competence").order_by("competence__code", "-valid_from", "-id"))
        entries, seen = [], set()
        for r in rows:
            if r.competence_id in seen:
                continue
            seen.add(r.competence_id)
            entries.append(_entry(r, None))
        return Passport(person, as_of, "history", entries)
    catalogue = catalogue_load()
    snap = facts_load([person.pk], as_of, catalogue).people.get(person.pk)
    entries = []
    if snap is not None:
        for d in rules.decide(snap.facts, catalogue.specs, as_of, active_rule_set()):
            entries.append(PassportEntry(
                d.competence, catalogue.names[d.competence], catalogue.categories[d.competence], d.status,
                d.valid_until, d.next_change, [g.to_dict() for g in d.grounds], d.authorised,
                [g.to_dict() for g in d.authorisation_grounds], d.rules_version))
    return Passport(person, as_of, "projection", entries)


def _entry(row, next_change) -> PassportEntry:
    c = row.competence
    return PassportEntry(c.code, c.name, c.category, row.status, row.valid_until, next_change, row.grounds,
                         row.authorised, row.authorisation_grounds, row.rules_version)


def next_steps(entry: PassportEntry) -> list[str]:
    """What the person should do next, in plain Dutch ("wat moet ik doen")."""
    kinds = dict(rules.KIND_NAMES)
    steps: list[str] = []
    for g in entry.grounds:
        code, p = g["code"], g.get("params", {})
        if code == rules.G_NO_EVIDENCE:
            names = [kinds.get(k, k).lower() for k in p.get("kinds", [])]
            steps.append("Schrijf je in voor " + (" en ".join(names) if names else "de opleiding")
                         + " en laat het resultaat vastleggen.")
        elif code == rules.G_KIND_MISSING:
            steps.append(f"Behaal nog: {kinds.get(p.get('kind'), p.get('kind')).lower()}.")
        elif code == rules.G_KIND_EXPIRED:
            steps.append(f"Herhaal {kinds.get(p.get('kind'), p.get('kind')).lower()}: verlopen sinds "
                         f"{rules.format_date(date.fromisoformat(p['date']) + timedelta(days=1))}.")
        elif code == rules.G_EXPIRES_ON:
            steps.append(f"Plan {kinds.get(p.get('kind'), p.get('kind')).lower()} opnieuw vóór "
                         f"{rules.format_date(date.fromisoformat(p['date']))}.")
        elif code == rules.G_PRACTICE_BELOW_MINIMUM:
            missing = max(0, int(p.get("required", 0)) - int(p.get("done", 0)))
            steps.append(f"Voer de handeling nog {missing} keer uit en laat het aftekenen "
                         f"(minimaal {p.get('required')} keer per {p.get('months')} maanden).")
        elif code == rules.G_REVOKED:
            steps.append("Neem contact op met je leidinggevende over de intrekking.")
    if entry.status == rules.IN_PROGRESS and any(g["code"] == rules.G_ENROLLED for g in entry.grounds) \
            and not steps:
        steps.append("Volg de sessie waarvoor je bent ingeschreven.")
    if not entry.authorised and entry.status in (rules.COMPETENT, rules.EXPIRING) and entry.category != "other":
        steps.append("Je bent bekwaam maar niet bevoegd: vraag een opdracht van een zelfstandig bevoegde.")
    return steps


# --- team overview --------------------------------------------------------------------------

@dataclass
class TeamRow:
    person_id: int
    name: str
    personnel_number: str
    org_unit: str
    cells: dict[str, dict]


@dataclass
class TeamOverview:
    as_of: date
    competences: list[dict]
    rows: list[TeamRow]
    counts: dict[str, int]


def team_people(user, *, org_unit: int | None = None):
    """Active people in the units the user manages (all for the tenant admin), optionally
    narrowed to one unit (and its subunits) that the user may see."""
    qs = Person.objects.filter(is_active=True)
    if is_tenant_admin(user):
        if org_unit is not None:
            qs = qs.filter(org_unit_id__in=unit_ids_with_descendants([org_unit]))
        return qs
    managed = unit_ids_managed_by(user)
    if org_unit is not None:
        managed = managed & ({org_unit} | unit_ids_with_descendants([org_unit]) if org_unit in managed else set())
    return qs.filter(org_unit_id__in=managed)


def team_overview(user, *, org_unit: int | None = None, status: str | None = None,
                  expires_within: int | None = None) -> TeamOverview:
    """People x competences of the user's team with today's statuses, and counts per status.

    ``status``: only cells (and people) with that status. ``expires_within``: only cells that
    are held now (competent/expiring) with ``valid_until`` within N days. Constant queries:
    managed units, people, statuses (with competences)."""
    today = timezone.localdate()
    people = list(team_people(user, org_unit=org_unit).select_related("org_unit")
                  .only("id", "first_name", "last_name", "personnel_number", "org_unit__name")
                  .order_by("last_name", "first_name", "id"))
    ids = [p.id for p in people]
    statuses = CompetenceStatus.objects.filter(person_id__in=ids)
    if status:
        statuses = statuses.filter(status=status)
    if expires_within is not None:
        statuses = statuses.filter(status__in=[rules.COMPETENT, rules.EXPIRING],
                                   valid_until__lte=today + timedelta(days=expires_within))
    rows_by_person: dict[int, dict[str, dict]] = {}
    comps: dict[str, dict] = {}
    counts = Counter()
    for pid, code, name, category, st, valid_until, authorised in statuses.values_list(
            "person_id", "competence__code", "competence__name", "competence__category", "status", "valid_until",
            "authorised").order_by():
        comps.setdefault(code, {"code": code, "name": name, "category": category})
        rows_by_person.setdefault(pid, {})[code] = {"status": st, "valid_until": valid_until, "authorised": authorised}
        counts[st] += 1
    filtered = bool(status) or expires_within is not None
    rows = [TeamRow(p.id, p.full_name, p.personnel_number, p.org_unit.name if p.org_unit else "",
                    rows_by_person.get(p.id, {}))
            for p in people if not filtered or p.id in rows_by_person]
    return TeamOverview(today, sorted(comps.values(), key=lambda c: c["code"]), rows,
                        {s: counts.get(s, 0) for s in STATUS_ORDER})


def team_overview_table(overview: TeamOverview) -> tuple[list[str], list[list]]:
    """Header and rows for CSV/XLSX exports: one row per person, one column per competence
    (status code; valid-until date beside it)."""
    header = ["personeelsnummer", "naam", "afdeling"]
    for c in overview.competences:
        header += [c["code"], f"{c['code']} geldig tot"]
    table = []
    for r in overview.rows:
        line = [r.personnel_number, r.name, r.org_unit]
        for c in overview.competences:
            cell = r.cells.get(c["code"])
            line += [cell["status"] if cell else "", cell["valid_until"].isoformat()
                     if cell and cell["valid_until"] else ""]
        table.append(line)
    return header, table


def competences_catalogue():
    return Competence.objects.prefetch_related("requirements").order_by("code")
