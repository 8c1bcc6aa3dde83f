from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "apps.funding"
    label = "funding"
    verbose_name = _("Bekostiging VAVO")

    def ready(self) -> None:
        from apps.web.context import register_nav

        roles = ("student_admin", "tenant_admin")
        # The overview first: an education tenant's start page is the first visible item.
        register_nav("funding:overview", _("Bekostiging"), roles=roles, kind="education")
        register_nav("funding:participants", _("Deelnemers"), roles=roles, kind="education")
        register_nav("funding:import", _("Import"), roles=roles, kind="education")
