"""The school's funding pages: overview with chart and signals, drill-down, import, menu."""
from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.funding.models import FundingYear
from funding.funding_facts import Facts, PARTICIPANT_YEAR
from support import client_for, in_tenant


def _data(school, user):
    with in_tenant(school):
        facts = Facts(user)
        e = facts.enrolment(facts.participant(bsn=""))
        facts.subject(e)
        facts.enrolment(facts.participant(first_name="Daan", bsn="100000009"), track="vwo")
        return e


def test_start_page_of_the_school_is_the_funding_overview(school, student_admin):
    response = client_for(school, student_admin).get("/")
    assert response.status_code == 302 and response["Location"] == "/bekostiging/"


def test_overview_shows_counts_chart_signals_and_how_to_fix(school, student_admin):
    _data(school, student_admin)
    response = client_for(school, student_admin).get(f"/bekostiging/?year={PARTICIPANT_YEAR}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "Bekostigde aantallen per opleiding" in html
    assert "id_invalid" in html and "Vul een geldig BSN" in html
    assert 'data-testid="weighted">0,4<' in html
    assert "Bekostiging" in html and "Deelnemers" in html  # menu items


def test_overview_htmx_request_returns_only_the_body(school, student_admin):
    _data(school, student_admin)
    response = client_for(school, student_admin).get(f"/bekostiging/?year={PARTICIPANT_YEAR}",
                                                     HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.content.decode()


def test_participant_drill_down_shows_every_decision_and_its_grounds(school, student_admin):
    e = _data(school, student_admin)
    response = client_for(school, student_admin).get(f"/bekostiging/deelnemers/{e.participant_id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "geen geldig BSN en geen geldig onderwijsnummer" in html
    assert "Alle controles voldaan" in html  # the subject is funded


def test_final_determination_from_the_page_then_difference_is_shown(school, school_admin, student_admin):
    e = _data(school, student_admin)
    client = client_for(school, school_admin)
    response = client.post(f"/bekostiging/jaren/{PARTICIPANT_YEAR}/definitief/")
    assert response.status_code == 302
    with in_tenant(school):
        assert FundingYear.objects.get(year=PARTICIPANT_YEAR).is_final
        from apps.funding.services import participant_update

        participant_update(participant=e.participant, data={"bsn": "111222333"}, by=student_admin)
    html = client.get(f"/bekostiging/?year={PARTICIPANT_YEAR}").content.decode()
    assert "Verschil definitief en actueel" in html and "wijkt nu af" in html
    detail = client.get(f"/bekostiging/deelnemers/{e.participant_id}/").content.decode()
    assert "Verschil definitief en actueel" in detail


def test_national_figures_form_gives_an_estimated_share(school, school_admin, student_admin):
    _data(school, student_admin)
    client = client_for(school, school_admin)
    client.post(f"/bekostiging/jaren/{PARTICIPANT_YEAR}/landelijk/",
                {"national_weighted": "400", "national_budget": "1.000.000,00"})
    html = client.get(f"/bekostiging/?year={PARTICIPANT_YEAR}").content.decode()
    assert 'data-testid="share">€ 1000.00' in html or 'data-testid="share">€ 1000,00' in html


def test_participant_list_and_search(school, student_admin):
    _data(school, student_admin)
    client = client_for(school, student_admin)
    html = client.get("/bekostiging/deelnemers/?q=Daan").content.decode()
    assert "Daan" in html and "Sanne" not in html


def test_import_page_uploads_and_shows_progress_and_format(school, student_admin):
    client = client_for(school, student_admin)
    upload = SimpleUploadedFile("x.csv", b"record_type,participant_id,birth_date\nparticipant,P1,2001-01-01\n")
    assert client.post("/bekostiging/import/", {"file": upload}).status_code == 302
    html = client.get("/bekostiging/import/").content.decode()
    assert "<progress" in html and "Import x.csv" in html
    assert "record_type" in client.get("/bekostiging/import/formaat/").content.decode()


def test_exports_from_the_page(school, student_admin):
    _data(school, student_admin)
    client = client_for(school, student_admin)
    response = client.get(f"/bekostiging/export/detail.csv?year={PARTICIPANT_YEAR}")
    assert response.status_code == 200 and b"id_invalid" in response.content
    assert client.get(f"/bekostiging/export/samenvatting.csv?year={PARTICIPANT_YEAR}").status_code == 200


def test_care_user_gets_403_and_no_funding_menu(school, care_employee, tenant_a):
    client = client_for(school, care_employee)
    assert client.get("/bekostiging/").status_code == 403
    assert client.get("/bekostiging/deelnemers/").status_code == 403


def test_funding_menu_is_not_shown_on_a_care_tenant(tenant_a):
    from support import make_user

    admin = make_user(tenant_a, roles=("tenant_admin",))
    response = client_for(tenant_a, admin).get("/")
    assert response.get("Location") != "/bekostiging/"


def test_dutch_by_default_even_for_an_english_browser_and_english_when_chosen(school, student_admin):
    client = client_for(school, student_admin)
    body = client.get("/bekostiging/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="nl">' in body and "Uitloggen" in body and "Log out" not in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/bekostiging/"})
    body = client.get("/bekostiging/").content.decode()
    assert '<html lang="en">' in body and "Log out" in body and "Uitloggen" not in body
