"""Pages of the care passport (server-rendered, htmx). Thin: parse, call, render."""
from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.audit.selectors import audit_for_person
from apps.competences import rules, selectors, services
from apps.competences.models import Competence, Profile, ProfileLink, Status
from apps.organisation.models import OrgUnit, Person
from apps.organisation.selectors import (can_manage_person, can_view_person, is_tenant_admin, org_units_visible_to,
                                         people_visible_to, person_for_user, unit_ids_managed_by)


def _parse_date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{field}: {m}" for field, errs in exc.message_dict.items() for m in errs]
    return list(exc.messages)


def _status_legend():
    return [{"code": s.value, "label": s.label} for s in Status]


def _passport_page(request, person: Person, template="competences/passport.html", **extra):
    as_of = _parse_date(request.GET.get("as_of"))
    passport = selectors.passport_for(person, as_of)
    return TemplateResponse(request, template, {
        "person": person, "passport": passport, "legend": _status_legend(),
        "path_steps": _learning_path_steps(person, passport),
        "can_manage": can_manage_person(request.user, person), **extra})


# Statuses for which "what to do next" can point into a learning path.
NEEDS_ACTION = {Status.MISSING, Status.EXPIRED, Status.EXPIRING, Status.IN_PROGRESS}


def _learning_path_steps(person: Person, passport) -> dict:
    """competence code -> the next step of its learning path (pages only; the API stays lean)."""
    from apps.learning.selectors import next_step_for

    steps = {}
    for entry in passport.entries:
        if entry.status in NEEDS_ACTION:
            step = next_step_for(person, entry.competence)
            if step is not None:
                steps[entry.competence] = step
    return steps


@login_required
def my_passport(request):
    person = person_for_user(request.user)
    if person is None:
        return TemplateResponse(request, "competences/no_person.html", status=200)
    return _passport_page(request, person, own=True)


@login_required
def person_passport(request, person_id: int):
    person = people_visible_to(request.user).filter(pk=person_id).first()
    if person is None:
        raise Http404
    if not can_view_person(request.user, person):
        raise PermissionDenied
    return _passport_page(request, person, own=person.user_id == request.user.pk)


@login_required
def person_audit(request, person_id: int):
    person = people_visible_to(request.user).filter(pk=person_id).first()
    if person is None or not can_view_person(request.user, person):
        raise Http404
    return TemplateResponse(request, "competences/audit.html",
                            {"person": person, "entries": audit_for_person(person_id=person.pk)})


def _require_team_access(user):
    if not (is_tenant_admin(user) or user.has_role("manager") or unit_ids_managed_by(user)):
        raise PermissionDenied


@login_required
def team_overview(request):
    _require_team_access(request.user)
    status = request.GET.get("status") or None
    if status not in rules.STATUSES:
        status = None
    try:
        expires_within = int(request.GET["expires_within"]) if request.GET.get("expires_within") else None
    except ValueError:
        expires_within = None
    try:
        org_unit = int(request.GET["org_unit"]) if request.GET.get("org_unit") else None
    except ValueError:
        org_unit = None
    overview = selectors.team_overview(request.user, org_unit=org_unit, status=status,
                                       expires_within=expires_within)
    labels = {s.value: s.label for s in Status}
    context = {"overview": overview, "legend": _status_legend(), "labels": labels,
               "counts": [(code, labels[code], n) for code, n in overview.counts.items()],
               "units": org_units_visible_to(request.user).order_by("name"),
               "filters": {"status": status or "", "expires_within": expires_within if expires_within is not None
                           else "", "org_unit": org_unit or ""},
               "query": request.GET.urlencode()}
    template = "competences/_team_matrix.html" if request.htmx else "competences/team.html"
    return TemplateResponse(request, template, context)


