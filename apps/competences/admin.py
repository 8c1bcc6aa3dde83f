"""The tenant administrator's catalogue and facts in the tenant admin. Writes that change
statuses go through the services (so they are validated, audited and recomputed)."""
from django.contrib import admin

from apps.competences import services
from apps.competences.models import (Competence, CompetenceStatus, Evidence, EvidenceRequirement, Exemption,
                                     NotApplicable, Order, PracticeRecord, Profile, ProfileLink, Revocation)
from apps.web.admin_sites import ReadOnlyAdmin, tenant_site


class EvidenceRequirementInline(admin.TabularInline):
    model = EvidenceRequirement
    extra = 1


class CompetenceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "practice_count", "practice_months", "warning_days", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("code", "name")
    inlines = [EvidenceRequirementInline]
    actions = ["recompute_statuses"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        people = CompetenceStatus.objects.filter(competence=form.instance).values_list("person_id", flat=True)
        services.statuses_recompute_people(person_ids=list(people), by=request.user,
                                           label=f"Herberekenen na wijziging {form.instance.code}")

    @admin.action(description="Statussen herberekenen van wie deze bekwaamheid heeft")
    def recompute_statuses(self, request, queryset):
        people = CompetenceStatus.objects.filter(competence__in=queryset).values_list("person_id", flat=True)
        job = services.statuses_recompute_people(person_ids=list(people), by=request.user,
                                                 label="Herberekenen (beheer)")
        self.message_user(request, "Herberekend." if job is None else f"Gestart als taak {job.pk}.")


class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("person", "competence", "kind", "achieved_on", "passed", "valid_until", "assessor")
    list_filter = ("kind", "passed")
    search_fields = ("person__last_name", "person__personnel_number", "competence__code")


class PeriodAdmin(ReadOnlyAdmin):
    list_display = ("person", "competence", "start", "until", "reason", "by")
    search_fields = ("person__last_name", "person__personnel_number", "competence__code")


class StatusAdmin(ReadOnlyAdmin):
    list_display = ("person", "competence", "status", "valid_until", "next_change", "authorised", "rules_version")
    list_filter = ("status", "authorised")
    search_fields = ("person__last_name", "person__personnel_number", "competence__code")


tenant_site.register(Competence, CompetenceAdmin)
tenant_site.register(Profile, ReadOnlyAdmin)
tenant_site.register(ProfileLink, ReadOnlyAdmin)
tenant_site.register(Evidence, EvidenceAdmin)
tenant_site.register(PracticeRecord, ReadOnlyAdmin)
tenant_site.register(Exemption, PeriodAdmin)
tenant_site.register(NotApplicable, PeriodAdmin)
tenant_site.register(Revocation, PeriodAdmin)
tenant_site.register(Order, ReadOnlyAdmin)
tenant_site.register(CompetenceStatus, StatusAdmin)
