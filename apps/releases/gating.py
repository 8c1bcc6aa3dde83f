"""Feature gating for views and the API: a feature that is off is invisible (404)."""
from __future__ import annotations

from functools import wraps

from django.http import Http404
from rest_framework import exceptions, permissions

from tenants.features import FEATURES, feature_enabled


def _check_key(key: str) -> None:
    if key not in FEATURES:
        raise LookupError(f"unknown feature key {key!r}")


def feature_permission(key: str) -> type[permissions.BasePermission]:
    """A DRF permission class: 404 when `key` is off for the request's tenant."""
    _check_key(key)

    class FeatureOn(permissions.BasePermission):
        feature_key = key

        def has_permission(self, request, view):
            tenant = getattr(request, "tenant", None)
            if tenant is None or tenant.is_public or not feature_enabled(key, tenant):
                raise exceptions.NotFound()
            return True

    FeatureOn.__name__ = f"FeatureOn[{key}]"
    return FeatureOn


def requires_feature(key: str):
    """Decorate a function view or a DRF APIView class: when the feature is off the
    endpoint does not exist (404)."""
    _check_key(key)

    def decorate(view):
        if isinstance(view, type):  # an APIView class: add the permission in front
            view.permission_classes = [feature_permission(key), *view.permission_classes]
            return view

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            tenant = getattr(request, "tenant", None)
            if tenant is None or tenant.is_public or not feature_enabled(key, tenant):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
