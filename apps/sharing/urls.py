from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.sharing import api, views

router = SimpleRouter()
router.register("shares", api.ShareViewSet, basename="share")

urlpatterns = [
    path("delen/", views.my_shares, name="my-shares"),
    path("delen/nieuw/", views.share, name="share"),
    path("delen/<int:share_id>/stoppen/", views.revoke, name="revoke"),
    path("delen/teamleider/", views.team_leader, name="team-leader"),
    path("gedeeld-met-mij/", views.shared_with_me, name="shared-with-me"),
    path("gedeeld-met-mij/<int:person_id>/", views.shared_passport, name="shared-passport"),
]
api_urlpatterns = [
    path("shared-with-me/", api.SharedWithMeApi.as_view(), name="shared-with-me"),
    path("shared-with-me/<int:person_id>/passport/", api.SharedPassportApi.as_view(), name="shared-passport"),
    path("team-leader/", api.TeamLeaderApi.as_view(), name="team-leader"),
    path("colleagues/", api.ColleagueListApi.as_view(), name="colleagues"),
    *router.urls,
]
