"""Load figures: 50 care tenants, gunicorn, locust headless at 20 users; prints req/s, p50, p95, errors.

    .venv/bin/python bench/load/run_load.py [--tenants 50] [--people 20] [--users 20] [--seconds 30]

Uses its own database (PASPOORT_DB_NAME=paspoort_load unless set) on the embedded server, or
DATABASE_URL when set. Provisioning is idempotent: a second run reuses the tenants.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("PASPOORT_DB_NAME", "paspoort_load")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("AXES_ENABLED", "false")


def provision(n_tenants: int, n_people: int) -> list[dict]:
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from apps.accounts.models import User
    from apps.accounts.services import api_token_for
    from apps.competences import services as cs
    from apps.competences.models import Competence
    from apps.organisation.models import OrgUnit, Person
    from apps.organisation.services import org_unit_upsert, person_upsert
    from tenants.models import Tenant
    from tenants.services import public_tenant_ensure, tenant_create

    call_command("migrate_tenants", verbosity=0)
    public_tenant_ensure()
    out = []
    started = time.monotonic()
    for i in range(1, n_tenants + 1):
        slug = f"load{i:02d}"
        tenant = Tenant.objects.filter(slug=slug).first() or tenant_create(
            slug=slug, name=f"Load {i}", kind="care", admin_email=f"admin@{slug}.test",
            admin_password="load-pass-123").tenant
        with schema_context(tenant.schema_name):
            admin = User.objects.get(email=f"admin@{slug}.test")
            if not Person.objects.exists():
                unit, _ = org_unit_upsert(code="AFD", name="Afdeling", by=admin)
                unit.managers.add(admin)
                comps = [cs.competence_create(code=f"C{k}", name=f"Handeling {k}", category="reserved",
                                              evidence={"theory": 24, "practical": 24},
                                              practice={"count": 2, "months": 12}, by=admin) for k in range(6)]
                profile = cs.profile_create(name="Profiel", org_unit=unit, competence_codes=[c.code for c in comps],
                                            by=admin)
                employee = None
                for k in range(n_people):
                    user = User.objects.create_user(email=f"p{k}@{slug}.test", password="load-pass-123",
                                                    roles=["employee"], first_name="P", last_name=str(k))
                    person, _ = person_upsert(personnel_number=f"{k:04d}", first_name="P", last_name=str(k),
                                              email=user.email, org_unit=unit, user=user, by=admin, recompute=False)
                    if k % 2 == 0:
                        cs.evidence_record(person=person, competence=comps[k % 6], kind="theory",
                                           achieved_on=dt.date.today(), by=admin)
                    employee = employee or user
                cs.profile_link_create(profile=profile, org_unit=unit, by=admin)
            employee = User.objects.get(email=f"p0@{slug}.test")
            out.append({"host": f"{slug}.localhost", "manager_token": api_token_for(user=admin),
                        "employee_token": api_token_for(user=employee),
                        "person_ids": list(Person.objects.values_list("pk", flat=True))})
        print(f"\rtenants ready: {i}/{n_tenants} ({time.monotonic() - started:.0f}s)", end="", flush=True)
    print()
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    tenants = provision(args.tenants, args.people)
    out_dir = ROOT / "bench" / "load" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    tenants_file = out_dir / "tenants.json"
    tenants_file.write_text(json.dumps(tenants))

    from e2e.live import LiveServer

    env = {"PASPOORT_DB_NAME": os.environ["PASPOORT_DB_NAME"], "AXES_ENABLED": "false", "LOG_LEVEL": "WARNING"}
    server = LiveServer(env=env, gunicorn=True, workers=args.workers, threads=4, log_name="load-web")
    with server:
        prefix = out_dir / "locust"
        subprocess.run([sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")),
                        "--headless", "-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s",
                        "--host", f"http://127.0.0.1:{server.port}", "--csv", str(prefix), "--only-summary",
                        "--loglevel", "WARNING"],
                       cwd=ROOT, env={**os.environ, "LOAD_TENANTS": str(tenants_file), "LOAD_PORT": str(server.port)},
                       check=False)
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))
    lines = [f"{args.tenants} tenants x {args.people} people, {args.users} users, {args.seconds}s, "
             f"gunicorn {args.workers} workers x 4 threads",
             f"{'endpoint':<26}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}"]
    for r in rows:
        lines.append(f"{r['Name']:<26}{r['Request Count']:>9}{float(r['Requests/s']):>9.1f}"
                     f"{r['50%']:>9}{r['95%']:>9}{r['Failure Count']:>8}")
    text = "\n".join(lines)
    print(text)
    (out_dir / "summary.txt").write_text(text + "\n")
    failures = sum(int(r["Failure Count"]) for r in rows if r["Name"] == "Aggregated")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
