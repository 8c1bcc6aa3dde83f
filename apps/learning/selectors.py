"""Reads of learning for screens, APIs and the status rules: sessions with seats left,
enrolments a user may see, learning-path progress and the next step, the practice sign-off
queue, and the figures behind the dashboards."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.competences import rules
from apps.competences.models import Competence, Evidence, PracticeRecord
from apps.learning.models import Course, CourseSession, Enrolment, LearningPath, LearningPathStep
from apps.organisation.models import Person
from apps.organisation.selectors import (is_tenant_admin, person_for_user, people_visible_to,
                                         unit_ids_managed_by)

Status = Enrolment.Status


# --- facts for the status rules -------------------------------------------------------------

def enrolment_facts_for(person_ids) -> dict[int, list[rules.EnrolmentFact]]:
    """Per person, the enrolments (with a seat, session not cancelled) in sessions of courses
    that lead to a competence: the course's own competence, or the competence of a learning
    path that has the course as a step. Two queries whatever the number of people."""
    person_ids = list(person_ids)
    if not person_ids:
        return {}
    rows = list(Enrolment.objects.filter(person_id__in=person_ids, status=Status.ENROLLED,
                                         session__cancelled=False)
                .values_list("person_id", "session__course_id", "session__course__code",
                             "session__course__competence__code", "session__starts_at"))
    if not rows:
        return {}
    course_ids = {r[1] for r in rows}
    via_paths: dict[int, set[str]] = defaultdict(set)
    for course_id, code in LearningPathStep.objects.filter(course_id__in=course_ids, path__is_active=True) \
            .values_list("course_id", "path__competence__code"):
        via_paths[course_id].add(code)
    out: dict[int, list[rules.EnrolmentFact]] = defaultdict(list)
    for pid, course_id, course_code, own_competence, starts_at in rows:
        codes = {own_competence} if own_competence else via_paths.get(course_id, set())
        day = timezone.localtime(starts_at).date()
        for code in sorted(codes):
            out[pid].append(rules.EnrolmentFact(competence=code, course=course_code, session_date=day))
    return dict(out)


# --- courses, sessions, enrolments ----------------------------------------------------------

def sessions_open(*, course: int | None = None, include_past: bool = False) -> QuerySet[CourseSession]:
    """Sessions with their seat count (``taken``) and waitlist length (``waiting``)."""
    qs = (CourseSession.objects.select_related("course", "course__competence")
          .annotate(taken=Count("enrolments", filter=Q(enrolments__status__in=[Status.ENROLLED, Status.COMPLETED])),
                    waiting=Count("enrolments", filter=Q(enrolments__status=Status.WAITLISTED)))
          .order_by("starts_at", "id"))
    if course is not None:
        qs = qs.filter(course_id=course)
    if not include_past:
        qs = qs.filter(starts_at__gte=timezone.now() - timedelta(days=1))
    return qs


def courses_active() -> QuerySet[Course]:
    return Course.objects.filter(is_active=True).select_related("competence").order_by("name")


def enrolments_visible_to(user) -> QuerySet[Enrolment]:
    """Own enrolments; a manager's team's; everyone's for assessors and the tenant admin
    (assessors record results for anyone)."""
    qs = Enrolment.objects.select_related("session__course", "person", "result_by")
    if is_tenant_admin(user) or user.has_role("assessor"):
        return qs
    return qs.filter(Q(person__user=user) | Q(person__org_unit_id__in=unit_ids_managed_by(user)))


def my_enrolments(user) -> QuerySet[Enrolment]:
    return (Enrolment.objects.filter(person__user=user).select_related("session__course")
            .order_by("-session__starts_at", "-id"))


def session_enrolments(session: CourseSession, user) -> list[Enrolment]:
    return list(enrolments_visible_to(user).filter(session=session).exclude(status=Status.CANCELLED)
                .order_by("status", "position", "person__last_name"))


def enrollable_people(user) -> QuerySet[Person]:
    """Whom this user may enrol: themself and, for a manager, their team."""
    qs = Person.objects.filter(is_active=True).select_related("org_unit")
    if is_tenant_admin(user):
        return qs
    return qs.filter(Q(user=user) | Q(org_unit_id__in=unit_ids_managed_by(user)))


# --- learning paths -------------------------------------------------------------------------

@dataclass
class StepProgress:
    step: LearningPathStep
    done: bool
    detail: str = ""

    @property
    def label(self) -> str:
        return self.step.label


@dataclass
class PathProgress:
    path: LearningPath
    steps: list[StepProgress] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def next_step(self) -> StepProgress | None:
        return next((s for s in self.steps if not s.done), None)


def _progress_for(person: Person, paths: list[LearningPath], as_of: date) -> list[PathProgress]:
    competence_ids = {p.competence_id for p in paths}
    passed_courses = set(Enrolment.objects.filter(person=person, status=Status.COMPLETED,
                                                  result=Enrolment.Result.PASSED)
                         .values_list("session__course_id", flat=True))
    enrolled_courses = set(Enrolment.objects.filter(person=person, status__in=Enrolment.ACTIVE)
                           .values_list("session__course_id", flat=True))
    evidence = defaultdict(set)  # competence id -> kinds passed
    for cid, kind in Evidence.objects.filter(person=person, competence_id__in=competence_ids, passed=True,
                                             achieved_on__lte=as_of).values_list("competence_id", "kind"):
        evidence[cid].add(kind)
    practice = defaultdict(list)
    for cid, day, count, verified_at in PracticeRecord.objects.filter(
            person=person, competence_id__in=competence_ids, rejected=False,
            performed_on__lte=as_of).values_list("competence_id", "performed_on", "count", "verified_at"):
        practice[cid].append((day, count, verified_at is not None))
    out = []
    for path in paths:
        comp = path.competence
        progress = PathProgress(path)
        for step in path.steps.all():
            if step.kind == LearningPathStep.Kind.COURSE:
                kind = step.course.evidence_kind if step.course_id else ""
                done = step.course_id in passed_courses or bool(kind and kind in evidence[comp.id])
                detail = "ingeschreven" if not done and step.course_id in enrolled_courses else ""
            elif step.kind == LearningPathStep.Kind.ELEARNING:
                done, detail = "elearning" in evidence[comp.id], ""
            elif step.kind == LearningPathStep.Kind.PRACTICAL_ASSESSMENT:
                done, detail = "practical" in evidence[comp.id], ""
            else:
                since = None
                if comp.practice_months:
                    since = rules.add_months(as_of, -comp.practice_months)
                total = sum(c for day, c, verified in practice[comp.id]
                            if (verified or not comp.practice_verified_only) and (since is None or day > since))
                done, detail = total >= step.required_count, f"{min(total, step.required_count)} van {step.required_count}"
            progress.steps.append(StepProgress(step, done, detail))
        out.append(progress)
    return out


def _paths_qs():
    return (LearningPath.objects.filter(is_active=True).select_related("competence")
            .prefetch_related("steps__course").order_by("name"))


def learning_paths_for(person: Person, *, as_of: date | None = None, only_relevant: bool = False) -> list[PathProgress]:
    """Every active path with this person's progress; ``only_relevant``: only paths toward
    competences the person holds a status for (required of them) or has started."""
    as_of = as_of or timezone.localdate()
    paths = list(_paths_qs())
    if only_relevant:
        required = set(person.statuses.values_list("competence_id", flat=True))
        paths = [p for p in paths if p.competence_id in required]
    return _progress_for(person, paths, as_of)


def learning_path_progress(person: Person, path: LearningPath, *, as_of: date | None = None) -> PathProgress:
    path = _paths_qs().get(pk=path.pk)
    return _progress_for(person, [path], as_of or timezone.localdate())[0]


def next_step_for(person: Person, competence, *, as_of: date | None = None) -> dict | None:
    """What to do next toward ``competence`` (object or code) along its learning path: the
    first step not yet done, with a link. For the passport's "wat moet ik doen"."""
    if not isinstance(competence, Competence):
        competence = Competence.objects.filter(code=str(competence)).first()
        if competence is None:
            return None
    path = _paths_qs().filter(competence=competence).first()
    if path is None:
        return None
    progress = _progress_for(person, [path], as_of or timezone.localdate())[0]
    step = progress.next_step
    if step is None:
        return None
    from django.urls import reverse

    url = reverse("learning:path-detail", args=[path.pk])
    if step.step.kind == LearningPathStep.Kind.COURSE and step.step.course_id:
        url = reverse("learning:course-detail", args=[step.step.course_id])
    elif step.step.kind == LearningPathStep.Kind.PRACTICE_COUNT:
        url = reverse("learning:practice-log")
    return {"path": path.pk, "path_name": path.name, "step": step.step.order, "kind": step.step.kind,
            "label": step.label, "detail": step.detail, "done": progress.done, "total": progress.total,
            "url": url}


