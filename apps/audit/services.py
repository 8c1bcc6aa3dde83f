"""The one way to write an audit entry. Called by every service that changes something
status-relevant, inside that service's transaction, so the change and its entry commit
together or not at all."""
from __future__ import annotations

import datetime
import decimal
import uuid

from apps.audit.models import AuditEntry


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def audit_record(*, by, action: str, obj=None, object_type: str = "", object_id="",
                 object_label: str = "", person_id: int | None = None, old=None, new=None,
                 reason: str = "") -> AuditEntry:
    actor = by if (by is not None and getattr(by, "pk", None)) else None
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=str(by) if by is not None else "systeem",
        via_support=bool(getattr(by, "is_support", False)),
        action=action,
        object_type=object_type or (obj._meta.model_name if obj is not None else ""),
        object_id=str(object_id or (obj.pk if obj is not None else "")),
        object_label=(object_label or (str(obj) if obj is not None else ""))[:300],
        person_id=person_id,
        old=_jsonable(old) if old is not None else None,
        new=_jsonable(new) if new is not None else None,
        reason=reason or "",
    )
