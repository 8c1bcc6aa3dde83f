"""Journey (issue 7): a school administrator (student_admin on the `school` education tenant)
uploads a CSV in the format of apps/funding/IMPORT.md on the import page, watches the progress
bar until a real Celery worker has finished, and sees the funding signals on the overview."""
import pytest
from playwright.sync_api import expect

from e2e.conftest import login, shot
from support import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("live")]

COLUMNS = ("record_type,participant_id,enrolment_id,bsn,onderwijsnummer,first_name,prefix,last_name,birth_date,"
           "resident_in_nl,nationality_dutch,lawful_residence,continuing_course,track,start,planned_end,actual_end,"
           "placed_by_vo_school,attending,marked_not_funded,registered_on,subject,status,final_grade,completed_on,"
           "exam_result,issued_on")


def row(**values) -> str:
    names = COLUMNS.split(",")
    unknown = set(values) - set(names)
    assert not unknown, unknown
    cells = [str(values.get(n, "")) for n in names]
    return ",".join(f'"{c}"' if "," in c else c for c in cells)


# Funding year 2027 counts participants on 1 October 2025 and subjects/diplomas of 2025.
# - Lotte (born 15-11-2008) is 16 on 1-10-2025: her enrolment is rejected with under_18.
# - Sanne's 2024/25 enrolment has a 4,8 for wiskunde A (completed 2025): grade_below_minimum.
CSV = "\n".join([
    COLUMNS,
    row(record_type="participant", participant_id="P001", bsn="111222333", first_name="Sanne", prefix="de",
        last_name="Vries", birth_date="2001-03-04", resident_in_nl="ja", nationality_dutch="ja"),
    row(record_type="participant", participant_id="P002", bsn="123456782", first_name="Lotte",
        last_name="Jansen", birth_date="2008-11-15"),
    row(record_type="enrolment", participant_id="P001", enrolment_id="E001", track="havo", start="2024-08-20",
        planned_end="2025-07-31", placed_by_vo_school="nee", attending="ja", marked_not_funded="nee",
        registered_on="2024-08-21"),
    row(record_type="enrolment", participant_id="P002", enrolment_id="E002", track="vwo", start="2025-08-20",
        planned_end="2026-07-31", registered_on="2025-08-21"),
    row(record_type="subject", enrolment_id="E001", subject="wiskunde A", status="G", final_grade="4,8",
        completed_on="2025-06-20"),
    row(record_type="subject", enrolment_id="E001", subject="Engels", status="G", final_grade="7,2",
        completed_on="2025-06-18"),
    row(record_type="diploma", enrolment_id="E001", exam_result="G", issued_on="2025-07-01"),
]) + "\n"


def test_school_admin_imports_csv_and_sees_funding_signals(school, live_server_proc, celery_worker_process,
                                                           page):
    server = live_server_proc
    admin = make_user(school, roles=("student_admin",), first_name="Sam", last_name="Administratie")
    login(page, server, "school", admin.email)

    page.goto(server.url("school", "/bekostiging/import/"))
    expect(page.get_by_role("heading", name="Gegevens importeren")).to_be_visible()
    page.set_input_files("input#file", files=[{"name": "vavo-2025.csv", "mimeType": "text/csv",
                                               "buffer": CSV.encode("utf-8")}])
    page.get_by_role("button", name="Importeren").click()
    page.wait_for_url("**/bekostiging/import/")
    expect(page.locator("ul.messages")).to_contain_text("de import loopt")

    # The progress bar polls itself (htmx) until the worker has processed all 7 rows.
    job = page.locator("div.job", has_text="Import vavo-2025.csv")
    expect(job).to_have_count(1)
    expect(job.locator(".job-label")).to_contain_text("klaar", timeout=60_000)
    expect(job.locator("progress")).to_have_attribute("value", "7")
    expect(job.locator(".job-count")).to_have_text("7 / 7 (100%)")
    expect(job).to_contain_text("7 nieuw, 0 gewijzigd, 0 ongewijzigd, 0 fout")
    shot(page, "funding-01-import-done")

    # The overview of funding year 2027 lists the rejections per signal.
    page.goto(server.url("school", "/bekostiging/"))
    expect(page.get_by_role("heading", name="Bekostiging VAVO")).to_be_visible()
    expect(page.locator("select#year")).to_have_value("2027")
    under_18 = page.locator("details#signal-under_18")
    grade = page.locator("details#signal-grade_below_minimum")
    expect(under_18.locator("summary")).to_contain_text("Jonger dan 18 op de peildatum: 1")
    expect(grade.locator("summary")).to_contain_text("Eindcijfer te laag of ontbreekt: 1")
    under_18.locator("summary").click()
    expect(under_18.get_by_role("link", name="Lotte", exact=False)).to_be_visible()
    grade.locator("summary").click()
    expect(grade).to_contain_text("wiskunde A")
    shot(page, "funding-02-overview-signals")
