from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetencesConfig(AppConfig):
    name = "apps.competences"
    label = "competences"

    def ready(self):
        from apps.web.context import register_nav

        # "Mijn paspoort" first: the tenant start page redirects to the first menu item.
        register_nav("competences:my-passport", _("Mijn paspoort"), kind="care")
        register_nav("competences:team-overview", _("Teamoverzicht"), roles=("manager", "tenant_admin"), kind="care")
        register_nav("competences:profile-list", _("Profielen"), roles=("manager", "tenant_admin"), kind="care")
        register_nav("organisation:hr-import", _("Import HR"), roles=("tenant_admin",), kind="care")
