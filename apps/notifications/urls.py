from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.notifications import api, views

router = SimpleRouter()
router.register("notifications", api.NotificationViewSet, basename="notification")

urlpatterns = [
    path("meldingen/", views.notification_list, name="list"),
    path("meldingen/<int:notification_id>/gelezen/", views.mark_read, name="mark-read"),
    path("meldingen/alles-gelezen/", views.mark_all_read, name="mark-all-read"),
    path("meldingen/voorkeuren/", views.preferences, name="preferences"),
]
api_urlpatterns = [
    path("notification-preferences/", api.PreferenceApi.as_view(), name="preferences"),
    *router.urls,
]
