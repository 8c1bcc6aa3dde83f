"""Tasks sent with the wrong schema touch nothing of the tenant the ids belong to.

Extends tests/platform/test_celery.py (probe task) to the real work tasks: the care bulk
recompute and the funding import, on a real worker over the session's broker.
"""
import pytest

from apps.jobs.models import Job
from apps.jobs.services import job_create
from apps.jobs.tasks import tenant_probe
from security.seed import MARKER
from support import in_tenant, make_user, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CSV = ("record_type,participant_id,first_name,last_name,birth_date\n"
       f"participant,W1,Wim,{MARKER},2005-01-02\n")


def _marker_done(tenant):
    """Queue a probe behind the attack in `tenant` and wait until the worker ran it."""
    with in_tenant(tenant):
        marker = job_create(kind="probe", label="marker")
        tenant_probe.delay(str(marker.pk))
    wait_for(lambda: _status(tenant, marker.pk) == "done", timeout=60)


def _status(tenant, job_id):
    with in_tenant(tenant):
        return Job.objects.filter(pk=job_id).values_list("status", flat=True).first()


def _status_rows(tenant):
    from apps.competences.models import CompetenceStatus

    with in_tenant(tenant):
        return CompetenceStatus.objects.count()


def test_care_recompute_of_a_sent_from_b_touches_nothing(tenant_a, tenant_b, celery_worker_process):
    from apps.competences.models import CompetenceStatus
    from apps.competences.tasks import recompute_statuses
    from security.seed import seed_care

    seeded = seed_care(tenant_a)
    with in_tenant(tenant_a):
        CompetenceStatus.objects.all().delete()  # so a recompute that ran in A would be visible
        job_a = job_create(kind="competences.recompute", label="A's recompute", total=1,
                           params={"person_ids": [seeded["person"].pk], "as_of": None})
    with in_tenant(tenant_b):
        recompute_statuses.delay(str(job_a.pk))
    _marker_done(tenant_b)
    assert _status(tenant_a, job_a.pk) == "queued"
    assert _status_rows(tenant_a) == 0 and _status_rows(tenant_b) == 0
    with in_tenant(tenant_b):
        assert not Job.objects.filter(pk=job_a.pk).exists()
    # control: the same message from A's own schema does the work
    with in_tenant(tenant_a):
        recompute_statuses.delay(str(job_a.pk))
    wait_for(lambda: _status(tenant_a, job_a.pk) == "done", timeout=60)
    assert _status_rows(tenant_a) == 5 and _status_rows(tenant_b) == 0


def test_funding_import_of_school_sent_from_a_imports_nothing_anywhere(tenant_a, school, celery_worker_process):
    from apps.funding.imports import import_upload
    from apps.funding.models import Participant
    from apps.funding.tasks import import_csv

    admin = make_user(school, roles=("student_admin",))
    with in_tenant(school):
        upload, job = import_upload(filename="a.csv", raw=CSV.encode(), by=admin, queue=False)
    with in_tenant(tenant_a):
        import_csv.delay(import_id=upload.pk, job_id=str(job.pk))
    _marker_done(tenant_a)
    assert _status(school, job.pk) == "queued"
    with in_tenant(school):
        assert Participant.objects.count() == 0
    with in_tenant(tenant_a):
        assert Participant.objects.count() == 0
    # and the same task sent from the right tenant does import: the attack was the only difference
    with in_tenant(school):
        import_csv.delay(import_id=upload.pk, job_id=str(job.pk))
    wait_for(lambda: _status(school, job.pk) == "done", timeout=60)
    with in_tenant(school):
        assert list(Participant.objects.values_list("last_name", flat=True)) == [MARKER]
