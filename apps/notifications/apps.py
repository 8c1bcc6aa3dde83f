from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"

    def ready(self):
        from apps.web.context import register_nav

        register_nav("notifications:list", _("Meldingen"), kind="care")
