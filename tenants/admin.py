from django.contrib import admin

from apps.web.admin_sites import vendor_site
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
