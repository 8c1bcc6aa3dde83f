from django.contrib import admin

from apps.audit.models import AuditEntry
from apps.web.admin_sites import tenant_site


class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "via_support", "action", "object_label", "reason")
    list_filter = ("action", "via_support")
    search_fields = ("actor_label", "object_label", "reason")

    # The trail is append-only, also for administrators.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


tenant_site.register(AuditEntry, AuditEntryAdmin)
