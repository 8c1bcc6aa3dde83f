"""API of notifications (DRF, /api/v1/): my notifications (+mark read, +mark all read) and
my preferences. Thin: parse, call a service or selector, render."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.notifications import selectors, services
from apps.notifications.models import REMINDER_OFFSETS, Notification, NotificationPreference


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.BooleanField(source="is_read", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "read"]
        read_only_fields = fields


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """My notifications, newest first; ``?unread=true`` for the unread ones."""

    serializer_class = NotificationSerializer
    filterset_fields = ["kind"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        raw = self.request.query_params.get("unread")
        unread = None if raw is None else raw.lower() in ("1", "true", "yes")
        return selectors.notifications_for(self.request.user, unread=unread)

    @extend_schema(parameters=[OpenApiParameter("unread", bool)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        n = services.notification_mark_read(notification=self.get_object(), by=request.user)
        return Response(NotificationSerializer(n).data)

    @extend_schema(request=None, responses={200: inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.notifications_mark_all_read(by=request.user)})


class PreferenceSerializer(serializers.ModelSerializer):
    reminder_offsets = serializers.ListField(child=serializers.IntegerField(min_value=0), required=False,
                                             help_text=f"Days before expiry, any of {list(REMINDER_OFFSETS)}.")

    class Meta:
        model = NotificationPreference
        fields = ["email_enabled", "reminder_offsets", "weekly_digest"]
        extra_kwargs = {"email_enabled": {"required": False}, "weekly_digest": {"required": False}}


class PreferenceApi(APIView):
    """My notification preferences: e-mail on/off, which reminders, the weekly digest."""

    serializer_class = PreferenceSerializer

    def get(self, request):
        return Response(PreferenceSerializer(services.preference_for(request.user)).data)

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    def put(self, request):
        s = PreferenceSerializer(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        pref = services.preference_update(by=request.user, **s.validated_data)
        return Response(PreferenceSerializer(pref).data)

    patch = put
