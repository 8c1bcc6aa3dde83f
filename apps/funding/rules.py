"""VAVO funding rules: the executable contract of ``/work/shared/VAVO-RULES.md``.

Decides, for one institution, which enrolments (participant basis), subjects and diplomas
count for VAVO funding, and why not when they don't. The same functions back the stored
provisional and final decisions and the what-if API (WHAT-IF-API.md), so there is one code
path for "what status do these facts get".

The module is pure on purpose: facts in, decisions out. It imports only the standard library
and python-stdnum, never Django, the ORM, the clock or any I/O. Whoever calls it loads the
facts, chooses the count date, exam year and rule set, and stores or renders the result.

Reading guide
-------------
* Facts: ``ParticipantFact``, ``EnrolmentFact``, ``SubjectFact``, ``DiplomaFact`` (frozen,
  slotted; ids are strings). Enumerated fields are checked on construction
  (``InvalidFact``).
* Rules: ``RuleSet`` holds every number of one version of the rules (minimum age, minimum
  grade, enrolment margin, count date, delivery deadline, weights); the checks read them from
  there and contain no literals. ``RULE_SETS``, ``rule_set_for(date)`` and ``rule_set(version)``
  select one.
* Decisions: ``evaluate`` decides a whole batch and adds ``Totals``; ``decide_enrolment``,
  ``decide_subject`` and ``decide_diploma`` decide one object. A decision is ``funded`` with
  the single ground ``all_checks_passed`` or ``rejected`` with one ground per failing check,
  in the order of the tables in VAVO-RULES.md. Every check of the object's own basis runs;
  a participant check never touches a subject or diploma.
* UI support: ``SIGNALS`` (code -> basis and short Dutch label), ``SIGNALS_BY_BASIS`` and
  ``HOW_TO_FIX`` (code -> what the school can do about it).

Choices the contract leaves open, made here
-------------------------------------------
* Age is counted in whole years by comparing (month, day): someone born on 29 February turns
  a year older on 1 March in a non-leap year, never on 28 February, so nobody counts as 18 a
  day early. The 18th birthday itself counts as 18.
* Every date range is inclusive at both ends: the count date equal to the start or the end of
  an enrolment is "enrolled"; the delivery deadline day itself is in time; day ``margin`` after
  the end is still inside the enrolment period, day ``margin + 1`` is not. An enrolment without
  an end is open-ended.
* ``id_invalid`` never echoes the BSN or onderwijsnummer in its params (a BSN is sensitive
  personal data and grounds are stored and shown); it says which of the two was present.
* A grade that is missing or not a finite number fails ``grade_below_minimum``; its ``grade``
  param is then ``None``.
* Totals count funded objects; the participant count is the number of funded enrolments (the
  participant basis is decided per enrolment). ``by_track`` lists each track that occurs in
  the evaluated objects, funded or not, in the order vwo, havo, vmbo-t.
* Ground texts are plain Dutch strings rather than gettext messages, because this module may
  not import Django; the code and params carry everything a translated UI needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any, Iterable, Literal, Mapping, NamedTuple

from stdnum.nl import bsn as _bsn
from stdnum.nl import onderwijsnummer as _onderwijsnummer

__all__ = [
    "ALL_CHECKS_PASSED",
    "HOW_TO_FIX",
    "age_on",
    "RULE_SETS",
    "SIGNALS",
    "SIGNALS_BY_BASIS",
    "TRACKS",
    "Decision",
    "DiplomaFact",
    "DuplicateId",
    "EnrolmentFact",
    "FactError",
    "Ground",
    "InvalidFact",
    "ParticipantFact",
    "RuleSet",
    "Signal",
    "SubjectFact",
    "Totals",
    "UnknownReference",
    "UnknownRuleSet",
    "count_date_for_funding_year",
    "decide_diploma",
    "decide_enrolment",
    "decide_subject",
    "evaluate",
    "exam_year_for_funding_year",
    "has_valid_id",
    "rule_set",
    "rule_set_for",
    "school_share",
]

Track = Literal["vwo", "havo", "vmbo-t"]
SubjectStatus = Literal["G", "D", "V", "I"]
ExamResult = Literal["G", "A", "T", "D"]
DecisionObject = Literal["enrolment", "subject", "diploma"]
DecisionStatus = Literal["funded", "rejected"]

TRACKS: tuple[str, ...] = ("vwo", "havo", "vmbo-t")
SUBJECT_STATUSES: Mapping[str, str] = MappingProxyType(
    {"G": "geëxamineerd", "D": "dispensatie", "V": "vrijstelling", "I": "ingebracht certificaat"}
)
EXAM_RESULTS: Mapping[str, str] = MappingProxyType(
    {"G": "geslaagd", "A": "afgewezen", "T": "teruggetrokken", "D": "alleen certificaten"}
)
# A funding year T looks back at the count date and exam year of T - 2 (VAVO-RULES.md).
FUNDING_YEAR_LAG = 2

ALL_CHECKS_PASSED = "all_checks_passed"
_FUNDED_TEXT = "Alle controles voldaan; telt mee voor de bekostiging."


# --------------------------------------------------------------------------- errors


class FactError(ValueError):
    """The facts cannot be decided as given (the API answers 400)."""


class InvalidFact(FactError):
    """A fact has a value outside its enumeration or of the wrong type."""


class UnknownReference(FactError):
    """A subject, diploma or enrolment refers to an id that is not among the facts."""

    def __init__(self, field: str, ref_id: str) -> None:
        self.field = field
        self.id = ref_id
        super().__init__(f"{field}: unknown id {ref_id!r}")


class DuplicateId(FactError):
    """Two facts of the same kind share an id, so references to it are ambiguous."""

    def __init__(self, field: str, ref_id: str) -> None:
        self.field = field
        self.id = ref_id
        super().__init__(f"{field}: duplicate id {ref_id!r}")


class UnknownRuleSet(KeyError):
    """No rule set has this version, or none was in effect on this date."""

    def __str__(self) -> str:  # KeyError would show the message with quotes around it
        return str(self.args[0]) if self.args else ""


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True, slots=True)
class ParticipantFact:
    id: str
    bsn: str | None
    onderwijsnummer: str | None
    birth_date: date
    resident_in_nl: bool
    nationality_dutch: bool
    # Lawful residence on the start date of the enrolment.
    lawful_residence: bool
    continuing_course: bool


@dataclass(frozen=True, slots=True)
class EnrolmentFact:
    id: str
    participant: str
    track: Track
    start: date
    # The actual end when known, else the planned end; None means open-ended.
    end: date | None
    placed_by_vo_school: bool
    attending: bool
    marked_not_funded: bool
    registered_on: date

    def __post_init__(self) -> None:
        if self.track not in TRACKS:
            raise InvalidFact(f"track: unknown track {self.track!r} (expected one of {', '.join(TRACKS)})")


@dataclass(frozen=True, slots=True)
class SubjectFact:
    id: str
    enrolment: str
    subject: str
    status: SubjectStatus
    final_grade: Decimal | None
    completed_on: date

    def __post_init__(self) -> None:
        if self.status not in SUBJECT_STATUSES:
            raise InvalidFact(f"status: unknown subject status {self.status!r} (expected G, D, V or I)")
        if self.final_grade is not None and not isinstance(self.final_grade, Decimal):
            raise InvalidFact(f"final_grade: expected a Decimal or None, got {type(self.final_grade).__name__}")


@dataclass(frozen=True, slots=True)
class DiplomaFact:
    id: str
    enrolment: str
    exam_result: ExamResult
    issued_on: date

    def __post_init__(self) -> None:
        if self.exam_result not in EXAM_RESULTS:
            raise InvalidFact(f"exam_result: unknown exam result {self.exam_result!r} (expected G, A, T or D)")


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class Ground:
    """One reason for a decision. ``params`` holds JSON-ready values only (treat as read-only)."""

    code: str
    params: dict[str, Any] = field(hash=False)
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params), "text": self.text}


@dataclass(frozen=True, slots=True)
class Decision:
    object: DecisionObject
    id: str
    status: DecisionStatus
    grounds: tuple[Ground, ...]
    rules_version: str
    track: str

    @property
    def funded(self) -> bool:
        return self.status == "funded"

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(ground.code for ground in self.grounds)

    def to_dict(self) -> dict[str, Any]:
        """The decision in the WHAT-IF-API.md response shape."""
        return {
            "object": self.object,
            "id": self.id,
            "status": self.status,
            "grounds": [ground.to_dict() for ground in self.grounds],
        }


@dataclass(frozen=True, slots=True)
class Totals:
    participants: int
    subjects: int
    diplomas: int
    weighted: float
    # {track: {"participants": n, "subjects": n, "diplomas": n}} (treat as read-only)
    by_track: dict[str, dict[str, int]] = field(hash=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "participants": self.participants,
            "subjects": self.subjects,
            "diplomas": self.diplomas,
            "weighted": self.weighted,
            "by_track": {track: dict(counts) for track, counts in self.by_track.items()},
        }


# --------------------------------------------------------------------------- rule sets

_WEIGHT_KEYS = ("participants", "subjects", "diplomas")


def _default_weights() -> Mapping[str, float]:
    return {"participants": 0.4, "subjects": 0.5, "diplomas": 0.1}


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Every number of one version of the rules; the checks read them from here."""

    version: str
    effective_from: date
    min_age: int = 18
    min_grade: Decimal = Decimal("6.0")
    enrolment_margin_days: int = 92
    count_month: int = 10
    count_day: int = 1
    late_deadline_month: int = 7
    late_deadline_day: int = 1
    weights: Mapping[str, float] = field(default_factory=_default_weights, hash=False)

    def __post_init__(self) -> None:
        if set(self.weights) != set(_WEIGHT_KEYS):
            raise ValueError(f"weights: expected exactly the keys {', '.join(_WEIGHT_KEYS)}")
        if not isinstance(self.min_grade, Decimal):
            raise ValueError("min_grade: expected a Decimal")
        if self.enrolment_margin_days < 0:
            raise ValueError("enrolment_margin_days: must not be negative")
        # Fail at definition time, not at the first evaluation, on an impossible day or month.
        # 2000 is a leap year, so 29 February is allowed here and checked per year below.
        date(2000, self.count_month, self.count_day)
        date(2000, self.late_deadline_month, self.late_deadline_day)
        # Rule sets are shared module-level values: make the weights read-only too.
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))

    def count_date(self, year: int) -> date:
        """The count date (peildatum) of the school year starting in ``year``."""
        return date(year, self.count_month, self.count_day)

    def late_deadline(self, count_date: date) -> date:
        """Last day (inclusive) to register an enrolment counted on ``count_date``."""
        return date(count_date.year + 1, self.late_deadline_month, self.late_deadline_day)


