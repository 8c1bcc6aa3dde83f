"""Journey (issue 7): the vendor (public-schema staff) moves a staged rollout forward on the
control plane's rollout page; a user of the pilot tenant then sees the release-notes banner,
a tenant outside the pilot does not until the vendor advances to the next stage."""
import pytest
from playwright.sync_api import expect

from e2e.conftest import login, shot
from support import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("live")]

VERSION = "2026.9"
NOTES = "Nieuw: vrijstellingen hebben nu een einddatum en staan in de audittrail."


def seed(public_tenant, pilot, other):
    from tenants.features import feature_keys
    from tenants.services import customer_group_create, rollout_create, version_create

    vendor = make_user(public_tenant, email="uitrol@paspoort.test", roles=(), is_staff=True, is_superuser=True,
                       first_name="Vera", last_name="Leverancier")
    version = version_create(name=VERSION, care_rules_version="care-2026.1", funding_rules_version="vavo-2024.1",
                             features=feature_keys(), release_notes_nl=NOTES, by=vendor)
    group = customer_group_create(name="Pilotklanten", slug="pilot", tenant_ids=[pilot.pk], by=vendor)
    rollout = rollout_create(version=version, stages=[
        {"group": group, "min_days_in_previous_stage": 0, "block_on_open_blocking_feedback": True},
        {"group": None, "min_days_in_previous_stage": 0, "block_on_open_blocking_feedback": True},
    ], by=vendor)
    pilot_user = make_user(pilot, roles=("employee",), first_name="Pim", last_name="Pilot")
    other_user = make_user(other, roles=("employee",), first_name="Olga", last_name="Overig")
    return vendor, rollout, pilot_user, other_user


def banner(page):
    return page.locator(f"aside.banner #release-notes-{VERSION.replace('.', '')}")


def test_vendor_advances_rollout_and_pilot_user_sees_release_notes(public_tenant, tenant_a, tenant_b,
                                                                  live_server_proc, page, other_page):
    server = live_server_proc
    vendor, rollout, pilot_user, other_user = seed(public_tenant, tenant_a, tenant_b)

    # Before: neither tenant shows release notes.
    login(other_page, server, "alpha", pilot_user.email)
    other_page.goto(server.url("alpha", "/"))
    expect(other_page.locator("aside.banner .release-notes")).to_have_count(0)

    # The vendor starts the rollout: stage 1 brings the pilot group to the new version.
    login(page, server, None, vendor.email)
    page.goto(server.url(None, "/control/rollouts/"))
    page.get_by_role("link", name=f"{VERSION} #{rollout.pk}").click()
    page.wait_for_url(f"**/control/rollouts/{rollout.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("— concept")
    page.get_by_role("button", name="Starten", exact=True).click()
    page.wait_for_url(f"**/control/rollouts/{rollout.pk}/")
    expect(page.locator("ul.messages")).to_contain_text("Gedaan.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("— loopt")
    stage1 = page.locator("tr[aria-current=step]")
    expect(stage1).to_contain_text("Pilotklanten")
    expect(stage1.locator("td").last).to_have_text("1")
    shot(page, "rollout-01-pilot-stage-started")

    # The pilot tenant's user sees the release-notes banner (with the pilot feedback link).
    other_page.goto(server.url("alpha", "/"))
    notes = banner(other_page)
    expect(notes).to_contain_text(f"Nieuw in versie {VERSION}")
    expect(notes).to_contain_text(NOTES)
    expect(notes.get_by_role("link", name="Geef feedback op deze pilotversie")).to_be_visible()
    shot(other_page, "rollout-02-pilot-user-sees-release-notes")

    # A tenant outside the pilot group sees nothing yet.
    third = other_page.context.browser.new_context(locale="nl-NL")
    try:
        beta_page = third.new_page()
        login(beta_page, server, "beta", other_user.email)
        beta_page.goto(server.url("beta", "/"))
        expect(beta_page.locator("aside.banner .release-notes")).to_have_count(0)

        # The vendor advances to the next stage (all remaining customers): beta gets it too.
        page.get_by_role("button", name="Volgende fase starten", exact=True).click()
        page.wait_for_url(f"**/control/rollouts/{rollout.pk}/")
        expect(page.locator("ul.messages")).to_contain_text("Gedaan.")
        expect(page.locator("tr[aria-current=step]")).to_contain_text("alle overige klanten")
        shot(page, "rollout-03-advanced-to-all")
        beta_page.goto(server.url("beta", "/"))
        expect(banner(beta_page)).to_contain_text(NOTES)
        shot(beta_page, "rollout-04-other-tenant-sees-release-notes")
    finally:
        third.close()
