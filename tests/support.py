"""Helpers for tests: tenant context, users, clients on a tenant's host, a worker process."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def in_tenant(tenant):
    with schema_context(tenant.schema_name):
        yield


def host_of(tenant) -> str:
    return f"{tenant.slug}.{settings.BASE_DOMAIN}" if not tenant.is_public else settings.BASE_DOMAIN


def make_user(tenant, email: str | None = None, roles=("employee",), **extra):
    from apps.accounts.models import User

    with in_tenant(tenant):
        return User.objects.create_user(
            email=email or f"{uuid.uuid4().hex[:8]}@{tenant.slug}.test", password="pw-123456!",
            roles=list(roles), first_name=extra.pop("first_name", "Test"),
            last_name=extra.pop("last_name", "Gebruiker"), **extra)


def client_for(tenant, user=None) -> Client:
    """A test client on the tenant's own host, optionally logged in as `user`."""
    client = Client(HTTP_HOST=host_of(tenant))
    if user is not None:
        with in_tenant(tenant):
            client.force_login(user)
    return client


def api_client_for(tenant, user):
    """DRF client authenticated by the user's token, on the tenant's host."""
    from rest_framework.test import APIClient

    from apps.accounts.services import api_token_for

    with in_tenant(tenant):
        key = api_token_for(user=user)
    client = APIClient(HTTP_HOST=host_of(tenant))
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


class CeleryWorker:
    def __init__(self, queue: str):
        self.queue = queue
        self.proc = None
        self.log = Path(os.environ.get("PYTEST_ARTIFACTS", ROOT / "artifacts")) / f"worker-{queue}.log"

    def env(self):
        env = dict(os.environ)
        env["PASPOORT_DB_NAME"] = connection.settings_dict["NAME"]
        env["CELERY_QUEUE"] = self.queue
        env["LOG_LEVEL"] = "INFO"
        return env

    def start(self):
        self.log.parent.mkdir(parents=True, exist_ok=True)
        # The log is appended to: after a restart only a "ready." written from here on counts.
        offset = self.log.stat().st_size if self.log.exists() else 0
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-Q", self.queue,
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
            cwd=ROOT, env=self.env(), stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.log.exists() and b"ready." in self.log.read_bytes()[offset:]:
                return
            if self.proc.poll() is not None:
                raise RuntimeError("worker died: " + self.log.read_text()[-3000:])
            time.sleep(0.2)
        raise RuntimeError("worker did not start: " + self.log.read_text()[-3000:])

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    """Poll until predicate() is truthy (work done by another process); return its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
