"""Gunicorn configuration for the Paspoort web process.

    gunicorn -c deploy/gunicorn.conf.py config.wsgi

Every knob reads an environment variable (documented in deploy/ENVIRONMENT.md), so one file
serves every host. The web process is stateless: run as many of these as you like behind
the proxy; sessions, caches and files live in PostgreSQL, the cache server and storage.
"""
from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Where to listen. Behind nginx on the same host a Unix socket or 127.0.0.1 is enough;
# in a container use 0.0.0.0:8000. Comma-separated for several addresses.
bind = [b.strip() for b in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if b.strip()]

# Sync workers: Django does blocking database I/O. (2 x CPU) + 1 is gunicorn's rule of
# thumb; every worker holds its own database connection, so workers x hosts must stay
# below PostgreSQL's (or PgBouncer's) connection budget.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# A request that takes longer than this is killed (and logged): long work belongs in
# Celery with a progress bar, never in a request.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then, so a slow leak never takes a host down.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Heartbeat files in memory, not on a possibly slow disk (containers: /dev/shm exists).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Which peers may set X-Forwarded-Proto for gunicorn itself (wsgi.url_scheme): the proxy
# only. Django decides separately through TRUST_X_FORWARDED_PROTO (deploy/nginx.example.conf).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout/stderr (journald or the container runtime collects them).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The Host header names the tenant: every access line carries it, plus the client address
# the proxy saw, the duration in ms and the request id when the proxy sets one.
access_log_format = (
    '%(h)s host=%({host}i)s fwd=%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms '
    'rid=%({x-request-id}i)s "%(a)s"'
)

# Load the app in each worker (not in the master): database connections and the embedded
# server's checks are never shared across fork().
preload_app = False

proc_name = "paspoort-web"
