"""Tenant pages of releases: support entry, support sessions, pilot feedback, release notes."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from apps.releases.gating import requires_feature
from apps.releases.selectors import pilot_version_for
from apps.releases.services import release_notes_dismiss
from tenants.features import effective_version
from tenants.selectors import feedback_for_tenant, support_sessions_for_tenant
from tenants.services import SUPPORT_SESSION_KEY, feedback_submit, support_session_enter


def _tenant_admin_only(request):
    user = request.user
    if not (user.is_superuser or user.has_role("tenant_admin")):
        raise Http404


def support_enter(request, token):
    """The one-time link from the vendor's support page: log in as the marked support user."""
    try:
        session, user = support_session_enter(token=token, tenant=request.tenant)
    except ValidationError as exc:
        return TemplateResponse(request, "releases/support_refused.html",
                                {"message": " ".join(exc.messages)}, status=403)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SUPPORT_SESSION_KEY] = session.pk
    request.session.set_expiry(session.expires_at)
    return redirect("/admin/")


@login_required
def support_session_list(request):
    _tenant_admin_only(request)
    return TemplateResponse(request, "releases/support_sessions.html",
                            {"sessions": support_sessions_for_tenant(tenant=request.tenant)})


class FeedbackForm(forms.Form):
    text = forms.CharField(label=_("Uw feedback"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)


@login_required
@requires_feature("releases.pilot_feedback")
def pilot_feedback(request):
    version = pilot_version_for(request.tenant)
    if version is None:
        raise Http404  # only pilot tenants see the form
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_submit(tenant=request.tenant, version=version, author_email=request.user.email,
                            author_name=request.user.get_full_name(), text=form.cleaned_data["text"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error("text" if field not in form.fields else field, errors)
        else:
            messages.success(request, _("Dank u wel: uw feedback is verstuurd naar de leverancier."))
            return redirect("releases:feedback")
    return TemplateResponse(request, "releases/feedback.html", {
        "form": form, "version": version, "feedback": feedback_for_tenant(tenant=request.tenant)[:50]})


@login_required
def release_notes(request):
    current = effective_version(request.tenant)
    if current.version is None:
        raise Http404
    from django.utils.translation import get_language

    return TemplateResponse(request, "releases/notes.html", {
        "version": current.version, "notes": current.version.release_notes(get_language() or "nl"),
        "is_pilot": current.version.status == "piloting"})


@login_required
@require_POST
def release_notes_dismiss_view(request, version_name):
    release_notes_dismiss(user=request.user, version_name=version_name[:40])
    if request.headers.get("HX-Request"):
        return HttpResponse("")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)
