"""Writes of learning: courses and sessions, enrolments (capacity, waitlist, results) and
learning paths. Each service validates (``ValidationError`` with field names), checks who
may do it (``PermissionDenied``), writes, audits and recomputes the statuses it touches, in
one transaction. A passed result becomes evidence through ``competences.services.evidence_record``.
"""
from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from apps.audit.services import audit_record
from apps.competences.models import Competence, EvidenceKind
from apps.learning.models import Course, CourseSession, Enrolment, LearningPath, LearningPathStep
from apps.organisation.models import Person
from apps.organisation.selectors import can_manage_person, is_tenant_admin

Status = Enrolment.Status


def _today() -> date:
    return timezone.localdate()


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _require_admin(by) -> None:
    if not is_tenant_admin(by):
        raise PermissionDenied("Alleen de functioneel beheerder.")


def _person(person_or_id, field: str = "person") -> Person:
    if isinstance(person_or_id, Person):
        return person_or_id
    try:
        return Person.objects.select_related("org_unit").get(pk=int(person_or_id))
    except (Person.DoesNotExist, TypeError, ValueError):
        raise ValidationError({field: f"Onbekende medewerker: {person_or_id}."})


def _competence(value, field: str = "competence") -> Competence | None:
    if value in (None, ""):
        return None
    if isinstance(value, Competence):
        return value
    comp = Competence.objects.filter(code=str(value)).first()
    if comp is None:
        raise ValidationError({field: f"Onbekende bekwaamheid: '{value}'."})
    return comp


def _is_self(by, person: Person) -> bool:
    return person.user_id is not None and person.user_id == by.pk


def _recompute(person_ids) -> None:
    from apps.competences.services import statuses_recompute

    statuses_recompute(person_ids=list(person_ids))


def _notify(person: Person, *, title: str, body: str = "", url: str = "") -> None:
    if person.user_id is None:
        return
    from apps.notifications.services import notification_create

    notification_create(user=person.user, kind="enrolment", title=title, body=body, url=url)


# --- catalogue ------------------------------------------------------------------------------

@transaction.atomic
def course_create(*, code: str, name: str, by, competence=None, evidence_kind: str = "",
                  description: str = "") -> Course:
    _require_admin(by)
    errors: dict = {}
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        errors["code"] = "Code is verplicht."
    elif Course.objects.filter(code=code).exists():
        errors["code"] = f"Code '{code}' bestaat al."
    if not name:
        errors["name"] = "Naam is verplicht."
    if evidence_kind and evidence_kind not in EvidenceKind.values:
        errors["evidence_kind"] = f"Kies uit: {', '.join(EvidenceKind.values)}."
    comp = _competence(competence)
    _raise(errors)
    course = Course.objects.create(code=code, name=name, competence=comp, evidence_kind=evidence_kind or "",
                                   description=description or "")
    audit_record(by=by, action="course.created", obj=course,
                 new={"code": code, "name": name, "competence": comp.code if comp else None,
                      "evidence_kind": evidence_kind})
    return course


@transaction.atomic
def session_create(*, course: Course, starts_at, capacity: int, enrolment_deadline: date, by, place: str = "",
                   online_url: str = "") -> CourseSession:
    _require_admin(by)
    errors: dict = {}
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
        errors["capacity"] = "Minstens één plaats."
    if not (place or online_url):
        errors["place"] = "Geef een locatie of een online link."
    if not isinstance(enrolment_deadline, date):
        errors["enrolment_deadline"] = "Geef een geldige datum (JJJJ-MM-DD)."
    elif starts_at and enrolment_deadline > timezone.localtime(starts_at).date():
        errors["enrolment_deadline"] = "De inschrijfdatum ligt na het begin van de sessie."
    _raise(errors)
    session = CourseSession(course=course, starts_at=starts_at, capacity=capacity,
                            enrolment_deadline=enrolment_deadline, place=place or "", online_url=online_url or "")
    try:
        session.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict)
    session.save()
    audit_record(by=by, action="course_session.created", obj=session,
                 new={"course": course.code, "starts_at": starts_at, "capacity": capacity})
    return session


