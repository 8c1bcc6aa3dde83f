"""Writes of the care passport: the only place that changes catalogue, profiles, facts and
statuses. Each service validates (``ValidationError`` with field names), checks who may do it
(``PermissionDenied``), writes, audits (``apps.audit.services.audit_record``) and recomputes
the statuses it touches in the same transaction; changes that touch many people recompute
through a Celery job with progress (``statuses_recompute_people``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.audit.services import audit_record
from apps.competences import rules
from apps.competences.facts import Catalogue, active_rule_set, catalogue_load, facts_load
from apps.competences.models import (Category, Competence, CompetenceStatus, CompetenceStatusHistory, Evidence,
                                     EvidenceKind, EvidenceRequirement, Exemption, NotApplicable, Order,
                                     PracticeRecord, Profile, ProfileLink, Revocation)
from apps.organisation.models import OrgUnit, Person
from apps.organisation.selectors import can_manage_person, is_tenant_admin, unit_ids_managed_by

log = logging.getLogger(__name__)

RECOMPUTE_BATCH = 500


def inline_recompute_limit() -> int:
    """Up to this many people a change recomputes in its own transaction; more go to a job."""
    return getattr(settings, "CARE_RECOMPUTE_INLINE_LIMIT", 50)


# --- validation helpers ---------------------------------------------------------------------

def _today() -> date:
    return timezone.localdate()


def _person(person_or_id, field: str = "person") -> Person:
    if isinstance(person_or_id, Person):
        return person_or_id
    try:
        return Person.objects.select_related("org_unit").get(pk=int(person_or_id))
    except (Person.DoesNotExist, TypeError, ValueError):
        raise ValidationError({field: f"Onbekende medewerker: {person_or_id}."})


def _competence(code_or_obj, field: str = "competence") -> Competence:
    if isinstance(code_or_obj, Competence):
        return code_or_obj
    try:
        return Competence.objects.get(code=str(code_or_obj or ""))
    except Competence.DoesNotExist:
        raise ValidationError({field: f"Onbekende bekwaamheid: '{code_or_obj}'."})


def _competences(codes, field: str = "competences") -> list[Competence]:
    codes = list(dict.fromkeys(str(c) for c in codes or ()))
    found = {c.code: c for c in Competence.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError({field: f"Onbekende bekwaamheid: {', '.join(unknown)}."})
    return [found[c] for c in codes]


def _org_unit(unit_or_id, field: str = "org_unit") -> OrgUnit:
    if isinstance(unit_or_id, OrgUnit):
        return unit_or_id
    try:
        return OrgUnit.objects.get(pk=int(unit_or_id))
    except (OrgUnit.DoesNotExist, TypeError, ValueError):
        raise ValidationError({field: f"Onbekende organisatie-eenheid: {unit_or_id}."})


def _require_date(value, field: str, errors: dict) -> None:
    if not isinstance(value, date):
        errors[field] = "Geef een geldige datum (JJJJ-MM-DD)."


def _require_reason(reason: str, errors: dict) -> str:
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Een reden is verplicht."
    return reason


def _check_period(start, until, errors: dict, *, start_field="start", until_field="until") -> None:
    _require_date(start, start_field, errors)
    if until is not None:
        _require_date(until, until_field, errors)
        if isinstance(start, date) and isinstance(until, date) and until < start:
            errors[until_field] = "De einddatum ligt vóór de begindatum."


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _may_manage_unit(user, unit: OrgUnit) -> bool:
    return is_tenant_admin(user) or unit.pk in unit_ids_managed_by(user)


def _require_manager_of_person(by, person: Person) -> None:
    if not can_manage_person(by, person):
        raise PermissionDenied("Alleen een leidinggevende van deze medewerker of de functioneel beheerder.")


def _require_admin(by) -> None:
    if not is_tenant_admin(by):
        raise PermissionDenied("Alleen de functioneel beheerder.")


# --- recompute ------------------------------------------------------------------------------

@dataclass
class RecomputeResult:
    decided: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0

    def __iadd__(self, other: "RecomputeResult"):
        self.decided += other.decided
        self.created += other.created
        self.updated += other.updated
        self.removed += other.removed
        return self


def _auth_signature(grounds) -> list:
    # "not authorised on <date>" names the day it was decided: that alone is no change.
    return [(g["code"], g["params"] if g["code"] != rules.G_NOT_AUTHORISED else None) for g in grounds]


def _history_signature(status, valid_until, grounds, authorised, auth_grounds, version):
    return (status, valid_until, grounds, authorised, _auth_signature(auth_grounds), version)


def statuses_recompute(*, person_ids, as_of: date | None = None, only: set[tuple[int, int]] | None = None,
                       catalogue: Catalogue | None = None) -> RecomputeResult:
    """Decide the statuses of these people on ``as_of`` (default today) and store them.

    Loads facts in bulk (constant queries per batch of ``RECOMPUTE_BATCH`` people), calls
    ``rules.decide``, writes only rows that changed (bulk), closes and opens history rows.
    ``only``: restrict writes to these (person_id, competence_id) pairs (the nightly sweep).
    Runs in the caller's transaction; call it inside the service that changed the facts.
    """
    as_of = as_of or _today()
    person_ids = sorted({int(p) for p in person_ids})
    result = RecomputeResult()
    if not person_ids:
        return result
    catalogue = catalogue or catalogue_load()
    rule_set = active_rule_set()
    for i in range(0, len(person_ids), RECOMPUTE_BATCH):
        chunk = person_ids[i:i + RECOMPUTE_BATCH]
        with transaction.atomic():
            result += _recompute_batch(chunk, as_of, only, catalogue, rule_set)
    return result


def _recompute_batch(person_ids, as_of, only, catalogue: Catalogue, rule_set) -> RecomputeResult:
    batch = facts_load(person_ids, as_of, catalogue)
    now = timezone.now()
    id_by_code = catalogue.id_by_code
    existing = {(s.person_id, s.competence_id): s
                for s in CompetenceStatus.objects.filter(person_id__in=person_ids)}
    open_history = {(p, c): hid for hid, p, c in CompetenceStatusHistory.objects.filter(
        person_id__in=person_ids, valid_to__isnull=True).values_list("id", "person_id", "competence_id")}

    creates, updates, history_new, history_close = [], [], [], []
    seen: set[tuple[int, int]] = set()
    result = RecomputeResult()
    for pid, snap in batch.people.items():
        for d in rules.decide(snap.facts, catalogue.specs, as_of, rule_set):
            cid = id_by_code[d.competence]
            key = (pid, cid)
            seen.add(key)
            if only is not None and key not in only:
                continue
            result.decided += 1
            grounds = [g.to_dict() for g in d.grounds]
            auth_grounds = [g.to_dict() for g in d.authorisation_grounds]
            next_change = d.next_change
            if snap.extra_next_change and (next_change is None or snap.extra_next_change < next_change):
                next_change = snap.extra_next_change
            row = existing.get(key)
            if row is None:
                creates.append(CompetenceStatus(
                    person_id=pid, competence_id=cid, status=d.status, valid_until=d.valid_until,
                    next_change=next_change, grounds=grounds, authorised=d.authorised,
                    authorisation_grounds=auth_grounds, rules_version=d.rules_version,
                    decided_for=as_of, decided_at=now))
                history_changed = True
            else:
                old_sig = _history_signature(row.status, row.valid_until, row.grounds, row.authorised,
                                             row.authorisation_grounds, row.rules_version)
                new_sig = _history_signature(d.status, d.valid_until, grounds, d.authorised, auth_grounds,
                                             d.rules_version)
                history_changed = old_sig != new_sig
                if not history_changed and row.next_change == next_change:
                    continue
                row.status, row.valid_until, row.next_change = d.status, d.valid_until, next_change
                row.grounds, row.authorised, row.authorisation_grounds = grounds, d.authorised, auth_grounds
                row.rules_version, row.decided_for, row.decided_at = d.rules_version, as_of, now
                updates.append(row)
            if history_changed:
                if key in open_history:
                    history_close.append(open_history[key])
                history_new.append(CompetenceStatusHistory(
                    person_id=pid, competence_id=cid, status=d.status, valid_until=d.valid_until,
                    grounds=grounds, authorised=d.authorised, authorisation_grounds=auth_grounds,
                    rules_version=d.rules_version, valid_from=as_of))
    removed = [] if only is not None else [s for k, s in existing.items() if k not in seen]
    for s in removed:
        key = (s.person_id, s.competence_id)
        if key in open_history:
            history_close.append(open_history[key])

    if history_close:
        CompetenceStatusHistory.objects.filter(id__in=history_close).update(valid_to=as_of)
    if removed:
        CompetenceStatus.objects.filter(id__in=[s.id for s in removed]).delete()
    if creates:
        CompetenceStatus.objects.bulk_create(creates, batch_size=2000)
    if updates:
        CompetenceStatus.objects.bulk_update(
            updates, ["status", "valid_until", "next_change", "grounds", "authorised", "authorisation_grounds",
                      "rules_version", "decided_for", "decided_at"], batch_size=1000)
    if history_new:
        CompetenceStatusHistory.objects.bulk_create(history_new, batch_size=2000)
    result.created, result.updated, result.removed = len(creates), len(updates), len(removed)
    return result


def statuses_recompute_people(*, person_ids, label: str, by=None, as_of: date | None = None):
    """Recompute now when few people are touched, else start a job (returned) that does it
    in chunks with visible progress after this transaction commits. Returns the Job or None."""
    person_ids = sorted({int(p) for p in person_ids})
    if len(person_ids) <= inline_recompute_limit():
        statuses_recompute(person_ids=person_ids, as_of=as_of)
        return None
    from apps.jobs.services import job_create, job_dispatch
    from apps.competences.tasks import recompute_statuses

    # as_of is pinned now, so a job resumed after midnight decides every chunk for one day.
    as_of = as_of or timezone.localdate()
    job = job_create(kind="competences.recompute", label=label, total=len(person_ids),
                     params={"person_ids": person_ids, "as_of": as_of.isoformat()}, by=by)
    return job_dispatch(job=job, task=recompute_statuses)


def statuses_recompute_job_run(*, job_id, chunk: int = RECOMPUTE_BATCH) -> None:
    """The job's work: people in chunks, each chunk its own transaction; resumes where it
    stopped when the task is sent again: each chunk commits together with the checkpoint
    (people done and the counts so far), so no chunk is counted twice or lost."""
    from dataclasses import asdict

    from apps.jobs.models import Job
    from apps.jobs.services import job_checkpoint_save, job_finish, job_start

    job = Job.objects.get(pk=job_id)
    if job.is_finished:
        return
    person_ids = job.params.get("person_ids", [])
    as_of = date.fromisoformat(job.params["as_of"]) if job.params.get("as_of") else None
    job_start(job_id=job_id, total=len(person_ids))
    catalogue = catalogue_load()
    done = job.checkpoint.get("done", 0)
    totals = RecomputeResult(**job.checkpoint.get("totals", {}))
    while done < len(person_ids):
        part = person_ids[done:done + chunk]
        with transaction.atomic():
            totals += statuses_recompute(person_ids=part, as_of=as_of, catalogue=catalogue)
            done += len(part)
            job_checkpoint_save(job_id=job_id, done=done, state={"done": done, "totals": asdict(totals)},
                                message=f"{done} van {len(person_ids)} medewerkers")
    job_finish(job_id=job_id, result={"people": len(person_ids), "decided": totals.decided,
                                      "created": totals.created, "updated": totals.updated,
                                      "removed": totals.removed})


def statuses_sweep_due(*, as_of: date | None = None, lookback_days: int = 7) -> RecomputeResult:
    """Nightly: re-decide only the statuses whose ``next_change`` has come, and the people
    whose profile links started or ended in the last ``lookback_days`` days (requirements
    that appear need no status row yet)."""
    as_of = as_of or _today()
    due = set(CompetenceStatus.objects.filter(next_change__lte=as_of).values_list("person_id", "competence_id"))
    since = as_of - timedelta(days=lookback_days)
    links = ProfileLink.objects.filter(Q(valid_from__gt=since, valid_from__lte=as_of)
                                       | Q(valid_until__gte=since, valid_until__lt=as_of))
    link_people = set(links.filter(person__isnull=False).values_list("person_id", flat=True))
    unit_ids = set(links.filter(org_unit__isnull=False).values_list("org_unit_id", flat=True))
    if unit_ids:
        from apps.organisation.selectors import unit_ids_with_descendants

        link_people |= set(Person.objects.filter(org_unit_id__in=unit_ids_with_descendants(unit_ids))
                           .values_list("id", flat=True))
    result = RecomputeResult()
    catalogue = catalogue_load()
    due_people = sorted({p for p, _c in due} - link_people)
    for i in range(0, len(due_people), RECOMPUTE_BATCH):
        part = due_people[i:i + RECOMPUTE_BATCH]
        only = {k for k in due if k[0] in set(part)}
        result += statuses_recompute(person_ids=part, as_of=as_of, only=only, catalogue=catalogue)
    if link_people:
        result += statuses_recompute(person_ids=link_people, as_of=as_of, catalogue=catalogue)
    log.info("status sweep %s: %s", as_of, result)
    return result


# --- catalogue ------------------------------------------------------------------------------

def _validate_competence_fields(*, code, name, category, evidence, practice, warning_days,
                                authorised_professions, errors: dict) -> None:
    from apps.organisation.models import Profession

    if not (code or "").strip():
        errors["code"] = "Code is verplicht."
    if not (name or "").strip():
        errors["name"] = "Naam is verplicht."
    if category not in Category.values:
        errors["category"] = f"Kies uit: {', '.join(Category.values)}."
    if not isinstance(evidence, dict):
        errors["evidence"] = "Geef per soort bewijs de geldigheid in maanden."
    else:
        bad = [k for k in evidence if k not in EvidenceKind.values]
        if bad:
            errors["evidence"] = f"Onbekende soort bewijs: {', '.join(bad)}."
        elif any(not isinstance(m, int) or isinstance(m, bool) or m < 1 for m in evidence.values()):
            errors["evidence"] = "Geldigheid moet een heel aantal maanden van minstens 1 zijn."
    if practice:
        count, months = practice.get("count"), practice.get("months")
        if not (isinstance(count, int) and count >= 1 and isinstance(months, int) and months >= 1):
            errors["practice"] = "Praktijkeis: aantal en maanden moeten hele getallen van minstens 1 zijn."
    if warning_days is not None and (not isinstance(warning_days, int) or warning_days < 0):
        errors["warning_days"] = "Waarschuwingstermijn moet 0 of meer dagen zijn."
    bad_prof = [p for p in authorised_professions or () if p not in Profession.values or not p]
    if bad_prof:
        errors["authorised_professions"] = f"Onbekend beroep: {', '.join(bad_prof)}."


def _competence_snapshot(c: Competence) -> dict:
    return {"code": c.code, "name": c.name, "category": c.category,
            "evidence": {r.kind: r.validity_months for r in c.requirements.all()},
            "practice": ({"count": c.practice_count, "months": c.practice_months,
                          "verified_only": c.practice_verified_only} if c.practice_count else None),
            "warning_days": c.warning_days, "authorised_professions": list(c.authorised_professions)}


@transaction.atomic
def competence_create(*, code: str, name: str, category: str = "other", evidence: dict, practice: dict | None = None,
                      warning_days: int | None = None, authorised_professions=(), description: str = "",
                      by) -> Competence:
    _require_admin(by)
    errors: dict = {}
    _validate_competence_fields(code=code, name=name, category=category, evidence=evidence, practice=practice,
                                warning_days=warning_days, authorised_professions=authorised_professions,
                                errors=errors)
    if "code" not in errors and Competence.objects.filter(code=code.strip()).exists():
        errors["code"] = f"Code '{code}' bestaat al."
    _raise(errors)
    c = Competence.objects.create(
        code=code.strip(), name=name.strip(), category=category, description=description,
        practice_count=practice["count"] if practice else None,
        practice_months=practice["months"] if practice else None,
        practice_verified_only=bool(practice and practice.get("verified_only")),
        warning_days=warning_days, authorised_professions=list(authorised_professions or ()))
    EvidenceRequirement.objects.bulk_create(
        [EvidenceRequirement(competence=c, kind=k, validity_months=m) for k, m in evidence.items()])
    audit_record(by=by, action="competence.created", obj=c, new=_competence_snapshot(c))
    return c


@transaction.atomic
def competence_update(*, competence: Competence, by, reason: str = "", **changes):
    """Change requirement parts; recomputes everyone holding a status for it. Returns the job
    when that is done in the background."""
    _require_admin(by)
    old = _competence_snapshot(competence)
    merged = {**old, **{k: v for k, v in changes.items() if k in old or k == "description"}}
    errors: dict = {}
    _validate_competence_fields(code=competence.code, name=merged["name"], category=merged["category"],
                                evidence=merged["evidence"], practice=merged["practice"],
                                warning_days=merged["warning_days"],
                                authorised_professions=merged["authorised_professions"], errors=errors)
    _raise(errors)
    competence.name = merged["name"].strip()
    competence.category = merged["category"]
    practice = merged["practice"]
    competence.practice_count = practice["count"] if practice else None
    competence.practice_months = practice["months"] if practice else None
    competence.practice_verified_only = bool(practice and practice.get("verified_only"))
    competence.warning_days = merged["warning_days"]
    competence.authorised_professions = list(merged["authorised_professions"] or ())
    if "description" in changes:
        competence.description = changes["description"]
    competence.save()
    competence.requirements.all().delete()
    EvidenceRequirement.objects.bulk_create([EvidenceRequirement(competence=competence, kind=k, validity_months=m)
                                             for k, m in merged["evidence"].items()])
    audit_record(by=by, action="competence.updated", obj=competence, old=old,
                 new=_competence_snapshot(competence), reason=reason)
    people = CompetenceStatus.objects.filter(competence=competence).values_list("person_id", flat=True)
    return statuses_recompute_people(person_ids=list(people), label=f"Herberekenen na wijziging {competence.code}",
                                     by=by)


# --- profiles and links ---------------------------------------------------------------------

def _profile_snapshot(p: Profile) -> dict:
    return {"name": p.name, "kind": p.kind, "org_unit": p.org_unit_id,
            "competences": sorted(p.competences.values_list("code", flat=True))}


def _profile_people(profile: Profile, as_of: date | None = None) -> set[int]:
    """Everyone a profile is linked to (directly or through a unit and its subunits)."""
    from apps.organisation.selectors import unit_ids_with_descendants

    links = list(ProfileLink.objects.filter(profile=profile).values_list("person_id", "org_unit_id"))
    people = {p for p, _u in links if p}
    units = unit_ids_with_descendants({u for _p, u in links if u})
    if units:
        people |= set(Person.objects.filter(org_unit_id__in=units).values_list("id", flat=True))
    return people


def _require_profile_editor(by, unit: OrgUnit) -> None:
    if not _may_manage_unit(by, unit):
        raise PermissionDenied("Alleen een leidinggevende van deze eenheid of de functioneel beheerder.")


@transaction.atomic
def profile_create(*, name: str, org_unit, kind: str = "department", competence_codes=(), description: str = "",
                   by) -> Profile:
    errors: dict = {}
    if not (name or "").strip():
        errors["name"] = "Naam is verplicht."
    if kind not in Profile.Kind.values:
        errors["kind"] = f"Kies uit: {', '.join(Profile.Kind.values)}."
    _raise(errors)
    unit = _org_unit(org_unit)
    _require_profile_editor(by, unit)
    competences = _competences(competence_codes)
    profile = Profile.objects.create(name=name.strip(), org_unit=unit, kind=kind, description=description)
    profile.competences.set(competences)
    audit_record(by=by, action="profile.created", obj=profile, new=_profile_snapshot(profile))
    return profile


@transaction.atomic
def profile_update(*, profile: Profile, by, name: str | None = None, competence_codes=None,
                   description: str | None = None, reason: str = ""):
    """Rename or change the competences of a profile; everyone linked is recomputed (inline
    for few people, else a job, which is returned)."""
    _require_profile_editor(by, profile.org_unit)
    old = _profile_snapshot(profile)
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": "Naam is verplicht."})
        profile.name = name.strip()
    if description is not None:
        profile.description = description
    profile.save()
    if competence_codes is not None:
        profile.competences.set(_competences(competence_codes))
    new = _profile_snapshot(profile)
    audit_record(by=by, action="profile.updated", obj=profile, old=old, new=new, reason=reason)
    return statuses_recompute_people(person_ids=_profile_people(profile),
                                     label=f"Herberekenen na wijziging profiel {profile.name}", by=by)


def profile_add_competences(*, profile: Profile, competence_codes, by, reason: str = ""):
    current = list(profile.competences.values_list("code", flat=True))
    return profile_update(profile=profile, by=by, reason=reason,
                          competence_codes=current + [c for c in competence_codes if c not in current])


def profile_remove_competences(*, profile: Profile, competence_codes, by, reason: str = ""):
    _competences(competence_codes)
    current = list(profile.competences.values_list("code", flat=True))
    return profile_update(profile=profile, by=by, reason=reason,
                          competence_codes=[c for c in current if c not in set(competence_codes)])


def _link_snapshot(link: ProfileLink) -> dict:
    return {"profile": link.profile.name, "person": link.person_id, "org_unit": link.org_unit_id,
            "valid_from": link.valid_from, "valid_until": link.valid_until}


@dataclass
class LinkResult:
    link: ProfileLink
    job: object | None


@transaction.atomic
def profile_link_create(*, profile, person=None, org_unit=None, valid_from: date | None = None,
                        valid_until: date | None = None, by, reason: str = "",
                        as_of: date | None = None) -> LinkResult:
    """Require ``profile`` of one person or of every member of an org unit (and its
    subunits) from ``valid_from`` (default today) through ``valid_until``."""
    if not isinstance(profile, Profile):
        try:
            profile = Profile.objects.select_related("org_unit").get(pk=int(profile))
        except (Profile.DoesNotExist, TypeError, ValueError):
            raise ValidationError({"profile": f"Onbekend profiel: {profile}."})
    errors: dict = {}
    if (person is None) == (org_unit is None):
        errors["person"] = "Koppel aan precies één medewerker of één organisatie-eenheid."
    valid_from = valid_from or as_of or _today()
    _check_period(valid_from, valid_until, errors, start_field="valid_from", until_field="valid_until")
    _raise(errors)
    target_person = _person(person) if person is not None else None
    target_unit = _org_unit(org_unit) if org_unit is not None else None
    if target_person is not None:
        _require_manager_of_person(by, target_person)
    else:
        _require_profile_editor(by, target_unit)
    link = ProfileLink.objects.create(profile=profile, person=target_person, org_unit=target_unit,
                                      valid_from=valid_from, valid_until=valid_until, created_by=by)
    audit_record(by=by, action="profile_link.created", obj=link,
                 person_id=target_person.pk if target_person else None, new=_link_snapshot(link), reason=reason)
    if target_person is not None:
        statuses_recompute(person_ids=[target_person.pk], as_of=as_of)
        return LinkResult(link, None)
    from apps.organisation.selectors import unit_ids_with_descendants

    people = Person.objects.filter(org_unit_id__in=unit_ids_with_descendants([target_unit.pk])).values_list(
        "id", flat=True)
    job = statuses_recompute_people(person_ids=list(people), by=by, as_of=as_of,
                                    label=f"Profiel {profile.name} gekoppeld aan {target_unit.name}")
    return LinkResult(link, job)


@transaction.atomic
def profile_link_end(*, link: ProfileLink, valid_until: date, by, reason: str = "") -> LinkResult:
    """End a link on ``valid_until`` (inclusive); history stays."""
    errors: dict = {}
    _check_period(link.valid_from, valid_until, errors, start_field="valid_from", until_field="valid_until")
    _raise(errors)
    if link.person_id:
        _require_manager_of_person(by, link.person)
    else:
        _require_profile_editor(by, link.org_unit)
    old = _link_snapshot(link)
    link.valid_until = valid_until
    link.save(update_fields=["valid_until"])
    audit_record(by=by, action="profile_link.ended", obj=link, person_id=link.person_id, old=old,
                 new=_link_snapshot(link), reason=reason)
    if link.person_id:
        statuses_recompute(person_ids=[link.person_id])
        return LinkResult(link, None)
    from apps.organisation.selectors import unit_ids_with_descendants

    people = Person.objects.filter(org_unit_id__in=unit_ids_with_descendants([link.org_unit_id])).values_list(
        "id", flat=True)
    return LinkResult(link, statuses_recompute_people(person_ids=list(people), by=by,
                                                      label=f"Koppeling {link.profile.name} beëindigd"))


# --- evidence and practice ------------------------------------------------------------------

def _evidence_snapshot(e: Evidence) -> dict:
    return {"competence": e.competence.code, "kind": e.kind, "achieved_on": e.achieved_on, "passed": e.passed,
            "valid_until": e.valid_until, "assessor": e.assessor_id, "file": e.file.name if e.file else ""}


def _may_record_evidence(by, person: Person) -> bool:
    return by.has_role("assessor") or can_manage_person(by, person)


@transaction.atomic
def evidence_record(*, person, competence, kind: str, achieved_on: date, passed: bool = True, by,
                    assessor=None, valid_until: date | None = None, file=None, note: str = "",
                    as_of: date | None = None) -> Evidence:
    """Record a theory test, practical assessment, e-learning or certificate; recomputes the
    person's statuses. Assessors, managers of the person and the tenant admin may record."""
    errors: dict = {}
    today = as_of or _today()
    _require_date(achieved_on, "achieved_on", errors)
    if kind not in EvidenceKind.values:
        errors["kind"] = f"Kies uit: {', '.join(EvidenceKind.values)}."
    if isinstance(achieved_on, date) and achieved_on > today:
        errors["achieved_on"] = "Bewijs kan niet in de toekomst behaald zijn."
    if valid_until is not None:
        _require_date(valid_until, "valid_until", errors)
        if isinstance(achieved_on, date) and isinstance(valid_until, date) and valid_until < achieved_on:
            errors["valid_until"] = "Geldig tot ligt vóór de datum van behalen."
    person = _person(person)
    comp = _competence(competence)
    _raise(errors)
    if not _may_record_evidence(by, person):
        raise PermissionDenied("Alleen een beoordelaar, leidinggevende of functioneel beheerder.")
    if assessor is None and by.has_role("assessor"):
        assessor = by
    e = Evidence(person=person, competence=comp, kind=kind, achieved_on=achieved_on, passed=bool(passed),
                 assessor=assessor, valid_until=valid_until, note=note or "", recorded_by=by)
    if file:
        e.file = file
    e.save()
    audit_record(by=by, action="evidence.recorded", obj=e, person_id=person.pk, new=_evidence_snapshot(e),
                 reason=note or "")
    statuses_recompute(person_ids=[person.pk], as_of=as_of)
    return e


