"""Demo customers for `make run`: a hospital, a care institution and a VAVO school.

Idempotent: running it again finds what exists and adds only what is missing. Each
passport app contributes its own data through `apps/<app>/demo.py: load(tenant)`.
"""
from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

from django.conf import settings
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tenants.services import public_tenant_ensure, tenant_create

DEMO_PASSWORD = "paspoort-demo"


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]


DEMO_TENANTS = {
    "noord": ("Ziekenhuis Noord", "care", [
        DemoUser("beheer@noord.demo", "Marieke", "Bosman", ("tenant_admin", "manager")),
        DemoUser("ingrid.devries@noord.demo", "Ingrid", "de Vries", ("manager", "employee")),
        DemoUser("sanne.jansen@noord.demo", "Sanne", "Jansen", ("employee",)),
        DemoUser("pieter.bakker@noord.demo", "Pieter", "Bakker", ("assessor", "employee")),
    ]),
    "zorggroep": ("Zorggroep Rivierenland", "care", [
        DemoUser("beheer@zorggroep.demo", "Henk", "Visser", ("tenant_admin", "manager")),
        DemoUser("fatima.elamrani@zorggroep.demo", "Fatima", "El Amrani", ("manager", "employee")),
        DemoUser("joost.smit@zorggroep.demo", "Joost", "Smit", ("employee",)),
        DemoUser("anouk.meijer@zorggroep.demo", "Anouk", "Meijer", ("assessor", "employee")),
    ]),
    "vavo": ("VAVO Lyceum Utrecht", "education", [
        DemoUser("beheer@vavo.demo", "Eva", "van Dijk", ("tenant_admin",)),
        DemoUser("administratie@vavo.demo", "Ruben", "Mulder", ("student_admin",)),
    ]),
}
VENDOR_STAFF = DemoUser("support@paspoort.demo", "Lotte", "Hendriks", ())
DEMO_APPS = ["organisation", "competences", "learning", "sharing", "notifications", "funding", "releases"]


def demo_users_ensure(users) -> None:
    from apps.accounts.models import User

    for u in users:
        user, created = User.objects.get_or_create(
            email=u.email,
            defaults={"first_name": u.first_name, "last_name": u.last_name, "roles": list(u.roles),
                      "is_staff": "tenant_admin" in u.roles, "is_superuser": "tenant_admin" in u.roles},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])


def demo_load(*, verbose: bool = True) -> None:
    public_tenant_ensure()
    with schema_context("public"):
        from apps.accounts.models import User

        staff, created = User.objects.get_or_create(
            email=VENDOR_STAFF.email,
            defaults={"first_name": VENDOR_STAFF.first_name, "last_name": VENDOR_STAFF.last_name,
                      "is_staff": True, "is_superuser": True})
        if created:
            staff.set_password(DEMO_PASSWORD)
            staff.save(update_fields=["password"])
    for slug, (name, kind, users) in DEMO_TENANTS.items():
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            tenant = tenant_create(slug=slug, name=name, kind=kind, admin_email=users[0].email,
                                   admin_password=DEMO_PASSWORD).tenant
        with schema_context(tenant.schema_name):
            demo_users_ensure(users)
            for label in DEMO_APPS:
                if importlib.util.find_spec(f"apps.{label}.demo") is not None:
                    importlib.import_module(f"apps.{label}.demo").load(tenant)
    if importlib.util.find_spec("tenants.demo_control_plane") is not None:
        importlib.import_module("tenants.demo_control_plane").load()
    if verbose:
        print(demo_logins_text())


def demo_logins_text() -> str:
    port = 8000
    lines = ["", "Paspoort draait. Demo-logins (wachtwoord voor iedereen: %s):" % DEMO_PASSWORD,
             f"  Leverancier  http://{settings.BASE_DOMAIN}:{port}/   {VENDOR_STAFF.email}"]
    for slug, (name, _kind, users) in DEMO_TENANTS.items():
        lines.append(f"  {name:<24} http://{slug}.{settings.BASE_DOMAIN}:{port}/")
        for u in users:
            lines.append(f"      {u.email:<34} {', '.join(u.roles)}")
    return "\n".join(lines)