RULE_SETS: tuple[RuleSet, ...] = (
    RuleSet(version="vavo-2024.1", effective_from=date(2024, 1, 1)),
    # Numerically the same as 2024.1 today; a separate object so the next change of a
    # number only touches this version.
    RuleSet(
        version="vavo-2026.1",
        effective_from=date(2026, 8, 1),
        min_age=18,
        min_grade=Decimal("6.0"),
        enrolment_margin_days=92,
    ),
)


def rule_set(version: str) -> RuleSet:
    """The rule set with this version name."""
    for rules in RULE_SETS:
        if rules.version == version:
            return rules
    known = ", ".join(rules.version for rules in RULE_SETS)
    raise UnknownRuleSet(f"unknown rule-set version {version!r} (known: {known})")


def rule_set_for(on: date) -> RuleSet:
    """The newest rule set in effect on ``on`` (effective_from <= on)."""
    chosen: RuleSet | None = None
    for rules in RULE_SETS:
        if rules.effective_from <= on and (chosen is None or rules.effective_from > chosen.effective_from):
            chosen = rules
    if chosen is None:
        raise UnknownRuleSet(f"no rule set in effect on {on.isoformat()}")
    return chosen


def count_date_for_funding_year(funding_year: int, rules: RuleSet) -> date:
    """Funding year T counts the participants on the count date of T - 2 (1 October)."""
    return rules.count_date(funding_year - FUNDING_YEAR_LAG)


