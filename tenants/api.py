"""The vendor's API on the public host (/api/v1/): vendor staff only, token or session.

Thin: parse, call a service or selector, answer. Service ValidationErrors become 400s with
field messages (apps.web.api_errors)."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants import selectors, services
from tenants.features import FEATURES
from tenants.models import (
    CustomerGroup, Feedback, PassportVersion, Rollout, RolloutStage, SupportSession, Tenant,
)


class IsVendorStaff(permissions.BasePermission):
    """Signed-in staff of the public schema, on the public host. Tenant users do not exist here."""

    def has_permission(self, request, view):
        tenant = getattr(request, "tenant", None)
        user = request.user
        return bool(tenant is not None and tenant.is_public and user and user.is_authenticated
                    and user.is_staff and not getattr(user, "is_support", False))


class VendorApi(APIView):
    permission_classes = [IsVendorStaff]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# --- serializers ---------------------------------------------------------------------------------

class TenantSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    groups = serializers.SerializerMethodField()
    effective_version = serializers.SerializerMethodField()
    version_source = serializers.SerializerMethodField()

    class Meta:
        model = Tenant
        fields = ["id", "slug", "name", "kind", "status", "schema_name", "created_on", "groups",
                  "effective_version", "version_source"]

    def _effective(self, obj):
        return getattr(obj, "effective", None) or selectors.effective_version_for(tenant=obj)

    def get_groups(self, obj) -> list[str]:
        return [g.slug for g in obj.customer_groups.all()]

    def get_effective_version(self, obj) -> str | None:
        ev = self._effective(obj)
        return ev.version.name if ev.version else None

    def get_version_source(self, obj) -> str:
        return self._effective(obj).source


class TenantCreateSerializer(serializers.Serializer):
    slug = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Tenant.Kind.choices)
    admin_email = serializers.EmailField()


class PinSerializer(serializers.Serializer):
    version = serializers.SlugRelatedField(slug_field="name", queryset=PassportVersion.objects.all())
    reason = serializers.CharField()


class GroupSerializer(serializers.ModelSerializer):
    tenants = serializers.SlugRelatedField(slug_field="slug", many=True, required=False,
                                           queryset=Tenant.objects.exclude(schema_name="public"))

    class Meta:
        model = CustomerGroup
        fields = ["id", "name", "slug", "description", "tenants"]


class VersionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    # Keys are checked by the model against the registry, together with the rule sets.
    features = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = PassportVersion
        fields = ["id", "name", "status", "release_notes_nl", "release_notes_en", "features",
                  "care_rules_version", "funding_rules_version", "created_at", "status_changed_at"]
        read_only_fields = ["status", "created_at", "status_changed_at"]


class TransitionSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="draft, piloting, rolling_out, general or retired")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class StageSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    group = serializers.SlugRelatedField(slug_field="slug", queryset=CustomerGroup.objects.all(),
                                         allow_null=True, required=False)

    class Meta:
        model = RolloutStage
        fields = ["id", "order", "group", "planned_start", "min_days_in_previous_stage",
                  "block_on_open_blocking_feedback", "status", "started_at", "finished_at", "tenant_count",
                  "preview_job_id"]
        read_only_fields = ["id", "order", "status", "started_at", "finished_at", "tenant_count", "preview_job_id"]


class RolloutSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    version = serializers.SlugRelatedField(slug_field="name", queryset=PassportVersion.objects.all())
    stages = StageSerializer(many=True)

    class Meta:
        model = Rollout
        fields = ["id", "version", "status", "stages", "created_by_label", "created_at", "started_at", "finished_at"]
        read_only_fields = ["status", "created_by_label", "created_at", "started_at", "finished_at"]


class FeedbackSerializer(serializers.ModelSerializer):
    tenant = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    version = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = Feedback
        fields = ["id", "tenant", "version", "author_email", "author_name", "text", "created_at",
                  "blocking", "resolved", "marked_by_label", "marked_at"]
        read_only_fields = fields


class FeedbackMarkSerializer(serializers.Serializer):
    blocking = serializers.BooleanField(required=False, allow_null=True, default=None)
    resolved = serializers.BooleanField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SupportSessionSerializer(serializers.ModelSerializer):
    tenant = serializers.SlugRelatedField(slug_field="slug", queryset=Tenant.objects.exclude(schema_name="public"))
    minutes = serializers.IntegerField(write_only=True, min_value=1, max_value=SupportSession.MAX_MINUTES)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = SupportSession
        fields = ["id", "tenant", "staff_email", "reason", "minutes", "started_at", "expires_at", "entered_at",
                  "ended_at", "ended_by_label", "actions", "is_open"]
        read_only_fields = ["staff_email", "started_at", "expires_at", "entered_at", "ended_at",
                            "ended_by_label", "actions"]


# --- tenants -------------------------------------------------------------------------------------

class TenantListCreateApi(VendorApi):
    serializer_class = TenantSerializer

    @extend_schema(responses=TenantSerializer(many=True))
    def get(self, request):
        return Response(TenantSerializer(selectors.tenant_list(), many=True).data)

    @extend_schema(request=TenantCreateSerializer, responses={201: inline_serializer(
        "TenantCreated", {"tenant": TenantSerializer(), "admin_email": serializers.EmailField(),
                          "admin_password": serializers.CharField()})})
    def post(self, request):
        data = TenantCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.tenant_create(**data.validated_data)
        services.control_plane_audit(by=request.user, action="tenant.create", obj=result.tenant,
                                     details={"kind": result.tenant.kind})
        return Response({"tenant": TenantSerializer(result.tenant).data, "admin_email": result.admin_email,
                         "admin_password": result.admin_password}, status=status.HTTP_201_CREATED)


class TenantDetailApi(VendorApi):
    serializer_class = TenantSerializer

    def get(self, request, pk):
        tenant = get_object_or_404(Tenant.objects.exclude(schema_name="public"), pk=pk)
        return Response(TenantSerializer(tenant).data)


class TenantActionApi(VendorApi):
    """POST suspend / activate (with an optional reason), pin (version, reason), unpin."""

    serializer_class = ReasonSerializer
    action_name = ""

    @extend_schema(request=ReasonSerializer, responses=TenantSerializer)
    def post(self, request, pk):
        tenant = get_object_or_404(Tenant.objects.exclude(schema_name="public"), pk=pk)
        if self.action_name == "pin":
            data = PinSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.version_pin(tenant=tenant, by=request.user, **data.validated_data)
        else:
            data = ReasonSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            action = {"suspend": services.tenant_suspend, "activate": services.tenant_activate,
                      "unpin": services.version_unpin}[self.action_name]
            action(tenant=tenant, by=request.user, reason=data.validated_data["reason"])
        tenant.refresh_from_db()
        return Response(TenantSerializer(tenant).data)


# --- groups and versions -------------------------------------------------------------------------

class GroupListCreateApi(VendorApi):
    serializer_class = GroupSerializer

    @extend_schema(responses=GroupSerializer(many=True))
    def get(self, request):
        return Response(GroupSerializer(selectors.group_list(), many=True).data)

    def post(self, request):
        data = GroupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        group = services.customer_group_create(name=v["name"], slug=v["slug"], description=v.get("description", ""),
                                               tenant_ids=[t.pk for t in v.get("tenants", [])], by=request.user)
        return Response(GroupSerializer(group).data, status=status.HTTP_201_CREATED)


class GroupDetailApi(VendorApi):
    serializer_class = GroupSerializer

    def get(self, request, pk):
        return Response(GroupSerializer(get_object_or_404(CustomerGroup, pk=pk)).data)

    def patch(self, request, pk):
        group = get_object_or_404(CustomerGroup, pk=pk)
        data = GroupSerializer(group, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        group = services.customer_group_update(
            group=group, by=request.user, name=v.get("name"), description=v.get("description"),
            tenant_ids=[t.pk for t in v["tenants"]] if "tenants" in v else None)
        return Response(GroupSerializer(group).data)


class VersionListCreateApi(VendorApi):
    serializer_class = VersionSerializer

    @extend_schema(responses=VersionSerializer(many=True))
    def get(self, request):
        return Response(VersionSerializer(selectors.version_list(), many=True).data)

    def post(self, request):
        data = VersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_create(by=request.user, **data.validated_data)
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class VersionDetailApi(VendorApi):
    serializer_class = VersionSerializer

    def get(self, request, pk):
        return Response(VersionSerializer(get_object_or_404(PassportVersion, pk=pk)).data)

    def patch(self, request, pk):
        version = get_object_or_404(PassportVersion, pk=pk)
        data = VersionSerializer(version, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k != "name"}
        version = services.version_update(version=version, by=request.user, **fields)
        return Response(VersionSerializer(version).data)


class VersionTransitionApi(VendorApi):
    serializer_class = TransitionSerializer

    @extend_schema(request=TransitionSerializer, responses=VersionSerializer)
    def post(self, request, pk):
        version = get_object_or_404(PassportVersion, pk=pk)
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_transition(version=version, by=request.user, **data.validated_data)
        return Response(VersionSerializer(version).data)


class FeatureListApi(VendorApi):
    @extend_schema(responses=inline_serializer("Feature", {
        "key": serializers.CharField(), "app": serializers.CharField(),
        "description_nl": serializers.CharField(), "description_en": serializers.CharField()}, many=True))
    def get(self, request):
        return Response([f.__dict__ for f in sorted(FEATURES.values(), key=lambda f: f.key)])


# --- rollouts ------------------------------------------------------------------------------------

class RolloutListCreateApi(VendorApi):
    serializer_class = RolloutSerializer

    @extend_schema(responses=RolloutSerializer(many=True))
    def get(self, request):
        return Response(RolloutSerializer(selectors.rollout_list(), many=True).data)

    def post(self, request):
        data = RolloutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rollout = services.rollout_create(version=data.validated_data["version"],
                                          stages=[dict(s) for s in data.validated_data["stages"]], by=request.user)
        return Response(RolloutSerializer(selectors.rollout_detail(rollout_id=rollout.pk)).data,
                        status=status.HTTP_201_CREATED)


class RolloutDetailApi(VendorApi):
    serializer_class = RolloutSerializer

    def get(self, request, pk):
        return Response(RolloutSerializer(get_object_or_404(selectors.rollout_list(), pk=pk)).data)


class RolloutActionApi(VendorApi):
    """POST start / advance / pause / resume / rollback (rollback needs a reason)."""

    serializer_class = ReasonSerializer
    action_name = ""

    @extend_schema(request=ReasonSerializer, responses=RolloutSerializer)
    def post(self, request, pk):
        rollout = get_object_or_404(Rollout, pk=pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = getattr(services, f"rollout_{self.action_name}")
        action(rollout=rollout, by=request.user, reason=data.validated_data["reason"])
        return Response(RolloutSerializer(selectors.rollout_detail(rollout_id=pk)).data)


class RolloutPreviewApi(VendorApi):
    """POST: queue the impact preview of the next stage; answers the job to poll."""

    @extend_schema(request=None, responses={202: inline_serializer("PreviewQueued", {
        "job": serializers.UUIDField(), "progress": serializers.CharField()})})
    def post(self, request, pk):
        rollout = get_object_or_404(Rollout, pk=pk)
        job = services.rollout_impact_preview_start(rollout=rollout, by=request.user)
        return Response({"job": str(job.pk), "progress": f"/api/v1/jobs/{job.pk}/"}, status=status.HTTP_202_ACCEPTED)


# --- feedback and support ------------------------------------------------------------------------

class FeedbackListApi(VendorApi, generics.ListAPIView):
    serializer_class = FeedbackSerializer
    filterset_fields = ["version", "tenant", "blocking", "resolved"]

    def get_queryset(self):
        return selectors.feedback_list()


class FeedbackMarkApi(VendorApi):
    serializer_class = FeedbackMarkSerializer

    @extend_schema(request=FeedbackMarkSerializer, responses=FeedbackSerializer)
    def post(self, request, pk):
        feedback = get_object_or_404(Feedback, pk=pk)
        data = FeedbackMarkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = services.feedback_mark(feedback=feedback, by=request.user, **data.validated_data)
        return Response(FeedbackSerializer(feedback).data)


class SupportSessionListCreateApi(VendorApi):
    serializer_class = SupportSessionSerializer

    @extend_schema(responses=SupportSessionSerializer(many=True))
    def get(self, request):
        return Response(SupportSessionSerializer(selectors.support_sessions(), many=True).data)

    @extend_schema(request=SupportSessionSerializer, responses={201: inline_serializer("SupportSessionOpened", {
        "session": SupportSessionSerializer(), "link": serializers.CharField()})})
    def post(self, request):
        data = SupportSessionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        session = services.support_session_open(tenant=v["tenant"], staff=request.user, reason=v["reason"],
                                                minutes=v["minutes"])
        return Response({"session": SupportSessionSerializer(session).data,
                         "link": services.support_session_url(session=session, scheme=request.scheme,
                                                              port=request.get_port())},
                        status=status.HTTP_201_CREATED)


class SupportSessionEndApi(VendorApi):
    serializer_class = ReasonSerializer

    @extend_schema(request=ReasonSerializer, responses=SupportSessionSerializer)
    def post(self, request, pk):
        session = get_object_or_404(SupportSession, pk=pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.support_session_end(session=session, by=request.user, reason=data.validated_data["reason"])
        return Response(SupportSessionSerializer(session).data)
