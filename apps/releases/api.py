"""Tenant API of releases: the pilot tenant's own feedback (feature releases.pilot_feedback)."""
from django.http import Http404
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.releases.gating import requires_feature
from apps.releases.selectors import pilot_version_for
from tenants.models import Feedback
from tenants.selectors import feedback_for_tenant
from tenants.services import feedback_submit


class PilotFeedbackSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="version.name", read_only=True)

    class Meta:
        model = Feedback
        fields = ["id", "version", "author_email", "author_name", "text", "created_at", "blocking", "resolved"]
        read_only_fields = ["id", "version", "author_email", "author_name", "created_at", "blocking", "resolved"]


@requires_feature("releases.pilot_feedback")
class PilotFeedbackApi(APIView):
    """This tenant's feedback on the version it pilots; POST sends new feedback."""

    serializer_class = PilotFeedbackSerializer

    def get(self, request):
        rows = feedback_for_tenant(tenant=request.tenant)
        return Response(PilotFeedbackSerializer(rows, many=True).data)

    def post(self, request):
        version = pilot_version_for(request.tenant)
        if version is None:
            raise Http404
        serializer = PilotFeedbackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feedback = feedback_submit(tenant=request.tenant, version=version, author_email=request.user.email,
                                   author_name=request.user.get_full_name(),
                                   text=serializer.validated_data["text"])
        return Response(PilotFeedbackSerializer(feedback).data, status=201)
