"""Fixtures for the whole suite: real PostgreSQL schemas, real tenants, a real worker.

Tenants are provisioned once per test session (cloned from the template, as in
production). Each test runs in a transaction that is rolled back; tests that need
committed data (a worker process reads it) ask for `transactional_db`, and the tenant
schemas are emptied again afterwards.
"""
from __future__ import annotations

import os
import uuid

import pytest
from django.conf import settings
from django.db import connection

from support import CeleryWorker

TEST_TENANTS = {
    # slug: (name, kind)
    "alpha": ("Ziekenhuis Alpha", "care"),
    "beta": ("Zorgcentrum Beta", "care"),
    "school": ("VAVO School Test", "education"),
}
_tenant_rows: dict[str, dict] = {}
KEEP_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


def pytest_collection_modifyitems(items):
    # pytest-django creates the test database only for tests it sees need one; tenant
    # fixtures request it indirectly, so mark those tests explicitly.
    for item in items:
        if "tenants_db" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="session", autouse=True)
def _isolated_broker(tmp_path_factory):
    """This session's tasks go to a queue (and folder) of its own, never a dev worker's."""
    from config.celery import app

    queue = f"paspoort-test-{uuid.uuid4().hex[:8]}"
    conf = {"task_default_queue": queue}
    if not settings.CELERY_BROKER_URL:
        folder = tmp_path_factory.mktemp("broker")
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir()
        conf["broker_transport_options"] = {
            "data_folder_in": str(folder / "queue"), "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"), "store_processed": False,
            "control_folder": str(folder / "control")}
        os.environ["PASPOORT_BROKER_DIR"] = str(folder)
    app.conf.update(conf)
    os.environ["CELERY_QUEUE"] = queue
    yield queue


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After pytest-django made the test database: template schema and test tenants."""
    from tenants.services import public_tenant_ensure, template_ensure, tenant_create
    from tenants.models import Tenant

    with django_db_blocker.unblock():
        template_ensure()
        public_tenant_ensure()
        for slug, (name, kind) in TEST_TENANTS.items():
            if not Tenant.objects.filter(slug=slug).exists():
                tenant_create(slug=slug, name=name, kind=kind, admin_email=f"admin@{slug}.test",
                              admin_password="admin-pass-123")
            t = Tenant.objects.get(slug=slug)
            _tenant_rows[slug] = {"id": t.id, "schema_name": t.schema_name, "slug": slug,
                                  "name": name, "kind": kind}
        connection.set_schema_to_public()


def _ensure_tenant_row(slug: str):
    """Transactional tests flush public tables; put the tenant's rows back (schema stays)."""
    from tenants.models import Domain, Tenant
    from tenants.services import public_tenant_ensure, tenant_domain_for

    connection.set_schema_to_public()
    public_tenant_ensure()
    row = _tenant_rows[slug]
    tenant = Tenant.objects.filter(pk=row["id"]).first()
    if tenant is None:
        tenant = Tenant(**row)
        tenant.save()
    Domain.objects.get_or_create(domain=tenant_domain_for(slug), defaults={"tenant": tenant})
    return tenant


def _empty_schema(schema: str) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema=%s "
                    "AND table_type='BASE TABLE'", [schema])
        tables = [r[0] for r in cur.fetchall() if r[0] not in KEEP_TABLES]
        if tables:
            cur.execute("TRUNCATE " + ", ".join(f'"{schema}"."{t}"' for t in tables) + " RESTART IDENTITY CASCADE")


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction"))


@pytest.fixture
def tenants_db(request, django_db_setup, django_db_blocker):
    """Database access for tenant tests; empties tenant schemas after committed tests."""
    transactional = _is_transactional(request)
    request.getfixturevalue("transactional_db" if transactional else "db")
    yield
    connection.set_schema_to_public()
    if transactional:
        for row in _tenant_rows.values():
            _empty_schema(row["schema_name"])


def _tenant_fixture(slug):
    @pytest.fixture
    def fixture(tenants_db):
        tenant = _ensure_tenant_row(slug)
        yield tenant
        connection.set_schema_to_public()
    return fixture


tenant_a = _tenant_fixture("alpha")
tenant_b = _tenant_fixture("beta")
school = _tenant_fixture("school")


@pytest.fixture
def public_tenant(tenants_db):
    from tenants.services import public_tenant_ensure

    connection.set_schema_to_public()
    return public_tenant_ensure()


@pytest.fixture(scope="session")
def celery_worker_process(_isolated_broker, django_db_setup, django_db_blocker):
    """A real Celery worker process on this session's queue and test database."""
    worker = CeleryWorker(queue=_isolated_broker)
    worker.start()
    yield worker
    worker.stop()


