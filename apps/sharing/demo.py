"""Demo data for sharing in care tenants: the demo employee names the demo manager as team
leader and shares the passport with the assessor; the assessor shares back. Idempotent."""
from __future__ import annotations

from django.db import transaction


def load(tenant) -> None:
    if getattr(tenant, "kind", "") != "care":
        return
    from apps.organisation.models import Person
    from apps.sharing.models import PassportShare, TeamLeader
    from apps.sharing.services import share_create, team_leader_set

    employee = Person.objects.filter(user__roles=["employee"]).select_related("user").first()
    manager = (Person.objects.filter(user__roles__contains=["manager"]).exclude(user__roles__contains=["tenant_admin"])
               .select_related("user").first())
    assessor = Person.objects.filter(user__roles__contains=["assessor"]).select_related("user").first()
    if employee is None or manager is None or assessor is None:
        return
    with transaction.atomic():
        if not TeamLeader.objects.filter(person=employee).exists():
            team_leader_set(leader=manager, by=employee.user)
        if not TeamLeader.objects.filter(person=assessor).exists():
            team_leader_set(leader=manager, by=assessor.user)
        if not PassportShare.objects.filter(owner=employee, shared_with=assessor, revoked_at__isnull=True).exists():
            share_create(shared_with=assessor, by=employee.user)
        if not PassportShare.objects.filter(owner=assessor, shared_with=employee, revoked_at__isnull=True).exists():
            share_create(shared_with=employee, by=assessor.user)
