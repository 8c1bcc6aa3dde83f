import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from django.test import Client

from support import ROOT, host_of, in_tenant


def test_healthz_on_every_host_reports_database_and_broker(tenant_a, public_tenant):
    for host in (host_of(tenant_a), "localhost"):
        response = Client(HTTP_HOST=host).get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_broker_is_down(tenant_a, monkeypatch):
    from config.celery import app

    old = app.conf.broker_url
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = Client(HTTP_HOST=host_of(tenant_a)).get("/healthz")
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert response.json()["broker"] != "ok" and response.json()["database"] == "ok"


def test_log_lines_carry_the_tenant(tenant_a, caplog):
    from config.observability import TenantLogFilter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    with in_tenant(tenant_a):
        TenantLogFilter().filter(record)
    assert record.tenant == "t_alpha"


class _Capture(BaseHTTPRequestHandler):
    bodies: list = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            import gzip
            body = gzip.decompress(body)
        elif encoding == "br":  # sentry-sdk compresses with brotli when it is installed
            import brotli
            body = brotli.decompress(body)
        _Capture.bodies.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_errors_reach_sentry_tagged_with_tenant(tenant_a):
    server = HTTPServer(("127.0.0.1", 0), _Capture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    from django.db import connection
    env = dict(os.environ, SENTRY_DSN=f"http://key@127.0.0.1:{server.server_port}/1",
               PASPOORT_DB_NAME=connection.settings_dict["NAME"], LOG_LEVEL="ERROR")
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings'); django.setup()\n"
        "import sentry_sdk\nfrom django_tenants.utils import schema_context\n"
        "with schema_context('t_alpha'):\n"
        "    try:\n        1/0\n    except ZeroDivisionError as e:\n        sentry_sdk.capture_exception(e)\n"
        "sentry_sdk.flush(5)\n")
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=60)
    server.shutdown()
    events = [line for body in _Capture.bodies for line in body.splitlines() if b'"exception"' in line]
    assert events, "no event reached the capture server"
    event = json.loads(events[0])
    assert event["tags"]["tenant"] == "t_alpha"
    assert event["exception"]["values"][0]["type"] == "ZeroDivisionError"
