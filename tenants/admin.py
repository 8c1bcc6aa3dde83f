from django.contrib import admin

from apps.web.admin_sites import ReadOnlyAdmin, vendor_site
from tenants.models import Domain, Tenant


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "status", "created_on")
    list_filter = ("kind", "status")
    search_fields = ("name", "slug")
    readonly_fields = ("schema_name", "created_on")
    inlines = [DomainInline]

    def has_add_permission(self, request):
        # Provisioning clones a schema: use `manage.py create_tenant` or the control plane.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


vendor_site.register(Tenant, TenantAdmin)


# --- release management (the vendor UI at /control/ is the main way; the admin is for repair) ---

from django import forms  # noqa: E402

from tenants.features import feature_choices  # noqa: E402
from tenants.models import (  # noqa: E402
    ControlPlaneAuditEntry, CustomerGroup, Feedback, PassportVersion, Rollout, RolloutStage, SupportSession,
    TenantVersionAssignment, VersionPin,
)


class PassportVersionAdminForm(forms.ModelForm):
    features = forms.MultipleChoiceField(choices=feature_choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = PassportVersion
        fields = "__all__"


class PassportVersionAdmin(admin.ModelAdmin):
    form = PassportVersionAdminForm
    list_display = ("name", "status", "care_rules_version", "funding_rules_version", "created_at")
    list_filter = ("status",)
    # The lifecycle moves through services (audited): use /control/versions/.
    readonly_fields = ("status", "status_changed_at", "created_at")


class CustomerGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    filter_horizontal = ("tenants",)


class RolloutStageInline(admin.TabularInline):
    model = RolloutStage
    extra = 0
    readonly_fields = ("status", "started_at", "finished_at", "tenant_count")


class RolloutAdmin(admin.ModelAdmin):
    list_display = ("__str__", "version", "status", "created_at")
    list_filter = ("status",)
    readonly_fields = ("status", "started_at", "finished_at", "created_by", "created_by_label")
    inlines = [RolloutStageInline]

    def has_add_permission(self, request):
        return False  # rollouts are made and driven through the audited services


class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("tenant", "version", "author_email", "created_at", "blocking", "resolved")
    list_filter = ("version", "tenant", "blocking", "resolved")


class SupportSessionAdmin(ReadOnlyAdmin):
    list_display = ("tenant", "staff_email", "started_at", "expires_at", "ended_at", "actions")
    list_filter = ("tenant",)


class AuditAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "object_label", "tenant", "reason")
    list_filter = ("action",)
    search_fields = ("object_label", "actor_label", "reason")


class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("tenant", "version", "previous_version", "since", "until", "reason")
    list_filter = ("version",)


class PinAdmin(ReadOnlyAdmin):
    list_display = ("tenant", "version", "by_label", "at", "removed_at", "reason")


vendor_site.register(PassportVersion, PassportVersionAdmin)
vendor_site.register(CustomerGroup, CustomerGroupAdmin)
vendor_site.register(Rollout, RolloutAdmin)
vendor_site.register(Feedback, FeedbackAdmin)
vendor_site.register(SupportSession, SupportSessionAdmin)
vendor_site.register(ControlPlaneAuditEntry, AuditAdmin)
vendor_site.register(TenantVersionAssignment, AssignmentAdmin)
vendor_site.register(VersionPin, PinAdmin)
