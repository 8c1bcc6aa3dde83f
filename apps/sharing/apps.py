from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "apps.sharing"
    label = "sharing"

    def ready(self):
        from apps.web.context import register_nav

        register_nav("sharing:my-shares", _("Delen"), kind="care")
        register_nav("sharing:shared-with-me", _("Gedeeld met mij"), kind="care")
