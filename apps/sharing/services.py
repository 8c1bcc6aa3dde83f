"""Writes of sharing: start and stop sharing a passport, name a team leader. Only the owner
(the employee themself) decides; every change is audited."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.organisation.models import Person
from apps.sharing.models import PassportShare, TeamLeader


def _own_person(by) -> Person:
    person = Person.objects.filter(user=by).first() if by is not None and by.pk else None
    if person is None:
        raise PermissionDenied("Er is geen medewerker gekoppeld aan deze gebruiker.")
    return person


def _colleague(value, *, field: str, owner: Person) -> Person:
    """A colleague of the same organisation (this tenant) with a login, not oneself."""
    if isinstance(value, Person):
        colleague = value
    else:
        try:
            colleague = Person.objects.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            colleague = None
    if colleague is None:
        raise ValidationError({field: f"Onbekende collega: {value}."})
    if colleague.pk == owner.pk:
        raise ValidationError({field: "Dat ben je zelf."})
    if not colleague.is_active:
        raise ValidationError({field: "Deze collega is niet (meer) actief."})
    if colleague.user_id is None:
        raise ValidationError({field: "Deze collega heeft geen account en kan niets inzien."})
    return colleague


@transaction.atomic
def share_create(*, shared_with, by) -> PassportShare:
    """Share the acting employee's own passport (read-only) with a colleague."""
    owner = _own_person(by)
    colleague = _colleague(shared_with, field="shared_with", owner=owner)
    if PassportShare.objects.filter(owner=owner, shared_with=colleague, revoked_at__isnull=True).exists():
        raise ValidationError({"shared_with": f"Je deelt je paspoort al met {colleague.full_name}."})
    try:
        with transaction.atomic():
            share = PassportShare.objects.create(owner=owner, shared_with=colleague, created_by=by)
    except IntegrityError:
        raise ValidationError({"shared_with": f"Je deelt je paspoort al met {colleague.full_name}."})
    audit_record(by=by, action="passport_share.created", obj=share, person_id=owner.pk,
                 new={"shared_with": colleague.pk, "shared_with_name": colleague.full_name})
    from apps.notifications.services import notification_create

    notification_create(user=colleague.user, kind="share", title=f"{owner.full_name} deelt het paspoort met je",
                        url=f"/gedeeld-met-mij/{owner.pk}/")
    return share


@transaction.atomic
def share_revoke(*, share, by, reason: str = "") -> PassportShare:
    """Stop sharing; the colleague's next request is refused (permission is never cached)."""
    share_id = share.pk if isinstance(share, PassportShare) else share
    share = PassportShare.objects.select_for_update().select_related("owner", "shared_with").filter(
        pk=share_id).first()
    if share is None:
        raise ValidationError({"share": f"Onbekende deling: {share_id}."})
    if share.owner.user_id != by.pk:
        raise PermissionDenied("Alleen de eigenaar van het paspoort stopt het delen.")
    if share.revoked_at is not None:
        raise ValidationError({"share": "Het delen is al gestopt."})
    share.revoked_at, share.revoked_by = timezone.now(), by
    share.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(by=by, action="passport_share.revoked", obj=share, person_id=share.owner_id,
                 old={"shared_with": share.shared_with_id}, new={"revoked_at": share.revoked_at}, reason=reason)
    return share


@transaction.atomic
def team_leader_set(*, leader, by) -> TeamLeader | None:
    """Name (or with ``leader=None`` clear) the acting employee's team leader."""
    person = _own_person(by)
    current = TeamLeader.objects.select_for_update().filter(person=person).first()
    old = {"leader": current.leader_id} if current else {"leader": None}
    if leader in (None, ""):
        if current is None:
            return None
        current.delete()
        audit_record(by=by, action="team_leader.cleared", object_type="teamleader", object_id=person.pk,
                     object_label=str(person), person_id=person.pk, old=old, new={"leader": None})
        return None
    colleague = _colleague(leader, field="leader", owner=person)
    if current is not None and current.leader_id == colleague.pk:
        return current
    if current is None:
        current = TeamLeader(person=person)
    current.leader, current.set_by = colleague, by
    current.save()
    audit_record(by=by, action="team_leader.set", obj=current, person_id=person.pk, old=old,
                 new={"leader": colleague.pk, "leader_name": colleague.full_name})
    return current
