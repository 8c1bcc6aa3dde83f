"""The funding what-if of WHAT-IF-API.md: posted facts in, the same ``rules.evaluate`` as the
stored decisions, decisions and totals out. Nothing is read from or written to the database.

Request fields: ``count_date`` and ``exam_year`` are required; the four lists are optional
(default empty). Within an item every key of the documented example is required, except the
nullable ones, which may be null or left out: ``bsn``, ``onderwijsnummer`` (participant),
``end`` (enrolment: open-ended) and ``final_grade`` (subject). Booleans must be JSON booleans,
dates ISO ``YYYY-MM-DD`` and real dates. Errors name the field by its path, e.g.
``enrolments[0].track``; all errors of a request are reported together.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from apps.funding import rules

_MISSING = object()


class _Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def _date(raw, path: str, errors: _Errors, *, nullable: bool = False):
    if raw is None or raw is _MISSING:
        if nullable:
            return None
        errors.add(path, "Dit veld is verplicht." if raw is _MISSING else "Mag niet leeg zijn.")
        return None
    if not isinstance(raw, str):
        errors.add(path, "Verwacht een datum als tekst, JJJJ-MM-DD.")
        return None
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else _bad_date()
    except ValueError:
        errors.add(path, f"Geen bestaande datum: {raw!r} (verwacht JJJJ-MM-DD).")
        return None


def _bad_date():
    raise ValueError


def _bool(raw, path: str, errors: _Errors):
    if raw is _MISSING:
        errors.add(path, "Dit veld is verplicht.")
    elif not isinstance(raw, bool):
        errors.add(path, "Verwacht true of false.")
    else:
        return raw
    return False


def _id(raw, path: str, errors: _Errors, *, required_label: str = "Dit veld is verplicht."):
    if raw is _MISSING or raw is None or raw == "":
        errors.add(path, required_label)
        return None
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        errors.add(path, "Verwacht een tekst.")
        return None
    return str(raw)


def _text(raw, path: str, errors: _Errors, *, nullable: bool = False):
    if raw is _MISSING or raw is None:
        if nullable:
            return None
        errors.add(path, "Dit veld is verplicht.")
        return None
    if not isinstance(raw, (str, int)) or isinstance(raw, bool):
        errors.add(path, "Verwacht een tekst.")
        return None
    return str(raw)


def _choice(raw, path: str, errors: _Errors, choices, what: str):
    if raw is _MISSING or raw is None:
        errors.add(path, "Dit veld is verplicht.")
        return None
    if raw not in choices:
        errors.add(path, f"Onbekende {what} {raw!r}; kies uit {', '.join(choices)}.")
        return None
    return raw


def _grade(raw, path: str, errors: _Errors):
    if raw is _MISSING or raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        errors.add(path, "Verwacht een cijfer, bijvoorbeeld \"6.4\".")
        return None
    try:
        value = Decimal(str(raw).replace(",", "."))
    except InvalidOperation:
        errors.add(path, f"Geen cijfer: {raw!r}.")
        return None
    if not value.is_finite() or value < Decimal("1.0") or value > Decimal("10.0"):
        errors.add(path, "Het eindcijfer moet tussen 1,0 en 10,0 liggen.")
        return None
    return value


def _items(payload: dict, key: str, errors: _Errors) -> list[tuple[str, dict]]:
    raw = payload.get(key, [])
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.add(key, "Verwacht een lijst.")
        return []
    out = []
    for position, item in enumerate(raw):
        path = f"{key}[{position}]"
        if not isinstance(item, dict):
            errors.add(path, "Verwacht een object.")
            continue
        out.append((path, item))
    return out


def parse(payload: Any):
    """Facts, count date and exam year from a what-if request; ValidationError per field."""
    errors = _Errors()
    if not isinstance(payload, dict):
        raise ValidationError({"non_field_errors": ["Verwacht een JSON-object."]})
    count_date = _date(payload.get("count_date", _MISSING), "count_date", errors)
    exam_year = payload.get("exam_year", _MISSING)
    if exam_year is _MISSING or exam_year is None:
        errors.add("exam_year", "Dit veld is verplicht.")
        exam_year = None
    elif isinstance(exam_year, bool) or not isinstance(exam_year, int) or not 1900 <= exam_year <= 2999:
        errors.add("exam_year", "Verwacht een jaartal, bijvoorbeeld 2026.")
        exam_year = None

    participants, enrolments, subjects, diplomas = [], [], [], []
    for path, item in _items(payload, "participants", errors):
        g = item.get
        fact = dict(
            id=_id(g("id", _MISSING), f"{path}.id", errors),
            bsn=_text(g("bsn"), f"{path}.bsn", errors, nullable=True),
            onderwijsnummer=_text(g("onderwijsnummer"), f"{path}.onderwijsnummer", errors, nullable=True),
            birth_date=_date(g("birth_date", _MISSING), f"{path}.birth_date", errors),
        )
        for flag in ("resident_in_nl", "nationality_dutch", "lawful_residence", "continuing_course"):
            fact[flag] = _bool(g(flag, _MISSING), f"{path}.{flag}", errors)
        participants.append(fact)
    for path, item in _items(payload, "enrolments", errors):
        g = item.get
        fact = dict(
            id=_id(g("id", _MISSING), f"{path}.id", errors),
            participant=_id(g("participant", _MISSING), f"{path}.participant", errors),
            track=_choice(g("track", _MISSING), f"{path}.track", errors, rules.TRACKS, "opleiding"),
            start=_date(g("start", _MISSING), f"{path}.start", errors),
            end=_date(g("end", None), f"{path}.end", errors, nullable=True),
            registered_on=_date(g("registered_on", _MISSING), f"{path}.registered_on", errors),
        )
        for flag in ("placed_by_vo_school", "attending", "marked_not_funded"):
            fact[flag] = _bool(g(flag, _MISSING), f"{path}.{flag}", errors)
        if fact["start"] and fact["end"] and fact["end"] < fact["start"]:
            errors.add(f"{path}.end", "De einddatum ligt voor de begindatum.")
        enrolments.append(fact)
    for path, item in _items(payload, "subjects", errors):
        g = item.get
        subjects.append(dict(
            id=_id(g("id", _MISSING), f"{path}.id", errors),
            enrolment=_id(g("enrolment", _MISSING), f"{path}.enrolment", errors),
            subject=_text(g("subject", _MISSING), f"{path}.subject", errors),
            status=_choice(g("status", _MISSING), f"{path}.status", errors, tuple(rules.SUBJECT_STATUSES), "status"),
            final_grade=_grade(g("final_grade", None), f"{path}.final_grade", errors),
            completed_on=_date(g("completed_on", _MISSING), f"{path}.completed_on", errors),
        ))
    for path, item in _items(payload, "diplomas", errors):
        g = item.get
        diplomas.append(dict(
            id=_id(g("id", _MISSING), f"{path}.id", errors),
            enrolment=_id(g("enrolment", _MISSING), f"{path}.enrolment", errors),
            exam_result=_choice(g("exam_result", _MISSING), f"{path}.exam_result", errors,
                                tuple(rules.EXAM_RESULTS), "examenuitslag"),
            issued_on=_date(g("issued_on", _MISSING), f"{path}.issued_on", errors),
        ))
    if errors:
        raise ValidationError(dict(errors))
    return (
        [rules.ParticipantFact(**f) for f in participants],
        [rules.EnrolmentFact(**f) for f in enrolments],
        [rules.SubjectFact(**f) for f in subjects],
        [rules.DiplomaFact(**f) for f in diplomas],
        count_date,
        exam_year,
    )


def what_if(payload: Any) -> dict[str, Any]:
    """The response of ``POST /api/v1/funding/what-if/`` (WHAT-IF-API.md)."""
    participants, enrolments, subjects, diplomas, count_date, exam_year = parse(payload)
    try:
        rule_set = rules.rule_set_for(count_date)
    except rules.UnknownRuleSet as exc:
        raise ValidationError({"count_date": [str(exc)]}) from None
    try:
        decisions, totals = rules.evaluate(participants, enrolments, subjects, diplomas, count_date=count_date,
                                           exam_year=exam_year, rules=rule_set)
    except (rules.UnknownReference, rules.DuplicateId) as exc:
        raise ValidationError({exc.field: [str(exc)]}) from None
    except rules.FactError as exc:
        raise ValidationError({getattr(exc, "field", None) or "non_field_errors": [str(exc)]}) from None
    return {
        "count_date": count_date.isoformat(),
        "exam_year": exam_year,
        "rules_version": rule_set.version,
        "decisions": [decision.to_dict() for decision in decisions],
        "totals": totals.to_dict(),
    }
