"""Care passport status rules: the executable contract of shared/PASSPORT-RULES.md.

Pure: facts about one person and a date ``D`` (``as_of``) go in, one ``Decision`` per
required competence comes out. No Django, no ORM, no clock, no I/O — the service loads facts
in bulk and stores the decisions, the what-if endpoint calls the very same ``decide`` on
posted facts, and rollout previews call it with another ``RuleSet``.

Decision per required competence, first match wins:

1. a not-applicable mark active on D            -> ``not_applicable``
2. a revocation active on D                     -> ``revoked``
3. an exemption active on D                     -> ``exempt``
4. the evidence: for each required kind the newest *passed* record achieved on or before D
   counts; it is valid from its achieved date through achieved + validity months inclusive
   (or through its own ``valid_until`` override) and expired from the day after.

   - every kind valid and the practice minimum met -> ``competent``, or ``expiring`` when D
     lies in the warning window: the W days up to and including the earliest expiry,
     i.e. ``D >= expiry - (W - 1) days``;
   - some kind was valid once but no longer, or practice below the minimum -> ``expired``;
   - some kind valid, or any enrolment for the competence -> ``in_progress``;
   - otherwise -> ``missing``.

Precise choices where the prose leaves room (the tests pin each of them):

- Month arithmetic clamps to the month's last day: 2024-08-31 + 6 months = 2025-02-28.
- Facts dated after D do not count (evidence achieved later, exemptions/marks/revocations
  and authorisations starting later, practice performed later). Enrolments count whatever
  their session date: being enrolled is the fact, the session is usually ahead.
- Two passed records of one kind on the same newest date: the one valid longest counts.
- Practice minimum (N performances in M months): "held since" is the newest achieved date
  among the records that make every kind valid now. While ``D < held_since + M months`` the
  practice is not yet counted. Otherwise the practice counted is the sum of ``count`` of the
  records (verified ones only, if required) with ``D - M months < performed_on <= D``: the M
  months up to and including D, excluding the day exactly M months back. Practice is only
  weighed when every kind is valid (a kind that is missing or expired decides first).
- Several active exemptions (marks, revocations): the one that lasts longest decides
  (open-ended first), its until is ``valid_until``.
- ``valid_until``: the last day the competence, exemption, mark or revocation holds; None
  when open-ended or not held (``expired``, ``in_progress``, ``missing``).
- ``next_change``: the first day after D on which the status (or its ``valid_until``) can
  change by time alone; None when nothing changes by itself. It may be early (re-deciding
  then gives the same result) but never late. Candidates: the first day of the warning
  window (competent), the day after the earliest expiry (expiring; in_progress with a valid
  kind, which then turns expired), the day practice starts to count, the day the practice
  count drops below the minimum, the day after the deciding exemption/mark/revocation ends,
  and facts dated after D that come into force: the start of a period fact that takes
  precedence (or, of the same type, may outlast the deciding one), a passed evidence record
  for a required kind, and (when only the practice minimum fails) an eligible practice
  record.
- Authorisation (bevoegd) is decided beside the status, never folded into it, and does not
  move ``next_change``.

Grounds: ``{code, params, text}``. Codes are public API (JSON, exports); params are
JSON-ready (dates as ISO strings); texts are plain Dutch with dates as dd-mm-yyyy. Every
decision ends with a ``required_by`` ground naming the profile(s) the requirement came from.
Besides the codes of PASSPORT-RULES.md, decisions explain themselves with ``all_valid``
(competent), ``practice_met`` / ``practice_not_yet_counted`` (when a minimum applies),
``kind_missing`` (expired, in_progress) and ``enrolled`` also on ``expired``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, Literal, Mapping

__all__ = [
    "ALL_VALID",
    "AUTHORISATION_GROUND_CODES",
    "AuthorisationFact",
    "CURRENT_VERSION",
    "CompetenceSpec",
    "Decision",
    "EnrolmentFact",
    "EvidenceFact",
    "GROUND_CODES",
    "Ground",
    "KIND_NAMES",
    "PeriodFact",
    "PersonFacts",
    "PracticeFact",
    "PracticeRequirement",
    "RULE_SETS",
    "Requirement",
    "RuleSet",
    "STATUSES",
    "UnknownRuleSet",
    "add_months",
    "decide",
    "format_date",
    "rule_set",
]

# --- Status and ground codes (public API) -------------------------------------------------

COMPETENT = "competent"
EXPIRING = "expiring"
EXPIRED = "expired"
IN_PROGRESS = "in_progress"
MISSING = "missing"
EXEMPT = "exempt"
NOT_APPLICABLE = "not_applicable"
REVOKED = "revoked"

STATUSES = (COMPETENT, EXPIRING, EXPIRED, IN_PROGRESS, MISSING, EXEMPT, NOT_APPLICABLE, REVOKED)

G_NOT_APPLICABLE = "not_applicable"
G_REVOKED = "revoked"
G_EXEMPT = "exempt"
G_EXPIRES_ON = "expires_on"
G_KIND_EXPIRED = "kind_expired"
G_PRACTICE_BELOW_MINIMUM = "practice_below_minimum"
G_KIND_VALID = "kind_valid"
G_ENROLLED = "enrolled"
G_NO_EVIDENCE = "no_evidence"
ALL_VALID = "all_valid"
G_REQUIRED_BY = "required_by"
# Extra explanatory grounds (not named by PASSPORT-RULES.md, allowed by it).
G_KIND_MISSING = "kind_missing"
G_PRACTICE_MET = "practice_met"
G_PRACTICE_NOT_YET_COUNTED = "practice_not_yet_counted"

GROUND_CODES = (
    G_NOT_APPLICABLE,
    G_REVOKED,
    G_EXEMPT,
    G_EXPIRES_ON,
    G_KIND_EXPIRED,
    G_PRACTICE_BELOW_MINIMUM,
    G_KIND_VALID,
    G_ENROLLED,
    G_NO_EVIDENCE,
    ALL_VALID,
    G_REQUIRED_BY,
    G_KIND_MISSING,
    G_PRACTICE_MET,
    G_PRACTICE_NOT_YET_COUNTED,
)

G_AUTHORISED_BY_REGISTRATION = "authorised_by_registration"
G_AUTHORISED_BY_ORDER = "authorised_by_order"
G_NOT_AUTHORISED = "not_authorised"

AUTHORISATION_GROUND_CODES = (
    G_AUTHORISED_BY_REGISTRATION,
    G_AUTHORISED_BY_ORDER,
    G_NOT_AUTHORISED,
)

KIND_NAMES = MappingProxyType(
    {
        "theory": "Theorie",
        "practical": "Praktijktoets",
        "elearning": "E-learning",
        "certificate": "Certificaat",
    }
)

# --- Rule sets ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The parameters of one version of the rules; a passport version names one."""

    version: str
    effective_from: date
    default_warning_days: int


