from django.apps import AppConfig


class CompetencesConfig(AppConfig):
    name = "apps.competences"
    label = "competences"
