"""Support sessions on tenant hosts: checked on every request, every change audited.

Goes right after django.contrib.messages' MessageMiddleware (it needs the user, the session
and messages). A marked support user whose session has ended, expired or belongs to another
tenant is logged out on that very request. Support users never authenticate by API token:
their access lives in the browser session that the one-time link created.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tenants.models import SupportSession
from tenants.services import SUPPORT_SESSION_KEY, support_session_record_action

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def _token_user_is_support(request) -> bool:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Token "):
        return False
    from rest_framework.authtoken.models import Token

    return Token.objects.filter(key=header[6:].strip(), user__is_support=True).exists()


class SupportSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_public:
            return self.get_response(request)
        if _token_user_is_support(request):
            return JsonResponse({"detail": _("Supportgebruikers hebben geen API-toegang met een token."),
                                 "code": "support_token_refused"}, status=403)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_support:
            return self.get_response(request)
        session_id = request.session.get(SUPPORT_SESSION_KEY)
        session = SupportSession.objects.filter(pk=session_id, tenant_id=tenant.pk).first() if session_id else None
        if session is None or not session.is_open():
            logout(request)
            message = _("De supportsessie is beëindigd of verlopen; u bent uitgelogd.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "support_session_closed"}, status=403)
            messages.warning(request, message)
            return redirect("login")
        request.support_session = session
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            support_session_record_action(session=session, user=user, method=request.method,
                                          path=request.path, status_code=response.status_code)
        return response
