"""Template context shared by every page: the tenant and the navigation for this user."""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, roles that see it; empty = every signed-in user), in menu order.
# Apps append to this list from their AppConfig.ready() via register_nav().
NAV_ITEMS: list[tuple[str, str, tuple[str, ...], str]] = []


def register_nav(url_name: str, label, *, roles: tuple[str, ...] = (), kind: str = "") -> None:
    """kind: '' for every tenant, 'care' or 'education' for one kind of tenant only."""
    if not any(item[0] == url_name for item in NAV_ITEMS):
        NAV_ITEMS.append((url_name, label, roles, kind))


def tenant_context(request):
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    nav = []
    if tenant is not None and not tenant.is_public and user is not None and user.is_authenticated:
        for url_name, label, roles, kind in NAV_ITEMS:
            if kind and kind != tenant.kind:
                continue
            if roles and not (user.is_superuser or user.has_role(*roles)):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            nav.append({"url": url, "label": label, "active": request.path.startswith(url) and url != "/"})
    return {"current_tenant": tenant, "nav_items": nav,
            "is_public_host": tenant is None or tenant.is_public,
            "product_name": _("Paspoort")}
