"""Reads of notifications: a user's messages, their unread count, and the expiries a
manager's digest lists."""
from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from apps.competences import rules
from apps.notifications.models import Notification


def notifications_for(user, *, unread: bool | None = None) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user).order_by("-created_at", "-id")
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def upcoming_expiries_for_manager(user, *, as_of: date | None = None, days: int = 90):
    """Statuses held now (competent/expiring) in the units ``user`` manages that expire
    within ``days`` days, soonest first."""
    from apps.competences.models import CompetenceStatus
    from apps.organisation.selectors import is_tenant_admin, unit_ids_managed_by

    as_of = as_of or timezone.localdate()
    qs = CompetenceStatus.objects.filter(status__in=[rules.COMPETENT, rules.EXPIRING], valid_until__gte=as_of,
                                         valid_until__lte=as_of + timedelta(days=days), person__is_active=True)
    if not is_tenant_admin(user):
        qs = qs.filter(person__org_unit_id__in=unit_ids_managed_by(user))
    return list(qs.select_related("person", "person__org_unit", "competence").order_by("valid_until", "id"))
