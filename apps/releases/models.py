"""The tenant side of releases: which user has put away the release notes of which version.

The versions themselves, feedback and support sessions live in the control plane (public
schema, tenants.models); this schema only remembers per user that a banner was dismissed.
"""
from django.conf import settings
from django.db import models


class ReleaseNotesDismissal(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The version's name, not a key: the version row lives in the public schema.
    version_name = models.CharField(max_length=40)
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "version_name"], name="dismiss_once_per_version")]
