"""Control-plane pages (/control/...) and the vendor API (/api/v1/...) on the public host.

Included by config/urls_public.py. The jobs app lives in the public schema too; its
progress fragment and API are mounted here so the rollout page's progress bar works."""
from django.urls import include, path

from apps.jobs import urls as job_urls
from tenants import api, views

page_patterns = [
    path("control/", views.dashboard, name="dashboard"),
    path("control/tenants/", views.tenant_list, name="tenants"),
    path("control/tenants/<int:pk>/", views.tenant_detail, name="tenant-detail"),
    path("control/tenants/<int:pk>/<str:action>/", views.tenant_action, name="tenant-action"),
    path("control/groups/", views.group_list, name="groups"),
    path("control/groups/<int:pk>/", views.group_detail, name="group-detail"),
    path("control/versions/", views.version_list, name="versions"),
    path("control/versions/<int:pk>/", views.version_detail, name="version-detail"),
    path("control/versions/<int:pk>/transition/", views.version_transition, name="version-transition"),
    path("control/rollouts/", views.rollout_list, name="rollouts"),
    path("control/rollouts/<int:pk>/", views.rollout_detail, name="rollout-detail"),
    path("control/rollouts/<int:pk>/<str:action>/", views.rollout_action, name="rollout-action"),
    path("control/feedback/", views.feedback_list, name="feedback"),
    path("control/feedback/<int:pk>/mark/", views.feedback_mark, name="feedback-mark"),
    path("control/support/", views.support_list, name="support"),
    path("control/support/<int:pk>/end/", views.support_end, name="support-end"),
    path("control/audit/", views.audit_list, name="audit"),
]

api_patterns = [
    path("features/", api.FeatureListApi.as_view(), name="features"),
    path("tenants/", api.TenantListCreateApi.as_view(), name="tenants"),
    path("tenants/<int:pk>/", api.TenantDetailApi.as_view(), name="tenant-detail"),
    *[path(f"tenants/<int:pk>/{a}/", api.TenantActionApi.as_view(action_name=a), name=f"tenant-{a}")
      for a in ("suspend", "activate", "pin", "unpin")],
    path("groups/", api.GroupListCreateApi.as_view(), name="groups"),
    path("groups/<int:pk>/", api.GroupDetailApi.as_view(), name="group-detail"),
    path("versions/", api.VersionListCreateApi.as_view(), name="versions"),
    path("versions/<int:pk>/", api.VersionDetailApi.as_view(), name="version-detail"),
    path("versions/<int:pk>/transition/", api.VersionTransitionApi.as_view(), name="version-transition"),
    path("rollouts/", api.RolloutListCreateApi.as_view(), name="rollouts"),
    path("rollouts/<int:pk>/", api.RolloutDetailApi.as_view(), name="rollout-detail"),
    *[path(f"rollouts/<int:pk>/{a}/", api.RolloutActionApi.as_view(action_name=a), name=f"rollout-{a}")
      for a in ("start", "advance", "pause", "resume", "rollback")],
    path("rollouts/<int:pk>/preview/", api.RolloutPreviewApi.as_view(), name="rollout-preview"),
    path("feedback/", api.FeedbackListApi.as_view(), name="feedback"),
    path("feedback/<int:pk>/mark/", api.FeedbackMarkApi.as_view(), name="feedback-mark"),
    path("support-sessions/", api.SupportSessionListCreateApi.as_view(), name="support-sessions"),
    path("support-sessions/<int:pk>/end/", api.SupportSessionEndApi.as_view(), name="support-session-end"),
]

urlpatterns = [
    path("", include((page_patterns, "control"))),
    path("api/v1/", include((api_patterns, "control-api"))),
    path("", include((job_urls.urlpatterns, "jobs"))),
    path("api/v1/", include((job_urls.api_urlpatterns, "jobs-api"))),
]
