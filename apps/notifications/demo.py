"""Demo data for notifications in care tenants: today's expiry reminders (in-app, e-mail
to the console backend) and a welcome message. Idempotent: reminders are claimed once."""
from __future__ import annotations


def load(tenant) -> None:
    if getattr(tenant, "kind", "") != "care":
        return
    from apps.accounts.models import User
    from apps.notifications.models import Notification
    from apps.notifications.services import digest_send_weekly, notification_create, reminders_send_due

    reminders_send_due()
    digest_send_weekly()
    for user in User.objects.filter(is_active=True, person__isnull=False):
        if not Notification.objects.filter(user=user, kind="share", title__startswith="Welkom").exists():
            notification_create(user=user, kind="share", title="Welkom bij het Kwaliteitspaspoort",
                                body="Bekijk je paspoort, schrijf je in voor cursussen en deel je paspoort met "
                                     "collega's onder 'Delen'.", url="/paspoort/")
