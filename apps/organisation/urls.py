from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.organisation import api, views

router = SimpleRouter()
router.register("org-units", api.OrgUnitViewSet, basename="org-unit")
router.register("people", api.PersonViewSet, basename="person")

urlpatterns = [
    path("organisatie/import/", views.hr_import_page, name="hr-import"),
]
api_urlpatterns = [
    path("people/import/", api.HrImportApi.as_view(), name="people-import"),
    *router.urls,
]
