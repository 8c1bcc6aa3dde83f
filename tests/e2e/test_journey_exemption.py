"""Journey (issue 7): the manager of a person's unit opens the team overview, goes to the
person's passport, grants an exemption with a reason and dates in the exemption dialog, sees
the passport say "Vrijgesteld" with the reason, and finds the entry in the audit trail."""
import datetime as dt

import pytest
from playwright.sync_api import expect

from e2e.conftest import login, shot
from e2e.journey_seed import care_unit, employee, required_competence, status_of, tenant_admin, today
from support import in_tenant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("live")]

CODE = "CATH-M"
NAME = "Katheteriseren man"
REASON = "Werkt tijdelijk op de polikliniek zonder katheterzorg"


def seed(tenant):
    admin = tenant_admin(tenant)
    unit = care_unit(tenant, admin)
    manager, _ = employee(tenant, admin, unit, number="M-2001", first_name="Mira", last_name="Manager",
                          roles=("employee", "manager"))
    with in_tenant(tenant):
        from apps.organisation.services import org_unit_manager_add

        org_unit_manager_add(org_unit=unit, user=manager, by=admin)
    _user, person = employee(tenant, admin, unit, number="P-2002", first_name="Erik", last_name="Uitzondering")
    required_competence(tenant, admin, unit, person, code=CODE, name=NAME, evidence={"theory": 24})
    assert status_of(tenant, person, CODE) == "missing"
    return manager, person


def test_manager_grants_exemption_and_audit_trail_shows_it(tenant_a, live_server_proc, page):
    server = live_server_proc
    manager, person = seed(tenant_a)
    start, until = today(), today() + dt.timedelta(days=90)
    login(page, server, "alpha", manager.email)

    # Team overview -> the person's passport.
    page.goto(server.url("alpha", "/team/"))
    expect(page.get_by_role("heading", name="Teamoverzicht")).to_be_visible()
    page.locator("table.matrix").get_by_role("link", name=person.full_name).click()
    page.wait_for_url(f"**/medewerkers/{person.pk}/paspoort/")
    card = page.locator(f"section#c-{CODE}")
    expect(card.locator("h2 .badge").first).to_have_text("Ontbreekt")

    # The exemption dialog for this competence.
    card.get_by_role("link", name="Uitzondering vastleggen").click()
    page.wait_for_url(f"**/medewerkers/{person.pk}/uitzondering/**")
    expect(page.get_by_role("heading", name="Vrijstelling of niet van toepassing")).to_be_visible()
    expect(page.locator("select#f-comp")).to_have_value(CODE)
    page.select_option("select#f-kind", "exemption")
    page.fill("input#f-start", start.isoformat())
    page.fill("input#f-until", until.isoformat())
    page.fill("textarea#f-reason", REASON)
    shot(page, "exemption-01-dialog")
    page.get_by_role("button", name="Vastleggen").click()

    # Back on the passport: exempt, with the reason and the end date.
    page.wait_for_url(f"**/medewerkers/{person.pk}/paspoort/")
    expect(page.locator("ul.messages")).to_contain_text("Het paspoort is bijgewerkt")
    card = page.locator(f"section#c-{CODE}")
    expect(card.locator("h2 .badge").first).to_have_text("Vrijgesteld")
    expect(card.locator("h2 .badge").first).to_have_class("badge status-exempt")
    ground = card.locator("li[data-ground=exempt]")
    expect(ground).to_contain_text(REASON)
    expect(ground).to_contain_text(f"tot en met {until:%d-%m-%Y}")
    expect(card).to_contain_text(f"Geldig tot en met {until:%d-%m-%Y}")
    shot(page, "exemption-02-passport-exempt")
    assert status_of(tenant_a, person, CODE) == "exempt"

    # The audit trail has the grant, by the manager, with the reason.
    page.get_by_role("link", name="Audittrail").click()
    page.wait_for_url(f"**/medewerkers/{person.pk}/audit/")
    row = page.locator("table tbody tr", has=page.locator("code", has_text="exemption.granted"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(REASON)
    expect(row).to_contain_text(str(manager))
    shot(page, "exemption-03-audit-trail")
