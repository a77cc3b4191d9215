"""The shape every "change some fields" service shares: lock the row, refuse a stale
version, apply only the allowed fields, validate, and — only if something changed — bump
the version, save and write the history event in the same transaction."""

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
