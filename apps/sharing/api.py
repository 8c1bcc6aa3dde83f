"""API of sharing (DRF, /api/v1/): my shares (+revoke), shared with me (+the passport),
my team leader, colleagues to pick from. Thin: parse, call a service or selector, render."""
from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.competences.api import PassportSerializer
from apps.competences.selectors import passport_for
from apps.organisation.selectors import person_for_user
from apps.sharing import selectors, services
from apps.sharing.models import PassportShare


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")
    org_unit = serializers.SerializerMethodField()

    def get_org_unit(self, obj) -> str | None:
        return obj.org_unit.name if obj.org_unit_id else None


class ShareSerializer(serializers.ModelSerializer):
    shared_with = PersonRefSerializer(read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = PassportShare
        fields = ["id", "shared_with", "created_at", "revoked_at", "active"]
        read_only_fields = fields


class ShareCreateSerializer(serializers.Serializer):
    shared_with = serializers.IntegerField(help_text="Id of the colleague (person).")


class ShareViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Whom I share my passport with (and whom I stopped sharing with)."""

    serializer_class = ShareSerializer
    filterset_fields = []

    def get_queryset(self):
        me = person_for_user(self.request.user)
        if me is None:
            return PassportShare.objects.none()
        return selectors.shares_of(me)

    @extend_schema(request=ShareCreateSerializer, responses={201: ShareSerializer})
    def create(self, request, *args, **kwargs):
        s = ShareCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        share = services.share_create(shared_with=s.validated_data["shared_with"], by=request.user)
        return Response(ShareSerializer(share).data, status=201)

    @extend_schema(request=None, responses={200: ShareSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        share = services.share_revoke(share=self.get_object(), by=request.user)
        return Response(ShareSerializer(share).data)


class SharedWithMeSerializer(serializers.Serializer):
    person = PersonRefSerializer()
    via = serializers.ChoiceField(choices=["share", "team_leader"])
    passport_url = serializers.SerializerMethodField()

    def get_passport_url(self, obj) -> str:
        return f"/api/v1/shared-with-me/{obj.person.pk}/passport/"


class SharedWithMeApi(APIView):
    """Passports shared with me, and those of people who named me their team leader."""

    @extend_schema(responses=SharedWithMeSerializer(many=True))
    def get(self, request):
        return Response(SharedWithMeSerializer(selectors.shared_with_me(request.user), many=True).data)


class SharedPassportApi(APIView):
    """A passport shared with me (read-only). Checked on every request: a revoked share is
    refused (404) at once."""

    @extend_schema(responses=PassportSerializer)
    def get(self, request, person_id: int):
        person = selectors.shared_passport_person(request.user, person_id)
        if person is None:
            raise Http404
        return Response(PassportSerializer(passport_for(person)).data)


class TeamLeaderSerializer(serializers.Serializer):
    leader = serializers.IntegerField(allow_null=True, help_text="Id of the colleague (person); null clears it.")


class TeamLeaderOutSerializer(serializers.Serializer):
    leader = PersonRefSerializer(allow_null=True)


class TeamLeaderApi(APIView):
    """My team leader: read, name or clear."""

    @extend_schema(responses=TeamLeaderOutSerializer)
    def get(self, request):
        me = person_for_user(request.user)
        if me is None:
            raise Http404("Er is geen medewerker gekoppeld aan deze gebruiker.")
        return Response(TeamLeaderOutSerializer({"leader": selectors.team_leader_of(me)}).data)

    @extend_schema(request=TeamLeaderSerializer, responses=TeamLeaderOutSerializer)
    def put(self, request):
        s = TeamLeaderSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        choice = services.team_leader_set(leader=s.validated_data["leader"], by=request.user)
        return Response(TeamLeaderOutSerializer({"leader": choice.leader if choice else None}).data)


class ColleagueListApi(APIView):
    """Colleagues with a login, to share with or name as team leader."""

    @extend_schema(parameters=[OpenApiParameter("q", str, description="Part of a name or a personnel number.")],
                   responses=PersonRefSerializer(many=True))
    def get(self, request):
        qs = selectors.colleagues_for(request.user, q=request.query_params.get("q", "").strip())[:100]
        return Response(PersonRefSerializer(qs, many=True).data)
