from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.funding import api, views

urlpatterns = [
    path("bekostiging/", views.overview, name="overview"),
    path("bekostiging/deelnemers/", views.participant_list, name="participants"),
    path("bekostiging/deelnemers/<int:pk>/", views.participant_detail, name="participant"),
    path("bekostiging/import/", views.import_page, name="import"),
    path("bekostiging/import/formaat/", views.import_format, name="import-format"),
    path("bekostiging/jaren/<int:year>/definitief/", views.finalise, name="finalise"),
    path("bekostiging/jaren/<int:year>/landelijk/", views.national_figures, name="national-figures"),
    path("bekostiging/herberekenen/", views.recompute, name="recompute"),
    path("bekostiging/export/detail.csv", views.export_detail, name="export-detail"),
    path("bekostiging/export/samenvatting.csv", views.export_summary, name="export-summary"),
]

router = SimpleRouter()
router.register("funding/participants", api.ParticipantViewSet, basename="participant")
router.register("funding/enrolments", api.EnrolmentViewSet, basename="enrolment")
router.register("funding/subject-results", api.SubjectResultViewSet, basename="subject-result")
router.register("funding/diplomas", api.DiplomaViewSet, basename="diploma")
router.register("funding/decisions", api.FundingDecisionListApi, basename="decision")

api_urlpatterns = [
    path("funding/overview/", api.FundingOverviewApi.as_view(), name="overview"),
    path("funding/differences/", api.FundingDifferencesApi.as_view(), name="differences"),
    path("funding/years/", api.FundingYearListApi.as_view(), name="years"),
    path("funding/years/<int:year>/finalise/", api.FundingYearFinaliseApi.as_view(), name="finalise"),
    path("funding/recompute/", api.FundingRecomputeApi.as_view(), name="recompute"),
    path("funding/import/", api.FundingImportApi.as_view(), name="import"),
    path("funding/export/detail.csv", api.FundingExportDetailApi.as_view(), name="export-detail"),
    path("funding/export/summary.csv", api.FundingExportSummaryApi.as_view(), name="export-summary"),
    path("funding/what-if/", api.FundingWhatIfApi.as_view(), name="what-if"),
    *router.urls,
]
