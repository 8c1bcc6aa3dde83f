"""The funding API under /api/v1/funding/: thin views over services and selectors.

Student administration and tenant administrators may use it; the what-if endpoint needs the
tenant-administrator role (WHAT-IF-API.md). Bad input is a 400 with field messages.
"""
from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.funding import imports, selectors, services
from apps.funding.models import Diploma, Enrolment, FundingDecision, FundingYear, Participant, SubjectResult
from apps.funding.what_if import what_if

FUNDING_ROLES = ("student_admin", "tenant_admin")


class IsFundingStaff(BasePermission):
    """Student administration and tenant administrators; care-only roles are refused."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(*FUNDING_ROLES)))


class IsTenantAdmin(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_role("tenant_admin"))


class FundingApi(APIView):
    permission_classes = [IsAuthenticated, IsFundingStaff]


def _int_param(request, name: str, *, required: bool = False, default=None):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        if required:
            raise ValidationError({name: _("Dit veld is verplicht.")})
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({name: _("Verwacht een geheel getal.")}) from None


def _choice_param(request, name: str, choices, default=None):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    if raw not in choices:
        raise ValidationError({name: _("Onbekende waarde %(value)s; kies uit %(choices)s.") % {
            "value": raw, "choices": ", ".join(choices)}})
    return raw


def _year_param(request):
    year = _int_param(request, "year")
    if year is not None:
        return services.funding_year_checked(year)
    if year is None:
        year = selectors.default_funding_year()
        if year is None:
            raise ValidationError({"year": _("Er zijn nog geen bekostigingsjaren; geef een jaar op.")})
    return year


# --------------------------------------------------------------------------- facts (CRUD)


class ParticipantSerializer(serializers.ModelSerializer):
    # Identifiers are compacted and checked by the service (spaces and dots allowed on input).
    bsn = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=20)
    onderwijsnummer = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=20)
    external_id = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)

    class Meta:
        model = Participant
        fields = ["id", "external_id", "bsn", "onderwijsnummer", "first_name", "prefix", "last_name", "birth_date",
                  "resident_in_nl", "nationality_dutch", "lawful_residence", "continuing_course"]


class EnrolmentSerializer(serializers.ModelSerializer):
    participant = serializers.PrimaryKeyRelatedField(queryset=Participant.objects.all())
    external_id = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)

    class Meta:
        model = Enrolment
        fields = ["id", "external_id", "participant", "track", "start", "planned_end", "actual_end",
                  "placed_by_vo_school", "attending", "marked_not_funded", "registered_on"]



class SubjectResultSerializer(serializers.ModelSerializer):
    enrolment = serializers.PrimaryKeyRelatedField(queryset=Enrolment.objects.all())

    class Meta:
        model = SubjectResult
        fields = ["id", "enrolment", "subject", "status", "final_grade", "completed_on"]
        validators = []  # (enrolment, subject) uniqueness is the service's, with a field message



class DiplomaSerializer(serializers.ModelSerializer):
    enrolment = serializers.PrimaryKeyRelatedField(queryset=Enrolment.objects.all())

    class Meta:
        model = Diploma
        fields = ["id", "enrolment", "exam_result", "issued_on"]
        validators = []



class FactViewSet(viewsets.ModelViewSet):
    """CRUD where every write goes through the app's services (validate, audit, recompute)."""

    permission_classes = [IsAuthenticated, IsFundingStaff]
    create_service = update_service = delete_service = None
    instance_arg = ""

    def perform_create(self, serializer):
        serializer.instance = type(self).create_service(data=dict(serializer.validated_data), by=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = type(self).update_service(
            **{self.instance_arg: serializer.instance}, data=dict(serializer.validated_data), by=self.request.user)

    def perform_destroy(self, instance):
        type(self).delete_service(**{self.instance_arg: instance}, by=self.request.user)


class ParticipantViewSet(FactViewSet):
    serializer_class = ParticipantSerializer
    queryset = Participant.objects.order_by("id")
    filterset_fields = ["external_id", "bsn", "onderwijsnummer"]
    create_service = staticmethod(services.participant_create)
    update_service = staticmethod(services.participant_update)
    delete_service = staticmethod(services.participant_delete)
    instance_arg = "participant"


class EnrolmentViewSet(FactViewSet):
    serializer_class = EnrolmentSerializer
    queryset = Enrolment.objects.order_by("id")
    filterset_fields = ["external_id", "participant", "track"]
    create_service = staticmethod(services.enrolment_create)
    update_service = staticmethod(services.enrolment_update)
    delete_service = staticmethod(services.enrolment_delete)
    instance_arg = "enrolment"


class SubjectResultViewSet(FactViewSet):
    serializer_class = SubjectResultSerializer
    queryset = SubjectResult.objects.order_by("id")
    filterset_fields = ["enrolment", "status"]
    create_service = staticmethod(services.subject_result_create)
    update_service = staticmethod(services.subject_result_update)
    delete_service = staticmethod(services.subject_result_delete)
    instance_arg = "subject_result"


class DiplomaViewSet(FactViewSet):
    serializer_class = DiplomaSerializer
    queryset = Diploma.objects.order_by("id")
    filterset_fields = ["enrolment", "exam_result"]
    create_service = staticmethod(services.diploma_create)
    update_service = staticmethod(services.diploma_update)
    delete_service = staticmethod(services.diploma_delete)
    instance_arg = "diploma"


# --------------------------------------------------------------------------- decisions and overview


class FundingDecisionSerializer(serializers.ModelSerializer):
    object = serializers.CharField(source="object_type")

    class Meta:
        model = FundingDecision
        fields = ["id", "kind", "funding_year", "count_date", "exam_year", "object", "object_id", "object_label",
                  "participant_id", "participant_label", "track", "status", "codes", "grounds", "rules_version",
                  "computed_at"]


class FundingDecisionListApi(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Decisions, filtered by kind, funding_year, status, signal, object, object_id, participant, track."""

    permission_classes = [IsAuthenticated, IsFundingStaff]
    serializer_class = FundingDecisionSerializer
    filter_backends: list = []

    def get_queryset(self):
        from apps.funding import rules

        request = self.request
        signal = request.query_params.get("signal") or None
        if signal and signal not in rules.SIGNALS:
            raise ValidationError({"signal": _("Onbekende signaalcode %(code)s.") % {"code": signal}})
        return selectors.decisions_for(
            kind=_choice_param(request, "kind", FundingDecision.Kind.values),
            funding_year=_int_param(request, "funding_year"),
            status=_choice_param(request, "status", FundingDecision.Status.values),
            signal=signal,
            object_type=_choice_param(request, "object", FundingDecision.ObjectType.values),
            object_id=_int_param(request, "object_id"),
            participant_id=_int_param(request, "participant"),
            track=_choice_param(request, "track", ("vwo", "havo", "vmbo-t")),
        )


def _jsonable_overview(overview: dict) -> dict:
    out = dict(overview)
    out["count_date"] = overview["count_date"].isoformat()
    for key in ("national_weighted", "national_budget", "estimated_share"):
        out[key] = None if overview[key] is None else str(overview[key])
    out["finalised_at"] = overview["finalised_at"].isoformat() if overview["finalised_at"] else None
    return out


class FundingOverviewApi(FundingApi):
    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        year = _year_param(request)
        kind = _choice_param(request, "kind", FundingDecision.Kind.values, FundingDecision.Kind.PROVISIONAL)
        return Response(_jsonable_overview(selectors.funding_overview(year=year, kind=kind)))


class FundingDifferencesApi(FundingApi):
    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        year = _year_param(request)
        return Response({"year": year, "differences": selectors.decision_differences(year=year)})


class FundingYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingYear
        fields = ["year", "national_weighted", "national_budget", "finalised_at", "finalised_by_label"]
        read_only_fields = ["finalised_at", "finalised_by_label"]
        extra_kwargs = {"year": {"validators": []}}


class FundingYearListApi(FundingApi):
    """GET: every funding year; POST: enter (or correct) a year's national figures."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        known = {fy.year: fy for fy in FundingYear.objects.all()}
        years = selectors.funding_years()
        return Response([FundingYearSerializer(known.get(y) or FundingYear(year=y)).data for y in years])

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        serializer = FundingYearSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        funding_year = services.funding_year_set_figures(
            year=data["year"], national_weighted=data.get("national_weighted"),
            national_budget=data.get("national_budget"), by=request.user)
        return Response(FundingYearSerializer(funding_year).data, status=status.HTTP_200_OK)


class FundingYearFinaliseApi(FundingApi):
    """The final determination of a funding year: freezes its decisions (once)."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request, year: int):
        funding_year = services.funding_year_finalise(year=year, by=request.user)
        finals = FundingDecision.objects.filter(kind="final", funding_year=year).count()
        return Response({**FundingYearSerializer(funding_year).data, "decisions": finals},
                        status=status.HTTP_201_CREATED)


class FundingRecomputeApi(FundingApi):
    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        job = services.decisions_recompute_start(by=request.user)
        return Response({"job": str(job.pk)}, status=status.HTTP_202_ACCEPTED)


class FundingImportApi(FundingApi):
    """Upload a CSV (field ``file``); the import runs in Celery: follow ``/api/v1/jobs/<job>/``."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": _("Kies een CSV-bestand.")})
        stored, job = imports.import_upload(filename=upload.name, raw=upload.read(), by=request.user)
        return Response({"job": str(job.pk), "import": stored.pk, "rows": job.total},
                        status=status.HTTP_202_ACCEPTED)


def csv_response(rows, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class FundingExportDetailApi(FundingApi):
    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        year = _year_param(request)
        kind = _choice_param(request, "kind", FundingDecision.Kind.values, "provisional")
        return csv_response(selectors.export_detail_rows(year=year, kind=kind),
                            f"bekostiging-{year}-{kind}-detail.csv")


class FundingExportSummaryApi(FundingApi):
    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        year = _year_param(request)
        kind = _choice_param(request, "kind", FundingDecision.Kind.values, "provisional")
        return csv_response(selectors.export_summary_rows(year=year, kind=kind),
                            f"bekostiging-{year}-{kind}-samenvatting.csv")


class FundingWhatIfApi(APIView):
    """POST /api/v1/funding/what-if/ exactly as WHAT-IF-API.md; nothing is written."""

    permission_classes = [IsAuthenticated, IsTenantAdmin]
    parser_classes = [JSONParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        return Response(what_if(request.data))
