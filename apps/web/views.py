"""The tenant's start page (the vendor's is tenants.views.dashboard)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from apps.web.context import NAV_ITEMS


@login_required
def tenant_home(request):
    # The start page is the first menu item this user may see (their passport, the
    # funding overview, ...); the menu itself comes from the context processor.
    from apps.web.context import tenant_context

    nav = tenant_context(request)["nav_items"]
    if nav:
        return redirect(nav[0]["url"])
    return TemplateResponse(request, "web/home.html", {"nav_count": len(NAV_ITEMS)})
