"""Writes for VAVO funding. Every change of a fact is validated, audited and followed, in the
same transaction, by a recompute of that participant's provisional decisions."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.services import audit_record
from apps.funding.models import (
    Diploma,
    Enrolment,
    FundingDecision,
    FundingYear,
    Participant,
    SubjectResult,
    compact_identifier,
)
from apps.funding.recompute import decisions_recompute_for

PARTICIPANT_FIELDS = ("external_id", "bsn", "onderwijsnummer", "first_name", "prefix", "last_name", "birth_date",
                      "resident_in_nl", "nationality_dutch", "lawful_residence", "continuing_course")
ENROLMENT_FIELDS = ("external_id", "participant", "track", "start", "planned_end", "actual_end",
                    "placed_by_vo_school", "attending", "marked_not_funded", "registered_on")
SUBJECT_RESULT_FIELDS = ("enrolment", "subject", "status", "final_grade", "completed_on")
DIPLOMA_FIELDS = ("enrolment", "exam_result", "issued_on")


def snapshot(obj, fields) -> dict[str, Any]:
    """Field values as stored (foreign keys by id), for audit and change detection."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        out[name] = getattr(obj, field.attname)
    return out


def _resolve(model, value, field: str, message: str):
    if value is None or value == "":
        raise ValidationError({field: _("Dit veld is verplicht.")})
    if isinstance(value, model):
        return value
    try:
        return model.objects.get(pk=int(value))
    except (model.DoesNotExist, TypeError, ValueError):
        raise ValidationError({field: message}) from None


def _unique(model, obj, field: str, message: str, **lookup) -> None:
    if model.objects.filter(**lookup).exclude(pk=obj.pk).exists():
        raise ValidationError({field: message})


def _apply(obj, data: dict[str, Any], fields) -> None:
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError({name: _("Onbekend veld.") for name in sorted(unknown)})
    for name, value in data.items():
        if name in ("bsn", "onderwijsnummer"):
            value = compact_identifier(value)
        elif name == "external_id":
            value = (str(value).strip() or None) if value is not None else None
        elif name in ("first_name", "prefix", "last_name", "subject") and value is None:
            value = ""
        setattr(obj, name, value)


def fact_write(obj, *, data, fields, by, action: str, participant_ids_before=(), recompute: bool = True,
               references_checked: bool = False):
    """Validate, save, audit and recompute: the one path every fact write takes.

    Returns ``(obj, changed)``. Nothing is saved or audited when the values are unchanged, so a
    repeated import or PUT is a no-op. ``recompute=False`` is for the import, which
    recomputes the participants of a whole chunk at once in the same transaction, and passes
    ``references_checked=True`` because it has already resolved the referenced objects and
    looked up the keys (the database constraints still guard both).
    """
    created = obj.pk is None
    old = None if created else snapshot(obj, fields)
    _apply(obj, data, fields)
    new = snapshot(obj, fields)
    if not created and new == old:
        return obj, False
    if references_checked:
        obj.full_clean(exclude=["participant", "enrolment"], validate_unique=False, validate_constraints=False)
    else:
        obj.full_clean(validate_unique=False, validate_constraints=False)
        _check_uniques(obj)
    obj.save()
    person_id = _participant_id_of(obj)
    audit_record(by=by, action=f"{action}.{'create' if created else 'update'}", obj=obj, person_id=person_id,
                 old=_sans_identifiers(old), new=_sans_identifiers(snapshot(obj, fields)))
    if recompute:
        decisions_recompute_for(participant_ids={person_id, *participant_ids_before})
    return obj, True


def _write(obj, **kwargs):
    return fact_write(obj, **kwargs)[0]


def _sans_identifiers(values):
    # A BSN is sensitive: the audit trail says that it changed, not what it is.
    if values is None:
        return None
    masked = dict(values)
    for key in ("bsn", "onderwijsnummer"):
        if masked.get(key):
            masked[key] = "***" + str(masked[key])[-3:]
    return masked


def _participant_id_of(obj) -> int:
    if isinstance(obj, Participant):
        return obj.pk
    if isinstance(obj, Enrolment):
        return obj.participant_id
    return obj.enrolment.participant_id


