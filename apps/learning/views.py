"""Pages of learning (server-rendered, htmx): my learning (sessions, enrolments, paths),
course and session pages, the practice log, the sign-off queue, the manager dashboard.
Thin: parse, call a service or selector, render."""
from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.competences import services as competence_services
from apps.learning import dashboards, selectors, services
from apps.learning.models import Course, CourseSession, Enrolment, LearningPath
from apps.organisation.selectors import is_tenant_admin, person_for_user


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errs in exc.message_dict.values() for m in errs]
    return list(exc.messages)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back(request, fallback: str):
    nxt = request.POST.get("next") or ""
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else fallback)


def _with_mine(sessions, person) -> list:
    """Mark each session with the person's live enrolment in it (``s.my``)."""
    sessions = list(sessions)
    mine = {}
    if person is not None:
        mine = {e.session_id: e for e in Enrolment.objects.filter(
            person=person, session_id__in=[s.pk for s in sessions], status__in=Enrolment.ACTIVE)}
    for s in sessions:
        s.my = mine.get(s.pk)
    return sessions


def _session_row(request, session_id: int, *, error: str = "", status: int = 200):
    sessions = _with_mine(selectors.sessions_open(include_past=True).filter(pk=session_id),
                          person_for_user(request.user))
    if not sessions:
        raise Http404
    return TemplateResponse(request, "learning/_session_row.html", {"s": sessions[0], "error": error},
                            status=status)


@login_required
def my_learning(request):
    person = person_for_user(request.user)
    sessions = _with_mine(selectors.sessions_open(), person)
    paths, enrolments = [], []
    if person is not None:
        enrolments = list(selectors.my_enrolments(request.user)[:50])
        paths = selectors.learning_paths_for(person, only_relevant=True) or selectors.learning_paths_for(person)
    return TemplateResponse(request, "learning/my_learning.html", {
        "person": person, "sessions": sessions, "enrolments": enrolments, "paths": paths})


@login_required
def course_detail(request, course_id: int):
    course = get_object_or_404(Course.objects.select_related("competence"), pk=course_id)
    sessions = _with_mine(selectors.sessions_open(course=course.pk), person_for_user(request.user))
    return TemplateResponse(request, "learning/course_detail.html", {"course": course, "sessions": sessions})


@login_required
def session_detail(request, session_id: int):
    session = get_object_or_404(selectors.sessions_open(include_past=True), pk=session_id)
    return TemplateResponse(request, "learning/session_detail.html", {
        "session": session, "enrolments": selectors.session_enrolments(session, request.user),
        "team": selectors.enrollable_people(request.user).exclude(user=request.user)
        if (request.user.has_role("manager") or is_tenant_admin(request.user)) else [],
        "may_record": request.user.has_role("assessor", "manager") or is_tenant_admin(request.user),
        "today": date.today()})


@login_required
@require_POST
def enrol(request, session_id: int):
    get_object_or_404(CourseSession, pk=session_id)
    person = request.POST.get("person") or None
    try:
        e = services.enrolment_create(session=session_id, person=person, by=request.user)
    except ValidationError as exc:
        if _is_htmx(request):
            return _session_row(request, session_id, error=" ".join(_errors(exc)))
        messages.error(request, " ".join(_errors(exc)))
        return _back(request, f"/leren/sessies/{session_id}/")
    text = _("Ingeschreven.") if e.status == Enrolment.Status.ENROLLED else \
        _("De sessie is vol: je staat op de wachtlijst (plaats %(n)s).") % {"n": e.position}
    if _is_htmx(request) and not person:
        return _session_row(request, session_id)
    messages.success(request, text)
    return _back(request, f"/leren/sessies/{session_id}/")


