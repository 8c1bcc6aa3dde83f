"""Journey (issue 7): an employee whose competence has expired for lack of practice logs the
missing practice on the practice log page and sees the passport turn to "Bekwaam".

The competence counts unverified practice (verified_only=False), so logging alone lifts the
status; no sign-off step is needed."""
import datetime as dt

import pytest
from playwright.sync_api import expect

from e2e.conftest import login, shot
from e2e.journey_seed import care_unit, employee, required_competence, status_of, tenant_admin, today
from support import in_tenant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("live")]

CODE = "INJ-SC"
NAME = "Subcutaan injecteren"


def seed(tenant):
    admin = tenant_admin(tenant)
    unit = care_unit(tenant, admin)
    user, person = employee(tenant, admin, unit, number="P-1001", first_name="Petra", last_name="Praktijk")
    competence = required_competence(tenant, admin, unit, person, code=CODE, name=NAME,
                                     evidence={"theory": 24},
                                     practice={"count": 2, "months": 12, "verified_only": False})
    d = today()
    with in_tenant(tenant):
        from apps.competences import services as cs

        # Theory passed 400 days ago: valid for 24 months, and held long enough (12 months)
        # for the practice minimum to count. One performance in the last 12 months: too few.
        cs.evidence_record(person=person, competence=competence, kind="theory",
                           achieved_on=d - dt.timedelta(days=400), by=admin)
        cs.practice_record_create(person=person, competence=competence,
                                  performed_on=d - dt.timedelta(days=60), by=user)
    assert status_of(tenant, person, CODE) == "expired"
    return user, person


def test_employee_logs_practice_and_passport_turns_competent(tenant_a, live_server_proc, page):
    server = live_server_proc
    user, person = seed(tenant_a)
    login(page, server, "alpha", user.email)

    # The passport says why the competence has expired: too little practice.
    page.goto(server.url("alpha", "/paspoort/"))
    card = page.locator(f"section#c-{CODE}")
    expect(card.locator("h2 .badge").first).to_have_text("Verlopen")
    expect(card.locator("h2 .badge").first).to_have_class("badge status-expired")
    expect(card.locator("li[data-ground=practice_below_minimum]")).to_be_visible()
    shot(page, "practice-01-passport-expired")

    # Log the missing performance on the practice log page.
    page.goto(server.url("alpha", "/praktijk/"))
    expect(page.get_by_role("heading", name="Praktijkervaring", level=1)).to_be_visible()
    page.select_option("select#competence", CODE)
    page.fill("input#performed_on", today().isoformat())
    page.fill("input#count", "1")
    page.fill("textarea#note", "Twee patienten op de afdeling")
    page.get_by_role("button", name="Vastleggen").click()
    page.wait_for_url("**/praktijk/")
    expect(page.locator("ul.messages")).to_contain_text("Praktijkervaring vastgelegd")
    row = page.locator("table tbody tr", has_text="Twee patienten op de afdeling")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(NAME)
    expect(row).to_contain_text("wacht op aftekenen")
    shot(page, "practice-02-logged")

    # Back on the passport: two performances in 12 months meet the minimum.
    page.goto(server.url("alpha", "/paspoort/"))
    card = page.locator(f"section#c-{CODE}")
    expect(card.locator("h2 .badge").first).to_have_text("Bekwaam")
    expect(card.locator("h2 .badge").first).to_have_class("badge status-competent")
    expect(card.locator("li[data-ground=practice_met]")).to_be_visible()
    expect(card.locator("li[data-ground=practice_below_minimum]")).to_have_count(0)
    shot(page, "practice-03-passport-competent")
    assert status_of(tenant_a, person, CODE) == "competent"
