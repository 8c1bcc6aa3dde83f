"""Team overview for 200 people x 40 competences: p95 latency of
``GET /api/v1/team-overview/`` against a bare DRF list endpoint reading the same rows
(``GET /api/v1/statuses/?page_size=10000``), both through the full Django stack on the
tenant's host; the ratio is the figure (target <= 2). Dedicated tenant 'bench-care',
dropped afterwards (set-up shared with bench/care_recompute.py).

Run: ``.venv/bin/python bench/team_overview.py``
"""
from __future__ import annotations

import statistics
import time

from care_recompute import bench_tenant_drop, bench_tenant_fresh, build_population  # noqa: E402

PEOPLE = 200
COMPETENCES = 40
RUNS = 60


def p95(samples):
    s = sorted(samples)
    return s[int(round(0.95 * (len(s) - 1)))]


def main() -> None:
    from django.conf import settings
    from django_tenants.utils import schema_context
    from rest_framework.test import APIClient

    from apps.accounts.models import User
    from apps.accounts.services import api_token_for
    from apps.competences.services import statuses_recompute

    tenant = bench_tenant_fresh()
    try:
        with schema_context(tenant.schema_name):
            ids, *_ = build_population(people=PEOPLE, competences=COMPETENCES)
            statuses_recompute(person_ids=ids)
            admin = User.objects.get(email="bench@bench-care.test")
            token = api_token_for(user=admin)
        client = APIClient(HTTP_HOST=f"{tenant.slug}.{settings.BASE_DOMAIN}")
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        endpoints = {"team-overview": "/api/v1/team-overview/",
                     "bare list": "/api/v1/statuses/?page_size=10000"}
        timings = {name: [] for name in endpoints}
        for name, url in endpoints.items():  # warm up
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
        rows = len(client.get(endpoints["bare list"]).json()["results"])
        for _ in range(RUNS):
            for name, url in endpoints.items():
                t = time.perf_counter()
                client.get(url)
                timings[name].append(time.perf_counter() - t)
        print(f"{PEOPLE} people x {COMPETENCES} competences = {rows} status rows, {RUNS} requests each")
        for name, samples in timings.items():
            print(f"{name:14s} p50 {statistics.median(samples) * 1000:7.1f} ms   p95 {p95(samples) * 1000:7.1f} ms")
        ratio = p95(timings["team-overview"]) / p95(timings["bare list"])
        print(f"ratio p95 team-overview / bare list: {ratio:.2f} (target <= 2)")
    finally:
        bench_tenant_drop()


if __name__ == "__main__":
    main()
