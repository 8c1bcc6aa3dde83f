from apps.audit.models import AuditEntry


def audit_for_person(*, person_id: int, limit: int = 500):
    return AuditEntry.objects.filter(person_id=person_id).select_related("actor")[:limit]


def audit_recent(*, limit: int = 200, action_prefix: str = ""):
    qs = AuditEntry.objects.select_related("actor")
    if action_prefix:
        qs = qs.filter(action__startswith=action_prefix)
    return qs[:limit]
