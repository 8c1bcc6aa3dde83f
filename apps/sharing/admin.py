from django.contrib import admin

from apps.sharing.models import PassportShare, TeamLeader
from apps.web.admin_sites import tenant_site


class ReadOnlyAdmin(admin.ModelAdmin):
    """Only the owner shares or names a team leader (through the services, audited)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PassportShare, site=tenant_site)
class PassportShareAdmin(ReadOnlyAdmin):
    list_display = ["owner", "shared_with", "created_at", "revoked_at"]


@admin.register(TeamLeader, site=tenant_site)
class TeamLeaderAdmin(ReadOnlyAdmin):
    list_display = ["person", "leader", "set_at"]
