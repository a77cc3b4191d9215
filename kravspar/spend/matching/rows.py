"""The field lists the matcher reads and writes, and the small records it passes around:
the summary of a run, a price-list article, the result of a price check."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Field, Model

CENT = Decimal("0.01")
ZERO = Decimal(0)
PRICE_PLACES = Decimal("0.0000000001")
ARTICLE_CACHE_LIMIT = 500_000  # (contract, item) pairs a Matcher keeps before it starts afresh
DOC_FIELDS = [
    "id",
    "kind",
    "number",
    "issue_date",
    "delivery_date",
    "period_start",
    "period_end",
    "currency",
    "buyer_reference",
    "order_reference",
    "contract_reference",
    "billing_reference",
    "seller_key",
    "seller_endpoint_id",
    "seller_endpoint_scheme",
    "seller_legal_id",
    "seller_vat_id",
    "seller_org_number",
    "buyer_endpoint_id",
    "buyer_endpoint_scheme",
    "buyer_legal_id",
    "buyer_organisation_id",
    "supplier_id",
    "customization_id",
]
LINE_FIELDS = [
    "id",
    "document_id",
    "quantity",
    "line_net_amount",
    "price_amount",
    "base_quantity",
    "unit_code",
    "seller_item_id",
    "standard_item_id",
    "standard_item_scheme",
    "period_start",
    "period_end",
]
# The same fields, read from what the import parsed (``match_stored``).
PARSED_DOC_FIELDS = [f for f in DOC_FIELDS if f not in ("id", "buyer_organisation_id", "supplier_id")]
PARSED_LINE_FIELDS = [f for f in LINE_FIELDS if f not in ("id", "document_id")]
INVOICE_MATCH_UPDATE = [
    "status",
    "supplier_via",
    "method",
    "detail",
    "organisation",
    "unit",
    "supplier",
    "contract",
    "credited_document",
    "issue_date",
    "covered_from",
    "covered_to",
    "currency",
    "net_amount",
    "unmatched_lines",
    "needs_attention",
    "matched_at",
    "matched_by",
    "version",
]
# A line match as the matcher builds it: a tuple of these attributes, in this order (the
# columns of the insert); the invoice match's id comes last, added once it is known.
LINE_ROW_FIELDS = [
    "line_id",
    "status",
    "method",
    "article_id",
    "organisation_id",
    "unit_id",
    "supplier_id",
    "contract_id",
    "issue_date",
    "currency",
    "net_amount",
    "unit_price",
    "agreed_price",
    "price_check",
    "compared_price",
    "contracted",
    "on_terms",
    "over_price",
    "overcharge",
    "matched_by_id",
    "matched_at",
    "version",
    "invoice_match_id",
]


class ArticleRow(NamedTuple):
    id: int
    contract_id: int
    seller_item_id: str
    gtin: str
    unit_code: str
    net_price: Decimal
    currency: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None


class StoredLine(NamedTuple):
    """A stored invoice line as the matcher reads it (``LINE_FIELDS``), with the attribute
    names of the reader's ``ParsedLine``, so that both go through the same rules."""

    id: int
    document_id: int
    quantity: Decimal
    line_net_amount: Decimal
    price_amount: Decimal
    base_quantity: Decimal | None
    unit_code: str
    seller_item_id: str
    standard_item_id: str
    standard_item_scheme: str
    period_start: datetime.date | None
    period_end: datetime.date | None


@dataclass
class MatchSummary:
    documents: int = 0
    lines: int = 0
    matched: int = 0
    queued: int = 0
    off_contract: int = 0
    deviations: int = 0
    evidence: int = 0

    def add(self, other: MatchSummary) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class PriceResult(NamedTuple):
    """How one line's price compared with the agreed price."""

    kind: str  # a PriceCheck
    agreed: Decimal | None
    over: bool = False
    on_terms: bool = False
    overcharge: Decimal = Decimal(0)
    compared: Decimal | None = None  # the invoiced price in the agreed unit, when converted


def unit_price_of(line: Any) -> Decimal:
    """Net price per one unit of the invoiced quantity (BT-146 / BT-149), of a line with the
    attributes of ``ParsedLine`` (the matcher computes the same inline)."""
    base = line.base_quantity or Decimal(1)
    price: Decimal = line.price_amount
    return price / base if base else price


def concrete_field(model: type[Model], name: str) -> Field[Any, Any]:
    """A model's field by name as a column. ``get_field`` may also return a reverse
    relation (``ForeignObjectRel``), which has no column; the names asked for here never are."""
    found = model._meta.get_field(name)
    if not isinstance(found, Field):
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return found
