"""Reads of the organisation: who manages what, who sees whom.

One rule everywhere: a manager of a unit manages that unit and all its subunits
(``unit_ids_managed_by``, one recursive query). The tenant administrator sees everyone.
"""
from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from apps.organisation.models import OrgUnit, Person


def has_role(user, *roles: str) -> bool:
    """Role check that is safe for anonymous users (they have none)."""
    return bool(user is not None and user.is_authenticated and user.has_role(*roles))


def is_tenant_admin(user) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_superuser or user.has_role("tenant_admin")))


def unit_ids_managed_by(user) -> set[int]:
    """Ids of the units ``user`` manages, including all their descendants (one query)."""
    if not (user and user.is_authenticated):
        return set()
    units = OrgUnit._meta.db_table
    managers = OrgUnit.managers.through._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""WITH RECURSIVE t(id) AS (
                    SELECT orgunit_id FROM {managers} WHERE user_id = %s
                    UNION
                    SELECT u.id FROM {units} u JOIN t ON u.parent_id = t.id)
                SELECT id FROM t""",
            [user.pk],
        )
        return {row[0] for row in cur.fetchall()}


def unit_ids_with_descendants(unit_ids) -> set[int]:
    """The given units and everything below them (one query)."""
    unit_ids = list(unit_ids)
    if not unit_ids:
        return set()
    units = OrgUnit._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""WITH RECURSIVE t(id) AS (
                    SELECT id FROM {units} WHERE id = ANY(%s)
                    UNION
                    SELECT u.id FROM {units} u JOIN t ON u.parent_id = t.id)
                SELECT id FROM t""",
            [unit_ids],
        )
        return {row[0] for row in cur.fetchall()}


def unit_ancestors(unit_ids) -> dict[int, list[int]]:
    """unit id -> [itself, parent, grandparent, ...] for each given unit (one query)."""
    unit_ids = list({u for u in unit_ids if u is not None})
    if not unit_ids:
        return {}
    units = OrgUnit._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""WITH RECURSIVE t(start, id, parent_id, depth) AS (
                    SELECT id, id, parent_id, 0 FROM {units} WHERE id = ANY(%s)
                    UNION ALL
                    SELECT t.start, u.id, u.parent_id, t.depth + 1 FROM {units} u
                    JOIN t ON u.id = t.parent_id WHERE t.depth < 50)
                SELECT start, id FROM t ORDER BY start, depth""",
            [unit_ids],
        )
        out: dict[int, list[int]] = {}
        for start, uid in cur.fetchall():
            out.setdefault(start, []).append(uid)
        return out


def person_for_user(user) -> Person | None:
    if not (user and user.is_authenticated):
        return None
    return Person.objects.select_related("org_unit").filter(user=user).first()


def people_visible_to(user, *, include_inactive: bool = True) -> QuerySet[Person]:
    """People a user may see: all for the tenant admin (and assessors, who record evidence
    for anyone), the managed units' members for a manager, and always oneself."""
    qs = Person.objects.select_related("org_unit")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if is_tenant_admin(user) or has_role(user, "assessor"):
        return qs
    if not user.is_authenticated:
        return qs.none()
    from django.db.models import Q

    managed = unit_ids_managed_by(user)
    return qs.filter(Q(org_unit_id__in=managed) | Q(user=user))


def can_manage_person(user, person: Person, *, managed: set[int] | None = None) -> bool:
    """Tenant admin, or a manager of the person's unit or one of its ancestors."""
    if is_tenant_admin(user):
        return True
    if person.org_unit_id is None:
        return False
    if managed is None:
        managed = unit_ids_managed_by(user)
    return person.org_unit_id in managed


def can_view_person(user, person: Person) -> bool:
    if person.user_id is not None and person.user_id == user.pk:
        return True
    return can_manage_person(user, person)


def org_units_visible_to(user) -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.select_related("parent")
    if is_tenant_admin(user) or has_role(user, "assessor"):
        return qs
    return qs.filter(id__in=unit_ids_managed_by(user))
