"""Reads of requests to suppliers: who sees which request, and the lists.

Buyers see a request when they see its follow-up activity (which follows the contract's
visibility). A supplier contact sees only their own supplier's requests, and never a draft.
"""

from __future__ import annotations

import datetime
import uuid as uuid_lib
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from kravspar.accounts import access
from kravspar.accounts.roles import Perm, Role
from kravspar.questionnaires.models import (
    OPEN_REQUEST_STATUSES,
    Questionnaire,
    RequestStatus,
    SupplierRequest,
)

if TYPE_CHECKING:
    from kravspar.suppliers.models import Supplier

_LIST_RELATED = ("contract", "supplier", "activity", "activity__requirement")


def parse_uuid(key: Any) -> uuid_lib.UUID:
    """A uuid from a URL or API path; anything else is 404."""
    try:
        return key if isinstance(key, uuid_lib.UUID) else uuid_lib.UUID(str(key))
    except ValueError:
        raise Http404 from None


def _get(qs: QuerySet[SupplierRequest], key: Any) -> SupplierRequest:
    obj = qs.filter(uuid=parse_uuid(key)).first()
    if obj is None:
        raise Http404
    return obj


def is_supplier_contact(user: access.AnyUser) -> bool:
    return getattr(user, "supplier_id", None) is not None and Role.SUPPLIER_CONTACT in access.roles_of(user)


def open_requests_for_supplier(supplier: Supplier) -> QuerySet[SupplierRequest]:
    """The requests a supplier still has to answer or that wait for the buyer's review,
    soonest deadline first. For the supplier's home page."""
    return (
        SupplierRequest.objects.filter(supplier=supplier, status__in=OPEN_REQUEST_STATUSES)
        .select_related("contract")
        .order_by("deadline", "id")
    )


def requests_visible_to(user: access.AnyUser) -> QuerySet[SupplierRequest]:
    if is_supplier_contact(user):
        supplier_id: int = user.supplier_id  # type: ignore[union-attr,assignment]
        return SupplierRequest.objects.filter(supplier_id=supplier_id).exclude(status=RequestStatus.DRAFT)
    if not access.has_perm(user, Perm.VIEW_CONTRACTS):
        return SupplierRequest.objects.none()
    return SupplierRequest.objects.filter(activity__in=access.activities_visible_to(user))


def can_handle_request(user: access.AnyUser, supplier_request: SupplierRequest) -> bool:
    """Whoever may record the follow-up activity may send, review and cancel its requests."""
    return not is_supplier_contact(user) and access.can_record_activity(user, supplier_request.activity)


def request_for_buyer(user: access.AnyUser, key: Any, *, change: bool = False) -> SupplierRequest:
    """A request seen from the buyer's side: 404 for supplier contacts and for buyers who do
    not see the contract; 403 with ``change`` for those who may not record the activity."""
    if is_supplier_contact(user):
        raise Http404
    supplier_request: SupplierRequest = _get(
        requests_visible_to(user).select_related(
            "contract", "supplier", "activity", "activity__requirement", "questionnaire", "created_by"
        ),
        key,
    )
    if change and not can_handle_request(user, supplier_request):
        raise PermissionDenied
    return supplier_request


def request_for_supplier(user: access.AnyUser, key: Any) -> SupplierRequest:
    """A request seen by a supplier contact: their own supplier's, sent, or 404."""
    if not is_supplier_contact(user):
        raise Http404
    supplier_request: SupplierRequest = _get(
        requests_visible_to(user).select_related("contract", "supplier", "questionnaire"), key
    )
    return supplier_request


def request_list(
    user: access.AnyUser,
    *,
    today: datetime.date,
    status: str = "",
    overdue: bool = False,
    supplier: Supplier | None = None,
    contract_id: int | None = None,
    q: str = "",
) -> QuerySet[SupplierRequest]:
    qs = requests_visible_to(user).select_related(*_LIST_RELATED)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=(RequestStatus.SENT, RequestStatus.NEEDS_COMPLETION), deadline__lt=today)
    if supplier is not None:
        qs = qs.filter(supplier=supplier)
    if contract_id is not None:
        qs = qs.filter(contract_id=contract_id)
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(supplier__name__icontains=q)
            | Q(contract__contract_number__icontains=q)
            | Q(contract__title__icontains=q)
        )
    return qs.order_by("deadline", "id")


def templates_for(*, q: str = "", requirement_type: str = "", active_only: bool = False) -> QuerySet[Questionnaire]:
    qs = Questionnaire.objects.filter(is_template=True).annotate(question_count=Count("questions"))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    if requirement_type:
        qs = qs.filter(requirement_type=requirement_type)
    if active_only:
        qs = qs.filter(active=True)
    return qs.order_by("requirement_type", "title", "id")
