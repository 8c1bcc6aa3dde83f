"""Funding pages for the school (Dutch by default): overview, participants, import."""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.funding import charts, imports, selectors, services
from apps.funding.api import FUNDING_ROLES, csv_response
from apps.funding.models import FundingDecision, ImportFile
from apps.jobs.models import Job


def funding_staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_superuser or user.has_role(*FUNDING_ROLES)):
            return TemplateResponse(request, "web/forbidden.html", status=403)
        return view(request, *args, **kwargs)
    return wrapper


def _base_labels():
    return {"participants": _("Deelnemers"), "subjects": _("Vakken"), "diplomas": _("Diploma's")}


def _year(request):
    """The requested funding year, else the default one; None when there is no data at all."""
    try:
        return services.funding_year_checked(request.GET.get("year"))
    except ValidationError:
        return selectors.default_funding_year()


def _errors_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(f"{m}" for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


@funding_staff_required
def overview(request):
    year = _year(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in FundingDecision.Kind.values else "provisional"
    context = {"year": year, "kind": kind}
    if year is not None:
        data = selectors.funding_overview(year=year, kind=kind)
        labels = _base_labels()
        context.update(
            overview=data,
            track_chart=charts.track_bars(data["by_track"], labels),
            share_chart=charts.share_bar(data["weighted_by_basis"], data["national_weighted"], labels),
            base_labels=labels,
            can_finalise=not data["finalised_at"],
        )
    if request.htmx:
        return TemplateResponse(request, "funding/_overview_body.html", context)
    return TemplateResponse(request, "funding/overview.html", context)


@funding_staff_required
def participant_list(request):
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.participant_list(search=search), 50).get_page(request.GET.get("page"))
    rejected = selectors.rejected_counts_by_participant([p.pk for p in page.object_list])
    rows = [{"participant": p, "rejected": rejected.get(p.pk, 0)} for p in page.object_list]
    template = "funding/_participant_rows.html" if request.htmx else "funding/participants.html"
    return TemplateResponse(request, template, {"page": page, "rows": rows, "q": search})


@funding_staff_required
def participant_detail(request, pk: int):
    return TemplateResponse(request, "funding/participant.html", selectors.participant_detail(participant_id=pk))


@funding_staff_required
def import_page(request):
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Kies een CSV-bestand."))
        else:
            try:
                imports.import_upload(filename=upload.name, raw=upload.read(), by=request.user)
            except ValidationError as exc:
                messages.error(request, _errors_text(exc))
            else:
                messages.success(request, _("Het bestand is ontvangen; de import loopt."))
        return redirect("funding:import")
    recent = ImportFile.objects.select_related("job").defer("content")[:10]
    jobs = Job.objects.filter(kind__startswith="funding.")[:5]
    return TemplateResponse(request, "funding/import.html", {"imports": recent, "jobs": jobs})


@funding_staff_required
def import_format(request):
    return TemplateResponse(request, "funding/import_format.html",
                            {"doc": imports.FORMAT_DOC.read_text(encoding="utf-8")})


@require_POST
@funding_staff_required
def finalise(request, year: int):
    try:
        services.funding_year_finalise(year=year, by=request.user)
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        messages.success(request, _("Bekostigingsjaar %(year)s is definitief vastgesteld.") % {"year": year})
    return redirect(f"{reverse('funding:overview')}?year={year}")


@require_POST
@funding_staff_required
def national_figures(request, year: int):
    def number(name):
        # Dutch input: "1.234.567,89" as well as "1234567.89".
        raw = (request.POST.get(name) or "").replace(" ", "")
        if "," in raw:
            raw = raw.replace(".", "").replace(",", ".")
        return raw or None
    try:
        services.funding_year_set_figures(year=year, national_weighted=number("national_weighted"),
                                          national_budget=number("national_budget"), by=request.user)
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        messages.success(request, _("De landelijke cijfers zijn opgeslagen."))
    return redirect(f"{reverse('funding:overview')}?year={year}")


@require_POST
@funding_staff_required
def recompute(request):
    job = services.decisions_recompute_start(by=request.user)
    messages.success(request, _("De herberekening is gestart."))
    return redirect(f"{reverse('funding:import')}?job={job.pk}")


@funding_staff_required
def export_detail(request):
    year = _year(request)
    if year is None:
        raise Http404(_("Er zijn nog geen bekostigingsgegevens om te exporteren."))
    kind = request.GET.get("kind") if request.GET.get("kind") in FundingDecision.Kind.values else "provisional"
    return csv_response(selectors.export_detail_rows(year=year, kind=kind), f"bekostiging-{year}-{kind}-detail.csv")


@funding_staff_required
def export_summary(request):
    year = _year(request)
    if year is None:
        raise Http404(_("Er zijn nog geen bekostigingsgegevens om te exporteren."))
    kind = request.GET.get("kind") if request.GET.get("kind") in FundingDecision.Kind.values else "provisional"
    return csv_response(selectors.export_summary_rows(year=year, kind=kind),
                        f"bekostiging-{year}-{kind}-samenvatting.csv")
