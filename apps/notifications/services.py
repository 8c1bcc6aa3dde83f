"""Writes of notifications: in-app messages, preferences, expiry reminders and the weekly
manager digest.

At most once: for every reminder (person, competence, expiry date, offset, recipient) a
``SentReminder`` row is inserted and committed together with the in-app notification
*before* the e-mail is sent. A second run, also a concurrent one, fails on the unique
constraint and skips. If a worker dies between that commit and the e-mail, the e-mail is
lost (the in-app notification stays): we chose at-most-once over at-least-once, because a
duplicate reminder costs trust and the next offset (or the digest) follows anyway.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.competences import rules
from apps.notifications.models import (REMINDER_OFFSETS, Notification, NotificationPreference, SentDigest,
                                       SentReminder)

log = logging.getLogger(__name__)
WINDOW_DAYS = max(REMINDER_OFFSETS)
HELD = (rules.COMPETENT, rules.EXPIRING)


def notification_create(*, user, kind: str, title: str, body: str = "", url: str = "") -> Notification:
    return Notification.objects.create(user=user, kind=kind, title=title[:200], body=body or "", url=url or "")


def notification_mark_read(*, notification: Notification, by) -> Notification:
    if notification.user_id != by.pk:
        raise PermissionDenied("Dit is niet jouw melding.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, by) -> int:
    return Notification.objects.filter(user=by, read_at__isnull=True).update(read_at=timezone.now())


def preference_for(user) -> NotificationPreference:
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref or NotificationPreference(user=user)


@transaction.atomic
def preference_update(*, by, email_enabled: bool | None = None, reminder_offsets=None,
                      weekly_digest: bool | None = None) -> NotificationPreference:
    pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=by)
    if reminder_offsets is not None:
        try:
            offsets = sorted({int(o) for o in reminder_offsets}, reverse=True)
        except (TypeError, ValueError):
            raise ValidationError({"reminder_offsets": "Alleen hele aantallen dagen."})
        unknown = [o for o in offsets if o not in REMINDER_OFFSETS]
        if unknown:
            raise ValidationError({"reminder_offsets": f"Kies uit {', '.join(map(str, REMINDER_OFFSETS))}."})
        pref.reminder_offsets = offsets
    if email_enabled is not None:
        pref.email_enabled = bool(email_enabled)
    if weekly_digest is not None:
        pref.weekly_digest = bool(weekly_digest)
    pref.save()
    return pref


# --- expiry reminders -----------------------------------------------------------------------

def reminder_offset_due(valid_until: date, as_of: date) -> int | None:
    """The reminder that is due on ``as_of``: the smallest offset not below the days left.
    A missed day is caught up the next day; each offset goes out once per expiry date."""
    days_left = (valid_until - as_of).days
    if days_left < 0:
        return None
    due = [o for o in REMINDER_OFFSETS if o >= days_left]
    return min(due) if due else None


@dataclass
class SendResult:
    claimed: int = 0
    emailed: int = 0
    skipped: int = 0
    failed: int = 0


def _reminder_text(person, competence, valid_until: date, offset: int, *, for_leader: bool) -> tuple[str, str]:
    when = _("vandaag") if offset == 0 else _("over %(days)s dagen") % {"days": offset}
    name = competence.name
    if for_leader:
        title = _("%(person)s: %(competence)s verloopt %(when)s") % {"person": person.full_name,
                                                                      "competence": name, "when": when}
    else:
        title = _("Je bekwaamheid %(competence)s verloopt %(when)s") % {"competence": name, "when": when}
    body = _("Geldig tot en met %(date)s. Plan op tijd een nieuwe toets of cursus; kijk in het paspoort "
             "wat er nodig is.") % {"date": rules.format_date(valid_until)}
    return title, body


def _claim_and_send(*, claim_model, claim_fields: dict, recipient, kind: str, title: str, body: str, url: str,
                    email: bool, result: SendResult) -> None:
    try:
        with transaction.atomic():
            claim = claim_model.objects.create(recipient=recipient, **claim_fields)
            notification_create(user=recipient, kind=kind, title=title, body=body, url=url)
    except IntegrityError:
        result.skipped += 1  # claimed before (an earlier or concurrent run): never twice
        return
    result.claimed += 1
    if not (email and recipient.email):
        return
    try:
        send_mail(title, f"{body}\n\n{url}", None, [recipient.email], fail_silently=False)
    except Exception as exc:  # at most once: do not retry; keep the error for support
        log.warning("e-mail to user %s failed: %s", recipient.pk, exc)
        claim_model.objects.filter(pk=claim.pk).update(email_error=str(exc)[:2000])
        result.failed += 1
        return
    claim_model.objects.filter(pk=claim.pk).update(emailed_at=timezone.now())
    result.emailed += 1


def reminders_send_due(*, as_of: date | None = None) -> SendResult:
    """Daily: reminders 90, 60 and 30 days before a competence expires and on the day, to
    the employee and to the team leader they named, as each one's preferences allow."""
    from apps.competences.models import CompetenceStatus
    from apps.sharing.selectors import team_leaders_by_person

    as_of = as_of or timezone.localdate()
    result = SendResult()
    statuses = list(CompetenceStatus.objects.filter(
        status__in=HELD, valid_until__gte=as_of, valid_until__lte=as_of + timedelta(days=WINDOW_DAYS),
        person__is_active=True).select_related("person__user", "competence").order_by("valid_until", "id"))
    if not statuses:
        return result
    leaders = team_leaders_by_person({s.person_id for s in statuses})
    users = {s.person.user for s in statuses if s.person.user_id} | {
        p.user for p in leaders.values() if p.user_id}
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=[u.pk for u in users])}
    for status in statuses:
        offset = reminder_offset_due(status.valid_until, as_of)
        if offset is None:
            continue
        recipients = []
        if status.person.user_id and status.person.user.is_active:
            recipients.append((status.person.user, False))
        leader = leaders.get(status.person_id)
        if leader is not None and leader.user_id and leader.user.is_active and leader.user_id != status.person.user_id:
            recipients.append((leader.user, True))
        for user, for_leader in recipients:
            pref = prefs.get(user.pk) or NotificationPreference(user=user)
            if offset not in (pref.reminder_offsets or []):
                continue
            with translation.override(user.language or "nl"):
                title, body = _reminder_text(status.person, status.competence, status.valid_until, offset,
                                             for_leader=for_leader)
            url = f"/gedeeld-met-mij/{status.person_id}/" if for_leader else "/paspoort/"
            _claim_and_send(claim_model=SentReminder,
                            claim_fields={"person_id": status.person_id, "competence_id": status.competence_id,
                                          "valid_until": status.valid_until, "offset": offset},
                            recipient=user, kind=Notification.Kind.EXPIRY_REMINDER, title=title, body=body,
                            url=url, email=pref.email_enabled, result=result)
    log.info("reminders %s: %s", as_of, result)
    return result


