from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "apps.organisation"
    label = "organisation"
    # Menu items of the care passport (incl. the HR import page) are registered in one
    # place, apps.competences.apps, so "Mijn paspoort" stays the first (start page).
