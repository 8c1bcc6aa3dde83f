"""Notifications and preferences over HTTP on the tenant's host."""
from __future__ import annotations

from support import api_client_for, client_for, in_tenant


def _notify(care, user, title="Hallo"):
    from apps.notifications.services import notification_create

    with in_tenant(care.tenant):
        return notification_create(user=user, kind="share", title=title)


def test_list_unread_and_mark_read(care):
    n = _notify(care, care.employee)
    _notify(care, care.employee, "Tweede")
    _notify(care, care.colleague_user, "Niet van jou")
    api = api_client_for(care.tenant, care.employee)
    data = api.get("/api/v1/notifications/").json()
    assert data["count"] == 2
    assert api.post(f"/api/v1/notifications/{n.pk}/read/").json()["read"] is True
    assert api.get("/api/v1/notifications/?unread=true").json()["count"] == 1
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 1}


def test_someone_elses_notification_is_404(care):
    n = _notify(care, care.colleague_user)
    api = api_client_for(care.tenant, care.employee)
    assert api.post(f"/api/v1/notifications/{n.pk}/read/").status_code == 404
    assert client_for(care.tenant, care.employee).post(f"/meldingen/{n.pk}/gelezen/").status_code == 404


def test_preferences_roundtrip_and_bad_offset_is_a_field_400(care):
    api = api_client_for(care.tenant, care.employee)
    assert api.get("/api/v1/notification-preferences/").json() == {
        "email_enabled": True, "reminder_offsets": [90, 60, 30, 0], "weekly_digest": True}
    r = api.put("/api/v1/notification-preferences/", {"email_enabled": False, "reminder_offsets": [30, 0]},
                format="json")
    assert r.status_code == 200 and r.json()["reminder_offsets"] == [30, 0]
    r = api.put("/api/v1/notification-preferences/", {"reminder_offsets": [45]}, format="json")
    assert r.status_code == 400 and "reminder_offsets" in r.json()
    assert api.get("/api/v1/notification-preferences/").json()["reminder_offsets"] == [30, 0]


def test_notification_page_marks_read_by_htmx(care):
    n = _notify(care, care.employee, "Lees mij")
    c = client_for(care.tenant, care.employee)
    page = c.get("/meldingen/")
    assert page.status_code == 200 and "Lees mij" in page.content.decode()
    r = c.post(f"/meldingen/{n.pk}/gelezen/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    with in_tenant(care.tenant):
        n.refresh_from_db()
        assert n.read_at is not None
