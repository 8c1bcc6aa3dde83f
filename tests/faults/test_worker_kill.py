"""Issue 7: kill -9 the worker in the middle of an import and of a full recompute; after a new
worker starts the result equals that of an uninterrupted run: nothing lost, nothing twice.

A real worker process (the session's, killed and started again), committed data, the school
tenant. The uninterrupted run of the same work on the same clean schema is the reference;
rows are compared by their natural keys (database ids differ: a killed chunk used up
sequence values), decisions by a digest of everything but the time they were computed.
Works with either broker: the filesystem one loses the message the killed worker held, Redis
keeps it for an hour (visibility timeout); neither matters, the replacement worker re-sends
the job at start (apps/jobs/recovery.py) and the job resumes from its checkpoint.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.funding.models import Diploma, Enrolment, FundingDecision, ImportFile, Participant, SubjectResult
from apps.jobs.models import Job
from support import in_tenant, make_user, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HEADER = ("record_type,participant_id,enrolment_id,bsn,first_name,last_name,birth_date,track,start,planned_end,"
          "registered_on,subject,status,final_grade,completed_on,exam_result,issued_on")


def import_file() -> str:
    """3,000 rows: 1,000 participants, 1,000 enrolments, 800 subjects, 200 diplomas, with
    some bad rows (invalid BSN, unknown participant, grade out of range) among them."""
    lines = [HEADER]
    for i in range(1000):
        bsn = "123456789" if i % 97 == 0 else "111222333"
        lines.append(f"participant,P{i},,{bsn},Sanne{i},Jansen,2001-03-04,,,,,,,,,,")
    for i in range(1000):
        start_year = 2023 + i % 3
        lines.append(f"enrolment,P{i},E{i},,,,,{('havo', 'vwo', 'vmbo-t')[i % 3]},{start_year}-08-20,"
                     f"2026-07-31,{start_year}-08-21,,,,,,")
    for i in range(800):
        grade = "11" if i % 61 == 0 else f"{5 + i % 5}.{i % 10}"
        lines.append(f"subject,,E{i},,,,,,,,,wiskunde A,G,{grade},2026-06-20,,")
    for i in range(200):
        lines.append(f"diploma,,E{i},,,,,,,,,,,,,{'GATD'[i % 4]},2026-07-01")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- comparing runs


def _digest(rows) -> str:
    return hashlib.sha256(json.dumps(sorted(rows), default=str).encode()).hexdigest()


def facts_digest() -> str:
    rows = [("p", p.external_id, p.bsn, p.first_name, p.last_name, p.birth_date) for p in Participant.objects.all()]
    rows += [("e", e.external_id, e.participant.external_id, e.track, e.start, e.planned_end, e.registered_on)
             for e in Enrolment.objects.select_related("participant")]
    rows += [("s", s.enrolment.external_id, s.subject, s.status, s.final_grade, s.completed_on)
             for s in SubjectResult.objects.select_related("enrolment")]
    rows += [("d", d.enrolment.external_id, d.exam_result, d.issued_on) for d in Diploma.objects.select_related("enrolment")]
    return _digest(rows)


def decisions() -> list[tuple]:
    """Every provisional decision by natural keys, without ids and computation time."""
    enrolments = dict(Enrolment.objects.values_list("pk", "external_id"))
    subjects = {s.pk: (enrolments[s.enrolment_id], s.subject) for s in SubjectResult.objects.all()}
    diplomas = {d.pk: enrolments[d.enrolment_id] for d in Diploma.objects.all()}
    participants = dict(Participant.objects.values_list("pk", "external_id"))
    key_of = {"enrolment": enrolments, "subject": subjects, "diploma": diplomas}
    return [(d.kind, d.funding_year, d.count_date, d.exam_year, d.object_type, key_of[d.object_type][d.object_id],
             d.object_label, participants[d.participant_id], d.participant_label, d.track, d.status, d.codes,
             json.dumps(d.grounds, sort_keys=True), d.rules_version)
            for d in FundingDecision.objects.filter(kind=FundingDecision.Kind.PROVISIONAL)]


def assert_no_duplicates() -> None:
    for model, key in ((Participant, "external_id"), (Enrolment, "external_id")):
        counts = Counter(model.objects.values_list(key, flat=True))
        assert not [k for k, n in counts.items() if n > 1], f"duplicate {model.__name__}"
    keys = Counter(FundingDecision.objects.values_list("kind", "object_type", "object_id", "funding_year"))
    assert not [k for k, n in keys.items() if n > 1], "duplicate decisions"


def empty_funding_data() -> None:
    """The clean schema each run starts from (users stay)."""
    models = (FundingDecision, Diploma, SubjectResult, Enrolment, Participant, ImportFile, Job, AuditEntry)
    tables = ", ".join(f'"{connection.schema_name}"."{m._meta.db_table}"' for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


# --------------------------------------------------------------------------- killing the worker


def job_state(job_id) -> dict:
    return Job.objects.filter(pk=job_id).values("status", "done", "total", "heartbeat_at", "attempts").get()


def kill_in_the_middle(worker, job_id) -> dict:
    """kill -9 the worker as soon as the job shows progress that is not yet complete."""
    def midway():
        state = job_state(job_id)
        assert state["status"] not in ("done", "failed"), f"the job ended before it could be interrupted: {state}"
        return state if 0 < state["done"] < state["total"] else None

    wait_for(midway, timeout=45, interval=0.02)
    worker.kill()
    state = job_state(job_id)
    assert state["status"] == "running" and 0 < state["done"] < state["total"], state
    return state


def restart(worker, job_id) -> None:
    """Start a new worker once the killed run is old enough to count as stalled at its start
    (apps.jobs.recovery.RESUME_ON_START_SECONDS; a real restart takes longer than that)."""
    from apps.jobs.recovery import RESUME_ON_START_SECONDS

    def quiet_long_enough():
        return timezone.now() - job_state(job_id)["heartbeat_at"] > timedelta(seconds=RESUME_ON_START_SECONDS)

    wait_for(quiet_long_enough, timeout=RESUME_ON_START_SECONDS + 5, interval=0.1)
    worker.start()


def wait_done(job_id, timeout=60) -> Job:
    wait_for(lambda: job_state(job_id)["status"] in ("done", "failed"), timeout=timeout, interval=0.2)
    return Job.objects.get(pk=job_id)


@pytest.fixture
def worker(celery_worker_process):
    yield celery_worker_process
    if celery_worker_process.proc.poll() is not None:  # a failed test leaves the session a worker
        celery_worker_process.start()


# --------------------------------------------------------------------------- the import


def test_killed_import_resumes_to_the_result_of_an_uninterrupted_run(school, worker):
    from apps.funding.imports import import_run, import_upload

    admin = make_user(school, email="administratie@school.test", roles=("student_admin",))
    text = import_file()
    with in_tenant(school):
        # Reference: the same file, uninterrupted, on a clean schema.
        upload, job = import_upload(filename="groot.csv", raw=text.encode(), by=admin, queue=False)
        import_run(import_id=upload.pk, job_id=job.pk)
        reference = Job.objects.get(pk=job.pk)
        expected = (facts_digest(), _digest(decisions()), Counter(AuditEntry.objects.values_list("action", flat=True)))
        assert reference.result["created"] > 2800 and reference.result["errors"] > 20, reference.result
        empty_funding_data()

        with transaction.atomic():
            upload, job = import_upload(filename="groot.csv", raw=text.encode(), by=admin)
        killed_at = kill_in_the_middle(worker, job.pk)
        restart(worker, job.pk)
        job = wait_done(job.pk)

        assert job.status == "done", (job.status, job.message)
        assert job.attempts == 2, "one run killed, one resumed"
        assert job.done == job.total == 3000 and job.done > killed_at["done"]
        assert job.result == reference.result, "the counts are those of the whole run, none twice"
        assert job.errors == reference.errors and job.message == reference.message
        assert_no_duplicates()
        got = (facts_digest(), _digest(decisions()), Counter(AuditEntry.objects.values_list("action", flat=True)))
        assert got[0] == expected[0], "facts differ from the uninterrupted run"
        assert got[1] == expected[1], "decisions differ from the uninterrupted run"
        assert got[2] == expected[2], "audit entries lost or doubled"
        assert ImportFile.objects.get().summary == reference.result


# --------------------------------------------------------------------------- the full recompute


def bulk_facts(n: int) -> None:
    """n participants with an enrolment each (spanning one to three count dates) and a
    subject for every other one: fast to make, a few seconds to recompute."""
    Participant.objects.bulk_create([
        Participant(external_id=f"P{i}", bsn="123456789" if i % 89 == 0 else "111222333", first_name=f"Sanne{i}",
                    last_name="Jansen", birth_date=date(2001 + i % 10, 3, 4)) for i in range(n)], batch_size=2000)
    people = dict(Participant.objects.values_list("external_id", "pk"))
    Enrolment.objects.bulk_create([
        Enrolment(external_id=f"E{i}", participant_id=people[f"P{i}"], track=("havo", "vwo", "vmbo-t")[i % 3],
                  start=date(2023 + i % 3, 8, 20), planned_end=date(2026, 7, 31),
                  registered_on=date(2023 + i % 3, 8, 21 + i % 60 // 10)) for i in range(n)], batch_size=2000)
    enrolments = dict(Enrolment.objects.values_list("external_id", "pk"))
    SubjectResult.objects.bulk_create([
        SubjectResult(enrolment_id=enrolments[f"E{i}"], subject="Engels", status="G", final_grade=4 + i % 6,
                      completed_on=date(2026, 6, 20)) for i in range(0, n, 2)], batch_size=2000)


def test_killed_full_recompute_resumes_to_the_result_of_an_uninterrupted_run(school, worker):
    from apps.funding.recompute import recompute_job_run
    from apps.funding.services import decisions_recompute_start

    with in_tenant(school):
        bulk_facts(8000)
        # Reference: uninterrupted, from no decisions at all.
        started = time.monotonic()
        written = recompute_job_run()
        assert time.monotonic() - started > 1.0, "too little work to interrupt reliably"
        expected = decisions()
        assert written == len(expected) > 8000
        FundingDecision.objects.all().delete()
        Job.objects.all().delete()

        with transaction.atomic():
            job = decisions_recompute_start(by=None)
        killed_at = kill_in_the_middle(worker, job.pk)
        assert FundingDecision.objects.count() < written, "the kill left part of the work undone"
        restart(worker, job.pk)
        job = wait_done(job.pk)

        assert job.status == "done", (job.status, job.message)
        assert job.attempts == 2 and job.done == job.total == 8000 and job.done > killed_at["done"]
        assert job.result == {"decisions": written}, "the count is that of the whole run, none twice"
        assert_no_duplicates()
        assert _digest(decisions()) == _digest(expected)