@transaction.atomic
def evidence_delete(*, evidence: Evidence, by, reason: str) -> None:
    errors: dict = {}
    reason = _require_reason(reason, errors)
    _raise(errors)
    if not can_manage_person(by, evidence.person) and evidence.recorded_by_id != by.pk:
        raise PermissionDenied("Alleen wie het vastlegde, een leidinggevende of de functioneel beheerder.")
    old = _evidence_snapshot(evidence)
    person_id = evidence.person_id
    audit_record(by=by, action="evidence.deleted", obj=evidence, person_id=person_id, old=old, reason=reason)
    evidence.delete()
    statuses_recompute(person_ids=[person_id])


def _practice_snapshot(p: PracticeRecord) -> dict:
    return {"competence": p.competence.code, "performed_on": p.performed_on, "count": p.count,
            "verified_by": p.verified_by_id, "verified_at": p.verified_at, "rejected": p.rejected}


@transaction.atomic
def practice_record_create(*, person, competence, performed_on: date, count: int = 1, note: str = "", by,
                           verified: bool = False, as_of: date | None = None) -> PracticeRecord:
    """Log that a procedure was performed. Employees log their own; managers and assessors
    may log (and verify at once) for others."""
    errors: dict = {}
    today = as_of or _today()
    _require_date(performed_on, "performed_on", errors)
    if isinstance(performed_on, date) and performed_on > today:
        errors["performed_on"] = "Praktijk kan niet in de toekomst uitgevoerd zijn."
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        errors["count"] = "Aantal moet minstens 1 zijn."
    person = _person(person)
    comp = _competence(competence)
    _raise(errors)
    own = person.user_id is not None and person.user_id == by.pk
    may_verify = by.has_role("assessor") or can_manage_person(by, person)
    if not (own or may_verify):
        raise PermissionDenied("Alleen de medewerker zelf, een leidinggevende of beoordelaar.")
    record = PracticeRecord.objects.create(person=person, competence=comp, performed_on=performed_on, count=count,
                                           note=note or "", created_by=by)
    if verified and may_verify and not own:
        record.verified_by, record.verified_at = by, timezone.now()
        record.save(update_fields=["verified_by", "verified_at"])
    audit_record(by=by, action="practice.recorded", obj=record, person_id=person.pk,
                 new=_practice_snapshot(record), reason=note or "")
    statuses_recompute(person_ids=[person.pk], as_of=as_of)
    return record


