"""Production settings, as deploy/ describes them: `check --deploy` is clean, the security
settings follow DEBUG=false, and a missing SECRET_KEY stops the process at start.

Each case runs in a subprocess, because settings are read once per process from the
environment. The subprocess gets a clean, production-like environment (nothing leaks in
from the developer's shell) pointed at this session's test database.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
# Only what a process needs to run at all; everything else is production-like below.
PASSTHROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PASPOORT_DATA_DIR", "XDG_RUNTIME_DIR",
               "DATABASE_URL")


def production_env(**overrides: str | None) -> dict[str, str]:
    env = {k: os.environ[k] for k in PASSTHROUGH if os.environ.get(k)}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),  # 86 random characters
        "BASE_DOMAIN": "paspoort.example",
        "PASPOORT_DB_NAME": connection.settings_dict["NAME"],  # the test database
        "LOG_LEVEL": "WARNING",
    })
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)


def _check_deploy(*extra: str) -> str:
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING", *extra], production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output, output
    return output


def test_check_deploy_security_checks_pass(tenants_db):
    """The settings part on its own: every Django security check (HSTS, cookies, SSL, key)."""
    _check_deploy("--tag", "security")


def test_check_deploy_reports_no_warnings(tenants_db):
    """Every check, as a deploy pipeline runs it (also drf-spectacular's schema warnings)."""
    _check_deploy()


PRINT_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_PROXY_SSL_HEADER": s.SECURE_PROXY_SSL_HEADER,
    "USE_X_FORWARDED_HOST": s.USE_X_FORWARDED_HOST,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": s.CSRF_TRUSTED_ORIGINS,
    "whitenoise": "whitenoise.middleware.WhiteNoiseMiddleware" in s.MIDDLEWARE,
    "cache_key": s.CACHES["default"]["KEY_FUNCTION"],
}))
"""


def _settings(env: dict[str, str]) -> dict:
    result = run(["-c", PRINT_SETTINGS], env)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_are_secure_and_trust_no_proxy_header_by_default(tenants_db):
    s = _settings(production_env())
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SECURE_SSL_REDIRECT"]
    assert s["SECURE_HSTS_SECONDS"] >= 31536000 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    # Spoofable forwarding headers are ignored unless the deployment says a proxy overwrites them.
    assert s["SECURE_PROXY_SSL_HEADER"] is None and s["USE_X_FORWARDED_HOST"] is False
    assert s["ALLOWED_HOSTS"] == ["paspoort.example", ".paspoort.example"]
    assert sorted(s["CSRF_TRUSTED_ORIGINS"]) == ["https://*.paspoort.example", "https://paspoort.example"]
    assert s["whitenoise"] is True
    assert s["cache_key"] == "django_tenants.cache.make_key"


def test_behind_the_proxy_forwarded_proto_is_trusted_when_told(tenants_db):
    s = _settings(production_env(TRUST_X_FORWARDED_PROTO="true"))
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["USE_X_FORWARDED_HOST"] is False


@pytest.mark.parametrize("secret", [None, ""], ids=["unset", "empty"])
def test_production_without_secret_key_refuses_to_start(tenants_db, secret):
    code = "import django; django.setup(); from django.conf import settings; settings.SECRET_KEY"
    result = run(["-c", code], production_env(SECRET_KEY=secret))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr, result.stderr
    assert "SECRET_KEY" in result.stderr, result.stderr
