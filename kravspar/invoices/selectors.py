"""Who sees which invoices and imports, and the querysets the pages and the API list.

The rules (the access module's style: what you may not see is 404):
- an invoice is seen by people with ``Perm.VIEW_CONTRACTS`` whose organisations include
  its buyer; an invoice without a known buyer only by administrators (who see all);
- the original XML (bank details, people's names) only by those who may also import,
  ``Perm.MANAGE_CONTRACTS``, for the invoices they see;
- an import batch, with its refused files, by the person who started it, and by
  administrators (it may name files for any organisation).
"""

from __future__ import annotations

import datetime
import uuid as uuid_lib
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from kravspar.accounts import access
from kravspar.accounts.access import AnyUser
from kravspar.accounts.roles import Perm
from kravspar.invoices.models import ImportBatch, InvoiceDocument


def invoices_visible_to(user: AnyUser) -> QuerySet[InvoiceDocument]:
    if not access.has_perm(user, Perm.VIEW_CONTRACTS):
        return InvoiceDocument.objects.none()
    ids = access.visible_organisation_ids(user)
    qs = InvoiceDocument.objects.all()
    if ids is None:
        return qs
    return qs.filter(buyer_organisation_id__in=ids)


def can_download_original(user: AnyUser) -> bool:
    return access.has_perm(user, Perm.MANAGE_CONTRACTS)


def can_import(user: AnyUser) -> bool:
    return access.has_perm(user, Perm.MANAGE_CONTRACTS)


def _uuid(key: Any) -> uuid_lib.UUID:
    try:
        return uuid_lib.UUID(str(key))
    except ValueError:
        raise Http404 from None


def invoice_for(user: AnyUser, key: Any) -> InvoiceDocument:
    found = (
        invoices_visible_to(user)
        .select_related("buyer_organisation", "supplier", "batch")
        .filter(uuid=_uuid(key))
        .first()
    )
    if found is None:
        raise Http404
    return found


def batches_visible_to(user: AnyUser) -> QuerySet[ImportBatch]:
    if access.is_administrator(user):
        return ImportBatch.objects.all()
    if not can_import(user) or not getattr(user, "pk", None):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(actor_id=user.pk)


def batch_for(user: AnyUser, key: Any) -> ImportBatch:
    found = batches_visible_to(user).select_related("actor").filter(uuid=_uuid(key)).first()
    if found is None:
        raise Http404
    return found


LIST_FIELDS = (
    "id",
    "uuid",
    "kind",
    "number",
    "issue_date",
    "due_date",
    "delivery_date",
    "period_start",
    "period_end",
    "currency",
    "seller_name",
    "seller_key",
    "seller_org_number",
    "buyer_name",
    "payable_amount",
    "tax_exclusive_amount",
    "line_count",
    "warnings",
    "contract_reference",
    "buyer_organisation__name",
    "buyer_organisation__uuid",
    "supplier__name",
    "supplier__uuid",
)


def invoice_list(
    user: AnyUser,
    *,
    q: str = "",
    organisation: Any = None,
    supplier: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    kind: str = "",
    status: str = "",
) -> QuerySet[InvoiceDocument]:
    """The invoices a person sees, filtered; the original bytes are never loaded."""
    qs = invoices_visible_to(user).select_related("buyer_organisation", "supplier").only(*LIST_FIELDS)
    if q:
        term = q.strip()
        digits = term.replace("-", "")
        cond = Q(number__icontains=term) | Q(seller_name__icontains=term) | Q(supplier__name__icontains=term)
        if digits.isdigit():
            cond |= Q(seller_org_number__startswith=digits)
        qs = qs.filter(cond)
    if organisation is not None:
        qs = qs.filter(buyer_organisation=organisation)
    if supplier is not None:
        qs = qs.filter(supplier=supplier)
    if date_from:
        qs = qs.filter(issue_date__gte=date_from)
    if date_to:
        qs = qs.filter(issue_date__lte=date_to)
    if kind:
        qs = qs.filter(kind=kind)
    if status == "warnings":
        qs = qs.exclude(warnings=[])
    elif status == "clean":
        qs = qs.filter(warnings=[])
    elif status == "no_supplier":
        qs = qs.filter(supplier__isnull=True)
    elif status == "no_buyer":
        qs = qs.filter(buyer_organisation__isnull=True)
    return qs.order_by("-issue_date", "-id")