@transaction.atomic
def practice_record_verify(*, record: PracticeRecord, by, reject: bool = False, reason: str = "") -> PracticeRecord:
    """Sign off (or reject) a practice record: an assessor or a manager of the person, never
    the person themselves."""
    person = record.person
    if person.user_id == by.pk or not (by.has_role("assessor") or can_manage_person(by, person)):
        raise PermissionDenied("Alleen een leidinggevende of beoordelaar van deze medewerker.")
    if reject and not (reason or "").strip():
        raise ValidationError({"reason": "Geef een reden voor de afwijzing."})
    old = _practice_snapshot(record)
    if reject:
        record.rejected, record.verified_by, record.verified_at = True, None, None
    else:
        record.rejected, record.verified_by, record.verified_at = False, by, timezone.now()
    record.save(update_fields=["rejected", "verified_by", "verified_at"])
    audit_record(by=by, action="practice.rejected" if reject else "practice.verified", obj=record,
                 person_id=person.pk, old=old, new=_practice_snapshot(record), reason=reason)
    statuses_recompute(person_ids=[person.pk])
    return record


# --- exemptions, not-applicable marks, revocations, orders ----------------------------------

def _mark_snapshot(m) -> dict:
    return {"competence": m.competence.code, "start": m.start, "until": m.until, "reason": m.reason}


