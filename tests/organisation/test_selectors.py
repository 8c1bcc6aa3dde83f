"""Who manages what: one selector, a unit and all its subunits, in one query."""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.organisation.models import OrgUnit
from apps.organisation.selectors import (can_manage_person, people_visible_to, unit_ancestors,
                                         unit_ids_managed_by)
from support import in_tenant


def test_manager_manages_unit_and_all_descendants_in_one_query(world):
    w = world
    with in_tenant(w.tenant):
        deep = OrgUnit.objects.create(code="CHIR-A-1", name="Sub", kind="team", parent=w.chir_team)
        with CaptureQueriesContext(connection) as ctx:
            managed = unit_ids_managed_by(w.manager)
        assert len(ctx.captured_queries) == 1
        assert managed == {w.chir.pk, w.chir_team.pk, deep.pk}
        assert unit_ids_managed_by(w.employee) == set()
        assert unit_ancestors([deep.pk])[deep.pk] == [deep.pk, w.chir_team.pk, w.chir.pk]


def test_visibility_of_people(world):
    w = world
    with in_tenant(w.tenant):
        assert set(people_visible_to(w.manager)) == {w.nurse, w.colleague}
        assert set(people_visible_to(w.employee)) == {w.nurse}
        assert set(people_visible_to(w.admin)) == {w.nurse, w.colleague, w.outsider}
        assert can_manage_person(w.manager, w.nurse) and not can_manage_person(w.other_manager, w.nurse)
        assert not can_manage_person(w.employee, w.nurse)
