"""The vendor's control-plane pages and the impact preview."""
import sys
import types

import pytest

from apps.jobs.models import Job
from support import client_for, make_user
from tenants import services
from tenants.models import Rollout, SupportSession


def test_non_staff_public_users_get_forbidden(public_tenant):
    clerk = make_user(public_tenant, email="clerk@paspoort.test", roles=())
    assert client_for(public_tenant, clerk).get("/control/").status_code == 403


def test_every_control_page_renders_for_staff(vendor, public_tenant, make_version, make_group, tenant_a, tenant_b):
    version = make_version("2026.4")
    group = make_group("Pilot", tenant_a)
    rollout = services.rollout_create(version=version, by=vendor, stages=[{"group": group}, {"group": None}])
    services.rollout_start(rollout=rollout, by=vendor)
    services.feedback_submit(tenant=tenant_a, version=version, author_email="a@alpha.test", text="Mooi")
    client = client_for(public_tenant, vendor)
    for url in ("/control/", "/control/tenants/", f"/control/tenants/{tenant_a.pk}/", "/control/groups/",
                f"/control/groups/{group.pk}/", "/control/versions/", f"/control/versions/{version.pk}/",
                "/control/rollouts/", f"/control/rollouts/{rollout.pk}/", "/control/feedback/",
                f"/control/feedback/?version={version.pk}", "/control/support/", "/control/audit/"):
        response = client.get(url)
        assert response.status_code == 200, url
    body = client.get("/control/").content.decode()
    assert "<svg" in body and "2026.4" in body


def test_rollout_buttons_call_the_services_and_show_errors(vendor, public_tenant, make_version, make_group,
                                                           tenant_a):
    version = make_version("2026.4")
    rollout = services.rollout_create(version=version, by=vendor, stages=[
        {"group": make_group("Pilot", tenant_a)}, {"group": None, "min_days_in_previous_stage": 3}])
    client = client_for(public_tenant, vendor)
    client.post(f"/control/rollouts/{rollout.pk}/start/", {"reason": "go"})
    assert Rollout.objects.get(pk=rollout.pk).status == "running"
    page = client.post(f"/control/rollouts/{rollout.pk}/advance/", {"reason": ""}, follow=True)
    assert "3 dagen" in page.content.decode()
    client.post(f"/control/rollouts/{rollout.pk}/pause/", {"reason": "even wachten"})
    assert Rollout.objects.get(pk=rollout.pk).status == "paused"


def test_support_page_opens_a_session_and_shows_the_one_time_link(vendor, public_tenant, tenant_a):
    client = client_for(public_tenant, vendor)
    response = client.post("/control/support/", {"tenant": tenant_a.pk, "reason": "ticket 1", "minutes": 30})
    assert response.status_code == 200 and "/support/enter/" in response.content.decode()
    session = SupportSession.objects.get()
    client.post(f"/control/support/{session.pk}/end/")
    session.refresh_from_db()
    assert session.ended_at is not None


@pytest.fixture
def preview_module(monkeypatch):
    """A stand-in for apps.competences.selectors.impact_preview (the interface, not the data)."""
    module = types.ModuleType("paspoort_test_preview")
    calls = []

    def impact_preview(rules_version, sample):
        from django.db import connection

        calls.append((connection.schema_name, rules_version, sample))
        return {"total": 10, "changed": 3, "counts": {"competent→expiring": 3, "competent→competent": 7},
                "sample": [{"subject": "Sanne × Venapunctie", "old": "competent", "new": "expiring"}] * 9}

    module.impact_preview = impact_preview
    monkeypatch.setitem(sys.modules, "paspoort_test_preview", module)
    monkeypatch.setitem(sys.modules, "paspoort_test_empty", types.ModuleType("paspoort_test_empty"))
    monkeypatch.setitem(services.IMPACT_PREVIEW_MODULES, "care", "paspoort_test_preview")
    monkeypatch.setitem(services.IMPACT_PREVIEW_MODULES, "education", "paspoort_test_empty")
    return calls


def test_impact_preview_dry_runs_each_target_tenant_in_its_schema(vendor, public_tenant, make_version, make_group,
                                                                  tenant_a, tenant_b, school, preview_module):
    version = make_version("2026.4", care="care-2026.2", funding="vavo-2026.1")
    rollout = services.rollout_create(version=version, by=vendor, stages=[
        {"group": make_group("Pilot", tenant_a)}, {"group": None}])
    services.rollout_start(rollout=rollout, by=vendor)
    job = services.rollout_impact_preview_start(rollout=rollout, by=vendor, sample=2)
    result = services.rollout_impact_preview_run(job_id=job.pk)
    assert sorted(preview_module) == [("t_beta", "care-2026.2", 2)]
    by_slug = {t["slug"]: t for t in result["tenants"]}
    assert set(by_slug) == {"beta", "school"}
    assert by_slug["school"]["state"] == "no_data"
    assert by_slug["beta"]["changed"] == 3 and len(by_slug["beta"]["sample"]) == 2
    assert {"old": "competent", "new": "expiring", "count": 3} in result["totals"]
    assert result["changed"] == 3
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.done == job.total == 2
    page = client_for(public_tenant, vendor).get(f"/control/rollouts/{rollout.pk}/").content.decode()
    assert "geen gegevens" in page and "expiring" in page


def test_impact_preview_task_runs_in_public_and_finishes_the_job(vendor, make_version, make_group, tenant_a,
                                                                 tenant_b, preview_module):
    from tenants.tasks import rollout_impact_preview

    version = make_version("2026.4", care="care-2026.2")
    rollout = services.rollout_create(version=version, by=vendor, stages=[
        {"group": make_group("Pilot", tenant_a)}, {"group": make_group("Golf", tenant_b)}])
    job = services.rollout_impact_preview_start(rollout=rollout, by=vendor)
    rollout_impact_preview.apply(args=[str(job.pk)]).get()
    job.refresh_from_db()
    # not started yet: the next stage is the pilot
    assert job.status == "done" and [t["slug"] for t in job.result["tenants"]] == ["alpha"]
