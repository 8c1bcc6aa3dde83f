"""Writes of the tenant side of releases."""
from __future__ import annotations

from django.db import transaction

from apps.releases.models import ReleaseNotesDismissal


@transaction.atomic
def release_notes_dismiss(*, user, version_name: str) -> None:
    ReleaseNotesDismissal.objects.get_or_create(user=user, version_name=version_name)
