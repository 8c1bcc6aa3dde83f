"""The vendor's control-plane pages on the public host (vendor staff only).

Thin: forms parse, services write, selectors read. A service's ValidationError is shown
as a message (actions) or on the form (create/edit)."""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.jobs.models import Job
from tenants import selectors, services
from tenants.features import FEATURES
from tenants.forms import (
    GroupForm, PinForm, ReasonForm, RolloutForm, StageFormSet, SupportOpenForm, TenantCreateForm, VersionForm,
)
from tenants.models import CustomerGroup, Feedback, PassportVersion, Rollout, SupportSession, Tenant


def vendor_staff_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        tenant = getattr(request, "tenant", None)
        if tenant is None or not tenant.is_public:
            raise Http404
        if not request.user.is_staff:
            return TemplateResponse(request, "web/forbidden.html", status=403)
        return view(request, *args, **kwargs)
    return wrapped


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        form.add_error(field if field in form.fields else None, errors)


def _reason(request) -> str:
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else ""


@vendor_staff_required
def dashboard(request):
    tenants = selectors.tenant_list()
    per_version = selectors.tenants_per_version()
    return TemplateResponse(request, "tenants/dashboard.html", {
        "tenants": tenants, "per_version": per_version,
        "max_count": max([v["count"] for v in per_version] or [1]),
        "rollouts": selectors.rollout_list().filter(status__in=["draft", "running", "paused"]),
        "open_sessions": selectors.support_sessions(open_only=True),
        "open_blocking": Feedback.objects.filter(blocking=True, resolved=False).count(),
    })