def _check_uniques(obj) -> None:
    if isinstance(obj, (Participant, Enrolment)) and obj.external_id:
        _unique(type(obj), obj, "external_id", _("Dit externe nummer bestaat al."), external_id=obj.external_id)
    if isinstance(obj, SubjectResult):
        _unique(SubjectResult, obj, "subject", _("Deze inschrijving heeft al een resultaat voor dit vak."),
                enrolment_id=obj.enrolment_id, subject=obj.subject)
    if isinstance(obj, Diploma):
        _unique(Diploma, obj, "enrolment", _("Deze inschrijving heeft al een diploma."),
                enrolment_id=obj.enrolment_id)


def _with_reference(data: dict, field: str, model, message: str) -> dict:
    if field in data:
        data = dict(data)
        data[field] = _resolve(model, data[field], field, message)
    return data


# --------------------------------------------------------------------------- participants


@transaction.atomic
def participant_create(*, data: dict[str, Any], by) -> Participant:
    return _write(Participant(), data=data, fields=PARTICIPANT_FIELDS, by=by, action="funding.participant")


@transaction.atomic
def participant_update(*, participant: Participant, data: dict[str, Any], by) -> Participant:
    return _write(participant, data=data, fields=PARTICIPANT_FIELDS, by=by, action="funding.participant")


@transaction.atomic
def participant_delete(*, participant: Participant, by) -> None:
    person_id = participant.pk
    audit_record(by=by, action="funding.participant.delete", obj=participant, person_id=person_id,
                 old=_sans_identifiers(snapshot(participant, PARTICIPANT_FIELDS)))
    participant.delete()
    FundingDecision.objects.filter(kind=FundingDecision.Kind.PROVISIONAL, participant_id=person_id).delete()


# --------------------------------------------------------------------------- enrolments


@transaction.atomic
def enrolment_create(*, data: dict[str, Any], by) -> Enrolment:
    if "participant" not in data:
        raise ValidationError({"participant": _("Dit veld is verplicht.")})
    data = _with_reference(data, "participant", Participant, _("Onbekende deelnemer."))
    return _write(Enrolment(), data=data, fields=ENROLMENT_FIELDS, by=by, action="funding.enrolment")


@transaction.atomic
def enrolment_update(*, enrolment: Enrolment, data: dict[str, Any], by) -> Enrolment:
    before = enrolment.participant_id
    data = _with_reference(data, "participant", Participant, _("Onbekende deelnemer."))
    return _write(enrolment, data=data, fields=ENROLMENT_FIELDS, by=by, action="funding.enrolment",
                  participant_ids_before=(before,))


def _fact_delete(obj, *, person_id: int, fields, action: str, by) -> None:
    audit_record(by=by, action=f"{action}.delete", obj=obj, person_id=person_id, old=snapshot(obj, fields))
    obj.delete()
    decisions_recompute_for(participant_ids=[person_id])


@transaction.atomic
def enrolment_delete(*, enrolment: Enrolment, by) -> None:
    _fact_delete(enrolment, person_id=enrolment.participant_id, fields=ENROLMENT_FIELDS,
                 action="funding.enrolment", by=by)


# --------------------------------------------------------------------------- subject results and diplomas
# Both hang off an enrolment: one way to create, update and delete such a fact.

def _enrolment_fact_create(instance, *, data: dict[str, Any], fields, action: str, by):
    if "enrolment" not in data:
        raise ValidationError({"enrolment": _("Dit veld is verplicht.")})
    data = _with_reference(data, "enrolment", Enrolment, _("Onbekende inschrijving."))
    return _write(instance, data=data, fields=fields, by=by, action=action)


def _enrolment_fact_update(obj, *, data: dict[str, Any], fields, action: str, by):
    before = obj.enrolment.participant_id
    data = _with_reference(data, "enrolment", Enrolment, _("Onbekende inschrijving."))
    return _write(obj, data=data, fields=fields, by=by, action=action, participant_ids_before=(before,))


@transaction.atomic
def subject_result_create(*, data: dict[str, Any], by) -> SubjectResult:
    return _enrolment_fact_create(SubjectResult(), data=data, fields=SUBJECT_RESULT_FIELDS,
                                  action="funding.subject_result", by=by)


