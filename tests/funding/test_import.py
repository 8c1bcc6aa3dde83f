"""CSV import (apps/funding/IMPORT.md): row errors with line numbers, valid rows kept, no row
half-imported, idempotent re-import, and a real worker showing progress."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.audit.models import AuditEntry
from apps.funding.imports import FORMAT_DOC, import_run, import_upload
from apps.funding.models import Diploma, Enrolment, FundingDecision, Participant, SubjectResult
from apps.jobs.models import Job
from support import api_client_for, in_tenant, wait_for

HEADER = ("record_type,participant_id,enrolment_id,bsn,onderwijsnummer,first_name,prefix,last_name,birth_date,"
          "track,start,planned_end,actual_end,attending,registered_on,subject,status,final_grade,completed_on,"
          "exam_result,issued_on")


def row(record_type, **values):
    columns = HEADER.split(",")
    out = {c: "" for c in columns}
    out["record_type"] = record_type
    out.update(values)
    return ",".join(f'"{out[c]}"' if "," in str(out[c]) else str(out[c]) for c in columns)


def person(pid, bsn="111222333", **extra):
    values = dict(participant_id=pid, bsn=bsn, first_name="Sanne", last_name="Jansen", birth_date="2001-03-04")
    values.update(extra)
    return row("participant", **values)


def enrolment(eid, pid, **extra):
    values = dict(enrolment_id=eid, participant_id=pid, track="havo", start="2025-08-20", planned_end="2026-07-31",
                  registered_on="2025-08-21")
    values.update(extra)
    return row("enrolment", **values)


def subject(eid, name="wiskunde A", **extra):
    values = dict(enrolment_id=eid, subject=name, status="G", final_grade="6,4", completed_on="2026-06-20")
    values.update(extra)
    return row("subject", **values)


def diploma(eid, **extra):
    values = dict(enrolment_id=eid, exam_result="G", issued_on="2026-07-01")
    values.update(extra)
    return row("diploma", **values)


def run(text: str, user):
    upload, job = import_upload(filename="test.csv", raw=text.encode(), by=user, queue=False)
    summary = import_run(import_id=upload.pk, job_id=job.pk)
    return summary, Job.objects.get(pk=job.pk)


GOOD_AND_BAD = "\n".join([
    HEADER,
    person("P1"),                                   # line 2
    person("P2", bsn="123456789"),                  # line 3: invalid BSN
    enrolment("E1", "P1"),                          # line 4
    enrolment("E2", "P1", track="mbo"),             # line 5: unknown track
    subject("E1", final_grade="11"),                # line 6: grade outside 1.0-10.0
    subject("E1", name="Engels", final_grade="7"),  # line 7
    enrolment("E3", "P1", planned_end="2025-01-01"),  # line 8: end before start
    subject("E9", name="Duits"),                    # line 9: unknown enrolment
    row("course", participant_id="X"),             # line 10: unknown record type
    diploma("E1", issued_on="2026-02-30"),          # line 11: impossible date
    enrolment("E4", "P404"),                        # line 12: unknown participant
    person("P3", birth_date=""),                    # line 13: missing birth date
    diploma("E1"),                                  # line 14
]) + "\n"


def test_row_errors_have_line_numbers_and_reasons_and_valid_rows_are_kept(in_school, student_admin):
    summary, job = run(GOOD_AND_BAD, student_admin)
    errors = {(e["line"], e["field"]) for e in job.errors}
    assert errors == {(3, "bsn"), (5, "track"), (6, "final_grade"), (8, "planned_end"), (9, "enrolment_id"),
                      (10, "record_type"), (11, "issued_on"), (12, "participant_id"), (13, "birth_date")}
    assert all(e["message"] for e in job.errors)
    assert summary == {"rows": 13, "created": 4, "updated": 0, "unchanged": 0, "errors": 9}
    assert list(Participant.objects.values_list("external_id", flat=True)) == ["P1"]
    assert list(Enrolment.objects.values_list("external_id", flat=True)) == ["E1"]
    assert list(SubjectResult.objects.values_list("subject", flat=True)) == ["Engels"]
    assert Diploma.objects.count() == 1
    assert job.status == "done" and job.done == job.total == 13
    e1 = Enrolment.objects.get()
    assert FundingDecision.objects.get(object_type="enrolment", object_id=e1.pk).status == "funded"


def test_reimporting_the_same_file_changes_nothing(in_school, student_admin):
    run(GOOD_AND_BAD, student_admin)
    state = (list(FundingDecision.objects.order_by("id").values_list("id", "status", "computed_at")),
             AuditEntry.objects.exclude(action__startswith="funding.import").count())
    summary, job = run(GOOD_AND_BAD, student_admin)
    assert summary == {"rows": 13, "created": 0, "updated": 0, "unchanged": 4, "errors": 9}
    assert (list(FundingDecision.objects.order_by("id").values_list("id", "status", "computed_at")),
            AuditEntry.objects.exclude(action__startswith="funding.import").count()) == state


def test_changed_row_updates_by_key_and_recomputes(in_school, student_admin):
    text = "\n".join([HEADER, person("P1"), enrolment("E1", "P1")])
    run(text, student_admin)
    summary, _job = run("\n".join([HEADER, person("P1"), enrolment("E1", "P1", attending="nee")]), student_admin)
    assert (summary["updated"], summary["unchanged"]) == (1, 1)
    e1 = Enrolment.objects.get(external_id="E1")
    assert FundingDecision.objects.get(object_type="enrolment", object_id=e1.pk).codes == ["not_attending"]


def test_no_row_is_ever_half_imported(in_school, student_admin):
    """A row that fails validation leaves no object, no audit entry and no decision behind,
    also when it would have replaced an existing record."""
    run("\n".join([HEADER, person("P1"), enrolment("E1", "P1")]), student_admin)
    before = (AuditEntry.objects.exclude(action__startswith="funding.import").count(),
              list(Enrolment.objects.values_list("track", "start", "planned_end")))
    summary, job = run("\n".join([HEADER, enrolment("E1", "P1", start="2026-01-01", planned_end="2025-12-01")]),
                       student_admin)
    assert summary["errors"] == 1 and job.errors[0]["line"] == 2
    assert (AuditEntry.objects.exclude(action__startswith="funding.import").count(),
            list(Enrolment.objects.values_list("track", "start", "planned_end"))) == before


def test_rows_may_come_in_any_order_and_in_dutch_notation(in_school, student_admin):
    text = "\n".join([
        HEADER.replace(",", ";"),
        diploma("E1").replace(",", ";"),
        subject("E1", final_grade="6.5").replace(",", ";"),
        enrolment("E1", "P1", start="20-08-2025", attending="ja").replace(",", ";"),
        person("P1").replace(",", ";"),
    ])
    summary, job = run(text, student_admin)
    assert summary["created"] == 4 and summary["errors"] == 0, job.errors


def test_the_documented_example_imports_cleanly(in_school, student_admin):
    example = FORMAT_DOC.read_text().split("## Voorbeeld")[1].split("```")[1].strip()
    summary, job = run(example, student_admin)
    assert summary == {"rows": 4, "created": 4, "updated": 0, "unchanged": 0, "errors": 0}, job.errors
    assert set(FundingDecision.objects.values_list("object_type", "status")) == {
        ("enrolment", "funded"), ("subject", "funded"), ("diploma", "funded")}


@pytest.mark.parametrize("text,message", [
    ("participant_id,bsn\nP1,111222333\n", "record_type"),
    ("record_type,participant_id,birthdate\nparticipant,P1,2001-01-01\n", "birthdate"),
    ("", "leeg"),
])
def test_a_bad_header_refuses_the_whole_file_at_upload(in_school, student_admin, text, message):
    with pytest.raises(ValidationError) as exc:
        import_upload(filename="x.csv", raw=text.encode(), by=student_admin, queue=False)
    assert message in str(exc.value.message_dict["file"])
    assert not Job.objects.exists()


def test_import_is_audited(in_school, student_admin):
    run("\n".join([HEADER, person("P1")]), student_admin)
    entry = AuditEntry.objects.get(action="funding.import")
    assert entry.actor_id == student_admin.pk and entry.new["created"] == 1
    assert AuditEntry.objects.filter(action="funding.participant.create").count() == 1


def test_upload_endpoint_returns_a_job_id(school, student_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api_client_for(school, student_admin)
    upload = SimpleUploadedFile("leerlingen.csv", GOOD_AND_BAD.encode(), content_type="text/csv")
    response = client.post("/api/v1/funding/import/", {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    assert response.json()["rows"] == 13
    assert client.get(f"/api/v1/jobs/{response.json()['job']}/").json()["status"] == "queued"
    bad = SimpleUploadedFile("x.csv", b"nope\n1\n", content_type="text/csv")
    response = client.post("/api/v1/funding/import/", {"file": bad}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_import_runs_in_a_real_worker_with_progress(school, student_admin, celery_worker_process):
    from django.core.files.uploadedfile import SimpleUploadedFile

    lines = [HEADER]
    for i in range(1200):
        lines += [person(f"P{i}", bsn="111222333"), enrolment(f"E{i}", f"P{i}")]
    client = api_client_for(school, student_admin)
    upload = SimpleUploadedFile("groot.csv", "\n".join(lines).encode(), content_type="text/csv")
    response = client.post("/api/v1/funding/import/", {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    job_id = response.json()["job"]
    seen = []

    def finished():
        body = client.get(f"/api/v1/jobs/{job_id}/").json()
        seen.append((body["status"], body["done"]))
        return body if body["status"] in ("done", "failed") else None

    body = wait_for(finished, timeout=180, interval=0.2)
    assert body["status"] == "done", body
    assert body["result"]["created"] == 2400 and body["done"] == body["total"] == 2400
    assert any(status == "running" and 0 < done < 2400 for status, done in seen), seen
    with in_tenant(school):
        assert FundingDecision.objects.filter(object_type="enrolment", status="funded").count() == 1200


def test_a_rejected_update_does_not_hide_the_existing_record_from_later_rows(in_school, student_admin):
    run("\n".join([HEADER, person("P1")]), student_admin)
    summary, job = run("\n".join([HEADER, person("P1", bsn="123456789"), enrolment("E1", "P1")]), student_admin)
    assert [(e["line"], e["field"]) for e in job.errors] == [(2, "bsn")]
    assert summary["created"] == 1
    assert Participant.objects.get(external_id="P1").bsn == "111222333"