@vendor_staff_required
def tenant_list(request):
    form = TenantCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.tenant_create(**form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            services.control_plane_audit(by=request.user, action="tenant.create", obj=result.tenant)
            messages.success(request, _("Klant %(name)s aangemaakt. Eerste beheerder: %(email)s, wachtwoord: "
                                        "%(pw)s") % {"name": result.tenant.name, "email": result.admin_email,
                                                     "pw": result.admin_password})
            return redirect("control:tenant-detail", pk=result.tenant.pk)
    return TemplateResponse(request, "tenants/tenant_list.html", {"tenants": selectors.tenant_list(), "form": form})


@vendor_staff_required
def tenant_detail(request, pk):
    tenant = get_object_or_404(Tenant.objects.exclude(schema_name="public"), pk=pk)
    return TemplateResponse(request, "tenants/tenant_detail.html", {
        "tenant": tenant, "effective": selectors.effective_version_for(tenant=tenant),
        "history": selectors.version_history_for(tenant=tenant)[:30],
        "pins": tenant.version_pins.select_related("version")[:10],
        "pin_form": PinForm(), "support_form": SupportOpenForm(initial={"tenant": tenant}),
        "feedback": selectors.feedback_list(tenant_id=tenant.pk)[:20],
        "sessions": selectors.support_sessions(tenant_id=tenant.pk)[:20],
        "audit": selectors.audit_entries(tenant_id=tenant.pk, limit=30),
    })


@vendor_staff_required
@require_POST
def tenant_action(request, pk, action):
    tenant = get_object_or_404(Tenant.objects.exclude(schema_name="public"), pk=pk)
    try:
        if action == "pin":
            form = PinForm(request.POST)
            if not form.is_valid():
                raise ValidationError({k: v for k, v in form.errors.items()})
            services.version_pin(tenant=tenant, by=request.user, **form.cleaned_data)
        elif action in ("suspend", "activate", "unpin"):
            fn = {"suspend": services.tenant_suspend, "activate": services.tenant_activate,
                  "unpin": services.version_unpin}[action]
            fn(tenant=tenant, by=request.user, reason=_reason(request))
        else:
            raise Http404
        messages.success(request, _("Gedaan."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("control:tenant-detail", pk=tenant.pk)


@vendor_staff_required
def group_list(request):
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            d = form.cleaned_data
            services.customer_group_create(name=d["name"], slug=d["slug"], description=d["description"],
                                           tenant_ids=[t.pk for t in d["tenants"]], by=request.user)
            return redirect("control:groups")
        except ValidationError as exc:
            _form_errors(form, exc)
    return TemplateResponse(request, "tenants/group_list.html", {"groups": selectors.group_list(), "form": form})


@vendor_staff_required
def group_detail(request, pk):
    group = get_object_or_404(CustomerGroup, pk=pk)
    form = GroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        try:
            d = form.cleaned_data
            services.customer_group_update(group=group, by=request.user, name=d["name"],
                                           description=d["description"], tenant_ids=[t.pk for t in d["tenants"]])
            messages.success(request, _("Klantgroep opgeslagen."))
            return redirect("control:groups")
        except ValidationError as exc:
            _form_errors(form, exc)
    return TemplateResponse(request, "tenants/group_detail.html", {"group": group, "form": form})


@vendor_staff_required
def version_list(request):
    form = VersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.version_create(by=request.user, **form.cleaned_data)
            return redirect("control:version-detail", pk=version.pk)
        except ValidationError as exc:
            _form_errors(form, exc)
    return TemplateResponse(request, "tenants/version_list.html", {
        "versions": selectors.version_list(), "form": form})


@vendor_staff_required
def version_detail(request, pk):
    version = get_object_or_404(PassportVersion, pk=pk)
    form = VersionForm(request.POST or None, instance=version)
    form.fields["name"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            fields = {k: v for k, v in form.cleaned_data.items() if k != "name"}
            services.version_update(version=version, by=request.user, **fields)
            messages.success(request, _("Versie opgeslagen."))
            return redirect("control:version-detail", pk=version.pk)
        except ValidationError as exc:
            _form_errors(form, exc)
    version.refresh_from_db()
    return TemplateResponse(request, "tenants/version_detail.html", {
        "version": version, "form": form, "features": [FEATURES[k] for k in version.features if k in FEATURES],
        "transitions": sorted(PassportVersion.TRANSITIONS[version.status]),
        "feedback": selectors.feedback_list(version_id=version.pk)[:50]})


@vendor_staff_required
@require_POST
def version_transition(request, pk):
    version = get_object_or_404(PassportVersion, pk=pk)
    try:
        services.version_transition(version=version, status=request.POST.get("status", ""), by=request.user,
                                    reason=_reason(request))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("control:version-detail", pk=pk)


@vendor_staff_required
def rollout_list(request):
    form = RolloutForm(request.POST or None)
    stages = StageFormSet(request.POST or None, prefix="stage")
    if request.method == "POST" and form.is_valid() and stages.is_valid():
        specs = [s for s in (f.stage_spec() for f in stages) if s]
        try:
            rollout = services.rollout_create(version=form.cleaned_data["version"], stages=specs, by=request.user)
            return redirect("control:rollout-detail", pk=rollout.pk)
        except ValidationError as exc:
            _form_errors(form, exc)
    return TemplateResponse(request, "tenants/rollout_list.html", {
        "rollouts": selectors.rollout_list(), "form": form, "stages": stages})


@vendor_staff_required
def rollout_detail(request, pk):
    try:
        rollout = selectors.rollout_detail(rollout_id=pk)
    except Rollout.DoesNotExist:
        raise Http404
    next_stage = services.rollout_next_stage(rollout)
    preview_job = None
    if next_stage is not None and next_stage.preview_job_id:
        preview_job = Job.objects.filter(pk=next_stage.preview_job_id).first()
    return TemplateResponse(request, "tenants/rollout_detail.html", {
        "rollout": rollout, "stages": rollout.stages.all(), "next_stage": next_stage, "preview_job": preview_job,
        "open_blocking": selectors.open_blocking_feedback_count(version=rollout.version),
        "audit": rollout_audit(rollout)})


def rollout_audit(rollout):
    from tenants.models import ControlPlaneAuditEntry

    return ControlPlaneAuditEntry.objects.filter(object_type="rollout", object_id=str(rollout.pk))[:50]


@vendor_staff_required
@require_POST
def rollout_action(request, pk, action):
    rollout = get_object_or_404(Rollout, pk=pk)
    if action not in services.ROLLOUT_ACTIONS and action != "preview":
        raise Http404
    try:
        if action == "preview":
            services.rollout_impact_preview_start(rollout=rollout, by=request.user)
        else:
            getattr(services, f"rollout_{action}")(rollout=rollout, by=request.user, reason=_reason(request))
            messages.success(request, _("Gedaan."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("control:rollout-detail", pk=pk)


@vendor_staff_required
def feedback_list(request):
    version_id = request.GET.get("version") or None
    tenant_id = request.GET.get("tenant") or None
    return TemplateResponse(request, "tenants/feedback_list.html", {
        "feedback": selectors.feedback_list(version_id=version_id, tenant_id=tenant_id)[:200],
        "versions": PassportVersion.objects.all(), "tenants": Tenant.objects.exclude(schema_name="public"),
        "version_id": version_id, "tenant_id": tenant_id})


@vendor_staff_required
@require_POST
def feedback_mark(request, pk):
    feedback = get_object_or_404(Feedback, pk=pk)
    flag = request.POST.get("flag")
    value = request.POST.get("value") == "1"
    try:
        if flag not in ("blocking", "resolved"):
            raise ValidationError({"flag": _("Kies blokkerend of opgelost.")})
        services.feedback_mark(feedback=feedback, by=request.user, **{flag: value}, reason=_reason(request))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(request.POST.get("next") or "control:feedback")


@vendor_staff_required
def support_list(request):
    form = SupportOpenForm(request.POST or None)
    link = None
    if request.method == "POST" and form.is_valid():
        try:
            session = services.support_session_open(staff=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            link = services.support_session_url(session=session, scheme=request.scheme, port=request.get_port())
            form = SupportOpenForm()
    return TemplateResponse(request, "tenants/support_list.html", {
        "sessions": selectors.support_sessions()[:200], "form": form, "link": link})


@vendor_staff_required
@require_POST
def support_end(request, pk):
    session = get_object_or_404(SupportSession, pk=pk)
    try:
        services.support_session_end(session=session, by=request.user, reason=_reason(request))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("control:support")


@vendor_staff_required
def audit_list(request):
    return TemplateResponse(request, "tenants/audit_list.html", {"entries": selectors.audit_entries(limit=300)})
