"""CSV import of funding facts (the format is documented in ``apps/funding/IMPORT.md``).

One file, one record per row, a ``record_type`` column saying what the row is. Rows are
applied in dependency order (participants, enrolments, subjects, diplomas), each group in file
order, so a file may list them in any order. Every row runs in a savepoint of its own: it is
applied completely or not at all, and a bad row is reported with its line number and reason
while the valid rows are kept. Rows upsert on external keys and unchanged rows are skipped,
so importing the same file again changes nothing. Work is done in chunks, each chunk one
transaction followed by a recompute of the participants it touched, so progress is visible.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.audit.services import audit_record
from apps.funding.models import Diploma, Enrolment, ImportFile, Participant, SubjectResult
from apps.funding.recompute import decisions_recompute_for, last_count_year
from apps.funding.services import (
    DIPLOMA_FIELDS,
    ENROLMENT_FIELDS,
    PARTICIPANT_FIELDS,
    SUBJECT_RESULT_FIELDS,
    fact_write,
)

FORMAT_DOC = Path(__file__).with_name("IMPORT.md")
RECORD_TYPES = ("participant", "enrolment", "subject", "diploma")
COLUMNS = (
    "record_type", "participant_id", "enrolment_id",
    "bsn", "onderwijsnummer", "first_name", "prefix", "last_name", "birth_date",
    "resident_in_nl", "nationality_dutch", "lawful_residence", "continuing_course",
    "track", "start", "planned_end", "actual_end", "placed_by_vo_school", "attending", "marked_not_funded",
    "registered_on",
    "subject", "status", "final_grade", "completed_on",
    "exam_result", "issued_on",
)
CHUNK_SIZE = 500
MAX_REPORTED_ERRORS = 1000

# Model field -> the CSV column a row error names.
_COLUMN_OF = {"participant": "participant_id", "enrolment": "enrolment_id"}
_TRUE = {"1", "j", "ja", "y", "yes", "true", "waar", "w"}
_FALSE = {"0", "n", "nee", "no", "false", "onwaar", "o"}
_NL_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")


class RowError(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(str(errors))


# --------------------------------------------------------------------------- reading the file


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older student-administration exports are Windows-1252.
        return raw.decode("cp1252", errors="replace")


def _dialect_of(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def read_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and ``(line number, row)`` pairs; line numbers are those of the file (header = 1)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect_of(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ValidationError({"file": _("Het bestand is leeg.")}) from None
    rows = []
    line = reader.line_num + 1
    for values in reader:
        if any(v.strip() for v in values):
            rows.append((line, {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}))
        line = reader.line_num + 1
    return header, rows


def check_header(header: list[str]) -> None:
    if "record_type" not in header:
        raise ValidationError({"file": _("De kolom record_type ontbreekt (zie de beschrijving van het formaat).")})
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise ValidationError({"file": _("Onbekende kolom(men): %(columns)s.") % {"columns": ", ".join(unknown)}})
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise ValidationError({"file": _("Dubbele kolom(men): %(columns)s.") % {"columns": ", ".join(duplicates)}})


# --------------------------------------------------------------------------- parsing values


def _date(value: str, column: str, errors: dict, *, required: bool = True):
    if not value:
        if required:
            errors.setdefault(column, []).append(_("Verplicht."))
        return None
    match = _NL_DATE.match(value)
    try:
        if match:
            day, month, year = map(int, match.groups())
            return date(year, month, day)
        return date.fromisoformat(value) if len(value) == 10 else date.fromisoformat("x")
    except ValueError:
        errors.setdefault(column, []).append(
            _("Geen geldige datum: %(value)s (verwacht JJJJ-MM-DD of DD-MM-JJJJ).") % {"value": value})
        return None


def _bool(value: str, column: str, errors: dict, default: bool) -> bool:
    if not value:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    errors.setdefault(column, []).append(_("Verwacht ja of nee, niet %(value)s.") % {"value": value})
    return default


def _grade(value: str, column: str, errors: dict):
    if not value:
        return None
    try:
        grade = Decimal(value.replace(",", "."))
    except InvalidOperation:
        errors.setdefault(column, []).append(_("Geen cijfer: %(value)s.") % {"value": value})
        return None
    if not grade.is_finite() or not Decimal("1.0") <= grade <= Decimal("10.0"):
        errors.setdefault(column, []).append(_("Het eindcijfer moet tussen 1,0 en 10,0 liggen."))
        return None
    return grade


def _required(value: str, column: str, errors: dict) -> str:
    if not value:
        errors.setdefault(column, []).append(_("Verplicht."))
    return value


def _choice(value: str, column: str, errors: dict, choices) -> str:
    if not value:
        errors.setdefault(column, []).append(_("Verplicht."))
    elif value not in choices:
        errors.setdefault(column, []).append(
            _("Onbekende waarde %(value)s; kies uit %(choices)s.") % {"value": value, "choices": ", ".join(choices)})
    return value


# --------------------------------------------------------------------------- applying rows


class _Chunk:
    """Existing objects the rows of one chunk refer to, fetched in a few queries."""

    def __init__(self, rows):
        participant_keys = {r.get("participant_id") for _l, r in rows if r.get("participant_id")}
        enrolment_keys = {r.get("enrolment_id") for _l, r in rows if r.get("enrolment_id")}
        self.participants = {p.external_id: p for p in Participant.objects.filter(external_id__in=participant_keys)}
        self.enrolments = {e.external_id: e for e in Enrolment.objects.filter(external_id__in=enrolment_keys)}
        ids = [e.pk for e in self.enrolments.values()]
        self.subjects = {(s.enrolment_id, s.subject): s for s in SubjectResult.objects.filter(enrolment_id__in=ids)}
        self.diplomas = {d.enrolment_id: d for d in Diploma.objects.filter(enrolment_id__in=ids)}

    # The prefetch covers every key the chunk names, and rows created in the chunk are added
    # as they are written, so a key missing here does not exist.
    def participant(self, key):
        return self.participants.get(key)

    def enrolment(self, key):
        return self.enrolments.get(key)

    def forget(self, row_type: str, row: dict) -> None:
        """After a rolled-back row a cached object may hold the rejected values: reload it."""
        if row_type == "participant" and row.get("participant_id") in self.participants:
            key = row["participant_id"]
            self.participants[key] = Participant.objects.get(pk=self.participants[key].pk)
        elif row_type == "enrolment" and row.get("enrolment_id") in self.enrolments:
            key = row["enrolment_id"]
            self.enrolments[key] = Enrolment.objects.get(pk=self.enrolments[key].pk)
        elif row_type in ("subject", "diploma"):
            e = self.enrolments.get(row.get("enrolment_id"))
            if e is None:
                return
            if row_type == "subject" and (e.pk, row.get("subject")) in self.subjects:
                self.subjects[(e.pk, row["subject"])] = SubjectResult.objects.get(
                    pk=self.subjects[(e.pk, row["subject"])].pk)
            elif row_type == "diploma" and e.pk in self.diplomas:
                self.diplomas[e.pk] = Diploma.objects.get(pk=self.diplomas[e.pk].pk)


def _participant_row(row, chunk: _Chunk, by):
    errors: dict[str, list[str]] = {}
    key = _required(row.get("participant_id", ""), "participant_id", errors)
    data = {
        "external_id": key,
        "bsn": row.get("bsn", ""),
        "onderwijsnummer": row.get("onderwijsnummer", ""),
        "first_name": row.get("first_name", ""),
        "prefix": row.get("prefix", ""),
        "last_name": row.get("last_name", ""),
        "birth_date": _date(row.get("birth_date", ""), "birth_date", errors),
        "resident_in_nl": _bool(row.get("resident_in_nl", ""), "resident_in_nl", errors, True),
        "nationality_dutch": _bool(row.get("nationality_dutch", ""), "nationality_dutch", errors, True),
        "lawful_residence": _bool(row.get("lawful_residence", ""), "lawful_residence", errors, False),
        "continuing_course": _bool(row.get("continuing_course", ""), "continuing_course", errors, False),
    }
    if errors:
        raise RowError(errors)
    obj = chunk.participant(key) or Participant()
    obj, changed = fact_write(obj, data=data, fields=PARTICIPANT_FIELDS, by=by, action="funding.participant",
                              recompute=False, references_checked=True)
    chunk.participants[key] = obj
    return obj.pk, changed, obj


def _enrolment_row(row, chunk: _Chunk, by):
    errors: dict[str, list[str]] = {}
    key = _required(row.get("enrolment_id", ""), "enrolment_id", errors)
    participant_key = _required(row.get("participant_id", ""), "participant_id", errors)
    participant = chunk.participant(participant_key) if participant_key else None
    if participant_key and participant is None:
        errors.setdefault("participant_id", []).append(
            _("Onbekende deelnemer %(key)s.") % {"key": participant_key})
    data = {
        "external_id": key,
        "participant": participant,
        "track": _choice(row.get("track", ""), "track", errors, ("vwo", "havo", "vmbo-t")),
        "start": _date(row.get("start", ""), "start", errors),
        "planned_end": _date(row.get("planned_end", ""), "planned_end", errors, required=False),
        "actual_end": _date(row.get("actual_end", ""), "actual_end", errors, required=False),
        "placed_by_vo_school": _bool(row.get("placed_by_vo_school", ""), "placed_by_vo_school", errors, False),
        "attending": _bool(row.get("attending", ""), "attending", errors, True),
        "marked_not_funded": _bool(row.get("marked_not_funded", ""), "marked_not_funded", errors, False),
        "registered_on": _date(row.get("registered_on", ""), "registered_on", errors),
    }
    if errors:
        raise RowError(errors)
    obj = chunk.enrolment(key) or Enrolment()
    before = obj.participant_id
    obj, changed = fact_write(obj, data=data, fields=ENROLMENT_FIELDS, by=by, action="funding.enrolment",
                              recompute=False, references_checked=True)
    chunk.enrolments[key] = obj
    return obj.participant_id, changed, before


def _enrolment_of(row, chunk: _Chunk, errors) -> Enrolment | None:
    key = _required(row.get("enrolment_id", ""), "enrolment_id", errors)
    enrolment = chunk.enrolment(key) if key else None
    if key and enrolment is None:
        errors.setdefault("enrolment_id", []).append(_("Onbekende inschrijving %(key)s.") % {"key": key})
    return enrolment


def _subject_row(row, chunk: _Chunk, by):
    errors: dict[str, list[str]] = {}
    enrolment = _enrolment_of(row, chunk, errors)
    subject = _required(row.get("subject", ""), "subject", errors)
    status = _choice(row.get("status", "") or "G", "status", errors, ("G", "D", "V", "I"))
    data = {
        "enrolment": enrolment,
        "subject": subject,
        "status": status,
        "final_grade": _grade(row.get("final_grade", ""), "final_grade", errors),
        "completed_on": _date(row.get("completed_on", ""), "completed_on", errors),
    }
    if errors:
        raise RowError(errors)
    obj = chunk.subjects.get((enrolment.pk, subject)) or SubjectResult()
    obj, changed = fact_write(obj, data=data, fields=SUBJECT_RESULT_FIELDS, by=by, action="funding.subject_result",
                              recompute=False, references_checked=True)
    chunk.subjects[(enrolment.pk, subject)] = obj
    return enrolment.participant_id, changed, None


def _diploma_row(row, chunk: _Chunk, by):
    errors: dict[str, list[str]] = {}
    enrolment = _enrolment_of(row, chunk, errors)
    data = {
        "enrolment": enrolment,
        "exam_result": _choice(row.get("exam_result", ""), "exam_result", errors, ("G", "A", "T", "D")),
        "issued_on": _date(row.get("issued_on", ""), "issued_on", errors),
    }
    if errors:
        raise RowError(errors)
    obj = chunk.diplomas.get(enrolment.pk) or Diploma()
    obj, changed = fact_write(obj, data=data, fields=DIPLOMA_FIELDS, by=by, action="funding.diploma",
                              recompute=False, references_checked=True)
    chunk.diplomas[enrolment.pk] = obj
    return enrolment.participant_id, changed, None


_HANDLERS = {"participant": _participant_row, "enrolment": _enrolment_row, "subject": _subject_row,
             "diploma": _diploma_row}


def _row_errors(line: int, errors: dict[str, list[str]], row_type: str = "") -> list[dict[str, Any]]:
    out = []
    for field, messages in errors.items():
        if field == "external_id":
            column = "enrolment_id" if row_type == "enrolment" else "participant_id"
        else:
            column = _COLUMN_OF.get(field, field) if field not in ("__all__", "non_field_errors") else None
        for message in messages:
            out.append({"line": line, "field": column or "", "message": str(message)})
    return out


def _ordered(rows):
    order = {t: i for i, t in enumerate(RECORD_TYPES)}
    return sorted(rows, key=lambda lr: (order.get(lr[1].get("record_type", "").lower(), -1), lr[0]))


def import_rows(rows, *, by, job_id=None, chunk_size: int = CHUNK_SIZE) -> tuple[dict[str, int], list[dict]]:
    """Apply parsed rows; returns the summary and the row errors (line, field, message)."""
    from apps.jobs.selectors import job_checkpoint_of
    from apps.jobs.services import job_checkpoint_save

    # A resumed run continues after the last chunk that committed, with that chunk's counts.
    state = job_checkpoint_of(job_id=job_id) if job_id is not None else {}
    summary = state.get("summary") or {"rows": len(rows), "created": 0, "updated": 0, "unchanged": 0, "errors": 0}
    errors: list[dict[str, Any]] = state.get("errors", [])
    rows = _ordered(rows)
    last_year = None
    for position in range(state.get("position", 0), len(rows), chunk_size):
        part = rows[position:position + chunk_size]
        with transaction.atomic():
            chunk = _Chunk(part)
            touched: set[int] = set()
            for line, row in part:
                row_type = row.get("record_type", "").lower()
                handler = _HANDLERS.get(row_type)
                if handler is None:
                    summary["errors"] += 1
                    errors.append({"line": line, "field": "record_type", "message": _(
                        "Onbekend recordtype %(value)s; kies uit %(choices)s.") % {
                        "value": row.get("record_type", ""), "choices": ", ".join(RECORD_TYPES)}})
                    continue
                existed = _exists(row_type, row, chunk)
                try:
                    with transaction.atomic():  # this row: all of it or nothing
                        person_id, changed, previous = handler(row, chunk, by)
                except RowError as exc:
                    summary["errors"] += 1
                    errors += _row_errors(line, exc.errors, row_type)
                    continue
                except IntegrityError:
                    # A key taken by a concurrent writer: the database constraint caught it.
                    chunk.forget(row_type, row)
                    summary["errors"] += 1
                    errors.append({"line": line, "field": "", "message": _("Deze sleutel bestaat al.")})
                    continue
                except ValidationError as exc:
                    chunk.forget(row_type, row)
                    summary["errors"] += 1
                    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
                    errors += _row_errors(line, detail, row_type)
                    continue
                if not changed:
                    summary["unchanged"] += 1
                    continue
                summary["updated" if existed else "created"] += 1
                touched.add(person_id)
                if row_type == "enrolment" and previous and previous != person_id:
                    touched.add(previous)
            if touched:
                if last_year is None:
                    last_year = last_count_year()
                decisions_recompute_for(participant_ids=touched, last_year=last_year)
            if job_id is not None:
                # In the chunk's transaction: the rows and the point to resume from commit
                # together. One error more than is reported keeps "only the first N" true.
                job_checkpoint_save(job_id=job_id, done=position + len(part), total=len(rows), state={
                    "position": position + len(part), "summary": summary,
                    "errors": errors[:MAX_REPORTED_ERRORS + 1]})
    return summary, errors


def _exists(row_type: str, row: dict, chunk: _Chunk) -> bool:
    if row_type == "participant":
        return chunk.participant(row.get("participant_id")) is not None if row.get("participant_id") else False
    if row_type == "enrolment":
        return chunk.enrolment(row.get("enrolment_id")) is not None if row.get("enrolment_id") else False
    enrolment = chunk.enrolment(row.get("enrolment_id")) if row.get("enrolment_id") else None
    if enrolment is None:
        return False
    if row_type == "subject":
        return (enrolment.pk, row.get("subject")) in chunk.subjects
    return enrolment.pk in chunk.diplomas


# --------------------------------------------------------------------------- upload and run


@transaction.atomic
def import_upload(*, filename: str, raw: bytes, by, queue: bool = True):
    """Check the header, store the file and queue the import; returns (ImportFile, Job)."""
    from apps.jobs.services import job_create

    text = decode(raw)
    header, rows = read_rows(text)
    check_header(header)
    job = job_create(kind="funding.import", label=_("Import %(name)s") % {"name": filename[:150]},
                     total=len(rows), by=by)
    upload = ImportFile.objects.create(filename=filename[:255], content=text, uploaded_by=by, job=job)
    audit_record(by=by, action="funding.import.upload", obj=upload, new={"filename": filename, "rows": len(rows)})
    if queue:
        from apps.funding.tasks import import_csv
        from apps.jobs.services import job_dispatch

        job_dispatch(job=job, task=import_csv, import_id=upload.pk)
    return upload, job


def import_run(*, import_id: int, job_id) -> dict[str, int]:
    """Run a stored import as a job (the Celery task calls this; tests may call it directly)."""
    from apps.jobs.services import job_fail, job_finish, job_start

    upload = ImportFile.objects.select_related("uploaded_by").get(pk=import_id)
    try:
        header, rows = read_rows(upload.content)
        check_header(header)
        job_start(job_id=job_id, total=len(rows))
        summary, errors = import_rows(rows, by=upload.uploaded_by, job_id=job_id)
    except Exception as exc:
        job_fail(job_id=job_id, message=str(exc))
        raise
    message = _("%(created)s nieuw, %(updated)s gewijzigd, %(unchanged)s ongewijzigd, %(errors)s fout.") % summary
    if len(errors) > MAX_REPORTED_ERRORS:
        message += " " + _("Alleen de eerste %(n)s fouten worden getoond.") % {"n": MAX_REPORTED_ERRORS}
    with transaction.atomic():  # the summary, its audit entry and "done": all or none of them
        upload.summary = summary
        upload.save(update_fields=["summary"])
        audit_record(by=upload.uploaded_by, action="funding.import", obj=upload, new=summary)
        job_finish(job_id=job_id, result=summary, errors=errors[:MAX_REPORTED_ERRORS], message=message)
    return summary
