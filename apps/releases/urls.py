from django.urls import path

from apps.releases import api, views

urlpatterns = [
    path("support/enter/<str:token>/", views.support_enter, name="support-enter"),
    path("support/sessions/", views.support_session_list, name="support-sessions"),
    path("releases/feedback/", views.pilot_feedback, name="feedback"),
    path("releases/notes/", views.release_notes, name="notes"),
    path("releases/notes/<str:version_name>/dismiss/", views.release_notes_dismiss_view, name="notes-dismiss"),
]
api_urlpatterns = [
    path("releases/feedback/", api.PilotFeedbackApi.as_view(), name="feedback"),
]
