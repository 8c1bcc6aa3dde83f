"""Bulk recomputes and the nightly sweep run on a real worker, in the sender's tenant."""
from __future__ import annotations

import pytest

from apps.competences import services
from apps.competences.models import CompetenceStatus
from apps.jobs.models import Job
from apps.organisation.models import Person
from support import api_client_for, in_tenant, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _done(tenant, job_id):
    with in_tenant(tenant):
        return Job.objects.filter(pk=job_id, status="done").first()


def test_profile_link_to_a_big_unit_recomputes_through_a_worker_with_progress(world, celery_worker_process):
    w = world
    with in_tenant(w.tenant):
        Person.objects.bulk_create([Person(personnel_number=f"B{i:03d}", first_name="Bulk", last_name=str(i),
                                           org_unit=w.chir_team) for i in range(60)])
    api = api_client_for(w.tenant, w.manager)
    profile = api.post("/api/v1/profiles/", {"name": "Afdeling Chirurgie", "org_unit": w.chir.pk,
                                             "competences": ["KATH", "BLS"]}, format="json").json()
    r = api.post("/api/v1/profile-links/", {"profile": profile["id"], "org_unit": w.chir.pk}, format="json")
    assert r.status_code == 201
    job_id = r.json()["job"]
    assert job_id, "62 people exceed the inline limit: a job does it"
    job = wait_for(lambda: _done(w.tenant, job_id), timeout=60)
    assert job.done == job.total == 62 and job.result["created"] == 124
    progress = api.get(f"/api/v1/jobs/{job_id}/").json()
    assert progress["percent"] == 100
    with in_tenant(w.tenant):
        assert CompetenceStatus.objects.filter(status="missing").count() == 124
    # the other tenant saw nothing of it
    mine = api_client_for(w.tenant, w.employee).get("/api/v1/passport/me/").json()
    assert {s["competence"] for s in mine["statuses"]} == {"KATH", "BLS"}


def test_nightly_sweep_task_runs_per_tenant_on_the_worker(world, celery_worker_process):
    from apps.competences.tasks import sweep_due_statuses

    w = world
    with in_tenant(w.tenant):
        profile = services.profile_create(name="P", org_unit=w.chir, competence_codes=["BLS"], by=w.manager)
        services.profile_link_create(profile=profile, person=w.nurse.pk, by=w.manager)
        row = CompetenceStatus.objects.get(person=w.nurse)
        # make the row due today (as if decided long ago with a next_change that has come)
        CompetenceStatus.objects.filter(pk=row.pk).update(next_change=w.today, status="competent")
        sweep_due_statuses.delay()
    wait_for(lambda: _status_is(w, "missing"), timeout=60)


def _status_is(w, status):
    with in_tenant(w.tenant):
        return CompetenceStatus.objects.filter(person=w.nurse, status=status).exists()
