"""Who sees a secrecy-marked item. The rule (issue 14): only the roles the provision allows;
by default the Inköp officers on the contract and the supplier the item concerns.

"Inköp officers on the contract" are the procurement's officer and the persons responsible
for the contract's Inköp follow-ups; for a supplier document (which belongs to no contract),
the officers on any contract with that supplier. Everyone else who sees the parent record
sees that the item exists (title, date, provision) and nothing more. Nothing marked is ever
exported or published, whoever asks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm, Role
from kravspar.secrecy.models import SecrecyMark


def active_marks(kind: str) -> QuerySet[SecrecyMark]:
    return SecrecyMark.objects.filter(kind=kind, removed_at__isnull=True)


def marked(kind: str) -> Exists:
    """Whether an item of ``kind`` carries an active mark, as an expression for ``filter``
    and ``annotate`` (exports, drill-downs and open data)."""
    return Exists(active_marks(kind).filter(object_id=OuterRef("pk")))


def _officer_on(user: User) -> tuple[frozenset[int], frozenset[int]]:
    """The contracts, and the suppliers of those contracts, that this officer is on
    (read once per request and kept on the user object)."""
    cached: tuple[frozenset[int], frozenset[int]] | None = getattr(user, "_kravspar_officer_on", None)
    if cached is not None:
        return cached
    from kravspar.contracts.models import Contract
    from kravspar.procurements.models import Responsible

    contract_ids = frozenset(
        Contract.objects.filter(
            Q(procurement__officer=user)
            | Q(activities__responsible_person=user, activities__responsible=Responsible.PURCHASING)
        ).values_list("id", flat=True)
    )
    supplier_ids = frozenset(
        Contract.suppliers.through.objects.filter(contract_id__in=contract_ids).values_list("supplier_id", flat=True)
    )
    cached = (contract_ids, supplier_ids)
    setattr(user, "_kravspar_officer_on", cached)  # noqa: B010 - a per-request cache on the user object
    return cached


def may_see(user: access.AnyUser, mark: SecrecyMark) -> bool:
    """Whether this person may see the marked item itself (the caller has already
    established that they see its parent record)."""
    if not isinstance(user, User) or not user.is_active or not mark.active:
        return not mark.active
    provision = mark.provision
    roles = access.roles_of(user)
    if Role.SUPPLIER_CONTACT in roles:
        return provision.concerned_supplier and mark.supplier_id is not None and mark.supplier_id == user.supplier_id
    if set(provision.roles) & roles:
        return True
    if provision.officers_on_contract and Role.PROCUREMENT_OFFICER in roles:
        contract_ids, supplier_ids = _officer_on(user)
        if mark.contract_id is not None:
            return mark.contract_id in contract_ids
        return mark.supplier_id in supplier_ids
    return False


def marks_of(kind: str, object_ids: Iterable[int]) -> dict[int, SecrecyMark]:
    ids = list(object_ids)
    if not ids:
        return {}
    return {m.object_id: m for m in active_marks(kind).filter(object_id__in=ids).select_related("provision")}


def mark_of(kind: str, obj: Any) -> SecrecyMark | None:
    return marks_of(kind, [obj.pk]).get(obj.pk)


def attach(user: access.AnyUser, kind: str, objects: Iterable[Any]) -> list[Any]:
    """Set ``secrecy_mark`` (the active mark or None) and ``secrecy_hidden`` (whether this
    person may not see the item itself) on each object, in one query, for templates."""
    objects = list(objects)
    marks = marks_of(kind, (o.pk for o in objects))
    for obj in objects:
        mark = marks.get(obj.pk)
        obj.secrecy_mark = mark
        obj.secrecy_hidden = mark is not None and not may_see(user, mark)
    return objects


def hidden_ids(user: access.AnyUser, kind: str) -> list[int]:
    """Ids of the marked items of ``kind`` this person may not see."""
    return [m.object_id for m in active_marks(kind).select_related("provision") if not may_see(user, m)]


def without_hidden(user: access.AnyUser, kind: str, qs: QuerySet[Any]) -> QuerySet[Any]:
    """The queryset without the marked items this person may not see (for the API and
    drill-downs)."""
    hidden = hidden_ids(user, kind)
    return qs.exclude(pk__in=hidden) if hidden else qs


def can_mark(user: access.AnyUser) -> bool:
    """Inköp officers and administrators set and remove marks, on items they see."""
    return access.has_perm(user, Perm.MANAGE_CONTRACTS)


def can_maintain_provisions(user: access.AnyUser) -> bool:
    return access.is_administrator(user)


def can_read_download_log(user: access.AnyUser) -> bool:
    return access.has_perm(user, Perm.VIEW_DOWNLOAD_LOG)


def marks_visible_to(user: access.AnyUser) -> QuerySet[SecrecyMark]:
    """The register of marks: whoever may mark sees the marks on the contracts and suppliers
    they see (the existence of a mark is not secret)."""
    if not can_mark(user):
        return SecrecyMark.objects.none()
    from kravspar.portal.access import suppliers_with_visible_contracts

    return SecrecyMark.objects.filter(
        Q(contract__in=access.contracts_visible_to(user))
        | Q(contract__isnull=True, supplier_id__in=suppliers_with_visible_contracts(user))
    )
