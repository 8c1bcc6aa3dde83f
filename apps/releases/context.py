"""Template context for tenant pages: banners (release notes, support session) and the
feature keys that are on (`{% if "care.what_if" in features %}`)."""
from __future__ import annotations

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from tenants.features import effective_features, effective_version


def releases_context(request):
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return {}
    context = {"features": SimpleLazyObject(lambda: effective_features(tenant))}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    banners = []
    session = getattr(request, "support_session", None)
    if session is not None:
        banners.append({"level": "warning", "html": mark_safe(render_to_string(
            "releases/_support_banner.html", {"session": session}))})
    banner = release_notes_banner(request, tenant, user)
    if banner:
        banners.append(banner)
    context["banners"] = banners
    return context


def release_notes_banner(request, tenant, user):
    from apps.releases.selectors import release_notes_dismissed

    current = effective_version(tenant)
    version = current.version
    # Only a tenant that *moved* (rollout or pin) sees notes; the default version is no news.
    if version is None or current.source not in ("rollout", "pin"):
        return None
    if release_notes_dismissed(user=user, version_name=version.name):
        return None
    notes = version.release_notes(get_language() or "nl")
    if not notes:
        return None
    return {"level": "info", "html": mark_safe(render_to_string(
        "releases/_release_notes_banner.html",
        # Rendered without the request: with it, the context processors (this one) would run again.
        {"version": version, "notes": notes, "is_pilot": version.status == "piloting",
         "csrf_token": get_token(request), "next": request.get_full_path()}))}