@transaction.atomic
def session_cancel(*, session: CourseSession, by, reason: str = "") -> CourseSession:
    """Cancel a whole session: every live enrolment is cancelled and the people are told."""
    _require_admin(by)
    session = CourseSession.objects.select_for_update().get(pk=session.pk)
    if session.cancelled:
        raise ValidationError({"session": "Deze sessie is al geannuleerd."})
    session.cancelled = True
    session.save(update_fields=["cancelled"])
    live = list(session.enrolments.filter(status__in=Enrolment.ACTIVE).select_related("person__user"))
    now = timezone.now()
    for e in live:
        e.status, e.position, e.cancelled_at = Status.CANCELLED, None, now
        e.save(update_fields=["status", "position", "cancelled_at"])
        _notify(e.person, title=f"Sessie geannuleerd: {session}", body=reason, url="/leren/")
    audit_record(by=by, action="course_session.cancelled", obj=session, reason=reason,
                 new={"cancelled_enrolments": [e.pk for e in live]})
    _recompute({e.person_id for e in live})
    return session


# --- enrolments -----------------------------------------------------------------------------

def _enrolment_snapshot(e: Enrolment) -> dict:
    return {"session": e.session_id, "course": e.session.course.code, "session_date": e.session.session_date,
            "status": e.status, "position": e.position, "result": e.result}


def _may_act_for(by, person: Person) -> bool:
    return _is_self(by, person) or can_manage_person(by, person)


@transaction.atomic
def enrolment_create(*, session, person=None, by, as_of: date | None = None) -> Enrolment:
    """Enrol ``person`` (default: the acting user's own person) in ``session``: a seat when
    one is free, otherwise the end of the waitlist. The employee themself or a manager of
    their unit. The session row is locked, so two enrolments for the last seat queue up and
    exactly one gets it."""
    today = as_of or _today()
    if person is None:
        person = Person.objects.filter(user=by).first()
        if person is None:
            raise ValidationError({"person": "Er is geen medewerker gekoppeld aan deze gebruiker."})
    person = _person(person)
    if not isinstance(session, CourseSession):
        try:
            session_id = int(session)
        except (TypeError, ValueError):
            raise ValidationError({"session": f"Onbekende sessie: {session}."})
    else:
        session_id = session.pk
    if not _may_act_for(by, person):
        raise PermissionDenied("Alleen de medewerker zelf of een leidinggevende van de medewerker.")
    # The lock serialises every enrolment and cancellation of this session.
    session = (CourseSession.objects.select_for_update().select_related("course")
               .filter(pk=session_id).first())
    if session is None:
        raise ValidationError({"session": f"Onbekende sessie: {session_id}."})
    if session.cancelled:
        raise ValidationError({"session": "Deze sessie is geannuleerd."})
    if today > session.enrolment_deadline:
        raise ValidationError({"session": f"De inschrijving sloot op {session.enrolment_deadline:%d-%m-%Y}."})
    if not person.is_active:
        raise ValidationError({"person": "Deze medewerker is niet actief."})
    if Enrolment.objects.filter(session=session, person=person).exclude(status=Status.CANCELLED).exists():
        raise ValidationError({"person": "Deze medewerker is al ingeschreven voor deze sessie."})
    taken = Enrolment.objects.filter(session=session, status__in=[Status.ENROLLED, Status.COMPLETED]).count()
    if taken < session.capacity:
        status, position = Status.ENROLLED, None
    else:
        last = Enrolment.objects.filter(session=session, status=Status.WAITLISTED).aggregate(m=Max("position"))["m"]
        status, position = Status.WAITLISTED, (last or 0) + 1
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(session=session, person=person, status=status, position=position,
                                                 created_by=by)
    except IntegrityError:
        raise ValidationError({"person": "Deze medewerker is al ingeschreven voor deze sessie."})
    audit_record(by=by, action="enrolment.created", obj=enrolment, person_id=person.pk,
                 new=_enrolment_snapshot(enrolment))
    if status == Status.ENROLLED:
        _recompute([person.pk])
    return enrolment


