"""What every procurement service does first: check the permission, lock the row, name its owner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from kravspar.accounts import access
from kravspar.core.errors import ConcurrentEditError, NotAllowedError
from kravspar.organisations.models import Organisation
from kravspar.procurements.models import Procurement

if TYPE_CHECKING:
    from kravspar.accounts.models import User


def _require(actor: User | None, perm: str) -> None:
    if actor is not None and not access.has_perm(actor, perm):
        raise NotAllowedError()


def _lock(procurement: Procurement, expected_version: int | None = None) -> Procurement:
    locked = Procurement.objects.select_for_update().get(pk=procurement.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError()
    return locked


def _org(procurement: Procurement) -> Organisation | None:
    # The organisation a history event is filed under: its id is what the event keeps.
    return procurement.buyers.order_by("name").only("id", "name").first()


def _touch(procurement: Procurement) -> None:
    Procurement.objects.filter(pk=procurement.pk).update(version=procurement.version + 1, updated_at=timezone.now())
    procurement.version += 1