class UnknownRuleSet(KeyError):
    """No rule set is registered under this version."""


RULE_SETS: Mapping[str, RuleSet] = MappingProxyType(
    {
        "care-2026.1": RuleSet("care-2026.1", date(2026, 1, 1), default_warning_days=60),
        # A later passport version warns earlier; rollout previews compare it with 2026.1.
        "care-2026.2": RuleSet("care-2026.2", date(2026, 10, 1), default_warning_days=90),
    }
)

CURRENT_VERSION = "care-2026.1"


def rule_set(version: str) -> RuleSet:
    """The registered rule set for ``version``; ``UnknownRuleSet`` if there is none."""
    try:
        return RULE_SETS[version]
    except KeyError:
        raise UnknownRuleSet(version) from None


# --- Inputs -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PracticeRequirement:
    """At least ``count`` performances in the last ``months`` months."""

    count: int
    months: int
    verified_only: bool = False

    def __post_init__(self) -> None:
        if not (_is_int(self.count) and self.count >= 1):
            raise ValueError(f"practice count must be a whole number >= 1, not {self.count!r}")
        if not (_is_int(self.months) and self.months >= 1):
            raise ValueError(f"practice months must be a whole number >= 1, not {self.months!r}")


@dataclass(frozen=True, slots=True)
class CompetenceSpec:
    """One catalogue competence: required evidence kinds -> validity in months."""

    code: str
    name: str
    evidence: dict[str, int]
    practice: PracticeRequirement | None = None
    warning_days: int | None = None  # None: the rule set's default
    category: str = "other"

    def __post_init__(self) -> None:
        for kind, months in self.evidence.items():
            if not (_is_int(months) and months >= 1):
                raise ValueError(
                    f"{self.code}: validity of {kind!r} must be a whole number of months >= 1, "
                    f"not {months!r}"
                )
        if self.warning_days is not None and not (
            _is_int(self.warning_days) and self.warning_days >= 0
        ):
            raise ValueError(
                f"{self.code}: warning_days must be a whole number >= 0, not {self.warning_days!r}"
            )


