"""Pages of notifications: the in-app list (mark read by htmx) and preferences."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.notifications import selectors, services
from apps.notifications.models import REMINDER_OFFSETS, Notification


@login_required
def notification_list(request):
    show = request.GET.get("toon", "")
    unread = True if show == "ongelezen" else None
    return TemplateResponse(request, "notifications/list.html", {
        "notifications": selectors.notifications_for(request.user, unread=unread)[:200], "show": show,
        "unread": selectors.unread_count(request.user), "pref": services.preference_for(request.user),
        "offsets": REMINDER_OFFSETS})


@login_required
@require_POST
def mark_read(request, notification_id: int):
    n = get_object_or_404(Notification, pk=notification_id, user=request.user)
    services.notification_mark_read(notification=n, by=request.user)
    if request.headers.get("HX-Request"):
        return TemplateResponse(request, "notifications/_item.html", {"n": n})
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    services.notifications_mark_all_read(by=request.user)
    return redirect("notifications:list")


@login_required
@require_POST
def preferences(request):
    try:
        services.preference_update(by=request.user, email_enabled=request.POST.get("email_enabled") == "on",
                                   weekly_digest=request.POST.get("weekly_digest") == "on",
                                   reminder_offsets=request.POST.getlist("reminder_offsets"))
        messages.success(request, _("Voorkeuren opgeslagen."))
    except ValidationError as exc:
        messages.error(request, " ".join(m for errs in exc.message_dict.values() for m in errs))
    return redirect("notifications:list")
