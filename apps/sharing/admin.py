from django.contrib import admin

from apps.sharing.models import PassportShare, TeamLeader
from apps.web.admin_sites import ReadOnlyAdmin, tenant_site


@admin.register(PassportShare, site=tenant_site)
class PassportShareAdmin(ReadOnlyAdmin):
    list_display = ["owner", "shared_with", "created_at", "revoked_at"]


@admin.register(TeamLeader, site=tenant_site)
class TeamLeaderAdmin(ReadOnlyAdmin):
    list_display = ["person", "leader", "set_at"]
