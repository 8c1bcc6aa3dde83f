"""API of the organisation: org units, people, HR import. Thin: parse, call, render."""
from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.organisation import services
from apps.organisation.models import OrgUnit, Person, Profession
from apps.organisation.selectors import is_tenant_admin, org_units_visible_to, people_visible_to


class OrgUnitSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="department | team")
    parent_code = serializers.CharField(source="parent.code", read_only=True, allow_null=True)
    manager_ids = serializers.PrimaryKeyRelatedField(source="managers", many=True, read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "kind", "parent", "parent_code", "manager_ids", "is_active"]
        read_only_fields = ["id", "parent", "is_active"]


class OrgUnitWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=200)
    kind = serializers.CharField(default=OrgUnit.Kind.DEPARTMENT, help_text="department | team")
    parent_code = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class OrgUnitViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Org units (tree). Managers see the units they manage and those below; the tenant
    administrator sees and edits all (create = upsert by code)."""

    serializer_class = OrgUnitSerializer
    filterset_fields = ["kind", "parent", "code"]

    def get_queryset(self):
        return org_units_visible_to(self.request.user).prefetch_related("managers").order_by("name")

    @extend_schema(request=OrgUnitWriteSerializer, responses={201: OrgUnitSerializer})
    def create(self, request, *args, **kwargs):
        data = OrgUnitWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit, created = services.org_unit_upsert(
            code=data.validated_data["code"], name=data.validated_data["name"], kind=data.validated_data["kind"],
            parent=data.validated_data.get("parent_code") or None, by=request.user)
        return Response(OrgUnitSerializer(unit).data, status=201 if created else 200)


class PersonSerializer(serializers.ModelSerializer):
    org_unit_code = serializers.CharField(source="org_unit.code", read_only=True, allow_null=True)
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Person
        fields = ["id", "personnel_number", "first_name", "last_name", "full_name", "email", "user", "org_unit",
                  "org_unit_code", "function", "employment_start", "employment_end", "is_active",
                  "registration_number", "profession"]
        read_only_fields = fields


class PersonWriteSerializer(serializers.Serializer):
    personnel_number = serializers.CharField(max_length=40)
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    org_unit_code = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    function = serializers.CharField(required=False, allow_blank=True, default="")
    employment_start = serializers.DateField(required=False, allow_null=True)
    employment_end = serializers.DateField(required=False, allow_null=True)
    registration_number = serializers.CharField(required=False, allow_blank=True, default="")
    profession = serializers.ChoiceField(choices=Profession.choices, required=False, allow_blank=True, default="")


class PersonViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """People. An employee sees themselves, a manager their units (and below), assessors and
    the tenant administrator everyone. Create = upsert by personnel number (admin)."""

    serializer_class = PersonSerializer
    filterset_fields = ["org_unit", "is_active", "personnel_number", "profession"]

    def get_queryset(self):
        return people_visible_to(self.request.user).order_by("last_name", "first_name", "id")

    @extend_schema(request=PersonWriteSerializer, responses={201: PersonSerializer})
    def create(self, request, *args, **kwargs):
        data = PersonWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v["org_unit"] = v.pop("org_unit_code", None) or None
        person, created = services.person_upsert(by=request.user, **v)
        return Response(PersonSerializer(person).data, status=201 if created else 200)


class HrImportApi(APIView):
    """Upload an HR CSV (apps/organisation/IMPORT.md); the import runs as a job: follow it at
    /api/v1/jobs/<id>/ (progress, row errors with line numbers, totals)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]
    serializer_class = inline_serializer("HrImportRequest", {
        "file": serializers.FileField(), "deactivate_missing": serializers.BooleanField(required=False)})

    @extend_schema(request={"multipart/form-data": serializer_class},
                   responses={202: inline_serializer("HrImportStarted", {"job": serializers.UUIDField(),
                                                                         "url": serializers.CharField()})})
    def post(self, request):
        if not is_tenant_admin(request.user):
            raise PermissionDenied("Alleen de functioneel beheerder.")
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": ["Kies een CSV-bestand."]})
        raw = upload.read()
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            content = raw.decode("cp1252")
        deactivate = str(request.data.get("deactivate_missing", "")).lower() in ("1", "true", "on", "yes")
        job = services.hr_import_start(content=content, by=request.user, deactivate_missing=deactivate,
                                       filename=upload.name)
        return Response({"job": str(job.pk), "url": f"/api/v1/jobs/{job.pk}/"}, status=status.HTTP_202_ACCEPTED)