@login_required
def period_mark_dialog(request, person_id: int):
    """Exemption / not-applicable dialog: a manager of the person's unit (or the tenant
    admin), always with a reason."""
    person = people_visible_to(request.user).filter(pk=person_id).first()
    if person is None:
        raise Http404
    if not can_manage_person(request.user, person):
        raise PermissionDenied
    errors: list[str] = []
    form = {"competence": request.GET.get("competence", ""), "kind": "exemption", "start": "", "until": "",
            "reason": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        service = {"exemption": services.exemption_grant, "not_applicable": services.not_applicable_mark}.get(
            form["kind"])
        start, until = _parse_date(form["start"]), _parse_date(form["until"])
        if service is None:
            errors.append(_("Kies vrijstelling of niet van toepassing."))
        elif form["start"] and start is None or form["until"] and until is None:
            errors.append(_("Geef datums als JJJJ-MM-DD."))
        else:
            try:
                service(person=person, competence=form["competence"], reason=form["reason"], start=start,
                        until=until, by=request.user)
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(request, _("Vastgelegd. Het paspoort is bijgewerkt."))
                url = reverse("competences:person-passport", args=[person.pk])
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return redirect(url)
    statuses = selectors.passport_for(person).entries
    return TemplateResponse(request, "competences/period_mark_dialog.html", {
        "person": person, "form": form, "errors": errors, "statuses": statuses,
        "competences": Competence.objects.filter(is_active=True).order_by("code")},
        status=400 if errors else 200)


@login_required
def profile_list(request):
    _require_team_access(request.user)
    errors: list[str] = []
    if request.method == "POST":
        try:
            profile = services.profile_create(name=request.POST.get("name", ""), kind=request.POST.get("kind", ""),
                                              org_unit=request.POST.get("org_unit") or None,
                                              competence_codes=request.POST.getlist("competences"),
                                              by=request.user)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Profiel aangemaakt."))
            return redirect("competences:profile-edit", profile_id=profile.pk)
    from apps.competences.api import profiles_visible_to

    units = org_units_visible_to(request.user).order_by("name")
    if not is_tenant_admin(request.user):
        units = units.filter(id__in=unit_ids_managed_by(request.user))
    return TemplateResponse(request, "competences/profile_list.html", {
        "profiles": profiles_visible_to(request.user).order_by("name"), "units": units,
        "kinds": Profile.Kind.choices, "competences": Competence.objects.filter(is_active=True).order_by("code"),
        "errors": errors}, status=400 if errors else 200)


@login_required
def profile_edit(request, profile_id: int):
    from apps.competences.api import profiles_visible_to

    _require_team_access(request.user)
    profile = profiles_visible_to(request.user).filter(pk=profile_id).first()
    if profile is None:
        raise Http404
    errors: list[str] = []
    job = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                job = services.profile_add_competences(profile=profile, by=request.user,
                                                       competence_codes=request.POST.getlist("competences"))
            elif action == "remove":
                job = services.profile_remove_competences(profile=profile, by=request.user,
                                                          competence_codes=[request.POST.get("competence", "")])
            elif action == "link":
                target = request.POST.get("target", "")
                kind, _sep, pk = target.partition(":")
                result = services.profile_link_create(
                    profile=profile, person=pk if kind == "person" else None,
                    org_unit=pk if kind == "unit" else None,
                    valid_from=_parse_date(request.POST.get("valid_from")),
                    valid_until=_parse_date(request.POST.get("valid_until")), by=request.user,
                    reason=request.POST.get("reason", ""))
                job = result.job
            elif action == "end":
                link = get_object_or_404(ProfileLink, pk=request.POST.get("link"), profile=profile)
                until = _parse_date(request.POST.get("valid_until"))
                if until is None:
                    raise ValidationError({"valid_until": _("Geef een einddatum.")})
                job = services.profile_link_end(link=link, valid_until=until, by=request.user,
                                                reason=request.POST.get("reason", "")).job
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            if job is None:
                messages.success(request, _("Opgeslagen. De paspoorten zijn bijgewerkt."))
                return redirect("competences:profile-edit", profile_id=profile.pk)
        profile = profiles_visible_to(request.user).get(pk=profile.pk)
    units = org_units_visible_to(request.user).order_by("name")
    people = people_visible_to(request.user, include_inactive=False).order_by("last_name", "first_name")
    if not is_tenant_admin(request.user):
        managed = unit_ids_managed_by(request.user)
        units = units.filter(id__in=managed)
        people = people.filter(org_unit_id__in=managed)
    return TemplateResponse(request, "competences/profile_edit.html", {
        "profile": profile, "links": profile.links.select_related("person", "org_unit").order_by("-valid_from"),
        "competences": Competence.objects.filter(is_active=True).exclude(
            id__in=profile.competences.values("id")).order_by("code"),
        "units": units, "people": people, "errors": errors, "job": job}, status=400 if errors else 200)