@login_required
@require_POST
def cancel(request, enrolment_id: int):
    enrolment = get_object_or_404(selectors.enrolments_visible_to(request.user), pk=enrolment_id)
    try:
        services.enrolment_cancel(enrolment=enrolment, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
        return _back(request, "/leren/")
    if _is_htmx(request) and request.POST.get("fragment") == "session":
        return _session_row(request, enrolment.session_id)
    messages.success(request, _("Inschrijving geannuleerd."))
    return _back(request, "/leren/")


@login_required
@require_POST
def record_result(request, enrolment_id: int):
    enrolment = get_object_or_404(selectors.enrolments_visible_to(request.user), pk=enrolment_id)
    achieved = request.POST.get("achieved_on") or None
    try:
        achieved_on = date.fromisoformat(achieved) if achieved else None
    except ValueError:
        achieved_on = "invalid"
    try:
        services.enrolment_record_result(enrolment=enrolment, result=request.POST.get("result", ""),
                                         achieved_on=achieved_on, note=request.POST.get("note", ""), by=request.user)
        messages.success(request, _("Resultaat vastgelegd."))
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
    return redirect("learning:session-detail", enrolment.session_id)


@login_required
def path_detail(request, path_id: int):
    path = get_object_or_404(LearningPath, pk=path_id, is_active=True)
    person = person_for_user(request.user)
    progress = selectors.learning_path_progress(person, path) if person else None
    return TemplateResponse(request, "learning/path_detail.html", {"path": path, "progress": progress})


# --- practice -------------------------------------------------------------------------------

@login_required
def practice_log(request):
    person = person_for_user(request.user)
    if person is None:
        return TemplateResponse(request, "learning/no_person.html")
    form_errors: list[str] = []
    if request.method == "POST":
        try:
            performed_on = date.fromisoformat(request.POST.get("performed_on", ""))
        except ValueError:
            performed_on = None
        try:
            count = int(request.POST.get("count") or 1)
        except ValueError:
            count = 0
        try:
            competence_services.practice_record_create(
                person=person, competence=request.POST.get("competence", ""), performed_on=performed_on,
                count=count, note=request.POST.get("note", ""), by=request.user)
            messages.success(request, _("Praktijkervaring vastgelegd; die wacht op aftekenen."))
            return redirect("learning:practice-log")
        except ValidationError as exc:
            form_errors = _errors(exc)
    return TemplateResponse(request, "learning/practice_log.html", {
        "person": person, "records": selectors.practice_log_for(person)[:200],
        "competences": selectors.competences_for_practice(person), "form_errors": form_errors,
        "today": date.today()}, status=400 if form_errors else 200)


@login_required
def signoff_queue(request):
    if not (request.user.has_role("manager", "assessor") or is_tenant_admin(request.user)):
        return TemplateResponse(request, "web/forbidden.html", status=403)
    return TemplateResponse(request, "learning/signoff_queue.html",
                            {"records": selectors.signoff_queue(request.user)[:300]})


@login_required
@require_POST
def signoff(request, record_id: int):
    record = selectors.practice_records_visible_to(request.user).filter(pk=record_id).first()
    if record is None:
        raise Http404
    reject = request.POST.get("action") == "reject"
    try:
        competence_services.practice_record_verify(record=record, by=request.user, reject=reject,
                                                   reason=request.POST.get("reason", ""))
    except PermissionDenied as exc:
        return HttpResponse(str(exc), status=403)
    except ValidationError as exc:
        if _is_htmx(request):
            return TemplateResponse(request, "learning/_signoff_row.html",
                                    {"r": record, "error": " ".join(_errors(exc))})
        messages.error(request, " ".join(_errors(exc)))
        return redirect("learning:signoff-queue")
    if _is_htmx(request):
        record.refresh_from_db()
        return TemplateResponse(request, "learning/_signoff_row.html", {"r": record, "done": True})
    messages.success(request, _("Afgewezen.") if reject else _("Afgetekend."))
    return redirect("learning:signoff-queue")


# --- dashboard ------------------------------------------------------------------------------

@login_required
def dashboard(request):
    if not (request.user.has_role("manager") or is_tenant_admin(request.user)):
        return TemplateResponse(request, "web/forbidden.html", status=403)
    series = dashboards.compliance_by_department(request.user)
    weeks = dashboards.expiries_by_week(request.user)
    return TemplateResponse(request, "learning/dashboard.html", {
        "series": series, "weeks": weeks,
        "compliance_svg": dashboards.line_chart_svg(series, title=_("Bekwaam per afdeling, laatste 12 maanden (%)")),
        "expiries_svg": dashboards.bar_chart_svg(weeks, title=_("Verlopen bekwaamheden per week, komende 90 dagen")),
        "expiring_total": sum(c for _d, c in weeks)})
