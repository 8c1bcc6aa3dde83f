"""`make run`: bootstrap, then web server, Celery worker and beat; Ctrl-C stops them all
and the embedded PostgreSQL server this machine started."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.demo import demo_logins_text


class Command(BaseCommand):
    help = "Run the whole product locally: web (port 8000), worker and beat."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args, **opts):
        call_command("bootstrap", no_demo=opts["no_demo"], verbosity=0)
        py = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        celery = [py, "-m", "celery", "-A", "config"]
        commands = {
            "web": [py, manage, "runserver", f"0.0.0.0:{opts['port']}", "--noreload"],
            "worker": celery + ["worker", "--loglevel=INFO", "--concurrency=2"],
            "beat": celery + ["beat", "--loglevel=INFO"],
        }
        procs = {name: subprocess.Popen(cmd, cwd=settings.BASE_DIR) for name, cmd in commands.items()}
        self.stdout.write(demo_logins_text())
        self.stdout.write("\nCtrl-C stopt alles.\n")
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, proc in procs.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} stopped (exit {proc.returncode}); stopping the rest")
                        stopping = True
                time.sleep(0.5)
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for proc in procs.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
            if not os.environ.get("DATABASE_URL"):
                from config.embedded import stop as stop_embedded

                stop_embedded()
                self.stdout.write("Ingebedde PostgreSQL gestopt.")