@transaction.atomic
def enrolment_cancel(*, enrolment, by, reason: str = "") -> Enrolment:
    """Cancel an enrolment (seat or waitlist place). A freed seat goes to the first on the
    waitlist at once, in the same transaction; the waitlist closes up."""
    enrolment_id = enrolment.pk if isinstance(enrolment, Enrolment) else enrolment
    current = Enrolment.objects.select_related("person").filter(pk=enrolment_id).first()
    if current is None:
        raise ValidationError({"enrolment": f"Onbekende inschrijving: {enrolment_id}."})
    if not _may_act_for(by, current.person):
        raise PermissionDenied("Alleen de medewerker zelf of een leidinggevende van de medewerker.")
    session = CourseSession.objects.select_for_update().select_related("course").get(pk=current.session_id)
    enrolment = Enrolment.objects.select_related("person").get(pk=enrolment_id)  # re-read under the lock
    if enrolment.status not in Enrolment.ACTIVE:
        raise ValidationError({"status": "Deze inschrijving is al geannuleerd of afgerond."})
    old = _enrolment_snapshot(enrolment)
    freed_seat = enrolment.status == Status.ENROLLED
    enrolment.status, enrolment.position, enrolment.cancelled_at = Status.CANCELLED, None, timezone.now()
    enrolment.save(update_fields=["status", "position", "cancelled_at"])
    audit_record(by=by, action="enrolment.cancelled", obj=enrolment, person_id=enrolment.person_id, old=old,
                 new=_enrolment_snapshot(enrolment), reason=reason)
    touched = {enrolment.person_id} if freed_seat else set()
    if freed_seat:
        promoted = _promote_first(session, by=by)
        if promoted is not None:
            touched.add(promoted.person_id)
    _renumber_waitlist(session)
    _recompute(touched)
    return enrolment


def _promote_first(session: CourseSession, *, by) -> Enrolment | None:
    if session.cancelled:
        return None
    taken = Enrolment.objects.filter(session=session, status__in=[Status.ENROLLED, Status.COMPLETED]).count()
    if taken >= session.capacity:
        return None
    first = (Enrolment.objects.filter(session=session, status=Status.WAITLISTED).select_related("person__user")
             .order_by("position", "id").first())
    if first is None:
        return None
    old = _enrolment_snapshot(first)
    first.status, first.position = Status.ENROLLED, None
    first.save(update_fields=["status", "position"])
    audit_record(by=by, action="enrolment.promoted", obj=first, person_id=first.person_id, old=old,
                 new=_enrolment_snapshot(first), reason="Plaats vrijgekomen")
    _notify(first.person, title=f"Je hebt een plaats: {session}",
            body="Er kwam een plaats vrij; je bent van de wachtlijst ingeschreven.", url="/leren/")
    return first


def _renumber_waitlist(session: CourseSession) -> None:
    waiting = list(Enrolment.objects.filter(session=session, status=Status.WAITLISTED).order_by("position", "id"))
    changed = []
    for i, e in enumerate(waiting, start=1):
        if e.position != i:
            e.position = i
            changed.append(e)
    if changed:
        Enrolment.objects.bulk_update(changed, ["position"])


def course_competences(course: Course) -> list[Competence]:
    """The competences a course leads to: its own, else those of learning paths it is a step in."""
    if course.competence_id:
        return [course.competence]
    ids = LearningPathStep.objects.filter(course=course, path__is_active=True).values_list(
        "path__competence_id", flat=True)
    return list(Competence.objects.filter(id__in=set(ids)).order_by("code"))


