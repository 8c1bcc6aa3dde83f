"""API of the care passport (DRF, /api/v1/). Thin: parse, call a service or selector, render."""
from __future__ import annotations

import csv
import io
from datetime import date

from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.competences import rules, selectors, services
from apps.competences.facts import active_rule_set
from apps.competences.models import (Category, Competence, CompetenceStatus, Evidence, EvidenceKind, Exemption,
                                     NotApplicable, Order, PracticeRecord, Profile, ProfileLink, Revocation)
from apps.organisation.models import OrgUnit, Person
from apps.organisation.selectors import (can_view_person, is_tenant_admin, people_visible_to, person_for_user,
                                         unit_ids_managed_by)


def _job_ref(job):
    return {"job": str(job.pk), "url": f"/api/v1/jobs/{job.pk}/"} if job is not None else {"job": None}


def _visible_person_ids(user):
    return people_visible_to(user).values("id")


# --- catalogue --------------------------------------------------------------------------------

class PracticeRequirementSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1)
    months = serializers.IntegerField(min_value=1)
    verified_only = serializers.BooleanField(default=False)


class CompetenceSerializer(serializers.ModelSerializer):
    evidence = serializers.DictField(child=serializers.IntegerField(min_value=1),
                                     help_text="Required evidence kind -> validity in months.")
    practice = PracticeRequirementSerializer(required=False, allow_null=True)

    class Meta:
        model = Competence
        fields = ["id", "code", "name", "category", "description", "evidence", "practice", "warning_days",
                  "authorised_professions", "is_active"]
        read_only_fields = ["id", "is_active"]


def _competence_out(c: Competence) -> dict:
    return {"id": c.id, "code": c.code, "name": c.name, "category": c.category, "description": c.description,
            "evidence": {r.kind: r.validity_months for r in c.requirements.all()},
            "practice": ({"count": c.practice_count, "months": c.practice_months,
                          "verified_only": c.practice_verified_only} if c.practice_count else None),
            "warning_days": c.warning_days, "authorised_professions": list(c.authorised_professions),
            "is_active": c.is_active}


class CompetenceOutSerializer(CompetenceSerializer):
    def to_representation(self, instance):
        return _competence_out(instance)


class CompetenceViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The competence catalogue. Everyone reads; the tenant administrator writes."""

    serializer_class = CompetenceOutSerializer
    filterset_fields = ["category", "code", "is_active"]
    lookup_field = "code"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.competences_catalogue()

    @extend_schema(request=CompetenceSerializer, responses={201: CompetenceOutSerializer})
    def create(self, request, *args, **kwargs):
        s = CompetenceSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = dict(s.validated_data)
        c = services.competence_create(by=request.user, **v)
        return Response(_competence_out(c), status=201)

    @extend_schema(request=CompetenceSerializer, responses={200: CompetenceOutSerializer})
    def partial_update(self, request, *args, **kwargs):
        competence = self.get_object()
        s = CompetenceSerializer(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        v = {k: val for k, val in s.validated_data.items() if k != "code"}
        job = services.competence_update(competence=competence, by=request.user,
                                         reason=str(request.data.get("reason", "")), **v)
        competence.refresh_from_db()
        return Response({**_competence_out(competence), **_job_ref(job)})

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


# --- profiles and links -----------------------------------------------------------------------

class ProfileSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="department | function")
    competences = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)

    class Meta:
        model = Profile
        fields = ["id", "name", "kind", "org_unit", "org_unit_name", "description", "competences"]
        read_only_fields = fields


class ProfileWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.CharField(default=Profile.Kind.DEPARTMENT, help_text="department | function")
    org_unit = serializers.IntegerField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    competences = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class ProfileUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    competences = serializers.ListField(child=serializers.CharField(), required=False)
    add = serializers.ListField(child=serializers.CharField(), required=False)
    remove = serializers.ListField(child=serializers.CharField(), required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def profiles_visible_to(user):
    qs = Profile.objects.select_related("org_unit").prefetch_related("competences")
    if is_tenant_admin(user):
        return qs
    return qs.filter(org_unit_id__in=unit_ids_managed_by(user))


class ProfileViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Department and function profiles. Managers create and edit the profiles of the units
    they manage; changing one recomputes everyone linked (a job for many people)."""

    serializer_class = ProfileSerializer
    filterset_fields = ["kind", "org_unit"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return profiles_visible_to(self.request.user).order_by("name")

    @extend_schema(request=ProfileWriteSerializer, responses={201: ProfileSerializer})
    def create(self, request, *args, **kwargs):
        s = ProfileWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = s.validated_data
        profile = services.profile_create(name=v["name"], kind=v["kind"], org_unit=v["org_unit"],
                                          description=v["description"], competence_codes=v["competences"],
                                          by=request.user)
        return Response(ProfileSerializer(profile).data, status=201)

    @extend_schema(request=ProfileUpdateSerializer, responses={200: ProfileSerializer})
    def partial_update(self, request, *args, **kwargs):
        profile = self.get_object()
        s = ProfileUpdateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = s.validated_data
        codes = v.get("competences")
        if codes is None and ("add" in v or "remove" in v):
            current = list(profile.competences.values_list("code", flat=True))
            services._competences(v.get("add", []) + v.get("remove", []))
            codes = [c for c in current if c not in set(v.get("remove", []))]
            codes += [c for c in v.get("add", []) if c not in codes]
        job = services.profile_update(profile=profile, by=request.user, name=v.get("name"),
                                      description=v.get("description"), competence_codes=codes, reason=v["reason"])
        profile = profiles_visible_to(request.user).get(pk=profile.pk)
        return Response({**ProfileSerializer(profile).data, **_job_ref(job)})

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


class ProfileLinkSerializer(serializers.ModelSerializer):
    profile_name = serializers.CharField(source="profile.name", read_only=True)

    class Meta:
        model = ProfileLink
        fields = ["id", "profile", "profile_name", "person", "org_unit", "valid_from", "valid_until", "created_at"]
        read_only_fields = fields


class ProfileLinkWriteSerializer(serializers.Serializer):
    profile = serializers.IntegerField()
    person = serializers.IntegerField(required=False, allow_null=True)
    org_unit = serializers.IntegerField(required=False, allow_null=True)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class EndLinkSerializer(serializers.Serializer):
    valid_until = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ProfileLinkViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Links of profiles to people or to whole org units (from/until)."""

    serializer_class = ProfileLinkSerializer
    filterset_fields = ["profile", "person", "org_unit"]

    def get_queryset(self):
        user = self.request.user
        qs = ProfileLink.objects.select_related("profile").order_by("id")
        if is_tenant_admin(user):
            return qs
        managed = unit_ids_managed_by(user)
        return qs.filter(Q(profile__org_unit_id__in=managed) | Q(org_unit_id__in=managed)
                         | Q(person__in=_visible_person_ids(user)))

    @extend_schema(request=ProfileLinkWriteSerializer,
                   responses={201: inline_serializer("ProfileLinkCreated", {
                       "link": ProfileLinkSerializer(), "job": serializers.UUIDField(allow_null=True)})})
    def create(self, request, *args, **kwargs):
        s = ProfileLinkWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = s.validated_data
        result = services.profile_link_create(
            profile=v["profile"], person=v.get("person"), org_unit=v.get("org_unit"),
            valid_from=v.get("valid_from"), valid_until=v.get("valid_until"), reason=v["reason"], by=request.user)
        return Response({"link": ProfileLinkSerializer(result.link).data, **_job_ref(result.job)}, status=201)

    @extend_schema(request=EndLinkSerializer, responses={200: ProfileLinkSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        link = self.get_object()
        s = EndLinkSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        result = services.profile_link_end(link=link, by=request.user, **s.validated_data)
        return Response({**ProfileLinkSerializer(result.link).data, **_job_ref(result.job)})


# --- facts ----------------------------------------------------------------------------------

class EvidenceSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="theory | practical | elearning | certificate")
    competence = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Evidence
        fields = ["id", "person", "competence", "kind", "achieved_on", "passed", "assessor", "valid_until", "file",
                  "note", "recorded_by", "recorded_at"]
        read_only_fields = fields


class EvidenceWriteSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    competence = serializers.CharField(max_length=40)
    kind = serializers.CharField(help_text="theory | practical | elearning | certificate")
    achieved_on = serializers.DateField()
    passed = serializers.BooleanField(default=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    file = serializers.FileField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class FactFilterMixin:
    filterset_fields = ["person", "competence__code"]

    def get_queryset(self):
        user = self.request.user
        qs = self.model.objects.select_related("competence").order_by("-id")
        if is_tenant_admin(user):
            return qs
        return qs.filter(person__in=_visible_person_ids(user))


class EvidenceViewSet(FactFilterMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
                      viewsets.ReadOnlyModelViewSet):
    """Evidence (theory, practical assessment, e-learning, certificate). Assessors, managers of
    the person and the tenant administrator record it; deleting needs a reason (audited)."""

    model = Evidence
    serializer_class = EvidenceSerializer
    filterset_fields = ["person", "competence__code", "kind", "passed"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=EvidenceWriteSerializer, responses={201: EvidenceSerializer})
    def create(self, request, *args, **kwargs):
        s = EvidenceWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        e = services.evidence_record(by=request.user, **s.validated_data)
        return Response(EvidenceSerializer(e).data, status=201)

    @extend_schema(parameters=[OpenApiParameter("reason", str, required=True)], responses={204: None})
    def destroy(self, request, *args, **kwargs):
        e = self.get_object()
        services.evidence_delete(evidence=e, by=request.user,
                                 reason=request.query_params.get("reason") or request.data.get("reason", ""))
        return Response(status=204)


class PracticeSerializer(serializers.ModelSerializer):
    competence = serializers.SlugRelatedField(slug_field="code", read_only=True)
    verified = serializers.SerializerMethodField()

    class Meta:
        model = PracticeRecord
        fields = ["id", "person", "competence", "performed_on", "count", "note", "verified", "verified_by",
                  "verified_at", "rejected", "created_at"]
        read_only_fields = fields

    def get_verified(self, obj) -> bool:
        return obj.verified_at is not None


class PracticeWriteSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    competence = serializers.CharField(max_length=40)
    performed_on = serializers.DateField()
    count = serializers.IntegerField(min_value=1, default=1)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    verified = serializers.BooleanField(default=False)


class VerifySerializer(serializers.Serializer):
    reject = serializers.BooleanField(default=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PracticeViewSet(FactFilterMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Practice records: employees log their own; managers and assessors verify."""

    model = PracticeRecord
    serializer_class = PracticeSerializer
    filterset_fields = ["person", "competence__code", "rejected"]

    @extend_schema(request=PracticeWriteSerializer, responses={201: PracticeSerializer})
    def create(self, request, *args, **kwargs):
        s = PracticeWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        r = services.practice_record_create(by=request.user, **s.validated_data)
        return Response(PracticeSerializer(r).data, status=201)

    @extend_schema(request=VerifySerializer, responses={200: PracticeSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        record = self.get_object()
        s = VerifySerializer(data=request.data)
        s.is_valid(raise_exception=True)
        r = services.practice_record_verify(record=record, by=request.user, **s.validated_data)
        return Response(PracticeSerializer(r).data)


class PeriodMarkWriteSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    competence = serializers.CharField(max_length=40)
    start = serializers.DateField(required=False, allow_null=True)
    until = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(allow_blank=True)


class EndMarkSerializer(serializers.Serializer):
    until = serializers.DateField()
    reason = serializers.CharField(allow_blank=True)


def _mark_serializer(model_cls):
    class MarkSerializer(serializers.ModelSerializer):
        competence = serializers.SlugRelatedField(slug_field="code", read_only=True)

        class Meta:
            model = model_cls
            fields = ["id", "person", "competence", "start", "until", "reason", "by", "created_at"]
            read_only_fields = fields

    MarkSerializer.__name__ = f"{model_cls.__name__}Serializer"
    return MarkSerializer


class _MarkViewSet(FactFilterMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    create_service = None
    end_service = None
    end_kwarg = ""

    def create(self, request, *args, **kwargs):
        s = PeriodMarkWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        mark = type(self).create_service(by=request.user, **s.validated_data)
        return Response(self.serializer_class(mark).data, status=201)

    def end(self, request, pk=None):
        mark = self.get_object()
        s = EndMarkSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        mark = type(self).end_service(by=request.user, **{self.end_kwarg: mark}, **s.validated_data)
        return Response(self.serializer_class(mark).data)


def _mark_viewset(model_cls, create_service, end_service, end_kwarg, doc):
    ser = _mark_serializer(model_cls)

    class ViewSet(_MarkViewSet):
        __doc__ = doc
        model = model_cls
        serializer_class = ser

        @extend_schema(request=PeriodMarkWriteSerializer, responses={201: ser})
        def create(self, request, *args, **kwargs):
            return super().create(request, *args, **kwargs)

        @extend_schema(request=EndMarkSerializer, responses={200: ser})
        @action(detail=True, methods=["post"])
        def end(self, request, pk=None):
            return super().end(request, pk)

    ViewSet.create_service = staticmethod(create_service)
    ViewSet.end_service = staticmethod(end_service)
    ViewSet.end_kwarg = end_kwarg
    ViewSet.__name__ = f"{model_cls.__name__}ViewSet"
    return ViewSet


ExemptionViewSet = _mark_viewset(
    Exemption, services.exemption_grant, services.exemption_end, "exemption",
    "Exemptions (vrijstellingen): only a manager of the person's unit or the tenant administrator, with a reason.")
NotApplicableViewSet = _mark_viewset(
    NotApplicable, services.not_applicable_mark, services.not_applicable_end, "mark",
    "Not-applicable marks: only a manager of the person's unit or the tenant administrator, with a reason.")
RevocationViewSet = _mark_viewset(
    Revocation, services.revocation_record, services.revocation_end, "revocation",
    "Revocations: a competence withdrawn temporarily (until) or for good, with a reason.")


class OrderSerializer(serializers.ModelSerializer):
    competence = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Order
        fields = ["id", "person", "competence", "given_by", "description", "start", "until", "by", "created_at"]
        read_only_fields = fields


class OrderWriteSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    competence = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    given_by = serializers.CharField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    start = serializers.DateField()
    until = serializers.DateField(required=False, allow_null=True)


class OrderViewSet(FactFilterMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Orders (opdrachten) that make a person authorised (bevoegd) for a procedure."""

    model = Order
    serializer_class = OrderSerializer

    def get_queryset(self):
        return super().get_queryset().select_related(None)

    @extend_schema(request=OrderWriteSerializer, responses={201: OrderSerializer})
    def create(self, request, *args, **kwargs):
        s = OrderWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = dict(s.validated_data)
        v["competence"] = v.get("competence") or None
        return Response(OrderSerializer(services.order_record(by=request.user, **v)).data, status=201)


# --- passport -------------------------------------------------------------------------------

class GroundSerializer(serializers.Serializer):
    code = serializers.CharField()
    params = serializers.DictField()
    text = serializers.CharField()


class PassportEntrySerializer(serializers.Serializer):
    competence = serializers.CharField()
    name = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    status = serializers.CharField()
    valid_until = serializers.DateField(allow_null=True)
    next_change = serializers.DateField(allow_null=True)
    grounds = GroundSerializer(many=True)
    authorised = serializers.BooleanField()
    authorisation_grounds = GroundSerializer(many=True)
    rules_version = serializers.CharField()
    next_steps = serializers.ListField(child=serializers.CharField())


class PassportSerializer(serializers.Serializer):
    person = serializers.SerializerMethodField()
    as_of = serializers.DateField()
    source = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    statuses = PassportEntrySerializer(source="entries", many=True)

    def get_person(self, obj) -> dict:
        p = obj.person
        return {"id": p.id, "personnel_number": p.personnel_number, "name": p.full_name,
                "org_unit": p.org_unit.name if p.org_unit_id and p.org_unit else None}


def _as_of(request) -> date | None:
    raw = request.query_params.get("as_of")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise serializers.ValidationError({"as_of": ["Geef een geldige datum (JJJJ-MM-DD)."]})


AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE, description="The passport as it was (or will be) on this day.")


class PassportDetailApi(APIView):
    """A person's passport: statuses with grounds and authorisation, as of a date."""

    serializer_class = PassportSerializer

    @extend_schema(parameters=[AS_OF], responses=PassportSerializer)
    def get(self, request, person_id: int):
        person = people_visible_to(request.user).filter(pk=person_id).first()
        if person is None:
            raise Http404
        if not can_view_person(request.user, person):
            raise PermissionDenied("Je mag dit paspoort niet inzien.")
        return Response(PassportSerializer(selectors.passport_for(person, _as_of(request))).data)


class MyPassportApi(APIView):
    """The signed-in employee's own passport."""

    serializer_class = PassportSerializer

    @extend_schema(parameters=[AS_OF], responses=PassportSerializer)
    def get(self, request):
        person = person_for_user(request.user)
        if person is None:
            raise Http404("Er is geen medewerker gekoppeld aan deze gebruiker.")
        return Response(PassportSerializer(selectors.passport_for(person, _as_of(request))).data)


# --- what-if ----------------------------------------------------------------------------------

class WhatIfCompetenceSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(choices=Category.choices, default="other")
    evidence = serializers.DictField(child=serializers.IntegerField(min_value=1))
    practice = PracticeRequirementSerializer(required=False, allow_null=True)
    warning_days = serializers.IntegerField(min_value=0, required=False, allow_null=True)

    def validate_evidence(self, value):
        bad = [k for k in value if k not in rules.KIND_NAMES]
        if bad:
            raise serializers.ValidationError(f"Onbekende soort bewijs: {', '.join(bad)}.")
        return value


class WhatIfEvidenceSerializer(serializers.Serializer):
    competence = serializers.CharField()
    kind = serializers.CharField(help_text="theory | practical | elearning | certificate")
    date = serializers.DateField()

    def validate_kind(self, value):
        if value not in rules.KIND_NAMES:
            raise serializers.ValidationError(f"Kies uit: {', '.join(rules.KIND_NAMES)}.")
        return value
    passed = serializers.BooleanField(default=True)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)


class WhatIfPracticeSerializer(serializers.Serializer):
    competence = serializers.CharField()
    date = serializers.DateField()
    count = serializers.IntegerField(min_value=1, default=1)
    verified = serializers.BooleanField(default=False)


class WhatIfPeriodSerializer(serializers.Serializer):
    competence = serializers.CharField()
    vars()["from"] = serializers.DateField()
    until = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs.get("until") is not None and attrs["until"] < attrs["from"]:
            raise serializers.ValidationError({"until": ["De einddatum ligt vóór de begindatum."]})
        return attrs


class WhatIfEnrolmentSerializer(serializers.Serializer):
    competence = serializers.CharField()
    session_date = serializers.DateField()
    course = serializers.CharField(required=False, allow_blank=True, default="")


class WhatIfRequestSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    competences = WhatIfCompetenceSerializer(many=True, allow_empty=False)
    required = serializers.ListField(child=serializers.CharField(), allow_empty=True)
    evidence = WhatIfEvidenceSerializer(many=True, required=False, default=list)
    practice = WhatIfPracticeSerializer(many=True, required=False, default=list)
    exemptions = WhatIfPeriodSerializer(many=True, required=False, default=list)
    not_applicable = WhatIfPeriodSerializer(many=True, required=False, default=list)
    revocations = WhatIfPeriodSerializer(many=True, required=False, default=list)
    enrolments = WhatIfEnrolmentSerializer(many=True, required=False, default=list)

    def validate(self, attrs):
        codes = [c["code"] for c in attrs["competences"]]
        errors: dict = {}
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            errors["competences"] = [f"Dubbele code: {', '.join(dupes)}."]
        known = set(codes)
        unknown = [c for c in attrs["required"] if c not in known]
        if unknown:
            errors["required"] = [f"Onbekende bekwaamheid: {', '.join(unknown)}."]
        for name in ("evidence", "practice", "exemptions", "not_applicable", "revocations", "enrolments"):
            items = attrs.get(name) or []
            item_errors = [{"competence": [f"Onbekende bekwaamheid: '{i['competence']}'."]}
                           if i["competence"] not in known else {} for i in items]
            if any(item_errors):
                errors[name] = item_errors
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class WhatIfResponseSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    rules_version = serializers.CharField()
    decisions = inline_serializer("WhatIfDecision", {
        "competence": serializers.CharField(), "status": serializers.CharField(),
        "valid_until": serializers.DateField(allow_null=True), "next_change": serializers.DateField(allow_null=True),
        "grounds": GroundSerializer(many=True), "authorised": serializers.BooleanField(),
        "authorisation_grounds": GroundSerializer(many=True), "rules_version": serializers.CharField()},
        many=True)


def what_if_decide(data: dict) -> dict:
    """Posted facts (validated) -> the documented response; the same rules.decide as stored
    statuses, with this tenant's active rule set. Nothing is written."""
    specs = {}
    for c in data["competences"]:
        p = c.get("practice")
        specs[c["code"]] = rules.CompetenceSpec(
            code=c["code"], name=c.get("name") or c["code"], evidence=dict(c["evidence"]),
            practice=rules.PracticeRequirement(p["count"], p["months"], p.get("verified_only", False)) if p else None,
            warning_days=c.get("warning_days"), category=c.get("category", "other"))

    def period(items):
        return tuple(rules.PeriodFact(i["competence"], i["from"], i.get("until"), i.get("reason", ""))
                     for i in items)

    facts = rules.PersonFacts(
        requirements=tuple(rules.Requirement(code) for code in data["required"]),
        evidence=tuple(rules.EvidenceFact(e["competence"], e["kind"], e["date"], e["passed"], e.get("valid_until"))
                       for e in data["evidence"]),
        practice=tuple(rules.PracticeFact(p["competence"], p["date"], p["count"], p["verified"])
                       for p in data["practice"]),
        exemptions=period(data["exemptions"]), not_applicable=period(data["not_applicable"]),
        revocations=period(data["revocations"]),
        enrolments=tuple(rules.EnrolmentFact(e["competence"], e.get("course", ""), e["session_date"])
                         for e in data["enrolments"]))
    rule_set = active_rule_set()
    decisions = rules.decide(facts, specs, data["as_of"], rule_set)
    return {"as_of": data["as_of"].isoformat(), "rules_version": rule_set.version,
            "decisions": [d.to_dict() for d in decisions]}


class PassportWhatIfApi(APIView):
    """Care what-if (WHAT-IF-API.md): the status these posted facts would get. Tenant
    administrators only; nothing is written."""

    serializer_class = WhatIfRequestSerializer

    @extend_schema(request=WhatIfRequestSerializer, responses=WhatIfResponseSerializer)
    def post(self, request):
        if not is_tenant_admin(request.user):
            raise PermissionDenied("Alleen de functioneel beheerder.")
        s = WhatIfRequestSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return Response(what_if_decide(s.validated_data))


# --- team overview and statuses -------------------------------------------------------------

TEAM_PARAMS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=list(rules.STATUSES)),
    OpenApiParameter("expires_within", OpenApiTypes.INT, description="Held now and valid until within N days."),
    OpenApiParameter("org_unit", OpenApiTypes.INT),
]


class TeamOverviewQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=list(rules.STATUSES), required=False)
    expires_within = serializers.IntegerField(min_value=0, required=False)
    org_unit = serializers.IntegerField(required=False)


def team_overview_for_request(request):
    if not (is_tenant_admin(request.user) or request.user.has_role("manager")
            or unit_ids_managed_by(request.user)):
        raise PermissionDenied("Alleen leidinggevenden en de functioneel beheerder.")
    q = TeamOverviewQuerySerializer(data=request.query_params)
    q.is_valid(raise_exception=True)
    v = q.validated_data
    if "org_unit" in v and not OrgUnit.objects.filter(pk=v["org_unit"]).exists():
        raise serializers.ValidationError({"org_unit": ["Onbekende organisatie-eenheid."]})
    return selectors.team_overview(request.user, org_unit=v.get("org_unit"), status=v.get("status"),
                                   expires_within=v.get("expires_within"))


class TeamOverviewSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    counts = serializers.DictField(child=serializers.IntegerField())
    competences = serializers.ListField(child=serializers.DictField())
    people = serializers.SerializerMethodField()

    def get_people(self, obj) -> list[dict]:
        return [{"id": r.person_id, "name": r.name, "personnel_number": r.personnel_number, "org_unit": r.org_unit,
                 "statuses": {code: {"status": c["status"],
                                     "valid_until": c["valid_until"].isoformat() if c["valid_until"] else None,
                                     "authorised": c["authorised"]} for code, c in r.cells.items()}}
                for r in obj.rows]


class TeamOverviewApi(APIView):
    """A manager's team overview: people x competences with status, counts per status."""

    serializer_class = TeamOverviewSerializer

    @extend_schema(parameters=TEAM_PARAMS, responses=TeamOverviewSerializer)
    def get(self, request):
        return Response(TeamOverviewSerializer(team_overview_for_request(request)).data)


class TeamOverviewExportApi(APIView):
    """The team overview as CSV or XLSX (same filters)."""

    serializer_class = TeamOverviewQuerySerializer
    fmt = "csv"

    @extend_schema(parameters=TEAM_PARAMS, responses={(200, "text/csv"): OpenApiTypes.STR,
                                                      (200, "application/vnd.openxmlformats-officedocument"
                                                            ".spreadsheetml.sheet"): OpenApiTypes.BINARY})
    def get(self, request):
        overview = team_overview_for_request(request)
        header, rows = selectors.team_overview_table(overview)
        name = f"teamoverzicht-{overview.as_of.isoformat()}"
        if self.fmt == "csv":
            buf = io.StringIO()
            writer = csv.writer(buf, delimiter=";")
            writer.writerow(header)
            writer.writerows(rows)
            response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        from openpyxl import Workbook
        from openpyxl.styles import Font, PatternFill

        fills = {"competent": "1E7B34", "expiring": "B26A00", "expired": "B3261E", "revoked": "B3261E",
                 "in_progress": "1F5FA8", "missing": "8A1C1C", "exempt": "6D28D9", "not_applicable": "6B7280"}
        wb = Workbook()
        ws = wb.active
        ws.title = "Teamoverzicht"
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if cell.value in fills:
                    cell.fill = PatternFill("solid", fgColor=fills[cell.value])
                    cell.font = Font(color="FFFFFF")
        counts = wb.create_sheet("Aantallen")
        counts.append(["status", "aantal"])
        for k, n in overview.counts.items():
            counts.append([k, n])
        buf = io.BytesIO()
        wb.save(buf)
        response = HttpResponse(buf.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response


class StatusSerializer(serializers.ModelSerializer):
    competence = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = CompetenceStatus
        fields = ["id", "person", "competence", "status", "valid_until", "next_change", "grounds", "authorised",
                  "rules_version", "decided_for"]
        read_only_fields = fields


class LargePagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 10000


class StatusListApi(generics.ListAPIView):
    """Stored statuses (plain list, for integrations): filter by person, competence, status."""

    serializer_class = StatusSerializer
    pagination_class = LargePagination
    filterset_fields = ["person", "competence__code", "status"]

    def get_queryset(self):
        user = self.request.user
        qs = CompetenceStatus.objects.select_related("competence").order_by("person_id", "competence_id")
        if is_tenant_admin(user):
            return qs
        return qs.filter(person__in=_visible_person_ids(user))
