from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.jobs.models import Job
from apps.jobs.selectors import job_for_user


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Job
        fields = ["id", "kind", "label", "status", "total", "done", "percent", "message",
                  "errors", "result", "created_at", "started_at", "finished_at"]


class JobDetailApi(APIView):
    serializer_class = JobSerializer

    def get(self, request, job_id):
        return Response(JobSerializer(job_for_user(job_id=job_id, user=request.user)).data)


@login_required
def job_progress(request, job_id):
    """HTML fragment with the progress bar; htmx polls it until the job is finished."""
    return TemplateResponse(request, "web/progress.html", {"job": job_for_user(job_id=job_id, user=request.user)})
