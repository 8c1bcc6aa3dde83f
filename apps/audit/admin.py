from apps.audit.models import AuditEntry
from apps.web.admin_sites import ReadOnlyAdmin, tenant_site


class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "via_support", "action", "object_label", "reason")
    list_filter = ("action", "via_support")
    search_fields = ("actor_label", "object_label", "reason")

    # The trail is append-only, also for administrators.


tenant_site.register(AuditEntry, AuditEntryAdmin)