# --- weekly digest for managers -------------------------------------------------------------

def digest_send_weekly(*, as_of: date | None = None) -> SendResult:
    """Weekly: each manager gets the expiries of the next 90 days in the units they manage
    (once per week, whatever the number of runs)."""
    from apps.accounts.models import User
    from apps.notifications.selectors import upcoming_expiries_for_manager

    as_of = as_of or timezone.localdate()
    week = as_of - timedelta(days=as_of.weekday())
    result = SendResult()
    managers = User.objects.filter(is_active=True, managed_units__isnull=False).distinct()
    for user in managers:
        pref = preference_for(user)
        if not pref.weekly_digest:
            continue
        rows = upcoming_expiries_for_manager(user, as_of=as_of, days=WINDOW_DAYS)
        if not rows:
            continue
        with translation.override(user.language or "nl"):
            title = _("Weekoverzicht: %(n)s bekwaamheden verlopen binnen 90 dagen") % {"n": len(rows)}
            lines = [f"- {r.person.full_name} ({r.person.org_unit.name if r.person.org_unit else ''}): "
                     f"{r.competence.name}, {_('geldig tot')} {rules.format_date(r.valid_until)}" for r in rows]
        _claim_and_send(claim_model=SentDigest, claim_fields={"week": week}, recipient=user,
                        kind=Notification.Kind.WEEKLY_DIGEST, title=title, body="\n".join(lines),
                        url="/leren/dashboard/", email=pref.email_enabled, result=result)
    log.info("weekly digest %s: %s", week, result)
    return result
