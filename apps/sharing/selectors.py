"""Reads of sharing. Who may see a shared passport is decided from the database on every
call (no cache), so a revoked share stops working on the very next request."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from apps.organisation.models import Person
from apps.sharing.models import PassportShare, TeamLeader


def shares_of(owner: Person) -> QuerySet[PassportShare]:
    """Everyone the owner shares with now, and the stopped shares below them."""
    return (PassportShare.objects.filter(owner=owner).select_related("shared_with", "shared_with__org_unit")
            .order_by("revoked_at", "shared_with__last_name", "-id"))


@dataclass
class SharedPassport:
    person: Person
    via: str  # "share" or "team_leader"
    since: object = None


def shared_with_me(user) -> list[SharedPassport]:
    """Passports the user may read: shared with them, or of people who named them team leader."""
    me = Person.objects.filter(user=user).first()
    if me is None:
        return []
    out: dict[int, SharedPassport] = {}
    for share in (PassportShare.objects.filter(shared_with=me, revoked_at__isnull=True, owner__is_active=True)
                  .select_related("owner", "owner__org_unit").order_by("owner__last_name", "owner__first_name")):
        out[share.owner_id] = SharedPassport(share.owner, "share", share.created_at)
    for choice in (TeamLeader.objects.filter(leader=me, person__is_active=True)
                   .select_related("person", "person__org_unit")):
        out.setdefault(choice.person_id, SharedPassport(choice.person, "team_leader", choice.set_at))
    return sorted(out.values(), key=lambda s: (s.person.last_name, s.person.first_name, s.person.pk))


def shared_passport_person(user, person_id) -> Person | None:
    """The person whose passport ``user`` may read through a share or as team leader, else
    None (the caller answers 404, so nothing is revealed about who exists)."""
    try:
        person_id = int(person_id)
    except (TypeError, ValueError):
        return None
    if not (user and user.is_authenticated):
        return None
    return (Person.objects.select_related("org_unit")
            .filter(pk=person_id, is_active=True)
            .filter(Q(shares_given__shared_with__user=user, shares_given__revoked_at__isnull=True)
                    | Q(team_leader_choice__leader__user=user))
            .distinct().first())


def team_leader_of(person: Person) -> Person | None:
    choice = TeamLeader.objects.filter(person=person).select_related("leader").first()
    return choice.leader if choice else None


def team_leaders_by_person(person_ids) -> dict[int, Person]:
    return {c.person_id: c.leader for c in TeamLeader.objects.filter(person_id__in=list(person_ids))
            .select_related("leader__user")}


def colleagues_for(user, *, q: str = "") -> QuerySet[Person]:
    """Active colleagues with a login (candidates to share with or name as team leader)."""
    qs = (Person.objects.filter(is_active=True, user__isnull=False).exclude(user=user)
          .select_related("org_unit").order_by("last_name", "first_name"))
    if q:
        qs = qs.filter(Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(personnel_number__iexact=q))
    return qs
