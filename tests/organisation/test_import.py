"""HR import: units and people by code / personnel number, row errors with line numbers,
valid rows kept, idempotent, leavers deactivated (never deleted)."""
from __future__ import annotations

import pytest

from apps.audit.models import AuditEntry
from apps.competences import services as care
from apps.competences.models import CompetenceStatus
from apps.organisation.models import OrgUnit, Person
from apps.organisation.services import hr_import_run
from support import api_client_for, in_tenant, wait_for

UNITS = """code,name,kind,parent_code
CARD-T1,Cardiologie team 1,team,CARD
CARD,Cardiologie,department,
CHIR,Chirurgie,department,
BAD,,department,
ORPHAN,Wees,team,NOWHERE
"""

PEOPLE = """personnel_number;first_name;last_name;email;org_unit_code;function;employment_start;employment_end
3001;Anna;de Boer;anna.deboer@alpha.test;CARD;Verpleegkundige;2020-01-01;
3002;Bram;Visser;;CARD-T1;Verpleegkundige;01-03-2021;
3003;Chris;Smit;niet-een-mail;CARD;Verpleegkundige;2020-01-01;
3004;Dewi;Bakker;;ONBEKEND;Verpleegkundige;2020-01-01;
3005;Eva;Mulder;;CARD;Verpleegkundige;2020-02-30;
1002;Kees;Klaassen;;CHIR;Verpleegkundige;2015-01-01;2020-12-31
"""


def test_units_import_creates_tree_in_any_order_and_reports_line_numbers(world):
    w = world
    with in_tenant(w.tenant):
        report = hr_import_run(content=UNITS, by=w.admin)
        assert report.kind == "units"
        assert OrgUnit.objects.get(code="CARD-T1").parent.code == "CARD"
        assert OrgUnit.objects.get(code="CHIR").name == "Chirurgie"
        assert {(e["line"], e["field"]) for e in report.errors} == {(5, "name"), (6, "parent")}
        assert report.created == 2 and report.unchanged == 1  # CHIR existed with the same name
        again = hr_import_run(content=UNITS, by=w.admin)
        assert again.created == 0 and again.updated == 0 and again.unchanged == 3


def test_people_import_keeps_valid_rows_reports_errors_and_is_idempotent(world):
    w = world
    with in_tenant(w.tenant):
        hr_import_run(content=UNITS, by=w.admin)
        profile = care.profile_create(name="Chirurgie", org_unit=w.chir, competence_codes=["KATH"], by=w.admin)
        care.profile_link_create(profile=profile, org_unit=w.chir, by=w.admin)
        assert CompetenceStatus.objects.filter(person=w.colleague).exists()
        report = hr_import_run(content=PEOPLE, by=w.admin)
        assert report.kind == "people"
        assert {(e["line"], e["field"]) for e in report.errors} == {
            (4, "email"), (5, "org_unit"), (6, "employment_start")}
        assert report.created == 2 and report.updated == 1 and report.deactivated == 1
        anna = Person.objects.get(personnel_number="3001")
        assert anna.org_unit.code == "CARD" and anna.is_active
        assert Person.objects.get(personnel_number="3002").employment_start.isoformat() == "2021-03-01"
        kees = Person.objects.get(personnel_number="1002")  # left: deactivated, not deleted
        assert not kees.is_active and kees.employment_end.isoformat() == "2020-12-31"
        assert not CompetenceStatus.objects.filter(person=kees).exists()
        audits = AuditEntry.objects.count()
        again = hr_import_run(content=PEOPLE, by=w.admin)
        assert again.created == again.updated == again.deactivated == 0 and again.unchanged == 3
        assert AuditEntry.objects.count() == audits
        assert Person.objects.count() == 5


def test_people_missing_from_a_full_export_are_deactivated_on_request(world):
    w = world
    content = "personnel_number,first_name,last_name,email,org_unit_code,function,employment_start,employment_end\n" \
              "1001,Sanne,Jansen,,CHIR-A,Verpleegkundige,2019-01-01,\n"
    with in_tenant(w.tenant):
        report = hr_import_run(content=content, by=w.admin, deactivate_missing=True)
        assert report.deactivated == 2
        assert set(Person.objects.filter(is_active=True).values_list("personnel_number", flat=True)) == {"1001"}
        assert Person.objects.count() == 3


def test_unknown_columns_are_refused(world):
    from django.core.exceptions import ValidationError

    w = world
    with in_tenant(w.tenant):
        with pytest.raises(ValidationError) as exc:
            hr_import_run(content="a,b\n1,2\n", by=w.admin)
        assert "file" in exc.value.message_dict


def test_import_api_is_admin_only(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    w = world
    upload = SimpleUploadedFile("units.csv", UNITS.encode(), content_type="text/csv")
    r = api_client_for(w.tenant, w.manager).post("/api/v1/people/import/", {"file": upload}, format="multipart")
    assert r.status_code == 403
    r = api_client_for(w.tenant, w.admin).post("/api/v1/people/import/", {}, format="multipart")
    assert r.status_code == 400 and "file" in r.json()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_import_via_api_runs_as_a_job_on_the_worker(world, celery_worker_process):
    from django.core.files.uploadedfile import SimpleUploadedFile

    w = world
    api = api_client_for(w.tenant, w.admin)
    r = api.post("/api/v1/people/import/", {"file": SimpleUploadedFile("u.csv", UNITS.encode())}, format="multipart")
    assert r.status_code == 202
    job_id = r.json()["job"]

    def finished():
        body = api.get(f"/api/v1/jobs/{job_id}/").json()
        return body if body["status"] == "done" else None

    body = wait_for(finished, timeout=60)
    assert body["result"]["created"] == 2
    assert {e["line"] for e in body["errors"]} == {5, 6}