@transaction.atomic
def subject_result_update(*, subject_result: SubjectResult, data: dict[str, Any], by) -> SubjectResult:
    return _enrolment_fact_update(subject_result, data=data, fields=SUBJECT_RESULT_FIELDS,
                                  action="funding.subject_result", by=by)


@transaction.atomic
def subject_result_delete(*, subject_result: SubjectResult, by) -> None:
    _fact_delete(subject_result, person_id=subject_result.enrolment.participant_id,
                 fields=SUBJECT_RESULT_FIELDS, action="funding.subject_result", by=by)


@transaction.atomic
def diploma_create(*, data: dict[str, Any], by) -> Diploma:
    return _enrolment_fact_create(Diploma(), data=data, fields=DIPLOMA_FIELDS, action="funding.diploma", by=by)


@transaction.atomic
def diploma_update(*, diploma: Diploma, data: dict[str, Any], by) -> Diploma:
    return _enrolment_fact_update(diploma, data=data, fields=DIPLOMA_FIELDS, action="funding.diploma", by=by)


@transaction.atomic
def diploma_delete(*, diploma: Diploma, by) -> None:
    _fact_delete(diploma, person_id=diploma.enrolment.participant_id, fields=DIPLOMA_FIELDS,
                 action="funding.diploma", by=by)


# --------------------------------------------------------------------------- funding years


@transaction.atomic
def funding_year_set_figures(*, year: int, national_weighted=None, national_budget=None, by) -> FundingYear:
    """Enter the national figures of a funding year (they may come after the final run)."""
    funding_year, _created = FundingYear.objects.select_for_update().get_or_create(year=year)
    old = {"national_weighted": funding_year.national_weighted, "national_budget": funding_year.national_budget}
    funding_year.national_weighted = national_weighted
    funding_year.national_budget = national_budget
    funding_year.full_clean()
    funding_year.save()
    audit_record(by=by, action="funding.year.figures", obj=funding_year, old=old,
                 new={"national_weighted": national_weighted, "national_budget": national_budget})
    return funding_year


FUNDING_YEARS = range(2000, 2101)


def funding_year_checked(year) -> int:
    """A plausible funding year, or a field error (never a database overflow)."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Geef een jaartal.")}) from None
    if year not in FUNDING_YEARS:
        raise ValidationError({"year": _("Geef een jaartal tussen 2000 en 2100.")})
    return year


@transaction.atomic
def funding_year_finalise(*, year: int, by) -> FundingYear:
    """The final determination: freeze this year's decisions as they are now.

    Provisional decisions are current by construction (every change recomputes them in its own
    transaction), so the frozen copy is taken from them. A year is finalised once; the final
    rows are never written again.
    """
    year = funding_year_checked(year)
    funding_year, _created = FundingYear.objects.select_for_update().get_or_create(year=year)
    if funding_year.is_final:
        raise ValidationError({"year": _("Bekostigingsjaar %(year)s is al definitief vastgesteld.") % {"year": year}})
    provisional = list(FundingDecision.objects.filter(kind=FundingDecision.Kind.PROVISIONAL, funding_year=year))
    if not provisional:
        raise ValidationError({"year": _("Er zijn geen besluiten voor bekostigingsjaar %(year)s.") % {"year": year}})
    finals = []
    for decision in provisional:
        decision.pk = None
        decision.kind = FundingDecision.Kind.FINAL
        finals.append(decision)
    FundingDecision.objects.bulk_create(finals, batch_size=2000)
    funding_year.finalised_at = timezone.now()
    funding_year.finalised_by = by if getattr(by, "pk", None) else None
    funding_year.finalised_by_label = str(by) if by is not None else ""
    funding_year.save()
    funded = sum(1 for d in finals if d.status == FundingDecision.Status.FUNDED)
    audit_record(by=by, action="funding.year.finalise", obj=funding_year,
                 new={"decisions": len(finals), "funded": funded, "rejected": len(finals) - funded,
                      "rules_versions": sorted({d.rules_version for d in finals})})
    return funding_year


def decisions_recompute_start(*, by):
    """Queue a full recompute in Celery; returns the job whose progress the UI shows."""
    from apps.funding.tasks import recompute_all
    from apps.jobs.services import job_create, job_dispatch

    job = job_create(kind="funding.recompute", label=_("Bekostiging herberekenen"), by=by)
    return job_dispatch(job=job, task=recompute_all)
