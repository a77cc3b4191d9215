"""Matching invoices to buyers, suppliers, contracts and price-list articles, and the
checks that turn what is found into follow-up.

Set-based: ``match_documents`` takes a batch of documents, loads what it needs into
dictionaries in a fixed number of queries (contracts, units, articles, earlier matches),
decides in Python, and writes with ``bulk_create`` (upserts). Deviations are raised only
for what the checks find, once per invoice, contract and check (``EconomyFinding``).

The order of the contract rules (domain § 5): the contract document reference (BT-12),
then the order reference (BT-13) and the buyer reference (BT-10), then supplier + buyer +
the period the invoice covers within the contract's period. A credit note with a billing
reference (BT-25) takes the contract of the invoice it credits. A match made by hand is
never overridden.

Dates. What an invoice is checked by is the period it covers (``policy.document_period``
and ``policy.line_period``: delivery date, invoice periods, the issue date only when none
is given), not the day it was written: an invoice in arrears for a contract's last month
is written after the end but covers days within it. The spend figures still count each
invoice on its issue date (``issue_date`` on the matches), the date its cost is booked on.

Units and currencies. A line's price is compared with the agreed price only in the
article's unit (converted by a fixed UN/ECE Rec 20 factor where there is one,
``unit_conversion``) and only in the agreed currency; anything else is a deviation of its
own, never a line silently left unchecked.
"""

from __future__ import annotations

import datetime
import logging
import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kravspar.contracts.models import Contract, ContractExtension, ContractStatus
from kravspar.core.bulk import RowInserter
from kravspar.core.dates import add_months
from kravspar.invoices.models import DocumentKind, InvoiceDocument, InvoiceLine
from kravspar.ledger.models import LEDGER_CUSTOMIZATION
from kravspar.organisations.models import Organisation, Unit
from kravspar.spend import policy, unit_conversion
from kravspar.spend.models import (
    Check,
    DeviationInvoiceLine,
    EconomyFinding,
    InvoiceMatch,
    LineMatch,
    LineMethod,
    LineStatus,
    MatchMethod,
    MatchStatus,
    OffContractPurchase,
    PriceCheck,
    PriceListArticle,
    SupplierSource,
)
from kravspar.spend.policy import Period
from kravspar.spend.requirements import economy_requirement_for
from kravspar.suppliers.models import Supplier

