"""Reading suppliers. The registry is shared reference data: every buyer role that may
view contracts reads all of it; supplier contacts read none of it here (the portal
shows them their own supplier)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.core.ids import is_uuid
from kravspar.organisations.identifiers import normalise_org_number
from kravspar.suppliers.models import Supplier, supplier_name_key


def suppliers_visible_to(user: access.AnyUser) -> QuerySet[Supplier]:
    if not access.has_perm(user, Perm.VIEW_CONTRACTS):
        return Supplier.objects.none()
    return Supplier.objects.all()


def can_change_supplier(user: access.AnyUser, supplier: Supplier) -> bool:
    return access.has_perm(user, Perm.MANAGE_CONTRACTS)


def supplier_for(user: access.AnyUser, key: Any, *, change: bool = False) -> Supplier:
    """The supplier with this uuid if the person may read the registry (else 404);
    with ``change`` also the right to change it (else 403)."""
    if not is_uuid(str(key)):
        raise Http404
    supplier = suppliers_visible_to(user).filter(uuid=key).first()
    if supplier is None:
        raise Http404
    if change and not can_change_supplier(user, supplier):
        raise PermissionDenied
    return supplier


def supplier_search(
    qs: QuerySet[Supplier],
    *,
    q: str = "",
    size_class: str = "",
    county: str = "",
    collective_agreement: str = "",
) -> QuerySet[Supplier]:
    """Filter by name (case and spacing aside) or organisation number."""
    if q := q.strip():
        cond = Q(name_key__contains=supplier_name_key(q))
        try:
            cond |= Q(org_number=normalise_org_number(q))
        except ValidationError:
            digits = q.replace("-", "").replace(" ", "")
            if digits.isdigit():
                cond |= Q(org_number__startswith=digits)
        qs = qs.filter(cond)
    if size_class:
        qs = qs.filter(size_class=size_class)
    if county:
        qs = qs.filter(county=county)
    if collective_agreement:
        qs = qs.filter(collective_agreement=collective_agreement)
    return qs.order_by("name", "id")
