"""Writing history. Called by every service that changes state, inside its transaction."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import TYPE_CHECKING, Any

from django.db import connection, models

from kravspar.audit.models import AuditEvent

if TYPE_CHECKING:
    from kravspar.accounts.models import User
    from kravspar.organisations.models import Organisation


def _json_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return sorted(str(v) for v in value)
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of ``obj`` as JSON-safe values, foreign keys by their name."""
    return {name: _json_value(getattr(obj, name)) for name in fields}


def audit_event(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    organisation: Organisation | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """The event ``audit_record`` writes, not yet saved: for services that change many
    objects at once and write their events with ``audit_record_many``."""
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    return AuditEvent(
        actor=actor,
        actor_label=actor.get_full_name() or actor.get_username() if actor else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(getattr(obj, "uuid", obj.pk)),
        object_repr=str(obj)[:300],
        organisation=organisation,
        before=before,
        after=after,
    )


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    organisation: Organisation | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    # The event must commit or roll back with the change it describes.
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record() must be called inside the transaction of the change")
    event = audit_event(actor=actor, action=action, obj=obj, organisation=organisation, before=before, after=after)
    event.save(force_insert=True)
    return event


def audit_record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Write events built by ``audit_event`` in one insert, in the order given (their ids
    follow it, as if each had been recorded in turn)."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record_many() must be called inside the transaction of the change")
    return AuditEvent.objects.bulk_create(events) if events else []