def exam_year_for_funding_year(funding_year: int) -> int:
    """Funding year T counts the subjects and diplomas of calendar year T - 2."""
    return funding_year - FUNDING_YEAR_LAG


# --------------------------------------------------------------------------- signals


class Signal(NamedTuple):
    basis: str
    label: str


# ``outside_enrolment`` is one code shared by the subject and diploma bases (VAVO-RULES.md),
# so its basis reads "subject/diploma"; SIGNALS_BY_BASIS has the exact lists.
SIGNALS: Mapping[str, Signal] = MappingProxyType(
    {
        "id_invalid": Signal("participant", "Geen geldig BSN of onderwijsnummer"),
        "not_enrolled_on_count_date": Signal("participant", "Niet ingeschreven op de peildatum"),
        "under_18": Signal("participant", "Jonger dan 18 op de peildatum"),
        "placed_by_vo_school": Signal("participant", "Uitbesteed door een vo-school"),
        "not_resident": Signal("participant", "Woont niet in Nederland"),
        "residence_status": Signal("participant", "Geen rechtmatig verblijf"),
        "not_attending": Signal("participant", "Volgt geen onderwijs"),
        "marked_not_funded": Signal("participant", "Gemarkeerd als niet bekostigen"),
        "reported_late": Signal("participant", "Te laat gemeld"),
        "outside_enrolment": Signal("subject/diploma", "Buiten de inschrijvingsperiode"),
        "grade_below_minimum": Signal("subject", "Eindcijfer te laag of ontbreekt"),
        "not_examined_this_year": Signal("subject", "Niet geëxamineerd"),
        "outside_exam_year": Signal("subject", "Buiten het examenjaar"),
        "exam_not_passed": Signal("diploma", "Examen niet gehaald"),
        "outside_calendar_year": Signal("diploma", "Buiten het kalenderjaar"),
    }
)

