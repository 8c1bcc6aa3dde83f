"""URLs of the public host: the vendor's control plane and its API."""
import importlib.util

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.web.admin_sites import vendor_site
from tenants import views as tenants_views
from config.urls_common import common_urlpatterns

control_plane = []
if importlib.util.find_spec("tenants.urls") is not None:
    control_plane = [path("", include("tenants.urls"))]

urlpatterns = common_urlpatterns + [
    path("", tenants_views.dashboard, name="home"),
    path("admin/", vendor_site.urls),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="config.urls_public"), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    *control_plane,
]
