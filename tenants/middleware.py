"""Resolve the tenant from the Host header, and refuse suspended tenants."""
from __future__ import annotations

from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponseNotFound, JsonResponse
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware


class TenantFromHostMiddleware(TenantMainMiddleware):
    """django-tenants' middleware, with an unknown or disallowed Host answered by a plain 404.

    The host is taken from `request.get_host()`, which honours X-Forwarded-Host only when
    USE_X_FORWARDED_HOST is set (behind a proxy that overwrites it). It is lower-cased and
    its port dropped, so `NOORD.localhost:8000` finds the tenant `noord`.
    """

    @staticmethod
    def hostname_from_request(request):
        return request.get_host().split(":")[0].lower().rstrip(".")

    def process_request(self, request):
        try:
            return super().process_request(request)
        except (OperationalError, InterfaceError):
            return database_unavailable_response(request)
        except DisallowedHost:
            return HttpResponseNotFound("Unknown host")
        except Exception as exc:
            from django.http import Http404

            if isinstance(exc, Http404):
                return HttpResponseNotFound("Unknown host")
            raise


class TenantStatusMiddleware:
    """A suspended tenant's subdomain shows a clear page; its API answers 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.is_public and tenant.is_suspended:
            if request.path.startswith("/healthz"):
                return self.get_response(request)
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Deze omgeving is opgeschort.", "code": "tenant_suspended"}, status=403
                )
            return render(request, "web/suspended.html", {"tenant": tenant}, status=403)
        return self.get_response(request)


def current_tenant():
    """The tenant of this connection; raises when none is set (scope fails closed)."""
    tenant = getattr(connection, "tenant", None)
    if tenant is None or connection.schema_name == "public":
        raise LookupError("no tenant is active on this connection")
    return tenant


def database_unavailable_response(request):
    """A clean 503 while PostgreSQL is unreachable; the next request reconnects by itself."""
    from django.db import close_old_connections

    close_old_connections()
    body = {"detail": "De database is tijdelijk niet bereikbaar. Probeer het zo opnieuw.",
            "code": "database_unavailable"}
    response = JsonResponse(body, status=503)
    response["Retry-After"] = "5"
    return response


class DatabaseUnavailableMiddleware:
    """Views that lose the database answer 503 instead of 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)) or (
                isinstance(exception, DatabaseError) and connection.connection is not None
                and getattr(connection.connection, "closed", 0)):
            return database_unavailable_response(request)
        return None
