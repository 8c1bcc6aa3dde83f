"""Writes of the organisation: org units, people, managers, and the HR import
(format: apps/organisation/IMPORT.md). A change that alters what is required of people
(their unit, being active) recomputes their statuses."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.organisation.models import OrgUnit, Person, Profession
from apps.organisation.selectors import is_tenant_admin


def _require_admin(by) -> None:
    if by is not None and not is_tenant_admin(by):
        raise PermissionDenied("Alleen de functioneel beheerder.")


def _recompute(person_ids, *, by=None, label="Herberekenen na organisatiewijziging"):
    from apps.competences.services import statuses_recompute_people

    return statuses_recompute_people(person_ids=person_ids, label=label, by=by)


def _parent(code_or_unit, errors, field="parent"):
    if code_or_unit in (None, ""):
        return None
    if isinstance(code_or_unit, OrgUnit):
        return code_or_unit
    unit = OrgUnit.objects.filter(code=str(code_or_unit)).first()
    if unit is None:
        errors[field] = f"Onbekende organisatie-eenheid: '{code_or_unit}'."
    return unit


@transaction.atomic
def org_unit_upsert(*, code: str, name: str, kind: str = "department", parent=None, by=None) -> tuple[OrgUnit, bool]:
    """Create or update the unit with this code. Returns (unit, created)."""
    _require_admin(by)
    errors: dict = {}
    code = (code or "").strip()
    if not code:
        errors["code"] = "Code is verplicht."
    if not (name or "").strip():
        errors["name"] = "Naam is verplicht."
    if kind not in OrgUnit.Kind.values:
        errors["kind"] = f"Kies uit: {', '.join(OrgUnit.Kind.values)}."
    parent_unit = _parent(parent, errors)
    if errors:
        raise ValidationError(errors)
    unit = OrgUnit.objects.filter(code=code).first()
    # A unit may not end up below itself.
    ancestor = parent_unit
    while unit is not None and ancestor is not None:
        if ancestor.pk == unit.pk:
            raise ValidationError({"parent": "Een eenheid kan niet onder zichzelf vallen."})
        ancestor = ancestor.parent
    created = unit is None
    old = None if created else {"name": unit.name, "kind": unit.kind, "parent": unit.parent_id}
    if created:
        unit = OrgUnit.objects.create(code=code, name=name.strip(), kind=kind, parent=parent_unit)
    else:
        unit.name, unit.kind, unit.parent = name.strip(), kind, parent_unit
        unit.save()
    new = {"name": unit.name, "kind": unit.kind, "parent": unit.parent_id}
    if old != new:
        audit_record(by=by, action="org_unit.created" if created else "org_unit.updated", obj=unit, old=old, new=new)
        if old and old["parent"] != new["parent"]:
            from apps.organisation.selectors import unit_ids_with_descendants

            _recompute(Person.objects.filter(org_unit_id__in=unit_ids_with_descendants([unit.pk]))
                       .values_list("id", flat=True), by=by)
    return unit, created


@transaction.atomic
def org_unit_manager_add(*, org_unit: OrgUnit, user, by=None) -> None:
    _require_admin(by)
    org_unit.managers.add(user)
    audit_record(by=by, action="org_unit.manager_added", obj=org_unit, new={"manager": user.pk})


@transaction.atomic
def org_unit_manager_remove(*, org_unit: OrgUnit, user, by=None) -> None:
    _require_admin(by)
    org_unit.managers.remove(user)
    audit_record(by=by, action="org_unit.manager_removed", obj=org_unit, old={"manager": user.pk})


PERSON_FIELDS = ("first_name", "last_name", "email", "org_unit", "function", "employment_start", "employment_end",
                 "registration_number", "profession", "is_active", "user")


def _person_snapshot(p: Person) -> dict:
    return {"first_name": p.first_name, "last_name": p.last_name, "email": p.email, "org_unit": p.org_unit_id,
            "function": p.function, "employment_start": p.employment_start, "employment_end": p.employment_end,
            "registration_number": p.registration_number, "profession": p.profession, "is_active": p.is_active,
            "user": p.user_id}


@transaction.atomic
def person_upsert(*, personnel_number: str, first_name: str, last_name: str, email: str = "", org_unit=None,
                  function: str = "", employment_start: date | None = None, employment_end: date | None = None,
                  registration_number: str = "", profession: str = "", user=None, is_active: bool | None = None,
                  by=None, as_of: date | None = None, recompute: bool = True) -> tuple[Person, bool]:
    """Create or update the person with this personnel number; someone whose employment
    ended before today is deactivated (never deleted). Returns (person, created)."""
    _require_admin(by)
    today = as_of or timezone.localdate()
    errors: dict = {}
    personnel_number = (personnel_number or "").strip()
    if not personnel_number:
        errors["personnel_number"] = "Personeelsnummer is verplicht."
    if not (first_name or "").strip():
        errors["first_name"] = "Voornaam is verplicht."
    if not (last_name or "").strip():
        errors["last_name"] = "Achternaam is verplicht."
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Geen geldig e-mailadres."
    unit = None
    if org_unit not in (None, ""):
        if isinstance(org_unit, OrgUnit):
            unit = org_unit
        else:
            unit = OrgUnit.objects.filter(code=str(org_unit)).first()
            if unit is None and str(org_unit).isdigit():
                unit = OrgUnit.objects.filter(pk=int(org_unit)).first()
            if unit is None:
                errors["org_unit"] = f"Onbekende organisatie-eenheid: '{org_unit}'."
    if employment_start and employment_end and employment_end < employment_start:
        errors["employment_end"] = "Uit dienst ligt vóór in dienst."
    if profession and profession not in Profession.values:
        errors["profession"] = f"Onbekend beroep: '{profession}'."
    if errors:
        raise ValidationError(errors)
    if is_active is None:
        is_active = not (employment_end is not None and employment_end < today)
    person = Person.objects.select_for_update().filter(personnel_number=personnel_number).first()
    created = person is None
    if created:
        person = Person(personnel_number=personnel_number)
    old = None if created else _person_snapshot(person)
    person.first_name, person.last_name, person.email = first_name.strip(), last_name.strip(), email
    person.org_unit, person.function = unit, (function or "").strip()
    person.employment_start, person.employment_end = employment_start, employment_end
    person.registration_number, person.profession = (registration_number or "").strip(), profession or ""
    person.is_active = is_active
    if user is not None:
        person.user = user
    elif person.user_id is None and email:
        from apps.accounts.models import User

        person.user = User.objects.filter(email=email, person__isnull=True).first()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise ValidationError({"user": "Deze gebruiker hoort al bij een andere medewerker."})
    new = _person_snapshot(person)
    if old != new:
        action = "person.created" if created else ("person.deactivated" if old["is_active"] and not is_active
                                                   else "person.updated")
        audit_record(by=by, action=action, obj=person, person_id=person.pk, old=old, new=new)
        if recompute and (created or old["org_unit"] != new["org_unit"] or old["is_active"] != new["is_active"]
                          or old["profession"] != new["profession"]
                          or old["registration_number"] != new["registration_number"]):
            from apps.competences.services import statuses_recompute

            statuses_recompute(person_ids=[person.pk], as_of=as_of)
    return person, created


@transaction.atomic
def person_deactivate(*, person: Person, by=None, reason: str = "", as_of: date | None = None) -> Person:
    """Someone left: deactivate (never delete); their requirements end, their history stays."""
    _require_admin(by)
    if not person.is_active:
        return person
    person.is_active = False
    person.save(update_fields=["is_active"])
    audit_record(by=by, action="person.deactivated", obj=person, person_id=person.pk, old={"is_active": True},
                 new={"is_active": False}, reason=reason)
    from apps.competences.services import statuses_recompute

    statuses_recompute(person_ids=[person.pk], as_of=as_of)
    return person


# --- HR import ------------------------------------------------------------------------------

UNIT_COLUMNS = ("code", "name", "kind", "parent_code")
PERSON_COLUMNS = ("personnel_number", "first_name", "last_name", "email", "org_unit_code", "function",
                  "employment_start", "employment_end")
PERSON_OPTIONAL = ("registration_number", "profession")


@dataclass
class ImportReport:
    kind: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "deactivated": self.deactivated, "errors": self.errors}


def _parse_date(value: str, field_name: str):
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValidationError({field_name: f"Ongeldige datum '{value}' (JJJJ-MM-DD of DD-MM-JJJJ)."})


def _read_csv(content: str):
    content = content.lstrip("\ufeff")
    first = content.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ValidationError({"file": "Het bestand is leeg."})
    return header, reader


def hr_import_detect(content: str) -> str:
    header, _ = _read_csv(content)
    if set(PERSON_COLUMNS) <= set(header):
        return "people"
    if {"code", "name", "parent_code"} <= set(header):
        return "units"
    raise ValidationError({"file": "Onbekende kolommen. Verwacht de kolommen van IMPORT.md: "
                                   f"eenheden ({', '.join(UNIT_COLUMNS)}) of medewerkers "
                                   f"({', '.join(PERSON_COLUMNS)})."})


def hr_import_run(*, content: str, by=None, job_id=None, as_of: date | None = None,
                  deactivate_missing: bool = False) -> ImportReport:
    """Import a units CSV or a people CSV (apps/organisation/IMPORT.md). Each row is its own
    transaction: valid rows are kept, invalid rows are reported with their line number.
    Safe to run again with the same file. Statuses are recomputed for people whose unit or
    activity changed (in chunks, after the rows)."""
    from apps.jobs.services import job_set_progress

    _require_admin(by)
    kind = hr_import_detect(content)
    header, reader = _read_csv(content)
    rows = [(i, r) for i, r in enumerate(reader, start=2) if any(c.strip() for c in r)]
    report = ImportReport(kind=kind, rows=len(rows))
    seen_numbers: set[str] = set()
    changed_people: set[int] = set()

    def progress(done):
        if job_id and (done % 50 == 0 or done == len(rows)):
            job_set_progress(job_id=job_id, done=done, total=len(rows), message=f"{done} van {len(rows)} regels")

    if kind == "units":
        # Parents may come after their children in the file: retry rows whose parent is unknown.
        pending = rows
        for _round in range(10):
            retry = []
            for line, r in pending:
                data = dict(zip(header, (c.strip() for c in r)))
                if data.get("parent_code") and not OrgUnit.objects.filter(code=data["parent_code"]).exists() \
                        and any(dict(zip(header, x)).get("code", "").strip() == data["parent_code"] for _l, x in pending):
                    retry.append((line, r))
                    continue
                _import_unit_row(line, data, by, report)
            if not retry or len(retry) == len(pending):
                for line, r in retry:
                    _import_unit_row(line, dict(zip(header, (c.strip() for c in r))), by, report)
                break
            pending = retry
        progress(len(rows))
        return report

    for n, (line, r) in enumerate(rows, start=1):
        data = dict(zip(header, (c.strip() for c in r)))
        number = data.get("personnel_number", "")
        if number in seen_numbers:
            report.errors.append({"line": line, "field": "personnel_number",
                                  "message": f"Personeelsnummer {number} staat dubbel in het bestand."})
            continue
        seen_numbers.add(number)
        try:
            with transaction.atomic():
                before = Person.objects.filter(personnel_number=number).values(
                    "id", "org_unit_id", "is_active").first()
                person, created = person_upsert(
                    personnel_number=number, first_name=data.get("first_name", ""),
                    last_name=data.get("last_name", ""), email=data.get("email", ""),
                    org_unit=data.get("org_unit_code") or None, function=data.get("function", ""),
                    employment_start=_parse_date(data.get("employment_start", ""), "employment_start"),
                    employment_end=_parse_date(data.get("employment_end", ""), "employment_end"),
                    registration_number=data.get("registration_number", ""),
                    profession=data.get("profession", ""), by=by, as_of=as_of, recompute=False)
        except ValidationError as exc:
            for fname, messages in getattr(exc, "message_dict", {"row": exc.messages}).items():
                for m in messages:
                    report.errors.append({"line": line, "field": fname, "message": m})
            continue
        after = {"id": person.id, "org_unit_id": person.org_unit_id, "is_active": person.is_active}
        if created:
            report.created += 1
            changed_people.add(person.pk)
        elif before != after:
            report.updated += 1
            changed_people.add(person.pk)
            if before["is_active"] and not person.is_active:
                report.deactivated += 1
        else:
            report.unchanged += 1
        progress(n)
    if deactivate_missing:
        for person in Person.objects.filter(is_active=True).exclude(personnel_number__in=seen_numbers):
            person_deactivate(person=person, by=by, reason="Niet meer in HR-bestand", as_of=as_of)
            report.deactivated += 1
    if changed_people:
        from apps.competences.services import statuses_recompute

        statuses_recompute(person_ids=changed_people, as_of=as_of)
    return report


def _import_unit_row(line: int, data: dict, by, report: ImportReport) -> None:
    try:
        with transaction.atomic():
            existing = OrgUnit.objects.filter(code=data.get("code", "")).values("name", "kind", "parent_id").first()
            unit, created = org_unit_upsert(code=data.get("code", ""), name=data.get("name", ""),
                                            kind=data.get("kind") or "department",
                                            parent=data.get("parent_code") or None, by=by)
    except ValidationError as exc:
        for fname, messages in getattr(exc, "message_dict", {"row": exc.messages}).items():
            for m in messages:
                report.errors.append({"line": line, "field": fname, "message": m})
        return
    if created:
        report.created += 1
    elif existing != {"name": unit.name, "kind": unit.kind, "parent_id": unit.parent_id}:
        report.updated += 1
    else:
        report.unchanged += 1


def hr_import_start(*, content: str, by, deactivate_missing: bool = False, filename: str = ""):
    """Check the file's kind, then import it through a Celery job with progress (returned)."""
    from apps.jobs.services import job_create
    from apps.organisation.tasks import import_hr_csv

    _require_admin(by)
    kind = hr_import_detect(content)
    job = job_create(kind="organisation.hr_import", label=f"HR-import {filename or kind}",
                     params={"content": content, "deactivate_missing": deactivate_missing}, by=by)
    transaction.on_commit(lambda: import_hr_csv.delay(str(job.pk)))
    return job
