"""Locust users spread over many tenants: the passport and team-overview endpoints.

Reads bench/load/tenants.json ([{"host": "t01.localhost", "manager_token": ..., "employee_token": ...,
"person_ids": [...]}, ...]) written by run_load.py. Every request connects to --host
(http://127.0.0.1:PORT) and names the tenant in the Host header.
"""
import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

TENANTS = json.loads(Path(os.environ.get("LOAD_TENANTS", Path(__file__).with_name("tenants.json"))).read_text())
PORT = os.environ.get("LOAD_PORT", "8000")


class TenantUser(HttpUser):
    wait_time = between(0.0, 0.05)

    def on_start(self):
        self.tenant = random.choice(TENANTS)

    def _headers(self, token):
        return {"Host": f"{self.tenant['host']}:{PORT}", "Authorization": f"Token {token}"}

    @task(3)
    def my_passport(self):
        self.tenant = random.choice(TENANTS)
        self.client.get("/api/v1/passport/me/", headers=self._headers(self.tenant["employee_token"]),
                        name="passport (own)")

    @task(2)
    def person_passport(self):
        self.tenant = random.choice(TENANTS)
        person = random.choice(self.tenant["person_ids"])
        self.client.get(f"/api/v1/people/{person}/passport/", headers=self._headers(self.tenant["manager_token"]),
                        name="passport (manager view)")

    @task(2)
    def team_overview(self):
        self.tenant = random.choice(TENANTS)
        self.client.get("/api/v1/team-overview/", headers=self._headers(self.tenant["manager_token"]),
                        name="team overview")