logger = logging.getLogger(__name__)

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
LINE_MATCH_UPDATE = [
    "invoice_match",
    "status",
    "method",
    "article",
    "organisation",
    "unit",
    "supplier",
    "contract",
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
    "matched_by",
    "matched_at",
    "version",
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


@dataclass
class ContractInfo:
    id: int
    number: str
    starts_on: datetime.date
    end: datetime.date
    value: Decimal | None
    supplier_ids: set[int] = field(default_factory=set)
    buyer_ids: set[int] = field(default_factory=set)

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.end

    def overlaps(self, period: Period) -> bool:
        """In force on at least one day the invoice covers."""
        return period.overlaps(self.starts_on, self.end)

    def distance(self, period: Period) -> int:
        """Days between the contract's period and the invoice's (0 when they overlap)."""
        if period.end < self.starts_on:
            return (self.starts_on - period.end).days
        return max((period.start - self.end).days, 0)


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


def contract_end(contract: Contract | Any, months_used: int) -> datetime.date:
    """The end with the extensions used, or the day a terminated contract ended."""
    end = add_months(contract.ends_on, months_used)
    if contract.status == ContractStatus.TERMINATED and contract.ended_on:
        end = min(end, contract.ended_on)
    return end


def load_contracts() -> dict[int, ContractInfo]:
    """Every contract with its parties and effective end, in four queries."""
    months: dict[int, int] = defaultdict(int)
    for contract_id, used in ContractExtension.objects.values_list("contract_id", "months"):
        months[contract_id] += used
    contracts = {
        c.pk: ContractInfo(
            id=c.pk, number=c.contract_number, starts_on=c.starts_on, end=contract_end(c, months[c.pk]), value=c.value
        )
        for c in Contract.objects.only("id", "contract_number", "starts_on", "ends_on", "status", "ended_on", "value")
    }
    for contract_id, supplier_id in Contract.suppliers.through.objects.values_list("contract_id", "supplier_id"):
        if contract_id in contracts:
            contracts[contract_id].supplier_ids.add(supplier_id)
    for contract_id, org_id in Contract.buyers.through.objects.values_list("contract_id", "organisation_id"):
        if contract_id in contracts:
            contracts[contract_id].buyer_ids.add(org_id)
    return contracts


class PriceResult(NamedTuple):
    """How one line's price compared with the agreed price."""

    kind: str  # a PriceCheck
    agreed: Decimal | None
    over: bool = False
    on_terms: bool = False
    overcharge: Decimal = Decimal(0)
    compared: Decimal | None = None  # the invoiced price in the agreed unit, when converted


def unit_price_of(line: dict[str, Any]) -> Decimal:
    """Net price per one unit of the invoiced quantity (BT-146 / BT-149)."""
    base = line["base_quantity"] or Decimal(1)
    price: Decimal = line["price_amount"]
    return price / base if base else price


def _articles_for_pairs(kind: str, pairs: Sequence[tuple[int, str]]) -> list[ArticleRow]:
    """The articles of exactly these (contract, seller's item id) or (contract, GTIN) pairs,
    newest first, in one query that joins a ``VALUES`` list (SQLite and PostgreSQL both name
    its columns column1, column2). The ORM would need a hundred ORed conditions to say it."""
    if not pairs:
        return []
    quote = connection.ops.quote_name
    meta = PriceListArticle._meta
    column = quote(str(meta.get_field("seller_item_id" if kind == "item" else "gtin").column))
    fields = ", ".join(
        f"CAST(a.{quote('net_price')} AS TEXT)" if name == "net_price" else f"a.{quote(name)}"
        for name in ("id", "contract_id", "seller_item_id", "gtin", "unit_code", "net_price", "currency")
    )
    values = ", ".join(["(%s, %s)"] * len(pairs))
    # Only quoted names from the model's metadata are formatted in; the pairs are parameters.
    sql = (
        f"SELECT {fields}, a.{quote('valid_from')}, a.{quote('valid_to')} "  # noqa: S608
        f"FROM {quote(meta.db_table)} a JOIN (VALUES {values}) w "
        f"ON a.{quote('contract_id')} = w.column1 AND a.{column} = w.column2 "
        f"ORDER BY a.{quote('valid_from')} DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for pair in pairs for value in pair])
        rows = cursor.fetchall()

    def day(value: Any) -> datetime.date | None:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else value

    return [
        ArticleRow(pk, contract_id, item, gtin, unit, Decimal(price), currency, day(valid_from), day(valid_to))
        for pk, contract_id, item, gtin, unit, price, currency, valid_from, valid_to in rows
    ]


class Matcher:
    """Loads the contracts and units once; ``match`` then takes batches of documents."""

    def __init__(self, *, tolerance: Decimal | None = None) -> None:
        self.tolerance = policy.tolerance_percent() if tolerance is None else tolerance
        self.contracts = load_contracts()
        self.by_number: dict[str, ContractInfo] = {c.number.strip().upper(): c for c in self.contracts.values()}
        self.by_supplier: dict[int, list[ContractInfo]] = defaultdict(list)
        for info in self.contracts.values():
            for supplier_id in info.supplier_ids:
                self.by_supplier[supplier_id].append(info)
        self.units: dict[tuple[int, str], int] = {
            (org_id, name.strip().lower()): pk
            for pk, org_id, name in Unit.objects.filter(is_active=True).values_list("id", "organisation_id", "name")
        }
        # Running kronor totals of the lines matched to each contract, summed in SQL the
        # first time a contract is met and then kept up to date from each batch's new lines,
        # so that the "spend past the contract value" check never re-sums earlier batches.
        self.spent: dict[int, Decimal] = {}
        # The price-list articles loaded so far (``_load_articles``).
        self._article_keys: set[tuple[int, str, str]] = set()
        self._by_item: dict[tuple[int, str], list[ArticleRow]] = defaultdict(list)
        self._by_gtin: dict[tuple[int, str], list[ArticleRow]] = defaultdict(list)
        self._articles: dict[int, ArticleRow] = {}

    # --- documents ------------------------------------------------------------------

    def _resolve_parties(self, docs: list[dict[str, Any]]) -> None:
        """Fill in buyer and supplier where the import did not find them (e.g. the supplier
        was added to the registry later). Two queries at most."""
        orgs_needed = [d for d in docs if d["buyer_organisation_id"] is None]
        if orgs_needed:
            ids = {d["buyer_endpoint_id"] for d in orgs_needed if d["buyer_endpoint_id"]}
            legal = {d["buyer_legal_id"] for d in orgs_needed if d["buyer_legal_id"]}
            by_peppol: dict[str, int] = {}
            by_number: dict[str, int] = {}
            for pk, peppol, number in Organisation.objects.filter(
                Q(peppol_value__in=ids) | Q(org_number__in=legal | ids)
            ).values_list("id", "peppol_value", "org_number"):
                by_peppol[peppol] = pk
                if number:
                    by_number[number] = pk
            for d in orgs_needed:
                d["buyer_organisation_id"] = (
                    by_peppol.get(d["buyer_endpoint_id"])
                    or by_number.get(d["buyer_legal_id"])
                    or by_number.get(d["buyer_endpoint_id"])
                )
        for d in docs:
            d["supplier_via"] = SupplierSource.IMPORT if d["supplier_id"] is not None else ""
        suppliers_needed = [d for d in docs if d["supplier_id"] is None]
        if not suppliers_needed:
            return
        numbers = {d["seller_org_number"] for d in suppliers_needed if d["seller_org_number"]}
        vats = {d["seller_vat_id"].replace(" ", "").upper() for d in suppliers_needed if d["seller_vat_id"]}
        endpoints = {d["seller_endpoint_id"] for d in suppliers_needed if d["seller_endpoint_id"]}
        by_org: dict[str, int] = {}
        by_vat: dict[str, int] = {}
        by_endpoint: dict[str, int] = {}
        for pk, org_number, vat, peppol in Supplier.objects.filter(
            Q(org_number__in=numbers) | Q(vat_number__in=vats) | Q(peppol_value__in=endpoints)
        ).values_list("id", "org_number", "vat_number", "peppol_value"):
            if org_number:
                by_org.setdefault(org_number, pk)
            if vat:
                by_vat.setdefault(vat.replace(" ", "").upper(), pk)
            if peppol:
                by_endpoint.setdefault(peppol, pk)
        for d in suppliers_needed:
            for source, supplier_id in (
                (SupplierSource.ORG_NUMBER, by_org.get(d["seller_org_number"])),
                (SupplierSource.ENDPOINT, by_endpoint.get(d["seller_endpoint_id"])),
                (SupplierSource.VAT, by_vat.get(d["seller_vat_id"].replace(" ", "").upper())),
            ):
                if supplier_id is not None:
                    d["supplier_id"], d["supplier_via"] = supplier_id, source
                    break

    def _fits(self, info: ContractInfo, doc: dict[str, Any]) -> bool:
        """The contract is between this supplier and this buyer. A reference alone is not
        trusted: anyone can quote a contract number, so the seller must be a party."""
        return doc["supplier_id"] in info.supplier_ids and doc["buyer_organisation_id"] in info.buyer_ids

    def _by_reference(self, reference: str, doc: dict[str, Any]) -> ContractInfo | None:
        """The contract a reference names: its number exactly, or the number at the start
        of the reference (order references such as "RV-2025-0107-0042")."""
        ref = reference.strip().upper()
        if not ref or doc["supplier_id"] is None:
            return None
        info = self.by_number.get(ref)
        if info is not None:
            return info if self._fits(info, doc) else None
        hits = [
            c
            for c in self.by_supplier.get(doc["supplier_id"], [])
            if ref.startswith(c.number.upper()) and self._fits(c, doc)
        ]
        return hits[0] if len(hits) == 1 else None

    def _match_contract(
        self,
        doc: dict[str, Any],
        credited: dict[tuple[str, str], tuple[int, int | None]],
        decided: dict[int, dict[str, Any]],
    ) -> dict[str, Any]:
        """Status, method, detail and contract (or candidates) for one document. A credit
        note's credited invoice may be in the same batch (``decided``)."""
        result: dict[str, Any] = {"contract_id": None, "candidates": [], "credited_id": None, "nearest": None}
        if doc["kind"] == DocumentKind.CREDIT_NOTE and doc["billing_reference"]:
            hit = credited.get((doc["seller_key"], doc["billing_reference"].strip()))
            if hit is not None:
                result["credited_id"] = hit[0]
        if doc["buyer_organisation_id"] is None:
            return result | {
                "status": MatchStatus.NO_BUYER,
                "method": MatchMethod.NONE,
                "detail": doc["buyer_endpoint_id"],
            }
        for method, reference in (
            (MatchMethod.CONTRACT_REFERENCE, doc["contract_reference"]),
            (MatchMethod.ORDER_REFERENCE, doc["order_reference"]),
            (MatchMethod.BUYER_REFERENCE, doc["buyer_reference"]),
        ):
            info = self._by_reference(reference, doc)
            if info is not None:
                return result | {
                    "status": MatchStatus.MATCHED,
                    "method": method,
                    "detail": reference,
                    "contract_id": info.id,
                }
        if result["credited_id"] is not None:
            contract_id = (
                decided.get(result["credited_id"], {}).get("contract_id")
                or credited[(doc["seller_key"], doc["billing_reference"].strip())][1]
            )
            if contract_id is not None:
                return result | {
                    "status": MatchStatus.MATCHED,
                    "method": MatchMethod.CREDITED_INVOICE,
                    "detail": doc["billing_reference"],
                    "contract_id": contract_id,
                }
        if doc["supplier_id"] is None:
            return result | {"status": MatchStatus.NO_SUPPLIER, "method": MatchMethod.NONE, "detail": doc["seller_key"]}
        theirs = [
            c for c in self.by_supplier.get(doc["supplier_id"], []) if doc["buyer_organisation_id"] in c.buyer_ids
        ]
        # The contract in force during what the invoice covers, not on the day it was
        # written: June's invoice, written in July, belongs to the contract that ended in
        # June, not to its successor that started on 1 July.
        covered: Period = doc["covered"]
        valid = [c for c in theirs if c.overlaps(covered)]
        if len(valid) == 1:
            return result | {
                "status": MatchStatus.MATCHED,
                "method": MatchMethod.SUPPLIER_PERIOD,
                "detail": str(covered),
                "contract_id": valid[0].id,
            }
        if len(valid) > 1:
            return result | {
                "status": MatchStatus.AMBIGUOUS,
                "method": MatchMethod.NONE,
                "detail": ", ".join(sorted(c.number for c in valid)),
                "candidates": [c.id for c in valid],
            }
        nearest = min(theirs, key=lambda c: c.distance(covered), default=None)
        return result | {
            "status": MatchStatus.NO_CONTRACT,
            "method": MatchMethod.NONE,
            "detail": nearest.number if nearest else "",
            "nearest": nearest.id if nearest else None,
        }

    # --- lines ----------------------------------------------------------------------

    def _load_articles(
        self,
        docs: list[dict[str, Any]],
        decided: dict[int, dict[str, Any]],
        lines_by_doc: dict[int, list[dict[str, Any]]],
        manual_ids: Iterable[int | None],
    ) -> None:
        """Load the price-list articles the lines can match that earlier batches of the run
        have not: only (contract, seller's item id) and (contract, GTIN) pairs that a line
        names, since a price list may hold thousands. What a pair found stays for the run,
        like the contract index (an article added while a run is under way counts from the
        next run or ``match_invoices``)."""
        if len(self._article_keys) > ARTICLE_CACHE_LIMIT:
            self._article_keys.clear()
            self._by_item.clear()
            self._by_gtin.clear()
            self._articles.clear()
        items: dict[int, set[str]] = defaultdict(set)
        gtins: dict[int, set[str]] = defaultdict(set)
        for doc in docs:
            contract_id = decided[doc["id"]]["contract_id"]
            if contract_id is None:
                continue
            for line in lines_by_doc.get(doc["id"], []):
                item = line["seller_item_id"].strip()
                if item and (contract_id, "item", item) not in self._article_keys:
                    items[contract_id].add(item)
                gtin = line["standard_item_id"].strip() if line["standard_item_scheme"] == "0160" else ""
                if gtin and (contract_id, "gtin", gtin) not in self._article_keys:
                    gtins[contract_id].add(gtin)
        manual = [pk for pk in manual_ids if pk is not None and pk not in self._articles]
        for kind, wanted, index in (("item", items, self._by_item), ("gtin", gtins, self._by_gtin)):
            pairs = [(contract_id, value) for contract_id, values in wanted.items() for value in values]
            self._article_keys.update((contract_id, kind, value) for contract_id, value in pairs)
            for start in range(0, len(pairs), 500):
                for loaded in _articles_for_pairs(kind, pairs[start : start + 500]):
                    self._articles[loaded.id] = loaded
                    index[(loaded.contract_id, loaded.seller_item_id if kind == "item" else loaded.gtin)].append(loaded)
        if manual:
            for row in PriceListArticle.objects.filter(pk__in=manual).values_list(*ArticleRow._fields):
                loaded = ArticleRow(*row)
                self._articles[loaded.id] = loaded

    @staticmethod
    def _article_for(
        line: dict[str, Any],
        contract_id: int,
        period: Period,
        by_item: dict[tuple[int, str], list[ArticleRow]],
        by_gtin: dict[tuple[int, str], list[ArticleRow]],
    ) -> tuple[ArticleRow | None, str]:
        """The price-list article of a line, valid during the period the line covers (an
        arrears invoice is priced by the price list of the months it bills, not of the day
        it was written). When the period spans a price change (an index adjustment on 1
        January), the article in the line's unit with the highest agreed price is taken:
        a price above it is above the agreed price on every day of the period, which is
        what a price deviation has to stand on."""
        unit = unit_conversion.normalise(line["unit_code"])

        def valid(candidates: list[ArticleRow]) -> ArticleRow | None:
            found = [a for a in candidates if period.overlaps(a.valid_from, a.valid_to)]
            if len(found) <= 1:
                return found[0] if found else None
            # Candidates come newest first; max() keeps the first of equals.
            return max(found, key=lambda a: (a.unit_code == unit, a.net_price))

        if line["seller_item_id"]:
            article = valid(by_item.get((contract_id, line["seller_item_id"].strip()), []))
            if article is not None:
                return article, LineMethod.SELLER_ITEM_ID
        gtin = line["standard_item_id"].strip() if line["standard_item_scheme"] == "0160" else ""
        if gtin:
            article = valid(by_gtin.get((contract_id, gtin), []))
            if article is not None:
                return article, LineMethod.GTIN
        return None, LineMethod.NONE

    @staticmethod
    def _periods(docs: list[dict[str, Any]], lines_by_doc: dict[int, list[dict[str, Any]]]) -> None:
        """The period each line covers (``line["period"]``) and the span of the whole
        document (``doc["covered"]``): its lines' periods together, which is the document's
        own delivery date and period unless lines give their own."""
        for doc in docs:
            own = policy.document_period(
                doc["issue_date"], doc["delivery_date"], doc["period_start"], doc["period_end"]
            )
            doc["dates_given"] = bool(doc["delivery_date"] or doc["period_start"] or doc["period_end"])
            periods = []
            for line in lines_by_doc.get(doc["id"], []):
                line["period"] = policy.line_period(own, line["period_start"], line["period_end"])
                periods.append(line["period"])
            doc["covered"] = Period(min(p.start for p in periods), max(p.end for p in periods)) if periods else own

    def _check_price(
        self, line: dict[str, Any], price: Decimal, article: ArticleRow | None, currency: str, is_invoice: bool
    ) -> PriceResult:
        """Compare a line's price with its article's, in the agreed currency and unit only."""
        if article is None:
            return PriceResult(PriceCheck.NONE, None)
        agreed = article.net_price
        if currency != article.currency.upper():
            # Never number to number: 10 EUR is not "below" 100 SEK.
            return PriceResult(PriceCheck.CURRENCY_DIFFERS, agreed)
        unit, agreed_unit = unit_conversion.normalise(line["unit_code"]), unit_conversion.normalise(article.unit_code)
        if unit == agreed_unit:
            over = policy.is_over_price(price, agreed, self.tolerance)
            overcharge = (
                ((price - agreed) * line["quantity"]).quantize(CENT, ROUND_HALF_UP) if over and is_invoice else ZERO
            )
            return PriceResult(PriceCheck.SAME_UNIT, agreed, over=over, on_terms=price <= agreed, overcharge=overcharge)
        if not unit_conversion.convertible(unit, agreed_unit):
            return PriceResult(PriceCheck.UNIT_DIFFERS, agreed)
        # Exact arithmetic: a price per minute is a price per hour times 60, with no rounding
        # that could move a price across the tolerance.
        converted = unit_conversion.price_in(price, unit, agreed_unit)
        over = policy.is_over_price(converted, Fraction(agreed), Fraction(self.tolerance))
        overcharge = ZERO
        if over and is_invoice:
            excess = (converted - Fraction(agreed)) * unit_conversion.quantity_in(line["quantity"], unit, agreed_unit)
            overcharge = unit_conversion.to_decimal(excess, CENT)
        return PriceResult(
            PriceCheck.CONVERTED,
            agreed,
            over=over,
            on_terms=converted <= Fraction(agreed),
            overcharge=overcharge,
            compared=unit_conversion.to_decimal(converted, PRICE_PLACES),
        )

    # --- the batch ------------------------------------------------------------------

    def match(self, document_ids: Sequence[int]) -> MatchSummary:
        """Match these documents (new or again) in one transaction."""
        summary = MatchSummary()
        if not document_ids:
            return summary
        with transaction.atomic():
            self._match(list(document_ids), summary)
        return summary

    def match_stored(self, stored: Sequence[Any]) -> MatchSummary:
        """Match documents an import has just stored, from what it parsed: ``stored`` holds
        ``kravspar.invoices.services.StoredDocument`` items (the id, the parsed document and
        the parties found). Only the lines' ids are read back, in one query; nothing is parsed
        or converted again."""
        summary = MatchSummary()
        if not stored:
            return summary
        docs: list[dict[str, Any]] = []
        doc_fields = operator.attrgetter(*PARSED_DOC_FIELDS)
        line_fields = operator.attrgetter(*PARSED_LINE_FIELDS)
        for item in stored:
            doc = dict(zip(PARSED_DOC_FIELDS, doc_fields(item.parsed), strict=True))
            doc["id"], doc["buyer_organisation_id"], doc["supplier_id"] = item.pk, item.buyer_id, item.supplier_id
            docs.append(doc)
        by_id = {item.pk: item.parsed for item in stored}
        quote = connection.ops.quote_name
        table = quote(InvoiceLine._meta.db_table)
        placeholders = ", ".join(["%s"] * len(by_id))
        line_ids: dict[tuple[int, int], int] = {}
        with connection.cursor() as cursor:
            # Only quoted names from the model's metadata are formatted in; the ids are parameters.
            cursor.execute(
                f"SELECT {quote('document_id')}, {quote('position')}, {quote('id')} FROM {table} "  # noqa: S608
                f"WHERE {quote('document_id')} IN ({placeholders})",
                list(by_id),
            )
            for doc_id, position, line_id in cursor.fetchall():
                line_ids[(doc_id, position)] = line_id
        lines_by_doc: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for doc_id, parsed in by_id.items():
            rows = lines_by_doc[doc_id]
            for line in parsed.lines:
                row = dict(zip(PARSED_LINE_FIELDS, line_fields(line), strict=True))
                row["id"], row["document_id"] = line_ids[(doc_id, line.position)], doc_id
                rows.append(row)
        with transaction.atomic():
            self._match_loaded(docs, lines_by_doc, summary)
        return summary

    def _match(self, document_ids: list[int], summary: MatchSummary) -> None:
        docs = list(InvoiceDocument.objects.filter(pk__in=document_ids).values(*DOC_FIELDS))
        if not docs:
            return
        ids = [d["id"] for d in docs]
        lines_by_doc: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for line in (
            InvoiceLine.objects.filter(document_id__in=ids).order_by("document_id", "position").values(*LINE_FIELDS)
        ):
            lines_by_doc[line["document_id"]].append(line)
        self._match_loaded(docs, lines_by_doc, summary)

    def _match_loaded(
        self, docs: list[dict[str, Any]], lines_by_doc: dict[int, list[dict[str, Any]]], summary: MatchSummary
    ) -> None:
        now = timezone.now()
        summary.documents += len(docs)
        ids = [d["id"] for d in docs]
        existing = {m.document_id: m for m in InvoiceMatch.objects.filter(document_id__in=ids)}
        self._resolve_parties(docs)

        refs = {
            (d["seller_key"], d["billing_reference"].strip())
            for d in docs
            if d["kind"] == DocumentKind.CREDIT_NOTE and d["billing_reference"]
        }
        credited: dict[tuple[str, str], tuple[int, int | None]] = {}
        if refs:
            for pk, seller_key, number, credited_contract in InvoiceDocument.objects.filter(
                kind=DocumentKind.INVOICE, number__in={r[1] for r in refs}, seller_key__in={r[0] for r in refs}
            ).values_list("id", "seller_key", "number", "match__contract_id"):
                credited[(seller_key, number)] = (pk, credited_contract)

        manual_lines = {
            lm.line_id: lm for lm in LineMatch.objects.filter(line__document_id__in=ids, method=LineMethod.MANUAL)
        }
        self._periods(docs, lines_by_doc)

        decided: dict[int, dict[str, Any]] = {}
        result: dict[str, Any]
        # Invoices first, so that a credit note can take the contract of an invoice in the same batch.
        docs.sort(key=lambda d: (d["kind"] != DocumentKind.INVOICE, d["id"]))
        for doc in docs:
            before = existing.get(doc["id"])
            if before is not None and before.method == MatchMethod.MANUAL:
                result = {
                    "status": MatchStatus.MATCHED,
                    "method": MatchMethod.MANUAL,
                    "detail": before.detail,
                    "contract_id": before.contract_id,
                    "candidates": [],
                    "credited_id": before.credited_document_id,
                    "nearest": None,
                }
                if before.supplier_id and before.supplier_id != doc["supplier_id"]:
                    doc["supplier_id"], doc["supplier_via"] = before.supplier_id, SupplierSource.CONTRACT
            else:
                result = self._match_contract(doc, credited, decided)
            decided[doc["id"]] = result

        contract_ids = {r["contract_id"] for r in decided.values() if r["contract_id"]}
        self._load_articles(docs, decided, lines_by_doc, [lm.article_id for lm in manual_lines.values()])
        by_item, by_gtin, articles = self._by_item, self._by_gtin, self._articles

        # Decide every line, then write the documents' matches and the lines' matches.
        match_rows: list[dict[str, Any]] = []
        line_rows: list[tuple[int, dict[str, Any]]] = []
        findings: dict[tuple[int, int, str], list[tuple[int, Decimal | None, Decimal]]] = defaultdict(list)
        # What the deviation's description says beyond the lines (units, currencies, periods).
        context: dict[tuple[int, int, str], dict[str, Any]] = defaultdict(dict)
        for doc in docs:
            result = decided[doc["id"]]
            contract_id: int | None = result["contract_id"]
            sign = Decimal(-1) if doc["kind"] == DocumentKind.CREDIT_NOTE else Decimal(1)
            is_invoice = doc["kind"] == DocumentKind.INVOICE
            currency = doc["currency"].upper()
            org_id = doc["buyer_organisation_id"]
            unit_id = self.units.get((org_id, doc["buyer_reference"].strip().lower())) if org_id else None
            # A financial-system line without article (ledger app) counts for spend and
            # contract loyalty; there is no article whose price it could be checked against.
            ledger = doc["customization_id"] == LEDGER_CUSTOMIZATION
            unmatched = 0
            total = Decimal(0)
            info = self.contracts.get(contract_id) if contract_id is not None else None
            for line in lines_by_doc.get(doc["id"], []):
                amount = (line["line_net_amount"] * sign).quantize(CENT)
                total += amount
                price = unit_price_of(line).quantize(PRICE_PLACES)
                manual = manual_lines.get(line["id"])
                article: ArticleRow | None = None
                method: str = LineMethod.NONE
                if contract_id is not None:
                    if manual is not None and manual.article_id is not None:
                        candidate = articles.get(manual.article_id)
                        if candidate is not None and candidate.contract_id == contract_id:
                            article, method = candidate, LineMethod.MANUAL
                    if article is None:
                        article, method = self._article_for(line, contract_id, line["period"], by_item, by_gtin)
                line_status: str = (
                    LineStatus.NO_CONTRACT
                    if contract_id is None
                    else LineStatus.MATCHED
                    if article is not None
                    else LineStatus.NOT_PRICE_CHECKED
                    if ledger and not (line["seller_item_id"] or line["standard_item_id"])
                    else LineStatus.NO_ARTICLE
                )
                check = self._check_price(line, price, article, currency, is_invoice)
                if line_status == LineStatus.NO_ARTICLE:
                    unmatched += 1
                lm = {
                    "line_id": line["id"],
                    "status": line_status,
                    "method": method,
                    "article_id": article.id if article is not None else None,
                    "organisation_id": org_id,
                    "unit_id": unit_id,
                    "supplier_id": doc["supplier_id"],
                    "contract_id": contract_id,
                    "issue_date": doc["issue_date"],
                    "currency": currency,
                    "net_amount": amount,
                    "unit_price": price,
                    "agreed_price": check.agreed,
                    "price_check": check.kind,
                    "compared_price": check.compared,
                    "contracted": contract_id is not None,
                    # Right supplier on a contract; with no article there is no price to be off terms.
                    "on_terms": True if line_status == LineStatus.NOT_PRICE_CHECKED else check.on_terms,
                    "over_price": check.over and is_invoice,
                    "overcharge": check.overcharge,
                    "matched_by_id": manual.matched_by_id if method == LineMethod.MANUAL and manual else None,
                    "matched_at": manual.matched_at if method == LineMethod.MANUAL and manual else now,
                    "version": 1,
                }
                line_rows.append((doc["id"], lm))
                if contract_id is None or not is_invoice:
                    continue
                evidence = (line["id"], check.agreed, Decimal(0))
                if lm["over_price"]:
                    findings[(contract_id, doc["id"], Check.OVER_PRICE)].append(
                        (line["id"], check.agreed, check.overcharge)
                    )
                    if check.kind == PriceCheck.CONVERTED:
                        context[(contract_id, doc["id"], Check.OVER_PRICE)]["converted"] = True
                if line_status == LineStatus.NO_ARTICLE:
                    findings[(contract_id, doc["id"], Check.NOT_ON_CONTRACT)].append(evidence)
                if check.kind == PriceCheck.UNIT_DIFFERS and article is not None:
                    key = (contract_id, doc["id"], Check.UNIT_DIFFERS)
                    findings[key].append(evidence)
                    context[key].setdefault("units", set()).add((line["unit_code"] or "–", article.unit_code))
                agreed_currency = article.currency.upper() if article is not None else policy.KRONOR
                if currency != agreed_currency:
                    key = (contract_id, doc["id"], Check.CURRENCY_DIFFERS)
                    findings[key].append(evidence)
                    context[key].setdefault("agreed", set()).add(agreed_currency)
                    context[key]["currency"] = currency
                # After the end only when what the line covers goes past it (an arrears invoice
                # for the last month does not); a line's own period decides for that line.
                period: Period = line["period"]
                if info is not None and period.end > info.end:
                    key = (contract_id, doc["id"], Check.AFTER_END)
                    findings[key].append(evidence)
                    context[key].setdefault("periods", []).append(period)
                    if not (doc["dates_given"] or line["period_start"] or line["period_end"]):
                        context[key]["issue_date_counts"] = True
            summary.lines += len(lines_by_doc.get(doc["id"], []))
            before = existing.get(doc["id"])
            status = result["status"]
            reviewed = before is not None and before.reviewed_at is not None
            match_rows.append(
                {
                    "document_id": doc["id"],
                    "status": status,
                    "method": result["method"],
                    "detail": (result["detail"] or "")[:200],
                    "organisation_id": org_id,
                    "unit_id": unit_id,
                    "supplier_id": doc["supplier_id"],
                    "supplier_via": doc["supplier_via"],
                    "contract_id": contract_id,
                    "credited_document_id": result["credited_id"],
                    "issue_date": doc["issue_date"],
                    "covered_from": doc["covered"].start,
                    "covered_to": doc["covered"].end,
                    "currency": currency,
                    "net_amount": total,
                    "unmatched_lines": unmatched,
                    "needs_attention": (status != MatchStatus.MATCHED or unmatched > 0) and not reviewed,
                    "matched_at": before.matched_at
                    if before is not None and result["method"] == MatchMethod.MANUAL
                    else now,
                    "matched_by_id": before.matched_by_id
                    if before is not None and result["method"] == MatchMethod.MANUAL
                    else None,
                    "version": 1,
                }
            )
            if status == MatchStatus.MATCHED:
                summary.matched += 1
            if status != MatchStatus.MATCHED or unmatched:
                summary.queued += 1

        upsert_invoice_matches(match_rows, now=now)
        match_ids = dict(InvoiceMatch.objects.filter(document_id__in=ids).values_list("document_id", "id"))
        through = InvoiceMatch.candidates.through
        through.objects.filter(invoicematch_id__in=match_ids.values()).delete()
        through.objects.bulk_create(
            [
                through(invoicematch_id=match_ids[doc_id], contract_id=contract_id)
                for doc_id, r in decided.items()
                for contract_id in r["candidates"]
            ]
        )
        for doc_id, lm in line_rows:
            lm["invoice_match_id"] = match_ids[doc_id]
        upsert_line_matches([lm for _d, lm in line_rows])
        self._off_contract(docs, decided, match_rows, now, summary)
        self._raise(findings, docs, summary, context)
        self._count_spend([lm for _d, lm in line_rows], existing.values())
        self._over_value(contract_ids, docs, decided, lines_by_doc, summary)

    def _off_contract(
        self,
        docs: list[dict[str, Any]],
        decided: dict[int, dict[str, Any]],
        match_rows: list[dict[str, Any]],
        now: datetime.datetime,
        summary: MatchSummary,
    ) -> None:
        totals = {m["document_id"]: m["net_amount"] for m in match_rows}
        rows = [
            OffContractPurchase(
                document_id=d["id"],
                organisation_id=d["buyer_organisation_id"],
                supplier_id=d["supplier_id"],
                issue_date=d["issue_date"],
                currency=d["currency"].upper(),
                net_amount=totals[d["id"]],
                nearest_contract_id=decided[d["id"]]["nearest"],
            )
            for d in docs
            if decided[d["id"]]["status"] == MatchStatus.NO_CONTRACT
        ]
        OffContractPurchase.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["document"],
            update_fields=["organisation", "supplier", "issue_date", "currency", "net_amount", "nearest_contract"],
        )
        summary.off_contract += len(rows)
        resolved = [d["id"] for d in docs if decided[d["id"]]["status"] == MatchStatus.MATCHED]
        if resolved:
            OffContractPurchase.objects.filter(document_id__in=resolved, cleared_at__isnull=True).update(cleared_at=now)

    def _raise(
        self,
        findings: dict[tuple[int, int, str], list[tuple[int, Decimal | None, Decimal]]],
        docs: list[dict[str, Any]],
        summary: MatchSummary,
        context: dict[tuple[int, int, str], dict[str, Any]] | None = None,
    ) -> None:
        if not findings:
            return
        doc_ids = {key[1] for key in findings}
        known = {
            (f.contract_id, f.document_id, f.check_type): f.deviation_id
            for f in EconomyFinding.objects.filter(document_id__in=doc_ids)
        }
        numbers = {d["id"]: d["number"] for d in docs}
        evidence: list[DeviationInvoiceLine] = []
        for key, lines in findings.items():
            contract_id, doc_id, check = key
            deviation_id = known.get(key)
            if deviation_id is None:
                deviation_id = self._new_deviation(
                    contract_id, doc_id, numbers[doc_id], check, lines, (context or {}).get(key, {})
                )
                summary.deviations += 1
            evidence.extend(
                DeviationInvoiceLine(
                    deviation_id=deviation_id, line_id=line_id, check_type=check, agreed_price=agreed, overcharge=over
                )
                for line_id, agreed, over in lines
            )
        DeviationInvoiceLine.objects.bulk_create(evidence, ignore_conflicts=True)
        summary.evidence += len(evidence)

    def _describe(
        self, check: str, number: str, info: ContractInfo, lines: list[tuple[int, Decimal | None, Decimal]], ctx: dict
    ) -> tuple[str, str]:
        """The deviation's title and description, in the site's language. Each states only
        what the invoice itself says and what the contract agreed."""
        count = len(lines)
        if check == Check.OVER_PRICE:
            total = sum((over for _l, _a, over in lines), Decimal(0))
            title = _("Invoice %(number)s: priced above the contract") % {"number": number}
            description = ngettext(
                "%(count)d line of invoice %(number)s is priced more than %(tolerance)s %% above the price "
                "list's agreed price, %(total)s SEK in all.",
                "%(count)d lines of invoice %(number)s are priced more than %(tolerance)s %% above the price "
                "list's agreed price, %(total)s SEK in all.",
                count,
            ) % {"count": count, "number": number, "tolerance": self.tolerance, "total": total}
            if ctx.get("converted"):
                description += " " + _(
                    "Lines invoiced in another unit than the price list's were converted to the agreed unit by the "
                    "fixed factor of UN/ECE Recommendation 20 before they were compared."
                )
            return title, description
        if check == Check.NOT_ON_CONTRACT:
            title = _("Invoice %(number)s: articles not on the contract") % {"number": number}
            description = ngettext(
                "%(count)d line of invoice %(number)s is for an article that is not on the contract's price list.",
                "%(count)d lines of invoice %(number)s are for articles that are not on the contract's price list.",
                count,
            ) % {"count": count, "number": number}
            return title, description
        if check == Check.AFTER_END:
            periods: list[Period] = ctx.get("periods") or []
            covered = Period(min(p.start for p in periods), max(p.end for p in periods)) if periods else None
            title = _("Invoice %(number)s: invoiced after the contract ended") % {"number": number}
            description = ngettext(
                "%(count)d line of invoice %(number)s covers %(period)s, past the contract's end, %(end)s.",
                "%(count)d lines of invoice %(number)s cover %(period)s, past the contract's end, %(end)s.",
                count,
            ) % {"count": count, "number": number, "period": covered or "–", "end": info.end}
            if ctx.get("issue_date_counts"):
                description += " " + ngettext(
                    "The invoice gives no delivery date or invoice period for it, so its issue date counts.",
                    "The invoice gives no delivery date or invoice period for them, so its issue date counts.",
                    count,
                )
            else:
                description += " " + _(
                    "The period is the invoice's own delivery date and invoice periods (BT-72, BT-73/74, BT-134/135)."
                )
            return title, description
        if check == Check.UNIT_DIFFERS:
            units = ", ".join(
                _("%(unit)s instead of %(agreed)s") % {"unit": unit, "agreed": agreed}
                for unit, agreed in sorted(ctx.get("units") or set())
            )
            title = _("Invoice %(number)s: unit differs from the agreed unit") % {"number": number}
            description = ngettext(
                "%(count)d line of invoice %(number)s is invoiced in another unit than the price list's "
                "(%(units)s). UN/ECE Recommendation 20 gives no fixed factor between them, so its price cannot "
                "be checked against the agreed price.",
                "%(count)d lines of invoice %(number)s are invoiced in another unit than the price list's "
                "(%(units)s). UN/ECE Recommendation 20 gives no fixed factor between them, so their prices cannot "
                "be checked against the agreed prices.",
                count,
            ) % {"count": count, "number": number, "units": units}
            return title, description
        if check == Check.CURRENCY_DIFFERS:
            title = _("Invoice %(number)s: currency differs from the agreement") % {"number": number}
            description = _(
                "Invoice %(number)s is in %(currency)s, but the contract and its price list are in %(agreed)s. Its "
                "prices are not compared with the agreed prices and its amounts are not counted in the spend figures."
            ) % {
                "number": number,
                "currency": ctx.get("currency", "–"),
                "agreed": ", ".join(sorted(ctx.get("agreed") or {policy.KRONOR})),
            }
            return title, description
        title = _("Spend past the contract value")
        description = _("With invoice %(number)s the invoiced amount passed the contract's value of %(value)s SEK.") % {
            "number": number,
            "value": info.value,
        }
        return title, description

    def _new_deviation(
        self,
        contract_id: int,
        doc_id: int,
        number: str,
        check: str,
        lines: list[tuple[int, Decimal | None, Decimal]],
        ctx: dict[str, Any] | None = None,
    ) -> int:
        from kravspar.findings.services import deviation_raise_on_contract

        contract = Contract.objects.get(pk=contract_id)
        info = self.contracts[contract_id]
        with translation.override(settings.LANGUAGE_CODE):
            title, description = self._describe(check, number, info, lines, ctx or {})
            # Tied to the contract's economy requirement (added if the contract has none),
            # so that the deviation counts under aim 1 like any other.
            requirement = economy_requirement_for(contract=contract)
            deviation = deviation_raise_on_contract(
                actor=None,
                contract=contract,
                kind="economy",
                severity=policy.SEVERITY[check],
                title=title,
                description=description,
                requirement=requirement,
            )
        EconomyFinding.objects.create(
            contract_id=contract_id, document_id=doc_id, check_type=check, deviation=deviation
        )
        return deviation.pk

    def _over_value(
        self,
        contract_ids: set[int],
        docs: list[dict[str, Any]],
        decided: dict[int, dict[str, Any]],
        lines_by_doc: dict[int, list[dict[str, Any]]],
        summary: MatchSummary,
    ) -> None:
        with_value = [c for c in contract_ids if self.contracts.get(c) and self.contracts[c].value is not None]
        if not with_value:
            return
        already = set(
            EconomyFinding.objects.filter(contract_id__in=with_value, check_type=Check.OVER_VALUE).values_list(
                "contract_id", flat=True
            )
        )
        todo = [c for c in with_value if c not in already]
        if not todo:
            return
        spent = self.spent_in_kronor(todo)
        for contract_id in todo:
            value = self.contracts[contract_id].value
            if value is None or spent[contract_id] <= value:
                continue
            theirs = [
                d
                for d in docs
                if decided[d["id"]]["contract_id"] == contract_id
                and d["kind"] == DocumentKind.INVOICE
                and d["currency"].upper() == policy.KRONOR
            ]
            if not theirs:
                continue
            last = max(theirs, key=lambda d: (d["issue_date"], d["id"]))
            lines: list[tuple[int, Decimal | None, Decimal]] = [
                (line["id"], None, Decimal(0)) for line in lines_by_doc.get(last["id"], [])
            ]
            self._raise({(contract_id, last["id"], str(Check.OVER_VALUE)): lines}, docs, summary)

    def _count_spend(self, line_rows: Iterable[dict[str, Any]], before: Iterable[InvoiceMatch]) -> None:
        """Add the batch's lines (just written) to the running totals. A document matched
        before may have counted for another contract: the totals of the contracts it and
        the batch touch are dropped and summed afresh in SQL when next needed."""
        rows = list(line_rows)
        earlier = [m.contract_id for m in before if m.contract_id is not None]
        if earlier:
            for contract_id in {*earlier, *(lm["contract_id"] for lm in rows)}:
                self.spent.pop(contract_id, None)
            return
        for lm in rows:
            contract_id = lm["contract_id"]
            if contract_id in self.spent and lm["currency"] == policy.KRONOR:
                self.spent[contract_id] += lm["net_amount"]

    def spent_in_kronor(self, contract_ids: Iterable[int]) -> dict[int, Decimal]:
        """The kronor invoiced on each contract so far (the value is in kronor: only lines
        in kronor are added up against it). One query for the contracts not yet known."""
        wanted = list(contract_ids)
        unknown = [c for c in wanted if c not in self.spent]
        if unknown:
            totals = dict(
                LineMatch.objects.filter(contract_id__in=unknown, currency=policy.KRONOR)
                .values_list("contract_id")
                .annotate(total=Sum("net_amount"))
                .values_list("contract_id", "total")
            )
            for contract_id in unknown:
                self.spent[contract_id] = totals.get(contract_id) or Decimal(0)
        return {c: self.spent[c] for c in wanted}


def upsert_invoice_matches(rows: Sequence[dict[str, Any]], *, now: datetime.datetime) -> None:
    """Insert or update invoice matches (dicts keyed by attribute name) with one ``INSERT …
    ON CONFLICT (document) DO UPDATE`` per chunk, like ``upsert_line_matches``: the fields of
    ``INVOICE_MATCH_UPDATE`` are replaced, the version goes up by one, and the review and note
    of an earlier match stay."""
    if not rows:
        return
    inserter = RowInserter(InvoiceMatch)
    quote = connection.ops.quote_name
    table = quote(InvoiceMatch._meta.db_table)
    updates = []
    for name in INVOICE_MATCH_UPDATE:
        column = quote(str(InvoiceMatch._meta.get_field(name).column))  # type: ignore[union-attr]
        updates.append(f"{column} = {table}.{column} + 1" if name == "version" else f"{column} = excluded.{column}")
    # Only quoted identifiers from the model's own metadata are added; values are parameters.
    sql = f"{inserter.sql} ON CONFLICT ({quote('document_id')}) DO UPDATE SET {', '.join(updates)}"
    values = inserter.rows(rows, now=now)
    with connection.cursor() as cursor:
        for start in range(0, len(values), 2000):
            cursor.executemany(sql, values[start : start + 2000])


def upsert_line_matches(rows: Sequence[dict[str, Any]], chunk: int = 2000) -> None:
    """Insert or update line matches (dicts keyed by attribute name) with one ``INSERT …
    ON CONFLICT (line) DO UPDATE`` per chunk; SQLite and PostgreSQL share the syntax. The
    ORM's ``bulk_create`` spends most of its time building and preparing each object, and
    a million lines make that matter. Matching again bumps the version."""
    fields = [LineMatch._meta.get_field(name) for name in ["line", *LINE_MATCH_UPDATE]]
    attnames = [f.attname for f in fields]  # type: ignore[union-attr]
    quote = connection.ops.quote_name
    table = quote(LineMatch._meta.db_table)
    columns = [quote(str(f.column)) for f in fields]  # type: ignore[union-attr]
    updates = [f"{c} = {table}.{c} + 1" if c == quote("version") else f"{c} = excluded.{c}" for c in columns[1:]]
    # Only quoted identifiers from the model's own metadata are formatted in; values are parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "  # noqa: S608
        f"ON CONFLICT ({quote('line_id')}) DO UPDATE SET {', '.join(updates)}"
    )
    # The driver adapts decimals, dates and booleans; the matching time is one value for
    # a whole batch (or a manual match's own), so each is adapted once.
    at = attnames.index("matched_at")
    adapted: dict[Any, Any] = {}

    def adapt_datetime(value: Any) -> Any:
        if value not in adapted:
            adapted[value] = connection.ops.adapt_datetimefield_value(value)
        return adapted[value]

    take = operator.itemgetter(*attnames)
    values = [take(row) for row in rows]
    values = [(*v[:at], adapt_datetime(v[at]), *v[at + 1 :]) for v in values]
    with connection.cursor() as cursor:
        for start in range(0, len(values), chunk):
            cursor.executemany(sql, values[start : start + chunk])


def match_documents(
    document_ids: Iterable[int], *, batch_size: int = 500, matcher: Matcher | None = None
) -> MatchSummary:
    """Match documents in batches of ``batch_size``, each in its own transaction."""
    matcher = matcher or Matcher()
    summary = MatchSummary()
    batch: list[int] = []
    for doc_id in document_ids:
        batch.append(doc_id)
        if len(batch) >= batch_size:
            summary.add(matcher.match(batch))
            batch = []
    if batch:
        summary.add(matcher.match(batch))
    return summary


def on_invoice_stored(sender: Any, document: InvoiceDocument, **kwargs: Any) -> None:
    match_documents([document.pk])


def on_invoices_stored(sender: Any, documents: Sequence[Any], run: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Match a stored group. One import run builds one ``Matcher`` (the contract index and
    the running totals) and keeps it in ``run`` for its later groups; a contract registered
    while a run is under way is therefore matched from the next run (or ``match_invoices``)."""
    matcher = None
    if run is not None:
        matcher = run.get("spend.matcher")
    if matcher is None:
        matcher = Matcher()
        if run is not None:
            run["spend.matcher"] = matcher
    matcher.match_stored(documents)
