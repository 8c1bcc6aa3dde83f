"""The tenant administrator maintains courses, sessions and learning paths here."""
from django.contrib import admin

from apps.learning.models import Course, CourseSession, Enrolment, LearningPath, LearningPathStep
from apps.web.admin_sites import ReadOnlyAdmin, tenant_site


class CourseSessionInline(admin.TabularInline):
    model = CourseSession
    extra = 0


@admin.register(Course, site=tenant_site)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "competence", "evidence_kind", "is_active"]
    list_filter = ["is_active", "evidence_kind"]
    search_fields = ["code", "name"]
    inlines = [CourseSessionInline]


@admin.register(CourseSession, site=tenant_site)
class CourseSessionAdmin(admin.ModelAdmin):
    list_display = ["course", "starts_at", "place", "capacity", "enrolment_deadline", "cancelled"]
    list_filter = ["cancelled", "course"]


@admin.register(Enrolment, site=tenant_site)
class EnrolmentAdmin(ReadOnlyAdmin):
    """Read-only: enrolments change through the services (waitlist, results, audit)."""

    list_display = ["session", "person", "status", "position", "result"]
    list_filter = ["status", "result"]



class StepInline(admin.TabularInline):
    model = LearningPathStep
    extra = 1


@admin.register(LearningPath, site=tenant_site)
class LearningPathAdmin(admin.ModelAdmin):
    list_display = ["name", "competence", "is_active"]
    inlines = [StepInline]
