"""Journey (issue 7): an employee shares their passport with a colleague, who (in a browser of
their own) finds it under "Gedeeld met mij" and opens it; the employee stops sharing and the
colleague's very next request is refused."""
import pytest
from playwright.sync_api import expect

from e2e.conftest import login, shot
from e2e.journey_seed import care_unit, employee, required_competence, tenant_admin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("live")]

CODE = "BT-ADM"
NAME = "Bloedtransfusie toedienen"


def seed(tenant):
    admin = tenant_admin(tenant)
    unit = care_unit(tenant, admin)
    owner, owner_person = employee(tenant, admin, unit, number="P-3001", first_name="Sara", last_name="Deler")
    colleague, colleague_person = employee(tenant, admin, unit, number="P-3002", first_name="Koen",
                                           last_name="Collega")
    required_competence(tenant, admin, unit, owner_person, code=CODE, name=NAME, evidence={"theory": 24})
    return owner, owner_person, colleague, colleague_person


def test_employee_shares_passport_with_colleague_and_revokes_it(tenant_a, live_server_proc, page, other_page):
    server = live_server_proc
    owner, owner_person, colleague, colleague_person = seed(tenant_a)
    shared_url = server.url("alpha", f"/gedeeld-met-mij/{owner_person.pk}/")

    # The colleague first sees nothing shared, and the passport's address is refused.
    login(other_page, server, "alpha", colleague.email)
    other_page.goto(server.url("alpha", "/gedeeld-met-mij/"))
    expect(other_page.locator("table tbody")).to_contain_text("Niemand deelt een paspoort met je.")
    assert other_page.goto(shared_url).status == 404

    # The owner shares with the colleague (htmx swaps the list in place).
    login(page, server, "alpha", owner.email)
    page.goto(server.url("alpha", "/delen/"))
    expect(page.get_by_role("heading", name="Paspoort delen")).to_be_visible()
    page.select_option("select#shared_with", str(colleague_person.pk))
    page.locator("#shares form").get_by_role("button", name="Delen", exact=True).click()
    row = page.locator("#shares table tbody tr", has_text=colleague_person.full_name)
    expect(row).to_contain_text("kan meekijken")
    expect(row.get_by_role("button", name="Stop met delen")).to_be_visible()
    shot(page, "sharing-01-shared")

    # The colleague finds it under "Gedeeld met mij" and opens it (read-only).
    other_page.goto(server.url("alpha", "/gedeeld-met-mij/"))
    expect(other_page.get_by_role("heading", name="Gedeeld met mij")).to_be_visible()
    other_page.get_by_role("link", name=owner_person.full_name).click()
    other_page.wait_for_url(shared_url)
    expect(other_page.get_by_role("heading", level=1)).to_have_text(f"Paspoort van {owner_person.full_name}")
    expect(other_page.locator("main")).to_contain_text("gedeeld met jou, alleen lezen")
    expect(other_page.locator("main")).to_contain_text(NAME)
    shot(other_page, "sharing-02-colleague-sees-passport")

    # The owner stops sharing.
    row.get_by_role("button", name="Stop met delen").click()
    row = page.locator("#shares table tbody tr", has_text=colleague_person.full_name)
    expect(row).to_contain_text("gestopt")
    expect(row.get_by_role("button", name="Stop met delen")).to_have_count(0)
    shot(page, "sharing-03-revoked")

    # The colleague's next request is refused, and the list is empty again.
    response = other_page.goto(shared_url)
    assert response.status == 404, response.status
    assert NAME not in other_page.content()
    shot(other_page, "sharing-04-colleague-refused")
    other_page.goto(server.url("alpha", "/gedeeld-met-mij/"))
    expect(other_page.locator("table tbody")).to_contain_text("Niemand deelt een paspoort met je.")
    expect(other_page.get_by_role("link", name=owner_person.full_name)).to_have_count(0)
