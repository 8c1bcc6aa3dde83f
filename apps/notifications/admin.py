from django.contrib import admin

from apps.notifications.models import SentDigest, SentReminder
from apps.web.admin_sites import tenant_site


@admin.register(SentReminder, site=tenant_site)
class SentReminderAdmin(admin.ModelAdmin):
    list_display = ["person", "competence", "valid_until", "offset", "recipient", "claimed_at", "emailed_at",
                    "email_error"]
    list_filter = ["offset"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SentDigest, site=tenant_site)
class SentDigestAdmin(admin.ModelAdmin):
    list_display = ["recipient", "week", "claimed_at", "emailed_at", "email_error"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
