"""Practice log and sign-off queue; learning paths with progress and the next step."""
from __future__ import annotations

import pytest

from support import api_client_for, client_for, in_tenant


def _log(care, user=None, count=1, days_ago=1):
    api = api_client_for(care.tenant, user or care.employee)
    return api.post("/api/v1/practice-log/", {"competence": care.kath.code, "performed_on": care.days(-days_ago)
                                              .isoformat(), "count": count, "note": "op de afdeling"}, format="json")


def test_employee_logs_practice_and_the_manager_signs_it_off_from_the_queue(care):
    r = _log(care)
    assert r.status_code == 201 and r.json()["verified"] is False
    rid = r.json()["id"]
    manager = api_client_for(care.tenant, care.manager)
    queue = manager.get("/api/v1/practice-signoff/").json()
    assert [q["id"] for q in queue["results"]] == [rid]
    v = manager.post(f"/api/v1/practice-signoff/{rid}/verify/")
    assert v.status_code == 200 and v.json()["verified"] is True
    assert manager.get("/api/v1/practice-signoff/").json()["count"] == 0


def test_assessor_rejects_with_a_reason_and_without_one_is_a_400(care):
    rid = _log(care).json()["id"]
    assessor = api_client_for(care.tenant, care.assessor)
    r = assessor.post(f"/api/v1/practice-signoff/{rid}/reject/", {}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = assessor.post(f"/api/v1/practice-signoff/{rid}/reject/", {"reason": "niet gezien"}, format="json")
    assert r.status_code == 200 and r.json()["rejected"] is True


def test_verifying_ones_own_practice_is_refused_and_nothing_changes(care):
    from apps.audit.models import AuditEntry
    from apps.competences.models import PracticeRecord

    # The assessor is also an employee with a person of their own.
    from apps.organisation.models import Person

    with in_tenant(care.tenant):
        Person.objects.create(personnel_number="3001", first_name="Pieter", last_name="Bakker", user=care.assessor,
                              org_unit=care.chir)
    rid = _log(care, user=care.assessor).json()["id"]
    with in_tenant(care.tenant):
        before = AuditEntry.objects.count()
    api = api_client_for(care.tenant, care.assessor)
    assert rid not in [q["id"] for q in api.get("/api/v1/practice-signoff/").json()["results"]]
    r = api.post(f"/api/v1/practice-signoff/{rid}/verify/")
    assert r.status_code == 403
    with in_tenant(care.tenant):
        assert PracticeRecord.objects.get(pk=rid).verified_at is None
        assert AuditEntry.objects.count() == before


def test_employee_cannot_sign_off_a_colleagues_practice(care):
    rid = _log(care, user=care.colleague_user).json()["id"]
    r = api_client_for(care.tenant, care.employee).post(f"/api/v1/practice-signoff/{rid}/verify/")
    assert r.status_code == 404  # not visible to a plain employee


def test_bad_practice_input_is_a_field_400(care):
    api = api_client_for(care.tenant, care.employee)
    r = api.post("/api/v1/practice-log/", {"competence": "NOPE", "performed_on": "2020-01-01"}, format="json")
    assert r.status_code == 400 and "competence" in r.json()
    r = api.post("/api/v1/practice-log/", {"competence": care.kath.code, "performed_on": care.days(5).isoformat()},
                 format="json")
    assert r.status_code == 400 and "performed_on" in r.json()


def test_sign_off_page_verifies_by_htmx(care):
    rid = _log(care).json()["id"]
    c = client_for(care.tenant, care.manager)
    page = c.get("/praktijk/aftekenen/")
    assert page.status_code == 200 and "Sanne Jansen" in page.content.decode()
    r = c.post(f"/praktijk/aftekenen/{rid}/", {"action": "verify"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "afgetekend" in r.content.decode()
    assert client_for(care.tenant, care.employee).get("/praktijk/aftekenen/").status_code == 403


def test_practice_log_page_records_and_shows_the_log(care):
    c = client_for(care.tenant, care.employee)
    r = c.post("/praktijk/", {"competence": care.kath.code, "performed_on": care.days(-1).isoformat(), "count": "2"})
    assert r.status_code == 302
    assert "wacht op aftekenen" in c.get("/praktijk/").content.decode()
    r = c.post("/praktijk/", {"competence": care.kath.code, "performed_on": "", "count": "1"})
    assert r.status_code == 400


@pytest.fixture
def path(care):
    from apps.learning.services import learning_path_create

    with in_tenant(care.tenant):
        return learning_path_create(competence=care.kath.code, name="Leerpad katheteriseren", by=care.admin, steps=[
            {"kind": "course", "course": care.course.code},
            {"kind": "practical_assessment", "title": "Praktijktoets op de afdeling"},
            {"kind": "practice_count", "required_count": 3},
        ])


def test_learning_path_progress_follows_results_and_verified_practice(care, path):
    from apps.competences.services import evidence_record, practice_record_create, practice_record_verify
    from apps.learning.selectors import learning_path_progress, next_step_for

    with in_tenant(care.tenant):
        p = learning_path_progress(care.nurse, path)
        assert (p.done, p.total, p.next_step.step.order) == (0, 3, 1)
        step = next_step_for(care.nurse, care.kath.code)
        assert step["step"] == 1 and step["url"] == f"/leren/cursussen/{care.course.pk}/"
        evidence_record(person=care.nurse, competence=care.kath, kind="theory", achieved_on=care.days(-2),
                        by=care.assessor)
        evidence_record(person=care.nurse, competence=care.kath, kind="practical", achieved_on=care.days(-2),
                        by=care.assessor)
        r = practice_record_create(person=care.nurse, competence=care.kath, performed_on=care.days(-1), count=3,
                                   by=care.employee)
        p = learning_path_progress(care.nurse, path)
        assert p.done == 2 and p.next_step.step.kind == "practice_count"  # unverified practice does not count
        practice_record_verify(record=r, by=care.manager)
        p = learning_path_progress(care.nurse, path)
        assert p.done == 3 and p.next_step is None and p.percent == 100
        assert next_step_for(care.nurse, care.kath) is None


def test_learning_paths_api_shows_my_progress(care, path):
    data = api_client_for(care.tenant, care.employee).get("/api/v1/learning-paths/").json()
    assert data[0]["name"] == "Leerpad katheteriseren" and (data[0]["done"], data[0]["total"]) == (0, 3)
    assert data[0]["next_step"] == 1
    r = api_client_for(care.tenant, care.manager).get(f"/api/v1/learning-paths/{path.pk}/?person={care.nurse.pk}")
    assert r.status_code == 200
    r = api_client_for(care.tenant, care.employee).get(f"/api/v1/learning-paths/{path.pk}/?person={care.colleague.pk}")
    assert r.status_code == 404


def test_a_course_without_its_own_competence_counts_through_its_learning_path(care):
    from apps.competences.models import CompetenceStatus
    from apps.learning.selectors import enrolment_facts_for
    from apps.learning.services import course_create, enrolment_create, learning_path_create

    with in_tenant(care.tenant):
        refresher = course_create(code="KATH-R", name="Opfrisser", evidence_kind="theory", by=care.admin)
        learning_path_create(competence=care.kath.code, name="Pad", by=care.admin,
                             steps=[{"kind": "course", "course": "KATH-R"}])
    session = care.session(course=refresher)
    with in_tenant(care.tenant):
        enrolment_create(session=session, by=care.employee)
        facts = enrolment_facts_for([care.nurse.pk, care.colleague.pk])
        assert [(f.competence, f.course) for f in facts[care.nurse.pk]] == [(care.kath.code, "KATH-R")]
        assert care.colleague.pk not in facts
        assert CompetenceStatus.objects.get(person=care.nurse, competence=care.kath).status == "in_progress"


def test_pages_render_for_employee_and_manager(care, path):
    from apps.learning.services import enrolment_create

    session = care.session(capacity=1)
    with in_tenant(care.tenant):
        enrolment_create(session=session, by=care.colleague_user)
    emp = client_for(care.tenant, care.employee)
    page = emp.get("/leren/")
    assert page.status_code == 200 and "<progress" in page.content.decode()
    r = emp.post(f"/leren/sessies/{session.pk}/inschrijven/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Wachtlijst" in r.content.decode()
    for url in (f"/leren/cursussen/{care.course.pk}/", f"/leren/sessies/{session.pk}/",
                f"/leren/leerpaden/{path.pk}/"):
        assert emp.get(url).status_code == 200, url
    assert emp.get("/leren/dashboard/").status_code == 403
    mgr = client_for(care.tenant, care.manager)
    dash = mgr.get("/leren/dashboard/")
    assert dash.status_code == 200 and dash.content.decode().count("<svg") == 2
    assert "Chirurgie" in dash.content.decode()


def test_compliance_per_department_comes_from_the_status_history(care):
    from apps.competences.services import evidence_record
    from apps.learning.dashboards import compliance_by_department, expiries_by_week

    with in_tenant(care.tenant):
        evidence_record(person=care.nurse, competence=care.kath, kind="theory", achieved_on=care.days(-1),
                        valid_until=care.days(20), by=care.assessor)
        series = compliance_by_department(care.manager)
        assert [s.label for s in series] == ["Chirurgie"]
        assert series[0].points[-1] == (care.today, 50.0)  # nurse held, colleague missing
        weeks = expiries_by_week(care.manager)
        assert sum(c for _d, c in weeks) == 1 and weeks[2][1] == 1


def test_learning_page_speaks_english_when_asked(care):
    from django.conf import settings

    c = client_for(care.tenant, care.employee)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = c.get("/leren/").content.decode()
    assert "Upcoming sessions" in body and "My learning paths" in body



def test_passport_page_points_into_the_learning_path_for_a_missing_competence(care, path):
    from support import client_for

    body = client_for(care.tenant, care.employee).get("/paspoort/").content.decode()
    assert "Volgende stap in leerpad Leerpad katheteriseren" in body
    assert f'href="/leren/cursussen/{care.course.pk}/"' in body