# --- practice sign-off ----------------------------------------------------------------------

def practice_log_for(person: Person) -> QuerySet[PracticeRecord]:
    return (PracticeRecord.objects.filter(person=person).select_related("competence", "verified_by")
            .order_by("-performed_on", "-id"))


def signoff_queue(user) -> QuerySet[PracticeRecord]:
    """Practice records awaiting sign-off that this user may verify: an assessor any
    person's, a manager their team's; never their own."""
    qs = (PracticeRecord.objects.filter(verified_at__isnull=True, rejected=False)
          .select_related("competence", "person", "person__org_unit").order_by("performed_on", "id"))
    if not (is_tenant_admin(user) or user.has_role("assessor")):
        qs = qs.filter(person__org_unit_id__in=unit_ids_managed_by(user))
    return qs.exclude(person__user=user)


def practice_records_visible_to(user) -> QuerySet[PracticeRecord]:
    return PracticeRecord.objects.filter(person__in=people_visible_to(user).values("id")).select_related(
        "competence", "person")


def competences_for_practice(person: Person | None) -> QuerySet[Competence]:
    """Competences worth logging practice for: those required of the person first, else all."""
    qs = Competence.objects.filter(is_active=True).order_by("code")
    if person is not None:
        required = qs.filter(statuses__person=person)
        if required.exists():
            return required
    return qs


def person_of(user) -> Person | None:
    return person_for_user(user)
