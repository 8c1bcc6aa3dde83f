"""API of learning (DRF, /api/v1/): courses, sessions, enrolments (+cancel, +result),
learning paths with progress, the practice log and the sign-off queue. Thin: parse, call a
service or selector, render."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.competences import services as competence_services
from apps.competences.models import PracticeRecord
from apps.learning import selectors, services
from apps.learning.models import Course, CourseSession, Enrolment, LearningPath
from apps.organisation.selectors import can_view_person, people_visible_to, person_for_user


class CourseSerializer(serializers.ModelSerializer):
    competence = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Course
        fields = ["id", "code", "name", "competence", "evidence_kind", "description", "is_active"]


class SessionSerializer(serializers.ModelSerializer):
    course = CourseSerializer(read_only=True)
    taken = serializers.IntegerField(read_only=True)
    waiting = serializers.IntegerField(read_only=True)
    seats_left = serializers.SerializerMethodField()

    class Meta:
        model = CourseSession
        fields = ["id", "course", "starts_at", "place", "online_url", "capacity", "enrolment_deadline",
                  "cancelled", "taken", "waiting", "seats_left"]

    def get_seats_left(self, obj) -> int:
        return max(0, obj.capacity - getattr(obj, "taken", 0))


class CourseEnrolmentSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    course = serializers.CharField(source="session.course.code", read_only=True)
    starts_at = serializers.DateTimeField(source="session.starts_at", read_only=True)

    class Meta:
        model = Enrolment
        fields = ["id", "session", "course", "starts_at", "person", "person_name", "status", "position", "result",
                  "result_by", "result_at", "evidence", "created_at", "cancelled_at"]
        read_only_fields = fields


class CourseEnrolmentCreateSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    person = serializers.IntegerField(required=False, allow_null=True, default=None,
                                      help_text="Default: the signed-in employee.")


class SessionEnrolSerializer(serializers.Serializer):
    person = serializers.IntegerField(required=False, allow_null=True, default=None,
                                      help_text="Default: the signed-in employee.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=[Enrolment.Result.PASSED, Enrolment.Result.FAILED])
    achieved_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CourseViewSet(viewsets.ReadOnlyModelViewSet):
    """The course catalogue (maintained by the tenant administrator in the admin)."""

    serializer_class = CourseSerializer
    filterset_fields = ["is_active", "competence__code"]

    def get_queryset(self):
        return Course.objects.select_related("competence").order_by("name")


class SessionViewSet(viewsets.ReadOnlyModelViewSet):
    """Course sessions with seats taken and waitlist length."""

    serializer_class = SessionSerializer
    filterset_fields = ["course", "cancelled"]

    def get_queryset(self):
        return selectors.sessions_open(include_past=True)

    @extend_schema(request=SessionEnrolSerializer, responses={201: CourseEnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def enrol(self, request, pk=None):
        """Enrol yourself (or, as a manager, a team member: ``person``) in this session."""
        session = self.get_object()
        s = SessionEnrolSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        e = services.enrolment_create(session=session.pk, person=s.validated_data["person"], by=request.user)
        return Response(CourseEnrolmentSerializer(e).data, status=201)


class EnrolmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Enrolments: your own, your team's (managers), everyone's (assessors, administrator)."""

    serializer_class = CourseEnrolmentSerializer
    filterset_fields = ["session", "person", "status", "result"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrolment.objects.none()
        return selectors.enrolments_visible_to(self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=CourseEnrolmentCreateSerializer, responses={201: CourseEnrolmentSerializer})
    def create(self, request, *args, **kwargs):
        s = CourseEnrolmentCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        e = services.enrolment_create(session=s.validated_data["session"], person=s.validated_data["person"],
                                      by=request.user)
        return Response(CourseEnrolmentSerializer(e).data, status=201)

    @extend_schema(request=ReasonSerializer, responses={200: CourseEnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        enrolment = self.get_object()
        s = ReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        e = services.enrolment_cancel(enrolment=enrolment, by=request.user, reason=s.validated_data["reason"])
        return Response(CourseEnrolmentSerializer(e).data)

    @extend_schema(request=ResultSerializer, responses={200: CourseEnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        enrolment = self.get_object()
        s = ResultSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        e = services.enrolment_record_result(enrolment=enrolment, by=request.user, **s.validated_data)
        return Response(CourseEnrolmentSerializer(Enrolment.objects.get(pk=e.pk)).data)


# --- learning paths -------------------------------------------------------------------------

class StepProgressSerializer(serializers.Serializer):
    order = serializers.IntegerField(source="step.order")
    kind = serializers.CharField(source="step.kind")
    label = serializers.CharField()
    course = serializers.IntegerField(source="step.course_id", allow_null=True)
    required_count = serializers.IntegerField(source="step.required_count")
    done = serializers.BooleanField()
    detail = serializers.CharField()


class PathProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="path.id")
    name = serializers.CharField(source="path.name")
    competence = serializers.CharField(source="path.competence.code")
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    next_step = serializers.SerializerMethodField()
    steps = StepProgressSerializer(many=True)

    def get_next_step(self, obj) -> int | None:
        return obj.next_step.step.order if obj.next_step else None


PERSON_PARAM = OpenApiParameter("person", int, description="Progress of this person (default: yourself).")


def _progress_person(request):
    raw = request.query_params.get("person")
    if raw:
        try:
            person = people_visible_to(request.user).filter(pk=int(raw)).first()
        except ValueError:
            raise serializers.ValidationError({"person": ["Geef een id."]})
        if person is None or not can_view_person(request.user, person):
            raise Http404
        return person
    person = person_for_user(request.user)
    if person is None:
        raise Http404("Er is geen medewerker gekoppeld aan deze gebruiker.")
    return person


class LearningPathViewSet(viewsets.GenericViewSet):
    """Learning paths toward a competence with the progress of a person (default yourself)."""

    serializer_class = PathProgressSerializer
    queryset = LearningPath.objects.filter(is_active=True)
    pagination_class = None

    @extend_schema(parameters=[PERSON_PARAM], responses=PathProgressSerializer(many=True))
    def list(self, request):
        person = _progress_person(request)
        return Response(PathProgressSerializer(selectors.learning_paths_for(person), many=True).data)

    @extend_schema(parameters=[PERSON_PARAM], responses=PathProgressSerializer)
    def retrieve(self, request, pk=None):
        path = get_object_or_404(LearningPath, pk=pk, is_active=True)
        person = _progress_person(request)
        return Response(PathProgressSerializer(selectors.learning_path_progress(person, path)).data)


# --- practice log and sign-off ---------------------------------------------------------------

class PracticeRecordSerializer(serializers.ModelSerializer):
    competence = serializers.SlugRelatedField(slug_field="code", read_only=True)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    verified = serializers.SerializerMethodField()

    class Meta:
        model = PracticeRecord
        fields = ["id", "person", "person_name", "competence", "performed_on", "count", "note", "verified",
                  "verified_by", "verified_at", "rejected", "created_at"]
        read_only_fields = fields

    def get_verified(self, obj) -> bool:
        return obj.verified_at is not None


class PracticeLogWriteSerializer(serializers.Serializer):
    competence = serializers.CharField(max_length=40)
    performed_on = serializers.DateField()
    count = serializers.IntegerField(min_value=1, default=1)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField()


class PracticeLogViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Your own practice log: what you performed, and whether it was signed off."""

    serializer_class = PracticeRecordSerializer
    filterset_fields = ["competence__code", "rejected"]

    def get_queryset(self):
        person = person_for_user(self.request.user)
        if person is None:
            return PracticeRecord.objects.none()
        return selectors.practice_log_for(person)

    @extend_schema(request=PracticeLogWriteSerializer, responses={201: PracticeRecordSerializer})
    def create(self, request, *args, **kwargs):
        person = person_for_user(request.user)
        if person is None:
            raise Http404("Er is geen medewerker gekoppeld aan deze gebruiker.")
        s = PracticeLogWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        r = competence_services.practice_record_create(person=person, by=request.user, **s.validated_data)
        return Response(PracticeRecordSerializer(r).data, status=201)


class SignoffQueueViewSet(viewsets.ReadOnlyModelViewSet):
    """Practice records waiting for your sign-off (managers: your team; assessors: anyone;
    never your own). Verify or reject with a reason."""

    serializer_class = PracticeRecordSerializer
    filterset_fields = ["person", "competence__code"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PracticeRecord.objects.none()
        return selectors.signoff_queue(self.request.user)

    def _record(self, pk):
        # Any record the user may see, so that verifying one's own is a clear 403, not a 404.
        if not str(pk).isdigit():
            raise Http404
        record = selectors.practice_records_visible_to(self.request.user).filter(pk=pk).first()
        if record is None:
            raise Http404
        return record

    @extend_schema(request=None, responses={200: PracticeRecordSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        r = competence_services.practice_record_verify(record=self._record(pk), by=request.user)
        return Response(PracticeRecordSerializer(r).data)

    @extend_schema(request=RejectSerializer, responses={200: PracticeRecordSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        record = self._record(pk)  # an id that is not ours is a 404 before the body is read
        s = RejectSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        r = competence_services.practice_record_verify(record=record, by=request.user, reject=True,
                                                       reason=s.validated_data["reason"])
        return Response(PracticeRecordSerializer(r).data)
