"""The Dutch web UI: my passport, team matrix (htmx), profile editor, exemption dialog,
audit trail, HR import page."""
from __future__ import annotations

from apps.competences import services
from apps.competences.models import Exemption, Profile, ProfileLink
from support import client_for, in_tenant


def _profile(w):
    with in_tenant(w.tenant):
        p = services.profile_create(name="Afdeling Chirurgie", org_unit=w.chir, competence_codes=["KATH", "BLS"],
                                    by=w.manager)
        services.profile_link_create(profile=p, org_unit=w.chir, by=w.manager)
    return p


def test_start_page_leads_to_my_passport_with_badges_grounds_and_next_steps(world):
    w = world
    _profile(w)
    client = client_for(w.tenant, w.employee)
    r = client.get("/", follow=True)
    assert r.redirect_chain[-1][0] == "/paspoort/"
    html = r.content.decode()
    assert "Mijn paspoort" in html and 'class="badge status-missing"' in html
    assert "Nog geen bewijs" in html and "Wat moet ik doen?" in html and "niet bevoegd" in html
    assert "Teamoverzicht" not in html  # not in the employee's menu


def test_team_matrix_with_counts_and_htmx_filter(world):
    w = world
    _profile(w)
    client = client_for(w.tenant, w.manager)
    html = client.get("/team/").content.decode()
    assert "Teamoverzicht" in html and "Ontbreekt: 4" in html and "Kees Klaassen" in html
    assert "Olga" not in html
    partial = client.get("/team/?status=missing", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "matrix" in partial
    assert client_for(w.tenant, w.employee).get("/team/").status_code == 403


def test_profile_editor_creates_links_and_edits(world):
    w = world
    client = client_for(w.tenant, w.manager)
    r = client.post("/profielen/", {"name": "Team A", "kind": "department", "org_unit": w.chir_team.pk,
                                    "competences": ["KATH"]})
    assert r.status_code == 302
    with in_tenant(w.tenant):
        profile = Profile.objects.get(name="Team A")
    url = f"/profielen/{profile.pk}/"
    assert client.post(url, {"action": "add", "competences": ["BLS"]}).status_code == 302
    assert client.post(url, {"action": "link", "target": f"person:{w.nurse.pk}"}).status_code == 302
    r = client.post(url, {"action": "link", "target": f"person:{w.nurse.pk}", "valid_from": "2026-05-01",
                          "valid_until": "2026-04-01"})
    assert r.status_code == 400 and "valid_until" in r.content.decode()
    with in_tenant(w.tenant):
        assert sorted(profile.competences.values_list("code", flat=True)) == ["BLS", "KATH"]
        assert ProfileLink.objects.filter(profile=profile).count() == 1
    html = client.get(url).content.decode()
    assert "Sanne Jansen" in html
    assert client_for(w.tenant, w.other_manager).get(url).status_code == 404


def test_exemption_dialog_needs_a_reason_and_updates_the_passport(world):
    w = world
    _profile(w)
    client = client_for(w.tenant, w.manager)
    url = f"/medewerkers/{w.nurse.pk}/uitzondering/"
    assert client.get(url).status_code == 200
    r = client.post(url, {"kind": "exemption", "competence": "KATH", "reason": ""})
    assert r.status_code == 400 and "reden" in r.content.decode().lower()
    r = client.post(url, {"kind": "not_applicable", "competence": "BLS", "reason": "Geen patiëntenzorg"})
    assert r.status_code == 302
    html = client.get(f"/medewerkers/{w.nurse.pk}/paspoort/").content.decode()
    assert "status-not_applicable" in html and "Geen patiëntenzorg" in html
    assert client_for(w.tenant, w.employee).get(url).status_code == 403
    with in_tenant(w.tenant):
        assert not Exemption.objects.exists()
    audit = client.get(f"/medewerkers/{w.nurse.pk}/audit/").content.decode()
    assert "not_applicable.marked" in audit and "Geen patiëntenzorg" in audit


def test_hr_import_page_is_for_tenant_admin(world):
    w = world
    assert client_for(w.tenant, w.manager).get("/organisatie/import/").status_code == 403
    assert client_for(w.tenant, w.admin).get("/organisatie/import/").status_code == 200
