from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.competences import api, views

router = SimpleRouter()
router.register("competences", api.CompetenceViewSet, basename="competence")
router.register("profiles", api.ProfileViewSet, basename="profile")
router.register("profile-links", api.ProfileLinkViewSet, basename="profile-link")
router.register("evidence", api.EvidenceViewSet, basename="evidence")
router.register("practice", api.PracticeViewSet, basename="practice")
router.register("exemptions", api.ExemptionViewSet, basename="exemption")
router.register("not-applicable", api.NotApplicableViewSet, basename="not-applicable")
router.register("revocations", api.RevocationViewSet, basename="revocation")
router.register("orders", api.OrderViewSet, basename="order")

urlpatterns = [
    path("paspoort/", views.my_passport, name="my-passport"),
    path("team/", views.team_overview, name="team-overview"),
    path("medewerkers/<int:person_id>/paspoort/", views.person_passport, name="person-passport"),
    path("medewerkers/<int:person_id>/audit/", views.person_audit, name="person-audit"),
    path("medewerkers/<int:person_id>/uitzondering/", views.period_mark_dialog, name="period-mark"),
    path("profielen/", views.profile_list, name="profile-list"),
    path("profielen/<int:profile_id>/", views.profile_edit, name="profile-edit"),
]
api_urlpatterns = [
    path("people/<int:person_id>/passport/", api.PassportDetailApi.as_view(), name="person-passport"),
    path("passport/me/", api.MyPassportApi.as_view(), name="my-passport"),
    path("passport/what-if/", api.PassportWhatIfApi.as_view(), name="passport-what-if"),
    path("team-overview/", api.TeamOverviewApi.as_view(), name="team-overview"),
    path("team-overview.csv", api.TeamOverviewExportApi.as_view(fmt="csv"), name="team-overview-csv"),
    path("team-overview.xlsx", api.TeamOverviewExportApi.as_view(fmt="xlsx"), name="team-overview-xlsx"),
    path("statuses/", api.StatusListApi.as_view(), name="status-list"),
    *router.urls,
]