@dataclass(frozen=True, slots=True)
class Requirement:
    """A competence the person must hold, with the profile(s) it came from."""

    competence: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EvidenceFact:
    competence: str
    kind: str
    achieved_on: date
    passed: bool
    valid_until: date | None = None  # override, e.g. an external certificate's own expiry
    assessor: str = ""


@dataclass(frozen=True, slots=True)
class PracticeFact:
    competence: str
    performed_on: date
    count: int = 1
    verified: bool = False


@dataclass(frozen=True, slots=True)
class PeriodFact:
    """An exemption, not-applicable mark or revocation: active from start through until."""

    competence: str
    start: date
    until: date | None = None  # None: open-ended
    reason: str = ""
    by: str = ""


@dataclass(frozen=True, slots=True)
class EnrolmentFact:
    competence: str
    course: str
    session_date: date


@dataclass(frozen=True, slots=True)
class AuthorisationFact:
    """Bevoegdheid: a professional registration or a recorded order (opdracht)."""

    competence: str | None  # None: applies to every competence
    basis: Literal["registration", "order"]
    description: str
    start: date | None = None
    until: date | None = None


@dataclass(frozen=True, slots=True)
class PersonFacts:
    requirements: tuple[Requirement, ...] = ()
    evidence: tuple[EvidenceFact, ...] = ()
    practice: tuple[PracticeFact, ...] = ()
    exemptions: tuple[PeriodFact, ...] = ()
    not_applicable: tuple[PeriodFact, ...] = ()
    revocations: tuple[PeriodFact, ...] = ()
    enrolments: tuple[EnrolmentFact, ...] = ()
    authorisations: tuple[AuthorisationFact, ...] = ()


# --- Outputs ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ground:
    """One coded reason. ``params`` holds JSON-ready values (dates as ISO strings)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": _json_copy(self.params), "text": self.text}


@dataclass(frozen=True, slots=True)
class Decision:
    competence: str
    status: str
    valid_until: date | None
    next_change: date | None
    grounds: tuple[Ground, ...]
    rules_version: str
    authorised: bool
    authorisation_grounds: tuple[Ground, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "competence": self.competence,
            "status": self.status,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "next_change": self.next_change.isoformat() if self.next_change else None,
            "grounds": [g.to_dict() for g in self.grounds],
            "rules_version": self.rules_version,
            "authorised": self.authorised,
            "authorisation_grounds": [g.to_dict() for g in self.authorisation_grounds],
        }


# --- Dates --------------------------------------------------------------------------------

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_ONE_DAY = timedelta(days=1)


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole months, clamped to the month's last day (08-31 + 6 = 02-28)."""
    y, m = divmod(d.month - 1 + months, 12)
    year = d.year + y
    month = m + 1
    day = d.day
    if day > 28:
        day = min(day, _days_in_month(year, month))
    return date(year, month, day)


def _first_day_out(performed_on: date, months: int) -> date:
    """First day D' on which a performance no longer lies in the M months up to D'.

    A performance counts on D' while ``performed_on > add_months(D', -M)``; that function
    is non-decreasing in D', so this is ``performed_on + M months``, or the day after when
    clamping shortened the month (2024-03-31 + 1 month = 04-30, still counted that day).
    """
    out = add_months(performed_on, months)
    while add_months(out, -months) < performed_on:
        out += _ONE_DAY
    return out


def format_date(d: date) -> str:
    """dd-mm-yyyy, as Dutch readers expect."""
    return f"{d.day:02d}-{d.month:02d}-{d.year:04d}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _json_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_copy(v) for v in value]
    return value


def _kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind)