def _mark_create(model, action: str, *, person, competence, start, until, reason, by, as_of=None):
    errors: dict = {}
    start = start or (as_of or _today())
    _check_period(start, until, errors)
    reason = _require_reason(reason, errors)
    person = _person(person)
    comp = _competence(competence)
    _raise(errors)
    _require_manager_of_person(by, person)
    mark = model.objects.create(person=person, competence=comp, start=start, until=until, reason=reason, by=by)
    audit_record(by=by, action=action, obj=mark, person_id=person.pk, new=_mark_snapshot(mark), reason=reason)
    statuses_recompute(person_ids=[person.pk], as_of=as_of)
    return mark


def _mark_end(mark, action: str, *, until: date, reason: str, by):
    errors: dict = {}
    _check_period(mark.start, until, errors)
    reason = _require_reason(reason, errors)
    _raise(errors)
    _require_manager_of_person(by, mark.person)
    old = _mark_snapshot(mark)
    mark.until = until
    mark.save(update_fields=["until"])
    audit_record(by=by, action=action, obj=mark, person_id=mark.person_id, old=old, new=_mark_snapshot(mark),
                 reason=reason)
    statuses_recompute(person_ids=[mark.person_id])
    return mark


@transaction.atomic
def exemption_grant(*, person, competence, reason: str, by, start: date | None = None, until: date | None = None,
                    as_of: date | None = None) -> Exemption:
    """Vrijstelling: only a manager of the person's unit (or a unit above) or the tenant admin."""
    return _mark_create(Exemption, "exemption.granted", person=person, competence=competence, start=start,
                        until=until, reason=reason, by=by, as_of=as_of)


