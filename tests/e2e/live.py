"""A real web server process for browser, fault and load tests.

`LiveServer` runs `manage.py runserver --noreload` (or gunicorn) on a free port against
the database the test session uses (PASPOORT_DB_NAME = the test database's name;
DATABASE_URL passes through when set) and the session's broker queue. Chromium resolves
`*.localhost` to 127.0.0.1 by itself; Python clients send the tenant in the Host header.
"""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def artifacts_dir() -> Path:
    path = Path(os.environ.get("PYTEST_ARTIFACTS", ROOT / "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port: int, path: str, host: str = "localhost", timeout: float = 5.0,
             headers: dict | None = None) -> tuple[int, bytes]:
    """GET from 127.0.0.1:port with a Host header; (status, body). Raises on connection errors."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": f"{host}:{port}", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class LiveServer:
    def __init__(self, *, db_name: str | None = None, env: dict | None = None, gunicorn: bool = False,
                 workers: int = 2, threads: int = 4, log_name: str = "live-server", port: int | None = None):
        self.port = port or free_port()
        self.db_name = db_name
        self.extra_env = env or {}
        self.gunicorn = gunicorn
        self.workers, self.threads = workers, threads
        self.log = artifacts_dir() / f"{log_name}-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://localhost:{self.port}"

    def url(self, slug: str | None, path: str = "/") -> str:
        host = f"{slug}.localhost" if slug else "localhost"
        return f"http://{host}:{self.port}{path}"

    def env(self) -> dict:
        env = dict(os.environ)
        if self.db_name:
            env["PASPOORT_DB_NAME"] = self.db_name
        env.setdefault("LOG_LEVEL", "WARNING")
        env["PYTHONUNBUFFERED"] = "1"
        # the login throttle keys on the client address: every browser test comes from 127.0.0.1
        env.update(self.extra_env)
        return env

    def command(self) -> list[str]:
        if self.gunicorn:
            cmd = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(self.workers), "--threads", str(self.threads), "--timeout", "60",
                   "--log-level", "warning"]
            conf = ROOT / "deploy" / "gunicorn.conf.py"
            if conf.exists():
                cmd[4:4] = ["--config", str(conf)]
            return cmd
        return [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"]

    def start(self, timeout: float = 60.0) -> "LiveServer":
        self.proc = subprocess.Popen(self.command(), cwd=ROOT, env=self.env(), stdout=open(self.log, "ab"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                http_get(self.port, "/healthz", timeout=2)
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not answer within {timeout}s: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
