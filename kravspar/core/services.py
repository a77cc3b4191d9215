"""The shapes the change services share: lock the row, refuse a stale version, change it
and — only if something changed — bump the version, save and write the history event in
the same transaction. ``update_fields`` changes some fields, ``set_active`` deactivates or
reactivates a record that is never deleted."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import connection, models

from kravspar.audit.services import audit_record, snapshot
from kravspar.core.errors import ConcurrentEditError

if TYPE_CHECKING:
    from kravspar.accounts.models import User
    from kravspar.organisations.models import Organisation

M = TypeVar("M", bound=models.Model)


def lock(queryset: models.QuerySet[M], pk: Any, expected_version: int | None) -> M:
    """The row, locked until the transaction ends; ConcurrentEditError if someone saved
    after the person loaded the version they send back."""
    # of=("self",): lock this row only. PostgreSQL refuses FOR UPDATE on the nullable side of
    # an outer join, which a select_related() on a nullable foreign key makes.
    obj = queryset.select_for_update(of=("self",)).get(pk=pk)
    if expected_version is not None and obj.version != expected_version:  # type: ignore[attr-defined]
        raise ConcurrentEditError()
    return obj


def update_fields(
    *,
    actor: User | None,
    obj: M,
    fields: Iterable[str],
    changes: dict[str, Any],
    clean: Callable[[M], None],
    action: str,
    organisation: Organisation | None = None,
) -> bool:
    """Apply ``changes`` to a locked ``obj`` and record them. Returns whether anything changed."""
    if not connection.in_atomic_block:
        raise RuntimeError("update_fields() must run inside the service's transaction")
    fields = list(fields)
    before = snapshot(obj, fields)
    for key, value in changes.items():
        if key not in fields:
            raise ValueError(f"{key} cannot be changed here")
        setattr(obj, key, value)
    clean(obj)
    after = snapshot(obj, fields)
    if after == before:
        return False
    obj.version += 1  # type: ignore[attr-defined]
    obj.save()
    audit_record(actor=actor, action=action, obj=obj, organisation=organisation, before=before, after=after)
    return True


def set_active(
    queryset: models.QuerySet[M],
    pk: Any,
    *,
    actor: User | None,
    active: bool,
    activated: str,
    deactivated: str,
    organisation: Callable[[M], Organisation | None],
    expected_version: int | None = None,
    on_change: Callable[[M], None] | None = None,
) -> M:
    """Deactivate or reactivate the locked row ``pk`` of ``queryset`` and record it as
    ``activated`` or ``deactivated``; nothing happens (no version, no event) when it already
    is so. ``organisation`` names the event's organisation from the locked row; ``on_change``
    runs after the save for what the record's own service adds (e.g. revoking tokens).
    The caller keeps its permission checks and its own refusals."""
    if not connection.in_atomic_block:
        raise RuntimeError("set_active() must run inside the service's transaction")
    obj = lock(queryset, pk, expected_version)
    if obj.is_active == active:  # type: ignore[attr-defined]
        return obj
    obj.is_active = active  # type: ignore[attr-defined]
    obj.version += 1  # type: ignore[attr-defined]
    names = {field.name for field in obj._meta.concrete_fields}
    obj.save(update_fields=["is_active", "version", *(["updated_at"] if "updated_at" in names else [])])
    if on_change is not None:
        on_change(obj)
    audit_record(
        actor=actor,
        action=activated if active else deactivated,
        obj=obj,
        organisation=organisation(obj),
        before={"is_active": not active},
        after={"is_active": active},
    )
    return obj
