from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from apps.accounts.models import User
from apps.web.admin_sites import tenant_site, vendor_site


class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "roles", "is_active", "is_support")
    search_fields = ("email", "first_name", "last_name")
    list_filter = ("is_active", "is_staff", "is_support")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Persoon", {"fields": ("first_name", "last_name", "language", "roles")}),
        ("Toegang", {"fields": ("is_active", "is_staff", "is_superuser", "is_support")}),
        ("Data", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "roles")}),)


vendor_site.register(User, UserAdmin)
tenant_site.register(User, UserAdmin)
