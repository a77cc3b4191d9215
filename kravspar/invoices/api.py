"""API endpoints of invoices, mounted at /api/v1/.

``POST /invoices`` takes one Peppol BIS 3 document as the raw request body
(``Content-Type: application/xml``) and answers 201 with the stored document, or an
error ``{code, message, details}``: 400 for a document that cannot be imported (the code
says why, e.g. ``malformed_xml``, ``invalid_org_number``), 403 for an invoice to an
organisation the caller does not work for, 409 for a duplicate (``duplicate_file`` or
``duplicate_invoice``, with the stored document in ``details.document``), 413 for a body
over the size limit and 415 for another content type.
"""

import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.api import error_response
from kravspar.invoices import selectors
from kravspar.invoices.models import BatchSource, InvoiceDocument
from kravspar.invoices.services import DUPLICATE, IMPORTED, import_files, max_file_bytes
from kravspar.invoices.ubl import ProblemCode

router = Router(tags=["E-invoices"])

XML_TYPES = ("application/xml", "text/xml")


class LineOut(Schema):
    position: int
    line_id: str
    quantity: Decimal
    unit_code: str
    line_net_amount: Decimal
    price_amount: Decimal
    base_quantity: Decimal | None
    item_name: str
    seller_item_id: str
    standard_item_id: str
    standard_item_scheme: str
    cpv_code: str
    note: str
    period_start: datetime.date | None = Field(None, description="Invoice line period start (BT-134)")
    period_end: datetime.date | None = Field(None, description="Invoice line period end (BT-135)")


class WarningOut(Schema):
    code: str
    message: str


class InvoiceOut(Schema):
    uuid: UUID
    kind: str
    number: str
    issue_date: datetime.date
    due_date: datetime.date | None
    delivery_date: datetime.date | None = Field(None, description="Actual delivery date (BT-72)")
    period_start: datetime.date | None = Field(None, description="Invoicing period start (BT-73)")
    period_end: datetime.date | None = Field(None, description="Invoicing period end (BT-74)")
    currency: str
    buyer_reference: str
    order_reference: str
    contract_reference: str
    billing_reference: str
    seller_key: str
    seller_name: str
    seller_org_number: str
    seller_vat_id: str
    buyer_endpoint: str = Field(..., description="scheme:id of the customer's Peppol endpoint")
    buyer_organisation: UUID | None = Field(None, alias="buyer_organisation.uuid")
    supplier: UUID | None = Field(None, alias="supplier.uuid")
    line_extension_amount: Decimal
    tax_exclusive_amount: Decimal
    tax_inclusive_amount: Decimal
    payable_amount: Decimal
    line_count: int
    sha256: str
    warnings: list[WarningOut]
    imported_at: datetime.datetime

    @staticmethod
    def resolve_buyer_endpoint(obj: InvoiceDocument) -> str:
        return f"{obj.buyer_endpoint_scheme}:{obj.buyer_endpoint_id}"


class InvoiceDetailOut(InvoiceOut):
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj: InvoiceDocument) -> list[Any]:
        return list(obj.lines.order_by("position"))


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any]


class InvoiceFilter(Schema):
    q: str = Field("", description="Invoice number, seller name or organisation number")
    organisation: UUID | None = Field(None, description="The buyer organisation")
    supplier: UUID | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    kind: str = Field("", description="invoice or credit_note")


@router.post(
    "/invoices",
    response={201: InvoiceDetailOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut},
    summary="Import one Peppol BIS 3 invoice or credit note (raw UBL XML body)",
    openapi_extra={"requestBody": {"required": True, "content": {"application/xml": {"schema": {"type": "string"}}}}},
)
def invoice_import(request: HttpRequest) -> Any:
    user = request.user
    if not isinstance(user, User) or not selectors.can_import(user):
        raise PermissionDenied
    content_type = (request.content_type or "").lower()
    if content_type not in XML_TYPES:
        return error_response(
            request, 415, "unsupported_media_type", _("Send the invoice with Content-Type: application/xml.")
        )
    limit = max_file_bytes()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        return _too_large(request, limit)
    try:
        data = request.body
    except RequestDataTooBig:  # a body without Content-Length, over Django's own limit
        return _too_large(request, limit)
    if len(data) > limit:
        return _too_large(request, limit)
    batch, outcomes = import_files(
        [("api.xml", data)],
        actor=user,
        source=BatchSource.API,
        allowed_buyer_ids=access.visible_organisation_ids(user),
    )
    outcome = outcomes[0]
    if outcome.status == IMPORTED:
        assert outcome.document is not None
        document = selectors.invoice_for(user, outcome.document.uuid)
        return 201, document
    if outcome.status == DUPLICATE:
        assert outcome.existing is not None
        return error_response(
            request,
            409,
            outcome.code,
            outcome.message,
            {"document": str(outcome.existing.uuid), "batch": str(batch.uuid)},
        )
    status = 403 if outcome.code == ProblemCode.BUYER_NOT_ALLOWED else 400
    return error_response(request, status, outcome.code, outcome.message, {**outcome.details, "batch": str(batch.uuid)})


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    return error_response(
        request,
        413,
        str(ProblemCode.TOO_LARGE),
        _("The file is larger than %(size)s MB.") % {"size": limit // (1024 * 1024)},
        {"max_bytes": limit},
    )


@router.get("/invoices", response=list[InvoiceOut], summary="Invoices the caller sees")
@paginate(LimitOffsetPagination)
def invoice_list(request: HttpRequest, filters: Query[InvoiceFilter]) -> Any:
    user = request.user
    qs = selectors.invoice_list(
        user,
        q=filters.q,
        date_from=filters.date_from,
        date_to=filters.date_to,
        kind=filters.kind,
    )
    if filters.organisation:
        qs = qs.filter(buyer_organisation__uuid=filters.organisation)
    if filters.supplier:
        qs = qs.filter(supplier__uuid=filters.supplier)
    return qs


@router.get("/invoices/{key}", response=InvoiceDetailOut, summary="One invoice with its lines")
def invoice_detail(request: HttpRequest, key: str) -> Any:
    return selectors.invoice_for(request.user, key)
