"""Reads of the tenant side of releases."""
from __future__ import annotations

from apps.releases.models import ReleaseNotesDismissal
from tenants.features import effective_version


def release_notes_dismissed(*, user, version_name: str) -> bool:
    return ReleaseNotesDismissal.objects.filter(user=user, version_name=version_name).exists()


def pilot_version_for(tenant):
    """The version this tenant pilots (its effective version while that is piloting), or None."""
    version = effective_version(tenant).version
    if version is not None and version.status == version.Status.PILOTING:
        return version
    return None
