from django.urls import path

from apps.jobs.api import JobDetailApi, job_progress

urlpatterns = [path("jobs/<uuid:job_id>/progress/", job_progress, name="job-progress")]
api_urlpatterns = [path("jobs/<uuid:job_id>/", JobDetailApi.as_view(), name="job-detail")]
