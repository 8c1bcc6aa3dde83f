"""Tasks run in the schema they were sent from, on a real worker over a real broker."""
import pytest

from apps.jobs.models import Job
from apps.jobs.services import job_create
from apps.jobs.tasks import tenant_probe
from config.celery import TenantScopeError
from support import in_tenant, make_user, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _job_result(tenant, job_id):
    with in_tenant(tenant):
        job = Job.objects.filter(pk=job_id, status="done").first()
        return job.result if job else None


def test_task_enqueued_in_a_runs_in_a_schema(tenant_a, tenant_b, celery_worker_process):
    make_user(tenant_a, email="only-in-a@alpha.test")
    make_user(tenant_b, email="only-in-b@beta.test")
    with in_tenant(tenant_a):
        job_a = job_create(kind="probe", label="probe")
        tenant_probe.delay(str(job_a.pk))
    with in_tenant(tenant_b):
        job_b = job_create(kind="probe", label="probe")
        tenant_probe.delay(str(job_b.pk))
    result_a = wait_for(lambda: _job_result(tenant_a, job_a.pk))
    result_b = wait_for(lambda: _job_result(tenant_b, job_b.pk))
    assert result_a["schema"] == "t_alpha" and "only-in-a@alpha.test" in result_a["users"]
    assert "only-in-b@beta.test" not in result_a["users"]
    assert result_b["schema"] == "t_beta" and "only-in-a@alpha.test" not in result_b["users"]


def test_task_for_wrong_schema_finds_nothing_of_the_other_tenant(tenant_a, tenant_b, celery_worker_process):
    """A job id of A sent from B's schema: the worker looks in B and touches nothing of A."""
    with in_tenant(tenant_a):
        job_a = job_create(kind="probe", label="probe")
    with in_tenant(tenant_b):
        tenant_probe.delay(str(job_a.pk))
        marker = job_create(kind="probe", label="marker")
        tenant_probe.delay(str(marker.pk))
    wait_for(lambda: _job_result(tenant_b, marker.pk))  # the worker got past both tasks
    with in_tenant(tenant_a):
        assert Job.objects.get(pk=job_a.pk).status == "queued"


def test_tenant_task_without_tenant_fails_closed(tenants_db):
    from django.db import connection

    connection.set_schema_to_public()
    with pytest.raises(TenantScopeError):
        tenant_probe.apply(args=["00000000-0000-0000-0000-000000000000"], throw=True)
