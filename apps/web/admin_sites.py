"""Two Django admin sites: the vendor's on the public host, each tenant's on its subdomain.

Each app registers its models on the site whose schema holds them, so the public admin
never lists tenant tables and a tenant's admin never lists the control plane.
"""
from django.contrib.admin import AdminSite, ModelAdmin
from django.utils.translation import gettext_lazy as _


class VendorAdminSite(AdminSite):
    site_header = _("Paspoort — beheer leverancier")
    site_title = _("Paspoort leverancier")
    index_title = _("Control plane")


class TenantAdminSite(AdminSite):
    site_header = _("Paspoort — functioneel beheer")
    site_title = _("Paspoort beheer")
    index_title = _("Beheer van deze organisatie")

    def each_context(self, request):
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        if tenant is not None:
            context["site_header"] = f"Paspoort — {tenant.name}"
        return context


vendor_site = VendorAdminSite(name="vendor_admin")
tenant_site = TenantAdminSite(name="tenant_admin")


class ReadOnlyAdmin(ModelAdmin):
    """Rows that only services write (validated, audited): visible in the admin, never edited there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
