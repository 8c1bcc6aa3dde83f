"""Pages of sharing (htmx): share my passport and stop sharing, name my team leader, the
passports shared with me. Thin: parse, call a service or selector, render."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.competences.selectors import passport_for
from apps.organisation.selectors import person_for_user
from apps.sharing import selectors, services
from apps.sharing.models import PassportShare


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for errs in exc.message_dict.values() for m in errs)
    return " ".join(exc.messages)


def _shares_context(request, me, error: str = "") -> dict:
    return {"me": me, "shares": list(selectors.shares_of(me)) if me else [],
            "colleagues": selectors.colleagues_for(request.user) if me else [],
            "leader": selectors.team_leader_of(me) if me else None, "error": error}


@login_required
def my_shares(request):
    me = person_for_user(request.user)
    if me is None:
        return TemplateResponse(request, "learning/no_person.html")
    return TemplateResponse(request, "sharing/my_shares.html", _shares_context(request, me))


def _shares_fragment(request, me, error: str = ""):
    return TemplateResponse(request, "sharing/_shares.html", _shares_context(request, me, error))


@login_required
@require_POST
def share(request):
    me = person_for_user(request.user)
    if me is None:
        raise Http404
    try:
        services.share_create(shared_with=request.POST.get("shared_with"), by=request.user)
    except ValidationError as exc:
        if request.headers.get("HX-Request"):
            return _shares_fragment(request, me, _errors(exc))
        messages.error(request, _errors(exc))
        return redirect("sharing:my-shares")
    if request.headers.get("HX-Request"):
        return _shares_fragment(request, me)
    messages.success(request, _("Je paspoort is gedeeld."))
    return redirect("sharing:my-shares")


@login_required
@require_POST
def revoke(request, share_id: int):
    me = person_for_user(request.user)
    s = PassportShare.objects.filter(pk=share_id, owner=me).first() if me else None
    if s is None:
        raise Http404
    try:
        services.share_revoke(share=s, by=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    if request.headers.get("HX-Request"):
        return _shares_fragment(request, me)
    messages.success(request, _("Delen gestopt."))
    return redirect("sharing:my-shares")


@login_required
@require_POST
def team_leader(request):
    me = person_for_user(request.user)
    if me is None:
        raise Http404
    try:
        services.team_leader_set(leader=request.POST.get("leader") or None, by=request.user)
        messages.success(request, _("Teamleider opgeslagen."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("sharing:my-shares")


@login_required
def shared_with_me(request):
    return TemplateResponse(request, "sharing/shared_with_me.html",
                            {"items": selectors.shared_with_me(request.user)})


@login_required
def shared_passport(request, person_id: int):
    # Decided from the database on every request: a stopped share is refused at once.
    person = selectors.shared_passport_person(request.user, person_id)
    if person is None:
        raise Http404
    return TemplateResponse(request, "sharing/shared_passport.html",
                            {"person": person, "passport": passport_for(person)})