@transaction.atomic
def exemption_end(*, exemption: Exemption, until: date, reason: str, by) -> Exemption:
    return _mark_end(exemption, "exemption.ended", until=until, reason=reason, by=by)


@transaction.atomic
def not_applicable_mark(*, person, competence, reason: str, by, start: date | None = None,
                        until: date | None = None, as_of: date | None = None) -> NotApplicable:
    return _mark_create(NotApplicable, "not_applicable.marked", person=person, competence=competence, start=start,
                        until=until, reason=reason, by=by, as_of=as_of)


@transaction.atomic
def not_applicable_end(*, mark: NotApplicable, until: date, reason: str, by) -> NotApplicable:
    return _mark_end(mark, "not_applicable.ended", until=until, reason=reason, by=by)


@transaction.atomic
def revocation_record(*, person, competence, reason: str, by, start: date | None = None,
                      until: date | None = None, as_of: date | None = None) -> Revocation:
    """Withdraw a competence temporarily (``until``) or for good (open-ended)."""
    return _mark_create(Revocation, "revocation.recorded", person=person, competence=competence, start=start,
                        until=until, reason=reason, by=by, as_of=as_of)


@transaction.atomic
def revocation_end(*, revocation: Revocation, until: date, reason: str, by) -> Revocation:
    return _mark_end(revocation, "revocation.ended", until=until, reason=reason, by=by)


@transaction.atomic
def order_record(*, person, given_by: str, start: date, by, competence=None, until: date | None = None,
                 description: str = "") -> Order:
    """Authorisation by order (opdracht) of an independently authorised professional."""
    errors: dict = {}
    if not (given_by or "").strip():
        errors["given_by"] = "Vermeld wie de opdracht gaf."
    _check_period(start, until, errors)
    person = _person(person)
    comp = _competence(competence) if competence else None
    _raise(errors)
    _require_manager_of_person(by, person)
    order = Order.objects.create(person=person, competence=comp, given_by=given_by.strip(), description=description,
                                 start=start, until=until, by=by)
    audit_record(by=by, action="order.recorded", obj=order, person_id=person.pk,
                 new={"competence": comp.code if comp else None, "given_by": order.given_by, "start": start,
                      "until": until, "description": description})
    statuses_recompute(person_ids=[person.pk])
    return order