@transaction.atomic
def enrolment_record_result(*, enrolment, result: str, by, achieved_on: date | None = None, note: str = "",
                            as_of: date | None = None) -> Enrolment:
    """An assessor (or a manager of the person) records passed/failed. Passed becomes
    evidence of the course's kind for the competence it leads to, so the passport updates
    in this same transaction."""
    from apps.competences.services import evidence_record

    today = as_of or _today()
    enrolment_id = enrolment.pk if isinstance(enrolment, Enrolment) else enrolment
    enrolment = (Enrolment.objects.select_for_update(of=("self",)).select_related("person", "session__course")
                 .filter(pk=enrolment_id).first())
    if enrolment is None:
        raise ValidationError({"enrolment": f"Onbekende inschrijving: {enrolment_id}."})
    person = enrolment.person
    if _is_self(by, person) or not (by.has_role("assessor") or can_manage_person(by, person)):
        raise PermissionDenied("Alleen een beoordelaar of leidinggevende legt een resultaat vast, niet voor zichzelf.")
    errors: dict = {}
    if result not in (Enrolment.Result.PASSED, Enrolment.Result.FAILED):
        errors["result"] = "Kies 'passed' of 'failed'."
    if enrolment.status != Status.ENROLLED:
        errors["status"] = "Alleen een inschrijving met een plaats (niet geannuleerd, wachtlijst of afgerond)."
    session_date = enrolment.session.session_date
    if achieved_on is None:
        achieved_on = min(session_date, today)
    if not isinstance(achieved_on, date):
        errors["achieved_on"] = "Geef een geldige datum (JJJJ-MM-DD)."
    elif achieved_on > today:
        errors["achieved_on"] = "Een resultaat kan niet in de toekomst behaald zijn."
    elif session_date > today:
        errors["achieved_on"] = "De sessie is nog niet geweest."
    _raise(errors)
    old = _enrolment_snapshot(enrolment)
    enrolment.status, enrolment.result = Status.COMPLETED, result
    enrolment.result_by, enrolment.result_at = by, timezone.now()
    enrolment.save(update_fields=["status", "result", "result_by", "result_at"])
    course = enrolment.session.course
    evidence = []
    if result == Enrolment.Result.PASSED and course.evidence_kind:
        for comp in course_competences(course):
            evidence.append(evidence_record(
                person=person, competence=comp, kind=course.evidence_kind, achieved_on=achieved_on, passed=True,
                by=by, note=note or f"Cursus {course.name} ({session_date:%d-%m-%Y})", as_of=as_of))
        if evidence:
            enrolment.evidence = evidence[0]
            enrolment.save(update_fields=["evidence"])
    audit_record(by=by, action="enrolment.result_recorded", obj=enrolment, person_id=person.pk, old=old,
                 new={**_enrolment_snapshot(enrolment), "evidence": [e.pk for e in evidence],
                      "achieved_on": achieved_on}, reason=note)
    if not evidence:  # evidence_record recomputed already; otherwise the enrolled fact just ended
        from apps.competences.services import statuses_recompute

        statuses_recompute(person_ids=[person.pk], as_of=as_of)
    return enrolment


# --- learning paths -------------------------------------------------------------------------

@transaction.atomic
def learning_path_create(*, competence, name: str, steps: list[dict], by, description: str = "") -> LearningPath:
    """A path with its ordered steps: each ``{"kind", "course" (code, for course steps),
    "title", "required_count"}``."""
    _require_admin(by)
    errors: dict = {}
    comp = _competence(competence)
    if comp is None:
        errors["competence"] = "Bekwaamheid is verplicht."
    if not (name or "").strip():
        errors["name"] = "Naam is verplicht."
    if not steps:
        errors["steps"] = "Een leerpad heeft minstens één stap."
    prepared = []
    for i, step in enumerate(steps or (), start=1):
        kind = step.get("kind")
        if kind not in LearningPathStep.Kind.values:
            errors["steps"] = f"Stap {i}: kies uit {', '.join(LearningPathStep.Kind.values)}."
            continue
        course = None
        if step.get("course"):
            course = step["course"] if isinstance(step["course"], Course) else \
                Course.objects.filter(code=str(step["course"])).first()
            if course is None:
                errors["steps"] = f"Stap {i}: onbekende cursus '{step['course']}'."
                continue
        if kind == LearningPathStep.Kind.COURSE and course is None:
            errors["steps"] = f"Stap {i}: een cursusstap noemt een cursus."
            continue
        count = step.get("required_count", 1)
        if not isinstance(count, int) or count < 1:
            errors["steps"] = f"Stap {i}: vereist aantal is minstens 1."
            continue
        prepared.append(LearningPathStep(order=i, kind=kind, course=course, title=step.get("title", ""),
                                         required_count=count))
    _raise(errors)
    path = LearningPath.objects.create(competence=comp, name=name.strip(), description=description or "")
    for s in prepared:
        s.path = path
    LearningPathStep.objects.bulk_create(prepared)
    audit_record(by=by, action="learning_path.created", obj=path,
                 new={"competence": comp.code, "steps": [(s.kind, s.course.code if s.course else None,
                                                          s.required_count) for s in prepared]})
    return path
