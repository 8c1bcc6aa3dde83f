from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReleasesConfig(AppConfig):
    name = "apps.releases"
    label = "releases"

    def ready(self):
        from apps.web.context import register_nav

        register_nav("releases:support-sessions", _("Supportsessies"), roles=("tenant_admin",))
