"""Sharing a passport with colleagues, stopping it, and team leaders: through services and
over HTTP on the tenant's host."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from support import api_client_for, client_for, in_tenant


def _share(care, by, with_person):
    from apps.sharing.services import share_create

    with in_tenant(care.tenant):
        return share_create(shared_with=with_person.pk, by=by)


def test_revoked_share_is_refused_on_next_request(care):
    from apps.sharing.services import share_revoke

    share = _share(care, care.employee, care.colleague)
    api = api_client_for(care.tenant, care.colleague_user)
    page = client_for(care.tenant, care.colleague_user)
    url = f"/api/v1/shared-with-me/{care.nurse.pk}/passport/"
    assert api.get(url).status_code == 200
    assert page.get(f"/gedeeld-met-mij/{care.nurse.pk}/").status_code == 200
    with in_tenant(care.tenant):
        share_revoke(share=share, by=care.employee)
    assert api.get(url).status_code == 404
    assert page.get(f"/gedeeld-met-mij/{care.nurse.pk}/").status_code == 404


def test_revoking_over_the_api_stops_the_colleague_at_once(care):
    owner = api_client_for(care.tenant, care.employee)
    viewer = api_client_for(care.tenant, care.colleague_user)
    r = owner.post("/api/v1/shares/", {"shared_with": care.colleague.pk}, format="json")
    assert r.status_code == 201, r.content
    url = f"/api/v1/shared-with-me/{care.nurse.pk}/passport/"
    body = viewer.get(url).json()
    assert body["person"]["id"] == care.nurse.pk and "statuses" in body
    assert owner.post(f"/api/v1/shares/{r.json()['id']}/revoke/").status_code == 200
    assert viewer.get(url).status_code == 404
    assert viewer.get("/api/v1/shared-with-me/").json() == []


def test_owner_sees_who_can_see_the_passport(care):
    _share(care, care.employee, care.colleague)
    _share(care, care.employee, care.outsider)
    data = api_client_for(care.tenant, care.employee).get("/api/v1/shares/").json()
    names = sorted(s["shared_with"]["name"] for s in data["results"] if s["active"])
    assert names == ["Kees Klaassen", "Olga Overveld"]


def test_shared_with_me_lists_shares_and_people_who_named_me_team_leader(care):
    from apps.sharing.services import team_leader_set

    _share(care, care.outsider_user, care.colleague)
    with in_tenant(care.tenant):
        team_leader_set(leader=care.colleague.pk, by=care.employee)
    data = api_client_for(care.tenant, care.colleague_user).get("/api/v1/shared-with-me/").json()
    assert {(d["person"]["id"], d["via"]) for d in data} == {(care.outsider.pk, "share"),
                                                           (care.nurse.pk, "team_leader")}
    page = client_for(care.tenant, care.colleague_user).get("/gedeeld-met-mij/")
    assert page.status_code == 200 and "Olga Overveld" in page.content.decode()


def test_team_leader_sees_the_passport_until_the_employee_names_someone_else(care):
    from apps.sharing.services import team_leader_set

    api = api_client_for(care.tenant, care.colleague_user)
    url = f"/api/v1/shared-with-me/{care.nurse.pk}/passport/"
    assert api.get(url).status_code == 404
    me = api_client_for(care.tenant, care.employee)
    r = me.put("/api/v1/team-leader/", {"leader": care.colleague.pk}, format="json")
    assert r.status_code == 200 and r.json()["leader"]["id"] == care.colleague.pk
    assert api.get(url).status_code == 200
    with in_tenant(care.tenant):
        team_leader_set(leader=care.outsider.pk, by=care.employee)
    assert api.get(url).status_code == 404


@pytest.mark.parametrize("target", ["self", "unknown", "other_tenant", "garbage"])
def test_sharing_with_oneself_or_someone_outside_the_organisation_is_a_400_and_writes_nothing(care, tenant_b, target):
    from apps.audit.models import AuditEntry
    from apps.organisation.models import Person
    from apps.sharing.models import PassportShare

    if target == "other_tenant":
        with in_tenant(tenant_b):
            stranger = Person.objects.create(personnel_number="9999", first_name="Vera", last_name="Vreemd")
        value = stranger.pk + 1000  # ids are per schema: pick one that does not exist here
        with in_tenant(care.tenant):
            assert not Person.objects.filter(pk=value).exists()
    else:
        value = {"self": care.nurse.pk, "unknown": 987654, "garbage": "abc"}[target]
    with in_tenant(care.tenant):
        before = (PassportShare.objects.count(), AuditEntry.objects.count())
    r = api_client_for(care.tenant, care.employee).post("/api/v1/shares/", {"shared_with": value}, format="json")
    assert r.status_code == 400
    assert "shared_with" in r.json()
    with in_tenant(care.tenant):
        assert (PassportShare.objects.count(), AuditEntry.objects.count()) == before


def test_sharing_twice_with_the_same_colleague_is_refused(care):
    _share(care, care.employee, care.colleague)
    with pytest.raises(ValidationError) as exc:
        _share(care, care.employee, care.colleague)
    assert "shared_with" in exc.value.message_dict


def test_naming_oneself_team_leader_is_a_400(care):
    r = api_client_for(care.tenant, care.employee).put("/api/v1/team-leader/", {"leader": care.nurse.pk},
                                                       format="json")
    assert r.status_code == 400 and "leader" in r.json()


def test_only_the_owner_can_revoke_a_share(care):
    from apps.sharing.services import share_revoke

    share = _share(care, care.employee, care.colleague)
    with in_tenant(care.tenant):
        with pytest.raises(PermissionDenied):
            share_revoke(share=share, by=care.colleague_user)
    r = api_client_for(care.tenant, care.colleague_user).post(f"/api/v1/shares/{share.pk}/revoke/")
    assert r.status_code == 404  # not among the colleague's own shares


def test_shares_and_team_leader_changes_are_audited(care):
    from apps.audit.models import AuditEntry
    from apps.sharing.services import share_revoke, team_leader_set

    share = _share(care, care.employee, care.colleague)
    with in_tenant(care.tenant):
        share_revoke(share=share, by=care.employee)
        team_leader_set(leader=care.colleague.pk, by=care.employee)
        team_leader_set(leader=None, by=care.employee)
        actions = list(AuditEntry.objects.filter(person_id=care.nurse.pk).values_list("action", flat=True))
    for a in ("passport_share.created", "passport_share.revoked", "team_leader.set", "team_leader.cleared"):
        assert a in actions


def test_share_page_shares_and_stops_by_htmx(care):
    from apps.sharing.models import PassportShare

    c = client_for(care.tenant, care.employee)
    assert c.get("/delen/").status_code == 200
    r = c.post("/delen/nieuw/", {"shared_with": care.colleague.pk}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Kees Klaassen" in r.content.decode()
    with in_tenant(care.tenant):
        share = PassportShare.objects.get(owner=care.nurse)
    r = c.post(f"/delen/{share.pk}/stoppen/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    with in_tenant(care.tenant):
        assert PassportShare.objects.get(pk=share.pk).revoked_at is not None


def test_other_tenants_share_ids_are_404(care, tenant_b):
    from learning.care_world import build_care

    share = _share(care, care.employee, care.colleague)
    other = build_care(tenant_b, prefix="B")
    api = api_client_for(tenant_b, other.employee)
    assert api.post(f"/api/v1/shares/{share.pk}/revoke/").status_code == 404
    assert api.get(f"/api/v1/shared-with-me/{care.nurse.pk}/passport/").status_code == 404
    # A token of tenant A is not valid on tenant B.
    from support import host_of

    a_api = api_client_for(care.tenant, care.colleague_user)
    assert a_api.get(f"/api/v1/shared-with-me/{care.nurse.pk}/passport/",
                     HTTP_HOST=host_of(tenant_b)).status_code in (401, 403)
