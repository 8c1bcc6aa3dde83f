"""Org structure and people in the tenant admin; the HR import is one click away."""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from apps.organisation import services
from apps.organisation.models import OrgUnit, Person
from apps.web.admin_sites import tenant_site


class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    filter_horizontal = ("managers",)


class PersonAdmin(admin.ModelAdmin):
    list_display = ("personnel_number", "last_name", "first_name", "org_unit", "function", "is_active")
    list_filter = ("is_active", "org_unit", "profession")
    search_fields = ("personnel_number", "last_name", "first_name", "email")
    raw_id_fields = ("user",)
    actions = ["deactivate"]

    def has_delete_permission(self, request, obj=None):
        return False  # people are deactivated, never deleted (their history stays)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["title"] = format_html('Medewerkers — <a href="{}">importeren uit HR (CSV)</a>',
                                             reverse("organisation:hr-import"))
        return super().changelist_view(request, extra_context)

    @admin.action(description="Deactiveren (uit dienst)")
    def deactivate(self, request, queryset):
        for person in queryset.filter(is_active=True):
            services.person_deactivate(person=person, by=request.user, reason="Gedeactiveerd in beheer")
        self.message_user(request, "Gedeactiveerd.")


tenant_site.register(OrgUnit, OrgUnitAdmin)
tenant_site.register(Person, PersonAdmin)
