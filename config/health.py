"""GET /healthz on every host: database and broker reachability (503 when one is down)."""
from __future__ import annotations

from django.db import connection
from django.http import JsonResponse


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
        return True, "ok"
    except Exception as exc:  # any failure means "not reachable" to a load balancer
        return False, exc.__class__.__name__


def _broker_ok() -> tuple[bool, str]:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            conn.default_channel  # opening a channel really talks to the broker (Redis: PING)
        return True, "ok"
    except Exception as exc:
        return False, exc.__class__.__name__


def healthz(request):
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    healthy = db_ok and broker_ok
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable",
         "database": db_detail, "broker": broker_detail},
        status=200 if healthy else 503,
    )
