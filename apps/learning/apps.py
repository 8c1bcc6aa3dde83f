from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "apps.learning"
    label = "learning"

    def ready(self):
        from apps.competences.facts import register_enrolment_provider
        from apps.learning.selectors import enrolment_facts_for
        from apps.web.context import register_nav

        # Active enrolments make a competence "in progress" (apps/competences/facts.py).
        register_enrolment_provider(enrolment_facts_for)
        register_nav("learning:my-learning", _("Leren"), kind="care")
        register_nav("learning:practice-log", _("Praktijk"), kind="care")
        register_nav("learning:signoff-queue", _("Aftekenen"), roles=("manager", "assessor", "tenant_admin"),
                     kind="care")
        register_nav("learning:dashboard", _("Dashboard"), roles=("manager", "tenant_admin"), kind="care")
