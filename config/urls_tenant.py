"""URLs of a tenant subdomain: the passport apps, their API, the tenant's own admin."""
import importlib
import importlib.util

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.web.admin_sites import tenant_site
from apps.web import views as web_views
from config.urls_common import common_urlpatterns

# Each tenant app may have apps/<app>/urls.py with `urlpatterns` (pages) and
# `api_urlpatterns` (under /api/v1/).
TENANT_URL_APPS = ["accounts", "jobs", "audit", "organisation", "competences", "learning",
                   "sharing", "notifications", "funding", "releases"]

page_patterns, api_patterns = [], []
for label in TENANT_URL_APPS:
    if importlib.util.find_spec(f"apps.{label}.urls") is None:
        continue
    module = importlib.import_module(f"apps.{label}.urls")
    page_patterns.append(path("", include((getattr(module, "urlpatterns", []), label))))
    api_patterns.append(path("", include((getattr(module, "api_urlpatterns", []), f"{label}-api"))))

urlpatterns = common_urlpatterns + [
    path("", web_views.tenant_home, name="home"),
    path("admin/", tenant_site.urls),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    *page_patterns,
]
