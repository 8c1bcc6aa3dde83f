"""Per-request cache scope for feature answers (tenants.features)."""
from tenants.features import feature_cache


class FeatureCacheMiddleware:
    """Every request gets a fresh cache: a rollout or pin shows on the very next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with feature_cache():
            return self.get_response(request)