SIGNALS_BY_BASIS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "participant": (
            "id_invalid",
            "not_enrolled_on_count_date",
            "under_18",
            "placed_by_vo_school",
            "not_resident",
            "residence_status",
            "not_attending",
            "marked_not_funded",
            "reported_late",
        ),
        "subject": ("outside_enrolment", "grade_below_minimum", "not_examined_this_year", "outside_exam_year"),
        "diploma": ("exam_not_passed", "outside_calendar_year", "outside_enrolment"),
    }
)

HOW_TO_FIX: Mapping[str, str] = MappingProxyType(
    {
        "id_invalid": "Vul een geldig BSN of onderwijsnummer van de deelnemer in en controleer het op typefouten.",
        "not_enrolled_on_count_date": (
            "Controleer de begin- en einddatum van de inschrijving; de peildatum moet ertussen liggen."
        ),
        "under_18": (
            "Controleer de geboortedatum; klopt die, dan telt de deelnemer dit jaar niet mee "
            "omdat hij op de peildatum nog geen 18 was."
        ),
        "placed_by_vo_school": (
            "Is de deelnemer niet door een vo-school geplaatst, zet dan 'geplaatst door vo-school' uit; "
            "anders bekostigt die school de plaatsing."
        ),
        "not_resident": "Controleer het woonland van de deelnemer op de peildatum en pas het aan als het niet klopt.",
        "residence_status": (
            "Leg de nationaliteit of de verblijfsvergunning op de begindatum vast, of geef aan "
            "dat de deelnemer een eerder begonnen opleiding voortzet."
        ),
        "not_attending": (
            "Controleer of de deelnemer op de peildatum onderwijs volgde en pas de aanwezigheid "
            "of de einddatum van de inschrijving aan."
        ),
        "marked_not_funded": "Haal de markering 'niet bekostigen' weg als de inschrijving wel moet meetellen.",
        "reported_late": (
            "Controleer de registratiedatum en corrigeer die als hij niet klopt; een echt te laat "
            "gemelde inschrijving telt niet meer mee."
        ),
        "outside_enrolment": (
            "Controleer de datum van afronding of uitreiking en de begin- en einddatum van de inschrijving."
        ),
        "grade_below_minimum": (
            "Vul het eindcijfer in of controleer het; een vak telt alleen mee met minimaal het minimumcijfer."
        ),
        "not_examined_this_year": (
            "Controleer de status van het vak; alleen een vak dat is geëxamineerd (status G) telt mee."
        ),
        "outside_exam_year": "Controleer de afrondingsdatum; een vak telt mee in het jaar waarin het is afgerond.",
        "exam_not_passed": "Controleer de examenuitslag; alleen een geslaagd examen (G) levert een diploma op dat meetelt.",
        "outside_calendar_year": (
            "Controleer de uitreikingsdatum; een diploma telt mee in het kalenderjaar waarin het is uitgereikt."
        ),
    }
)