def _join_nl(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


# --- Ground builders (code, JSON-ready params, Dutch text) --------------------------------


def _period_params(p: PeriodFact) -> dict[str, Any]:
    return {
        "reason": p.reason,
        "by": p.by,
        "from": p.start.isoformat(),
        "until": p.until.isoformat() if p.until else None,
    }


def _period_text(label: str, p: PeriodFact, open_end: str) -> str:
    text = f"{label}: {p.reason}" if p.reason else label
    if p.by:
        text += f" (door {p.by})"
    if p.until is not None:
        text += f", tot en met {format_date(p.until)}"
    else:
        text += f", {open_end}"
    return text


def _ground_not_applicable(p: PeriodFact) -> Ground:
    return Ground(
        G_NOT_APPLICABLE, _period_params(p), _period_text("Niet van toepassing", p, "blijvend")
    )


def _ground_revoked(p: PeriodFact) -> Ground:
    return Ground(G_REVOKED, _period_params(p), _period_text("Ingetrokken", p, "voor onbepaalde tijd"))


def _ground_exempt(p: PeriodFact) -> Ground:
    return Ground(G_EXEMPT, _period_params(p), _period_text("Vrijgesteld", p, "zonder einddatum"))


def _ground_expires_on(kind: str, expiry: date) -> Ground:
    return Ground(
        G_EXPIRES_ON,
        {"date": expiry.isoformat(), "kind": kind},
        f"{_kind_name(kind)} verloopt op {format_date(expiry)}",
    )


def _ground_kind_expired(kind: str, expiry: date) -> Ground:
    return Ground(
        G_KIND_EXPIRED,
        {"kind": kind, "date": expiry.isoformat()},
        f"{_kind_name(kind)} verlopen: was geldig tot en met {format_date(expiry)}",
    )


def _ground_kind_valid(kind: str, expiry: date) -> Ground:
    return Ground(
        G_KIND_VALID,
        {"kind": kind, "until": expiry.isoformat()},
        f"{_kind_name(kind)} geldig tot en met {format_date(expiry)}",
    )


def _ground_kind_missing(kind: str) -> Ground:
    return Ground(G_KIND_MISSING, {"kind": kind}, f"{_kind_name(kind)} nog niet behaald")


def _ground_enrolled(e: EnrolmentFact) -> Ground:
    when = format_date(e.session_date)
    text = f"Ingeschreven voor {e.course}, sessie op {when}" if e.course else (
        f"Ingeschreven voor een sessie op {when}"
    )
    return Ground(
        G_ENROLLED, {"course": e.course, "session_date": e.session_date.isoformat()}, text
    )


def _ground_no_evidence(kinds: list[str]) -> Ground:
    names = _join_nl([_kind_name(k) for k in kinds])
    return Ground(
        G_NO_EVIDENCE,
        {"kinds": list(kinds)},
        f"Nog geen bewijs: {names}" if names else "Nog geen bewijs",
    )


def _ground_all_valid(expiries: dict[str, date]) -> Ground:
    parts = [f"{_kind_name(k)} tot en met {format_date(d)}" for k, d in expiries.items()]
    text = "Alle onderdelen geldig: " + ", ".join(parts) if parts else "Alle onderdelen geldig"
    return Ground(ALL_VALID, {"kinds": {k: d.isoformat() for k, d in expiries.items()}}, text)


def _verified_note(req: PracticeRequirement) -> str:
    return " (alleen geverifieerde uitvoeringen tellen)" if req.verified_only else ""


def _ground_practice_below(done: int, req: PracticeRequirement) -> Ground:
    return Ground(
        G_PRACTICE_BELOW_MINIMUM,
        {"done": done, "required": req.count, "months": req.months},
        f"Praktijk onder het minimum: {done} van {req.count} keer in de laatste "
        f"{req.months} maanden{_verified_note(req)}",
    )


def _ground_practice_met(done: int, req: PracticeRequirement) -> Ground:
    return Ground(
        G_PRACTICE_MET,
        {"done": done, "required": req.count, "months": req.months},
        f"Praktijk voldoende: {done} keer in de laatste {req.months} maanden "
        f"(minimaal {req.count}){_verified_note(req)}",
    )


def _ground_practice_not_yet_counted(start: date) -> Ground:
    return Ground(
        G_PRACTICE_NOT_YET_COUNTED,
        {"from": start.isoformat()},
        f"Praktijkeis telt mee vanaf {format_date(start)}",
    )


def _ground_required_by(profiles: tuple[str, ...]) -> Ground:
    if not profiles:
        text = "Rechtstreeks vereist"
    elif len(profiles) == 1:
        text = f"Vereist door profiel {profiles[0]}"
    else:
        text = f"Vereist door profielen {_join_nl(list(profiles))}"
    return Ground(G_REQUIRED_BY, {"profiles": list(profiles)}, text)


def _ground_authorised(a: AuthorisationFact) -> Ground:
    if a.basis == "registration":
        code, label = G_AUTHORISED_BY_REGISTRATION, "Bevoegd op grond van registratie"
    else:
        code, label = G_AUTHORISED_BY_ORDER, "Bevoegd op grond van opdracht"
    text = f"{label}: {a.description}" if a.description else label
    if a.start is not None:
        text += f", vanaf {format_date(a.start)}"
    if a.until is not None:
        text += f", tot en met {format_date(a.until)}"
    params = {
        "description": a.description,
        "from": a.start.isoformat() if a.start else None,
        "until": a.until.isoformat() if a.until else None,
    }
    if a.competence is not None:
        params["competence"] = a.competence
    return Ground(code, params, text)


def _ground_not_authorised(as_of: date) -> Ground:
    return Ground(
        G_NOT_AUTHORISED,
        {"date": as_of.isoformat()},
        f"Niet bevoegd op {format_date(as_of)}: geen geldige registratie of opdracht",
    )


# --- Decision -----------------------------------------------------------------------------


def _group(facts: tuple) -> dict[str, list]:
    by: dict[str, list] = {}
    for f in facts:
        lst = by.get(f.competence)
        if lst is None:
            by[f.competence] = [f]
        else:
            lst.append(f)
    return by


_EMPTY: tuple = ()


def _active_period(periods, as_of: date) -> PeriodFact | None:
    """The active period that lasts longest (open-ended first, then the latest start)."""
    best = None
    best_key = None
    for p in periods:
        if p.start <= as_of and (p.until is None or as_of <= p.until):
            key = (p.until is None, p.until or date.min, p.start)
            if best_key is None or key > best_key:
                best, best_key = p, key
    return best


def _earliest_future_start(periods, as_of: date, current: date | None) -> date | None:
    for p in periods:
        if p.start > as_of and (current is None or p.start < current):
            current = p.start
    return current


def _min_date(a: date | None, b: date | None) -> date | None:
    if a is None:
        return b
    if b is None or a <= b:
        return a
    return b


def _authorisation_active(a: AuthorisationFact, as_of: date) -> bool:
    return (a.start is None or a.start <= as_of) and (a.until is None or as_of <= a.until)


def _authorisation_key(a: AuthorisationFact):
    return (a.basis != "registration", a.start or date.min, a.description)


def decide(
    person: PersonFacts,
    competences: Mapping[str, CompetenceSpec],
    as_of: date,
    rules: RuleSet | None = None,
) -> list[Decision]:
    """One decision per required competence of ``person`` on ``as_of``, ordered by code.

    ``competences`` maps competence code -> spec and must cover every requirement
    (``ValueError`` otherwise). ``rules`` defaults to the ``CURRENT_VERSION`` rule set.
    Duplicate requirements of one competence are merged; their sources are united.
    """
    if isinstance(as_of, datetime) or not isinstance(as_of, date):
        raise TypeError(f"as_of must be a date, not {type(as_of).__name__}")
    if rules is None:
        rules = RULE_SETS[CURRENT_VERSION]

    sources_by_code: dict[str, list[str]] = {}
    for req in person.requirements:
        code = req.competence
        if code not in competences:
            raise ValueError(f"required competence {code!r} is not in the catalogue")
        have = sources_by_code.get(code)
        if have is None:
            sources_by_code[code] = list(req.sources)
        else:
            have.extend(s for s in req.sources if s not in have)
    if not sources_by_code:
        return []

    # Index every fact by competence once per person: each decision then reads only its own.
    evidence_by = _group(person.evidence)
    practice_by = _group(person.practice) if person.practice else {}
    exemptions_by = _group(person.exemptions) if person.exemptions else {}
    na_by = _group(person.not_applicable) if person.not_applicable else {}
    revocations_by = _group(person.revocations) if person.revocations else {}
    enrolments_by = _group(person.enrolments) if person.enrolments else {}

    # Authorisation: facts for every competence are decided once, per competence only extras.
    global_auth: list[AuthorisationFact] = []
    auth_by: dict[str, list[AuthorisationFact]] = {}
    for a in person.authorisations:
        if not _authorisation_active(a, as_of):
            continue
        if a.competence is None:
            global_auth.append(a)
        else:
            auth_by.setdefault(a.competence, []).append(a)
    global_auth.sort(key=_authorisation_key)
    global_auth_grounds = tuple(_ground_authorised(a) for a in global_auth)
    not_authorised = (_ground_not_authorised(as_of),)

    version = rules.version
    default_warning = rules.default_warning_days
    required_by_cache: dict[tuple[str, ...], Ground] = {}

    decisions: list[Decision] = []
    append = decisions.append
    for code in sorted(sources_by_code):
        spec = competences[code]
        sources = tuple(sources_by_code[code])
        required_by = required_by_cache.get(sources)
        if required_by is None:
            required_by = required_by_cache[sources] = _ground_required_by(sources)

        extra_auth = auth_by.get(code)
        if extra_auth:
            grounds_auth = tuple(
                _ground_authorised(a) for a in sorted(global_auth + extra_auth, key=_authorisation_key)
            )
            authorised = True
        elif global_auth_grounds:
            grounds_auth = global_auth_grounds
            authorised = True
        else:
            grounds_auth = not_authorised
            authorised = False

        status, valid_until, next_change, grounds = _decide_status(
            spec,
            as_of,
            default_warning,
            evidence_by.get(code, _EMPTY),
            practice_by.get(code, _EMPTY),
            na_by.get(code, _EMPTY),
            revocations_by.get(code, _EMPTY),
            exemptions_by.get(code, _EMPTY),
            enrolments_by.get(code, _EMPTY),
        )
        grounds.append(required_by)
        append(
            Decision(
                code,
                status,
                valid_until,
                next_change,
                tuple(grounds),
                version,
                authorised,
                grounds_auth,
            )
        )
    return decisions


def _decide_status(
    spec: CompetenceSpec,
    as_of: date,
    default_warning: int,
    evidence,
    practice,
    not_applicable,
    revocations,
    exemptions,
    enrolments,
) -> tuple[str, date | None, date | None, list[Ground]]:
    """Status, valid_until, next_change and grounds (without required_by) of one competence."""
    # Steps 1-3: period facts, in precedence order. A later start of a fact that takes
    # precedence changes the status too, so it is a next_change candidate.
    if not_applicable or revocations or exemptions:
        higher: date | None = None
        for periods, status, make_ground in (
            (not_applicable, NOT_APPLICABLE, _ground_not_applicable),
            (revocations, REVOKED, _ground_revoked),
            (exemptions, EXEMPT, _ground_exempt),
        ):
            if not periods:
                continue
            active = _active_period(periods, as_of)
            if active is not None:
                until = active.until
                if until is None:
                    return status, None, higher, [make_ground(active)]
                # One of the same kind starting later may outlast it: valid_until moves.
                nxt = _earliest_future_start(periods, as_of, until + _ONE_DAY)
                return status, until, _min_date(higher, nxt), [make_ground(active)]
            higher = _earliest_future_start(periods, as_of, higher)
        future = higher  # every period type outranks the evidence
    else:
        future = None

    # Step 4: the newest passed record per required kind, on or before D.
    kinds = spec.evidence
    newest: dict[str, EvidenceFact] = {}
    for e in evidence:
        if not e.passed:
            continue
        kind = e.kind
        if kind not in kinds:
            continue
        achieved = e.achieved_on
        if achieved > as_of:
            # Comes into force later: it becomes the newest record of its kind then.
            if future is None or achieved < future:
                future = achieved
            continue
        cur = newest.get(kind)
        if cur is None or achieved > cur.achieved_on:
            newest[kind] = e
        elif achieved == cur.achieved_on and _expiry(e, kinds[kind]) > _expiry(cur, kinds[kind]):
            newest[kind] = e

    expiries: dict[str, date] = {}
    expired: list[tuple[str, date]] = []
    missing: list[str] = []
    valid_until: date | None = None
    held_since: date | None = None
    for kind, months in kinds.items():
        e = newest.get(kind)
        if e is None:
            missing.append(kind)
            continue
        expiry = e.valid_until if e.valid_until is not None else add_months(e.achieved_on, months)
        if as_of <= expiry:
            expiries[kind] = expiry
            if valid_until is None or expiry < valid_until:
                valid_until = expiry
            if held_since is None or e.achieved_on > held_since:
                held_since = e.achieved_on
        else:
            expired.append((kind, expiry))

    grounds: list[Ground]
    if not expired and not missing:
        # Every kind valid: the practice minimum decides between competent and expired.
        req = spec.practice
        practice_ground: Ground | None = None
        if req is not None:
            starts = add_months(held_since, req.months) if held_since is not None else None
            if starts is not None and as_of < starts:
                practice_ground = _ground_practice_not_yet_counted(starts)
                future = _min_date(future, starts)
            else:
                done, drop, next_practice = _count_practice(practice, req, as_of)
                if done < req.count:
                    grounds = [_ground_practice_below(done, req)]
                    _add_enrolled(grounds, enrolments)
                    # Only newly performed practice can lift it; it is on file if dated later.
                    return EXPIRED, None, _min_date(future, next_practice), grounds
                practice_ground = _ground_practice_met(done, req)
                future = _min_date(future, drop)

        warning = spec.warning_days if spec.warning_days is not None else default_warning
        if valid_until is None:  # no evidence kinds required: nothing expires
            status = COMPETENT
            grounds = [_ground_all_valid(expiries)]
        elif warning > 0 and as_of >= valid_until - timedelta(days=warning - 1):
            status = EXPIRING
            grounds = [_ground_expires_on(k, d) for k, d in expiries.items() if d == valid_until]
            future = _min_date(future, valid_until + _ONE_DAY)
        else:
            status = COMPETENT
            grounds = [_ground_all_valid(expiries)]
            first_warning_day = (
                valid_until - timedelta(days=warning - 1) if warning > 0 else valid_until + _ONE_DAY
            )
            future = _min_date(future, first_warning_day)
        if practice_ground is not None:
            grounds.append(practice_ground)
        return status, valid_until, future, grounds

    if expired:
        grounds = [_ground_kind_expired(k, d) for k, d in expired]
        grounds.extend(_ground_kind_missing(k) for k in missing)
        _add_enrolled(grounds, enrolments)
        return EXPIRED, None, future, grounds

    # Some kind missing, none expired: the valid ones (if any) expire in time -> expired.
    if expiries or enrolments:
        grounds = [_ground_kind_valid(k, d) for k, d in expiries.items()]
        grounds.extend(_ground_kind_missing(k) for k in missing)
        _add_enrolled(grounds, enrolments)
        if valid_until is not None:
            future = _min_date(future, valid_until + _ONE_DAY)
        return IN_PROGRESS, None, future, grounds

    return MISSING, None, future, [_ground_no_evidence(missing)]


def _expiry(e: EvidenceFact, months: int) -> date:
    return e.valid_until if e.valid_until is not None else add_months(e.achieved_on, months)


def _add_enrolled(grounds: list[Ground], enrolments) -> None:
    if enrolments:
        for e in sorted(enrolments, key=lambda e: (e.session_date, e.course)):
            grounds.append(_ground_enrolled(e))


def _count_practice(
    practice, req: PracticeRequirement, as_of: date
) -> tuple[int, date | None, date | None]:
    """Practice done in the M months up to and including D, the first day that total falls
    below the minimum as records age out (None if already below), and the earliest eligible
    record dated after D."""
    window_start = add_months(as_of, -req.months)  # exclusive
    verified_only = req.verified_only
    counted: list[PracticeFact] = []
    done = 0
    next_practice: date | None = None
    for p in practice:
        if verified_only and not p.verified:
            continue
        performed = p.performed_on
        if performed > as_of:
            if next_practice is None or performed < next_practice:
                next_practice = performed
        elif performed > window_start:
            counted.append(p)
            done += p.count
    if done < req.count:
        return done, None, next_practice
    # Oldest records leave the window first; find the one whose leaving breaks the minimum.
    counted.sort(key=lambda p: p.performed_on)
    left = done
    for p in counted:
        left -= p.count
        if left < req.count:
            return done, _first_day_out(p.performed_on, req.months), next_practice
    return done, None, next_practice  # pragma: no cover - counts >= 1 always break above