# --------------------------------------------------------------------------- helpers


def has_valid_id(participant: ParticipantFact) -> bool:
    """True when the participant has a valid BSN or a valid onderwijsnummer."""
    return bool(
        (participant.bsn and _bsn.is_valid(participant.bsn))
        or (participant.onderwijsnummer and _onderwijsnummer.is_valid(participant.onderwijsnummer))
    )


def age_on(birth_date: date, on: date) -> int:
    """Whole years on ``on``; a 29 February birthday falls on 1 March in non-leap years."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _nl(value: date | None) -> str:
    """Dates in texts are written the Dutch way: 01-10-2025."""
    if value is None:
        return "onbepaalde tijd"
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


def _grade(value: Decimal) -> str:
    """A grade as a JSON string with at least one decimal: 6 -> "6.0", 5.40 -> "5.4"."""
    if value == value.to_integral_value():
        return f"{value:.1f}"
    return format(value.normalize(), "f")


def _grade_nl(value: str) -> str:
    return value.replace(".", ",")


def _funded(kind: DecisionObject, obj_id: str, rules: RuleSet, track: str) -> Decision:
    return Decision(kind, obj_id, "funded", (Ground(ALL_CHECKS_PASSED, {}, _FUNDED_TEXT),), rules.version, track)


def _rejected(kind: DecisionObject, obj_id: str, grounds: list[Ground], rules: RuleSet, track: str) -> Decision:
    return Decision(kind, obj_id, "rejected", tuple(grounds), rules.version, track)


def _window_ground(
    date_field: str, on: date, enrolment: EnrolmentFact, margin: int, what: str
) -> Ground | None:
    """``outside_enrolment`` for a subject or diploma, or None when ``on`` is inside."""
    window_end = None if enrolment.end is None else enrolment.end + timedelta(days=margin)
    if enrolment.start <= on and (window_end is None or on <= window_end):
        return None
    return Ground(
        "outside_enrolment",
        {
            date_field: on.isoformat(),
            "start": enrolment.start.isoformat(),
            "end": _iso(enrolment.end),
            "margin_days": margin,
            "window_end": _iso(window_end),
        },
        f"{what} op {_nl(on)}, buiten de inschrijvingsperiode {_nl(enrolment.start)} t/m "
        f"{_nl(window_end)} (einddatum plus {margin} dagen).",
    )


# --------------------------------------------------------------------------- the three bases


def _decide_enrolment(
    enrolment: EnrolmentFact,
    participant: ParticipantFact,
    id_valid: bool,
    count_date: date,
    deadline: date,
    rules: RuleSet,
) -> Decision:
    grounds: list[Ground] = []

    if not id_valid:
        grounds.append(
            Ground(
                "id_invalid",
                {
                    "bsn_present": bool(participant.bsn),
                    "onderwijsnummer_present": bool(participant.onderwijsnummer),
                },
                "De deelnemer heeft geen geldig BSN en geen geldig onderwijsnummer.",
            )
        )

    start, end = enrolment.start, enrolment.end
    if count_date < start or (end is not None and count_date > end):
        grounds.append(
            Ground(
                "not_enrolled_on_count_date",
                {"count_date": count_date.isoformat(), "start": start.isoformat(), "end": _iso(end)},
                f"Niet ingeschreven op de peildatum {_nl(count_date)}: de inschrijving loopt van "
                f"{_nl(start)} t/m {_nl(end)}.",
            )
        )

    birth = participant.birth_date
    age = age_on(birth, count_date)
    if age < rules.min_age:
        grounds.append(
            Ground(
                "under_18",
                {"birth_date": birth.isoformat(), "age": age, "minimum_age": rules.min_age},
                f"De deelnemer is op de peildatum {_nl(count_date)} {age} jaar; "
                f"de minimumleeftijd is {rules.min_age} jaar.",
            )
        )

    if enrolment.placed_by_vo_school:
        grounds.append(
            Ground(
                "placed_by_vo_school",
                {},
                "De inschrijving is een plaatsing door een vo-school (uitbesteding); "
                "die school ontvangt de bekostiging.",
            )
        )

    if not participant.resident_in_nl:
        grounds.append(
            Ground(
                "not_resident",
                {"count_date": count_date.isoformat()},
                f"De deelnemer woonde op de peildatum {_nl(count_date)} niet in Nederland.",
            )
        )

    if not (participant.nationality_dutch or participant.lawful_residence or participant.continuing_course):
        grounds.append(
            Ground(
                "residence_status",
                {
                    "start": start.isoformat(),
                    "nationality_dutch": False,
                    "lawful_residence": False,
                    "continuing_course": False,
                },
                f"De deelnemer is niet Nederlands (of gelijkgesteld), had op de begindatum {_nl(start)} "
                "geen rechtmatig verblijf en zet geen eerder begonnen opleiding voort.",
            )
        )

    if not enrolment.attending:
        grounds.append(
            Ground(
                "not_attending",
                {"count_date": count_date.isoformat()},
                f"De deelnemer volgde op de peildatum {_nl(count_date)} geen onderwijs.",
            )
        )

    if enrolment.marked_not_funded:
        grounds.append(
            Ground(
                "marked_not_funded",
                {},
                "De instelling heeft de inschrijving gemarkeerd als 'niet bekostigen'.",
            )
        )

    if enrolment.registered_on > deadline:
        grounds.append(
            Ground(
                "reported_late",
                {"registered_on": enrolment.registered_on.isoformat(), "deadline": deadline.isoformat()},
                f"De inschrijving is geregistreerd op {_nl(enrolment.registered_on)}, "
                f"na de uiterste datum {_nl(deadline)}.",
            )
        )

    if grounds:
        return _rejected("enrolment", enrolment.id, grounds, rules, enrolment.track)
    return _funded("enrolment", enrolment.id, rules, enrolment.track)


def _decide_subject(subject: SubjectFact, enrolment: EnrolmentFact, exam_year: int, rules: RuleSet) -> Decision:
    grounds: list[Ground] = []
    completed = subject.completed_on

    outside = _window_ground("completed_on", completed, enrolment, rules.enrolment_margin_days, "Vak afgerond")
    if outside is not None:
        grounds.append(outside)

    status = subject.status
    if status == "G":
        grade = subject.final_grade
        if grade is None or not grade.is_finite() or grade < rules.min_grade:
            minimum = _grade(rules.min_grade)
            shown = None if grade is None or not grade.is_finite() else _grade(grade)
            text = (
                f"Het eindcijfer ontbreekt; minimaal {_grade_nl(minimum)} is nodig."
                if shown is None
                else f"Het eindcijfer {_grade_nl(shown)} is lager dan het minimum {_grade_nl(minimum)}."
            )
            grounds.append(Ground("grade_below_minimum", {"grade": shown, "minimum": minimum}, text))
    else:
        grounds.append(
            Ground(
                "not_examined_this_year",
                {"status": status},
                f"Het vak heeft status {status} ({SUBJECT_STATUSES[status]}) en is niet geëxamineerd.",
            )
        )

    if completed.year != exam_year:
        grounds.append(
            Ground(
                "outside_exam_year",
                {"completed_on": completed.isoformat(), "exam_year": exam_year},
                f"Het vak is afgerond op {_nl(completed)}, buiten het examenjaar {exam_year}.",
            )
        )

    if grounds:
        return _rejected("subject", subject.id, grounds, rules, enrolment.track)
    return _funded("subject", subject.id, rules, enrolment.track)


def _decide_diploma(diploma: DiplomaFact, enrolment: EnrolmentFact, exam_year: int, rules: RuleSet) -> Decision:
    grounds: list[Ground] = []
    issued = diploma.issued_on

    result = diploma.exam_result
    if result != "G":
        grounds.append(
            Ground(
                "exam_not_passed",
                {"exam_result": result},
                f"De examenuitslag is {result} ({EXAM_RESULTS[result]}), niet geslaagd.",
            )
        )

    if issued.year != exam_year:
        grounds.append(
            Ground(
                "outside_calendar_year",
                {"issued_on": issued.isoformat(), "exam_year": exam_year},
                f"Het diploma is uitgereikt op {_nl(issued)}, buiten het kalenderjaar {exam_year}.",
            )
        )

    outside = _window_ground("issued_on", issued, enrolment, rules.enrolment_margin_days, "Diploma uitgereikt")
    if outside is not None:
        grounds.append(outside)

    if grounds:
        return _rejected("diploma", diploma.id, grounds, rules, enrolment.track)
    return _funded("diploma", diploma.id, rules, enrolment.track)


def _check_reference(field_name: str, ref_id: str, expected_id: str) -> None:
    if ref_id != expected_id:
        raise UnknownReference(field_name, ref_id)


def decide_enrolment(
    enrolment: EnrolmentFact, participant: ParticipantFact, count_date: date, rules: RuleSet
) -> Decision:
    """The participant-basis decision for one enrolment on ``count_date``."""
    _check_reference("enrolment.participant", enrolment.participant, participant.id)
    return _decide_enrolment(
        enrolment, participant, has_valid_id(participant), count_date, rules.late_deadline(count_date), rules
    )


def decide_subject(subject: SubjectFact, enrolment: EnrolmentFact, exam_year: int, rules: RuleSet) -> Decision:
    """The subject-basis decision for one subject in ``exam_year``."""
    _check_reference("subject.enrolment", subject.enrolment, enrolment.id)
    return _decide_subject(subject, enrolment, exam_year, rules)


def decide_diploma(diploma: DiplomaFact, enrolment: EnrolmentFact, exam_year: int, rules: RuleSet) -> Decision:
    """The diploma-basis decision for one diploma in calendar year ``exam_year``."""
    _check_reference("diploma.enrolment", diploma.enrolment, enrolment.id)
    return _decide_diploma(diploma, enrolment, exam_year, rules)


# --------------------------------------------------------------------------- batches and totals


def _index(facts: list[Any], name: str) -> dict[str, Any]:
    by_id: dict[str, Any] = {}
    for position, fact in enumerate(facts):
        if fact.id in by_id:
            raise DuplicateId(f"{name}[{position}].id", fact.id)
        by_id[fact.id] = fact
    return by_id


def _totals(decisions: list[Decision], rules: RuleSet) -> Totals:
    counts = {"enrolment": 0, "subject": 0, "diploma": 0}
    per_track: dict[str, dict[str, int]] = {}
    keys = {"enrolment": "participants", "subject": "subjects", "diploma": "diplomas"}
    for decision in decisions:
        track_counts = per_track.get(decision.track)
        if track_counts is None:
            track_counts = per_track[decision.track] = {"participants": 0, "subjects": 0, "diplomas": 0}
        if decision.status == "funded":
            counts[decision.object] += 1
            track_counts[keys[decision.object]] += 1
    weights = rules.weights
    weighted = (
        weights["participants"] * counts["enrolment"]
        + weights["subjects"] * counts["subject"]
        + weights["diplomas"] * counts["diploma"]
    )
    order = {track: position for position, track in enumerate(TRACKS)}
    by_track = {track: per_track[track] for track in sorted(per_track, key=lambda t: (order.get(t, len(order)), t))}
    return Totals(
        participants=counts["enrolment"],
        subjects=counts["subject"],
        diplomas=counts["diploma"],
        weighted=round(weighted, 4),
        by_track=by_track,
    )


def evaluate(
    participants: Iterable[ParticipantFact],
    enrolments: Iterable[EnrolmentFact],
    subjects: Iterable[SubjectFact],
    diplomas: Iterable[DiplomaFact],
    *,
    count_date: date,
    exam_year: int,
    rules: RuleSet | None = None,
) -> tuple[list[Decision], Totals]:
    """Decide every enrolment, subject and diploma, in that order and in input order.

    ``count_date`` decides the participant basis, ``exam_year`` the subject and diploma bases.
    ``rules`` defaults to the rule set in effect on ``count_date``. Raises ``UnknownReference``
    for a reference to an id not among the facts and ``DuplicateId`` for a repeated id.
    """
    if rules is None:
        rules = rule_set_for(count_date)
    participants = list(participants)
    enrolments = list(enrolments)
    subjects = list(subjects)
    diplomas = list(diplomas)

    people = _index(participants, "participants")
    by_enrolment = _index(enrolments, "enrolments")
    _index(subjects, "subjects")
    _index(diplomas, "diplomas")

    deadline = rules.late_deadline(count_date)
    # The ID check is the slowest part of a participant; run it once per person, not per enrolment.
    id_valid: dict[str, bool] = {}
    decisions: list[Decision] = []
    append = decisions.append

    for position, enrolment in enumerate(enrolments):
        participant = people.get(enrolment.participant)
        if participant is None:
            raise UnknownReference(f"enrolments[{position}].participant", enrolment.participant)
        valid = id_valid.get(participant.id)
        if valid is None:
            valid = id_valid[participant.id] = has_valid_id(participant)
        append(_decide_enrolment(enrolment, participant, valid, count_date, deadline, rules))

    for position, subject in enumerate(subjects):
        enrolment = by_enrolment.get(subject.enrolment)
        if enrolment is None:
            raise UnknownReference(f"subjects[{position}].enrolment", subject.enrolment)
        append(_decide_subject(subject, enrolment, exam_year, rules))

    for position, diploma in enumerate(diplomas):
        enrolment = by_enrolment.get(diploma.enrolment)
        if enrolment is None:
            raise UnknownReference(f"diplomas[{position}].enrolment", diploma.enrolment)
        append(_decide_diploma(diploma, enrolment, exam_year, rules))

    return decisions, _totals(decisions, rules)


_CENT = Decimal("0.01")


def school_share(weighted_own: float, weighted_national: float, national_budget: Decimal) -> Decimal:
    """Own weighted count / national weighted count x national budget, rounded to cents.

    Zero when the national count is zero (no figures entered yet), so nothing divides by zero.
    """
    if weighted_own < 0 or weighted_national < 0 or national_budget < 0:
        raise ValueError("school_share: counts and budget must not be negative")
    if not weighted_national:
        return Decimal("0.00")
    # repr() keeps the float's shortest decimal form (0.1 stays 0.1, not 0.1000000000000000055...).
    own = Decimal(repr(float(weighted_own)))
    national = Decimal(repr(float(weighted_national)))
    return (own / national * Decimal(national_budget)).quantize(_CENT, rounding=ROUND_HALF_UP)
