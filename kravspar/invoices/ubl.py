"""Reading Peppol BIS Billing 3.0 invoices and credit notes (UBL 2.1).

``parse(data, file_name)`` returns a ``ParsedDocument`` with the fields the economic
follow-up needs, or raises ``InvoiceRejected`` with a stable ``code`` and a message for
the person who imported the file. Nothing here touches the database.

The XML parser never expands entities, loads a DTD or goes to the network, and a
document with a DOCTYPE is refused outright: a Peppol document has none, and refusing it
stops "billion laughs" entity expansion and external entities (XXE) before they start.

Customization id (BT-24). Peppol access points validate BIS 3 before they deliver, so
what arrives is normally exactly ``BIS3_CUSTOMIZATION``. A document that declares another
specification built on EN 16931 (``urn:cen.eu:en16931:2017…``, e.g. a national extension
or XRechnung) carries every field read here with the same meaning, so it is imported
with a warning rather than lost from the spend figures. Anything else (BIS 2, an
unknown syntax, or no customization id at all) does not promise those meanings and is
refused: a wrongly read invoice would be worse than a refused one.
"""

from __future__ import annotations

import contextlib
import datetime
import enum
import functools
import hashlib
import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import vat as se_vat

from kravspar.core import numbers
from kravspar.organisations.identifiers import SWEDISH_ORGNR_SCHEME, normalise_org_number

BIS3_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
EN16931_PREFIX = "urn:cen.eu:en16931:2017"
GTIN_SCHEME = "0160"
CPV_LIST_ID = "STI"

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS = {"cac": NS_CAC, "cbc": NS_CBC}

KIND_INVOICE = "invoice"
KIND_CREDIT_NOTE = "credit_note"


class ProblemCode(enum.StrEnum):
    """Stable reason codes. They appear in the API, the import report and tests; do not rename."""

    EMPTY = "empty_file"
    TOO_LARGE = "file_too_large"
    UNREADABLE = "unreadable_file"
    DOCTYPE = "doctype_refused"
    MALFORMED = "malformed_xml"
    WRONG_ROOT = "wrong_root"
    UNSUPPORTED_CUSTOMIZATION = "unsupported_customization"
    MISSING_NUMBER = "missing_invoice_number"
    MISSING_DATE = "missing_issue_date"
    INVALID_DATE = "invalid_date"
    INVALID_PERIOD = "invalid_period"
    MISSING_CURRENCY = "missing_currency"
    MISSING_SUPPLIER_ID = "missing_supplier_id"
    INVALID_ORG_NUMBER = "invalid_org_number"
    MISSING_TOTALS = "missing_totals"
    INVALID_AMOUNT = "invalid_amount"
    NO_LINES = "no_lines"
    INVALID_LINE = "invalid_line"
    TOO_LONG = "value_too_long"
    NOT_FOUND = "file_not_found"
    BUYER_NOT_ALLOWED = "buyer_not_allowed"
    # An unexpected error while reading or storing: refused, logged with a reference.
    INTERNAL_ERROR = "internal_error"
    # Duplicates: reported, not stored.
    DUPLICATE_FILE = "duplicate_file"
    DUPLICATE_INVOICE = "duplicate_invoice"
    # Warnings: stored all the same.
    OTHER_CUSTOMIZATION = "customization_not_bis3"
    UNKNOWN_BUYER = "unknown_buyer"
    UNKNOWN_SUPPLIER = "unknown_supplier"
    INVALID_VAT_NUMBER = "invalid_vat_number"


class InvoiceRejected(Exception):
    """A document that cannot be imported. ``message`` is translated (Swedish by default)."""

    def __init__(self, code: ProblemCode, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


@dataclass(slots=True)
class Warning_:
    code: ProblemCode
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": str(self.code), "message": self.message}


@dataclass(slots=True)
class ParsedLine:
    position: int
    line_id: str
    quantity: Decimal
    unit_code: str
    line_net_amount: Decimal
    price_amount: Decimal
    base_quantity: Decimal | None
    item_name: str
    seller_item_id: str = ""
    standard_item_id: str = ""
    standard_item_scheme: str = ""
    cpv_code: str = ""
    classifications: list[dict[str, str]] = field(default_factory=list)
    order_line_reference: str = ""
    note: str = ""
    period_start: datetime.date | None = None  # BT-134
    period_end: datetime.date | None = None  # BT-135


@dataclass(slots=True)
class ParsedDocument:
    kind: str
    original: bytes
    sha256: str
    file_name: str
    customization_id: str
    profile_id: str
    type_code: str
    number: str
    issue_date: datetime.date
    due_date: datetime.date | None
    currency: str
    buyer_reference: str
    order_reference: str
    contract_reference: str
    billing_reference: str
    seller_key: str
    seller_endpoint_id: str
    seller_endpoint_scheme: str
    seller_legal_id: str
    seller_legal_scheme: str
    seller_vat_id: str
    seller_org_number: str
    seller_name: str
    buyer_endpoint_id: str
    buyer_endpoint_scheme: str
    buyer_legal_id: str
    buyer_legal_scheme: str
    buyer_name: str
    line_extension_amount: Decimal
    tax_exclusive_amount: Decimal
    tax_inclusive_amount: Decimal
    payable_amount: Decimal
    lines: list[ParsedLine]
    warnings: list[Warning_] = field(default_factory=list)
    delivery_date: datetime.date | None = None  # BT-72
    period_start: datetime.date | None = None  # BT-73
    period_end: datetime.date | None = None  # BT-74


# --- The XML parser ----------------------------------------------------------------------

_local = threading.local()
_DOCTYPE = re.compile(rb"<!\s*DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    # An lxml parser is not thread-safe; one per thread, reused for speed.
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            load_dtd=False,
            dtd_validation=False,
            remove_comments=True,
            remove_pis=True,
        )
        _local.parser = parser
    return parser


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_xml(data: bytes) -> etree._Element:
    """The root element of a safe parse, or InvoiceRejected."""
    if not data or data.isspace():  # not data.strip(): no copy of the whole file
        raise InvoiceRejected(ProblemCode.EMPTY, _("The file is empty."))
    # Refused before parsing (for the ASCII-compatible encodings every Peppol document
    # uses), and again after parsing, for anything the byte scan could not see. Both
    # patterns begin with "<!", which most documents never write: one substring search
    # spares them the two regular expressions.
    if b"<!" in data and (_DOCTYPE.search(data[:4096]) or _ENTITY.search(data)):
        raise InvoiceRejected(
            ProblemCode.DOCTYPE,
            _("The file declares a DOCTYPE or entities. Peppol documents have none; it was not read."),
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise InvoiceRejected(
            ProblemCode.MALFORMED,
            _("The file is not well-formed XML: %(error)s") % {"error": exc.msg or str(exc)},
            {"line": exc.lineno},
        ) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise InvoiceRejected(
            ProblemCode.DOCTYPE,
            _("The file declares a DOCTYPE or entities. Peppol documents have none; it was not read."),
        )
    return root


# --- Reading fields ----------------------------------------------------------------------
#
# Read by the hundred thousand, so the paths are Clark-tag tuples built once, an element's
# children are looked up in a dict made in one pass over them (no ElementPath or XPath per
# field), the common values are checked inline and the labels of the messages are lazy
# constants, translated only when a message is made.

_CBC = f"{{{NS_CBC}}}"
_CAC = f"{{{NS_CAC}}}"


@functools.lru_cache(maxsize=128)
def _tags(path: str) -> tuple[str, ...]:
    """``"cac:Party/cbc:Name"`` as Clark tags."""
    return tuple(f"{{{NS[prefix]}}}{local}" for prefix, local in (step.split(":") for step in path.split("/")))


def _walk(el: etree._Element, tags: tuple[str, ...], start: int = 0) -> etree._Element | None:
    """What ``el.find(path)`` finds (the first match in document order), without
    ElementPath's per-call compilation: invoices are read by the hundred thousand."""
    last = start == len(tags) - 1
    for child in el.iterchildren(tags[start]):
        if last:
            return child
        found = _walk(child, tags, start + 1)
        if found is not None:
            return found
    return None


Children = dict[Any, etree._Element]


def _first_children(el: etree._Element) -> Children:
    """The first child of each tag of an element, from one pass over its children (going
    backwards, so that the first of a tag is the one that stays)."""
    return {child.tag: child for child in reversed(el)}


def _at(children: Children, tags: tuple[str, ...]) -> etree._Element | None:
    """The element at ``tags`` under the first child of tag ``tags[0]`` (``_walk`` below it)."""
    first = children.get(tags[0])
    if first is None or len(tags) == 1:
        return first
    if len(tags) == 2:  # what ``_walk`` finds, without its call: the first child of the tag
        return next(first.iterchildren(tags[1]), None)
    return _walk(first, tags, 1)


def _norm(el: etree._Element | None) -> str:
    """An element's text with runs of whitespace made one space; "" when there is none."""
    if el is None:
        return ""
    text = el.text
    return "" if text is None else " ".join(text.split())


def _t(children: Children, tags: tuple[str, ...]) -> str:
    """``_norm(_at(children, tags))`` in one call: a header reads a dozen of them."""
    el = children.get(tags[0])
    if el is not None and len(tags) > 1:
        el = next(el.iterchildren(tags[1]), None) if len(tags) == 2 else _walk(el, tags, 1)
    if el is None:
        return ""
    text = el.text
    return "" if text is None else " ".join(text.split())


def _attr(el: etree._Element | None, name: str) -> str:
    if el is None:
        return ""
    return (el.get(name) or "").strip()


def _date(value: str, label: Any) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise InvoiceRejected(
            ProblemCode.INVALID_DATE,
            _("%(field)s: %(value)s is not a date (write YYYY-MM-DD).") % {"field": label, "value": value},
            {"field": str(label)},
        ) from None


def _period(
    start: str, end: str, start_label: Any, end_label: Any
) -> tuple[datetime.date | None, datetime.date | None]:
    """An invoice period's dates, each optional. A date that is not one, or an end before
    the start (EN 16931 rules BR-29 and BR-30), refuses the document like any other
    malformed date: the economic checks decide by these days, so they are never guessed."""
    start_date = _date(start, start_label) if start else None
    end_date = _date(end, end_label) if end else None
    if start_date is not None and end_date is not None and end_date < start_date:
        raise InvoiceRejected(
            ProblemCode.INVALID_PERIOD,
            _("The invoice period ends (%(end)s) before it starts (%(start)s).") % {"start": start, "end": end},
            {"field": str(end_label)},
        )
    return start_date, end_date


# Plain xsd:decimal text that fits its column as written: at most ``digits - places``
# digits before the point and ``places`` after it. Nearly every amount in a real invoice is
# one; ``Decimal(text)`` is then exact and the same number ``numbers.parse_decimal`` gives,
# so the general reader (separators, rounding checks, magnitude limits) is for the rest.
_PLAIN = {
    (places, digits): re.compile(rf"-?[0-9]{{1,{digits - places}}}(?:\.[0-9]{{1,{places}}})?", re.ASCII).fullmatch
    for places, digits in ((2, 19), (10, 28))
}
_PLAIN_AMOUNT = _PLAIN[(2, 19)]
_PLAIN_QUANTITY = _PLAIN[(10, 28)]


def _decimal(value: str, label: Any, *, places: int, digits: int, required: bool = True) -> Decimal | None:
    if not value:
        if required:
            raise InvoiceRejected(
                ProblemCode.MISSING_TOTALS, _("%(field)s is missing.") % {"field": label}, {"field": str(label)}
            )
        return None
    plain = _PLAIN.get((places, digits))
    if plain is not None and plain(value):
        number = Decimal(value)
        if number:  # zero is written with its places by the general reader (0.00)
            return number
    try:
        return numbers.parse_decimal(value, places=places, digits=digits, strict=True)
    except numbers.NumberRefused as exc:
        if exc.reason == numbers.Reason.TOO_MANY_DECIMALS:
            message = _("%(field)s: %(value)s has more than %(places)s decimals.")
        elif exc.reason == numbers.Reason.TOO_LARGE:
            message = _("%(field)s: %(value)s is too large.")
        else:
            message = _("%(field)s: %(value)s is not a number.")
        raise InvoiceRejected(
            ProblemCode.INVALID_AMOUNT,
            message % {"field": label, "value": exc.value, "places": places},
            {"field": str(label)},
        ) from None


def _amount(value: str, label: Any) -> Decimal:
    if _PLAIN_AMOUNT(value) and (number := Decimal(value)):  # the common case, as in _decimal
        return number
    result = _decimal(value, label, places=2, digits=19)
    assert result is not None
    return result


def _quantity(value: str, label: Any) -> Decimal:
    """A quantity or price: up to 10 decimals, 28 digits."""
    if _PLAIN_QUANTITY(value) and (number := Decimal(value)):  # the common case, as in _decimal
        return number
    result = _decimal(value, label, places=10, digits=28)
    assert result is not None
    return result


def _fit(value: str, limit: int, label: Any) -> str:
    if len(value) > limit:
        raise InvoiceRejected(
            ProblemCode.TOO_LONG,
            _("%(field)s is longer than %(limit)s characters.") % {"field": label, "limit": limit},
            {"field": str(label)},
        )
    return value


@functools.lru_cache(maxsize=4096)
def _valid_org_number(value: str) -> str | None:
    """The ten digits of a valid number; ``None`` for any other (the caller says why).
    Cached: a run of invoices names the same few hundred sellers and buyers again and again."""
    try:
        return normalise_org_number(value)
    except ValidationError:
        return None


def _org_number(value: str, label: Any) -> str:
    """Ten digits of a Swedish organisation number, or InvoiceRejected naming the field."""
    valid = _valid_org_number(value)
    if valid is not None:
        return valid
    try:
        return normalise_org_number(value, field=label)
    except ValidationError as exc:
        raise InvoiceRejected(
            ProblemCode.INVALID_ORG_NUMBER, " ".join(exc.messages), {"field": str(label), "value": value}
        ) from None


@dataclass(slots=True)
class _Party:
    endpoint_id: str = ""
    endpoint_scheme: str = ""
    legal_id: str = ""
    legal_scheme: str = ""
    vat_id: str = ""
    name: str = ""
    country: str = ""
    org_number: str = ""


_P_SELLER = _tags("cac:AccountingSupplierParty/cac:Party")
_P_BUYER = _tags("cac:AccountingCustomerParty/cac:Party")
_ENDPOINT_ID = _CBC + "EndpointID"
_P_LEGAL_ID = _tags("cac:PartyLegalEntity/cbc:CompanyID")
_PARTY_TAX_SCHEME = _CAC + "PartyTaxScheme"
_P_TAX_SCHEME_ID = _tags("cac:TaxScheme/cbc:ID")
_P_COMPANY_ID = _tags("cbc:CompanyID")
_P_REGISTRATION_NAME = _tags("cac:PartyLegalEntity/cbc:RegistrationName")
_P_PARTY_NAME = _tags("cac:PartyName/cbc:Name")
_P_COUNTRY = _tags("cac:PostalAddress/cac:Country/cbc:IdentificationCode")
_ORG_NUMBER_SHAPE = re.compile(r"\d{6}-?\d{4}").fullmatch

L_SELLER_ENDPOINT = gettext_lazy("The seller's Peppol id (EndpointID, 0007)")
L_BUYER_ENDPOINT = gettext_lazy("The buyer's Peppol id (EndpointID, 0007)")
L_SELLER_LEGAL = gettext_lazy("The seller's organisation number (CompanyID)")
L_BUYER_LEGAL = gettext_lazy("The buyer's organisation number (CompanyID)")


def _party(top: Children, path: tuple[str, ...], *, seller: bool) -> _Party:
    found = _at(top, path)
    p = _Party()
    if found is None:
        return p
    party_el = _first_children(found)
    endpoint = party_el.get(_ENDPOINT_ID)
    p.endpoint_id = _norm(endpoint)
    p.endpoint_scheme = _attr(endpoint, "schemeID")
    company = _at(party_el, _P_LEGAL_ID)
    p.legal_id = _norm(company)
    p.legal_scheme = _attr(company, "schemeID")
    for tax in found.iterchildren(_PARTY_TAX_SCHEME):
        if _norm(_walk(tax, _P_TAX_SCHEME_ID)).upper() == "VAT":
            p.vat_id = _norm(_walk(tax, _P_COMPANY_ID))
            break
    p.name = _t(party_el, _P_REGISTRATION_NAME) or _t(party_el, _P_PARTY_NAME)
    p.country = _t(party_el, _P_COUNTRY).upper()

    # Swedish organisation numbers are checked wherever the document says it has one.
    if p.endpoint_scheme == SWEDISH_ORGNR_SCHEME and p.endpoint_id:
        p.org_number = _org_number(p.endpoint_id, L_SELLER_ENDPOINT if seller else L_BUYER_ENDPOINT)
    if p.legal_id and (
        p.legal_scheme == SWEDISH_ORGNR_SCHEME
        or (not p.legal_scheme and p.country == "SE" and _ORG_NUMBER_SHAPE(p.legal_id))
    ):
        legal = _org_number(p.legal_id, L_SELLER_LEGAL if seller else L_BUYER_LEGAL)
        p.org_number = p.org_number or legal
    return p


@functools.lru_cache(maxsize=4096)
def _valid_se_vat(value: str) -> str | None:
    try:
        return str(se_vat.validate(value))
    except StdnumError:
        return None


def _check_vat(p: _Party, warnings: list[Warning_]) -> None:
    if not p.vat_id.upper().startswith("SE"):
        return
    digits = _valid_se_vat(p.vat_id)
    if digits is None:
        warnings.append(
            Warning_(
                ProblemCode.INVALID_VAT_NUMBER,
                _("The seller's VAT number %(value)s is not a valid Swedish VAT number.") % {"value": p.vat_id},
            )
        )
        return
    if not p.org_number:
        with contextlib.suppress(ValidationError):
            p.org_number = normalise_org_number(digits[:10])


def _seller_key(p: _Party) -> str:
    if p.org_number:
        return f"{SWEDISH_ORGNR_SCHEME}:{p.org_number}"
    if p.endpoint_id:
        return f"{p.endpoint_scheme or '-'}:{p.endpoint_id}"
    if p.legal_id:
        return f"{p.legal_scheme or 'legal'}:{p.legal_id}"
    if p.vat_id:
        return f"VAT:{p.vat_id.upper()}"
    return ""


_ID = _CBC + "ID"
_NOTE = _CBC + "Note"
_NAME = _CBC + "Name"
_LINE_AMOUNT = _CBC + "LineExtensionAmount"
_PRICE_AMOUNT = _CBC + "PriceAmount"
_BASE_QUANTITY = _CBC + "BaseQuantity"
_CLASSIFICATION_CODE = _CBC + "ItemClassificationCode"
_LINE_ID = _CBC + "LineID"
_ITEM = _CAC + "Item"
_PRICE = _CAC + "Price"
_ORDER_LINE = _CAC + "OrderLineReference"
_SELLERS_ID = _CAC + "SellersItemIdentification"
_INVOICE_PERIOD = _CAC + "InvoicePeriod"
_START_DATE = _CBC + "StartDate"
_END_DATE = _CBC + "EndDate"
_STANDARD_ID = _CAC + "StandardItemIdentification"
_CLASSIFICATION = _CAC + "CommodityClassification"

# Labels for messages, translated only when a message is made (lines are many).
L_QUANTITY = gettext_lazy("quantity")
L_LINE_AMOUNT = gettext_lazy("line net amount")
L_PRICE = gettext_lazy("net price")
L_BASE = gettext_lazy("price base quantity")
L_LINE_ID = gettext_lazy("line id")
L_UNIT = gettext_lazy("unit")
L_SELLERS_ID = gettext_lazy("seller's item id")
L_STANDARD_ID = gettext_lazy("standard item id")
L_PERIOD_START = gettext_lazy("invoice period start")
L_PERIOD_END = gettext_lazy("invoice period end")


def _text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    text = el.text  # each read of .text makes a new string
    return text.strip() if text else ""


def _child(el: etree._Element | None, tag: str) -> etree._Element | None:
    if el is None:
        return None
    for child in el:
        if child.tag == tag:
            return child
    return None


# The Decimal of each quantity and price as written, kept between documents: a run of
# invoices writes the same prices (a price list's) and small quantities thousands of times,
# and a dictionary look-up costs a tenth of the shape check and ``Decimal`` construction.
# Only values read without a refusal are kept, by their exact text (the same text always
# reads as the same number), and a ``Decimal`` is immutable, so lines can share one.
_QUANTITIES: dict[str, Decimal] = {}
_QUANTITIES_LIMIT = 20_000  # distinct texts kept; past it the cache starts again


def _cached_quantity(value: str, label: Any) -> Decimal:
    """``_quantity``, remembered in ``_QUANTITIES``."""
    number = _QUANTITIES.get(value)
    if number is None:
        number = _quantity(value, label)
        if len(_QUANTITIES) >= _QUANTITIES_LIMIT:
            _QUANTITIES.clear()
        _QUANTITIES[value] = number
    return number


def _lines(root: etree._Element, kind: str) -> list[ParsedLine]:
    """The lines, read by walking each line's children once: a million lines are read
    here, and one pass is several times faster than a path search per field. Of a line's
    own children the last of a tag counts, of its price's and item's parts the first."""
    if kind == KIND_INVOICE:
        line_tag, qty_tag = _CAC + "InvoiceLine", _CBC + "InvoicedQuantity"
    else:
        line_tag, qty_tag = _CAC + "CreditNoteLine", _CBC + "CreditedQuantity"
    lines: list[ParsedLine] = []
    append = lines.append
    quantities = _QUANTITIES
    for position, el in enumerate(root.iterchildren(line_tag), start=1):
        kids = {child.tag: child for child in el}  # the last of each tag, as read before
        get = kids.get
        # ``_text`` written out where a line reads it (each call costs more than its work).
        found = get(_ID)
        text = None if found is None else found.text
        line_id = (text.strip() if text else "") or str(position)
        qty_el = get(qty_tag)
        price_el = get(_PRICE)
        period_el = get(_INVOICE_PERIOD)
        price_amount_el = base_el = None
        if price_el is not None:
            for child in price_el:
                tag = child.tag
                if tag == _PRICE_AMOUNT:
                    if price_amount_el is None:
                        price_amount_el = child
                elif tag == _BASE_QUANTITY and base_el is None:
                    base_el = child
        try:
            text = None if qty_el is None else qty_el.text
            text = text.strip() if text else ""
            quantity = quantities.get(text) or _cached_quantity(text, L_QUANTITY)
            found = get(_LINE_AMOUNT)
            text = None if found is None else found.text
            net = _amount(text.strip() if text else "", L_LINE_AMOUNT)
            text = None if price_amount_el is None else price_amount_el.text
            text = text.strip() if text else ""
            price = quantities.get(text) or _cached_quantity(text, L_PRICE)
            base = None if base_el is None else _decimal(_text(base_el), L_BASE, places=10, digits=28, required=False)
            period_start, period_end = (
                _period(
                    _text(_child(period_el, _START_DATE)),
                    _text(_child(period_el, _END_DATE)),
                    L_PERIOD_START,
                    L_PERIOD_END,
                )
                if period_el is not None
                else (None, None)
            )
        except InvoiceRejected as exc:
            raise InvoiceRejected(
                ProblemCode.INVALID_LINE,
                _("Line %(line)s: %(message)s") % {"line": line_id, "message": exc.message},
                {"line": line_id, **exc.details},
            ) from None
        name = seller_item = standard = standard_scheme = cpv = ""
        classifications: list[dict[str, str]] = []
        item = get(_ITEM)
        if item is not None:
            for child in item:
                tag = child.tag
                if tag == _NAME:
                    name = " ".join((child.text or "").split())
                elif tag == _SELLERS_ID:
                    found = _child(child, _ID)
                    text = None if found is None else found.text
                    seller_item = text.strip() if text else ""
                elif tag == _STANDARD_ID:
                    found = _child(child, _ID)
                    if found is None:
                        standard = standard_scheme = ""
                    else:
                        text = found.text
                        standard = text.strip() if text else ""
                        standard_scheme = (found.get("schemeID") or "").strip()
                elif tag == _CLASSIFICATION:
                    found = _child(child, _CLASSIFICATION_CODE)
                    if found is not None and (text := found.text) and (code := text.strip()):
                        list_id = (found.get("listID") or "").strip()
                        classifications.append({"list_id": list_id, "code": code})
                        if list_id == CPV_LIST_ID and not cpv:
                            cpv = code
        unit = (qty_el.get("unitCode") or "").strip() if qty_el is not None else ""
        if len(line_id) > 200 or len(unit) > 3 or len(seller_item) > 200 or len(standard) > 200:
            _fit(line_id, 200, L_LINE_ID)  # the first of these that is too long is the reason
            _fit(unit, 3, L_UNIT)
            _fit(seller_item, 200, L_SELLERS_ID)
            _fit(standard, 200, L_STANDARD_ID)
        order_line = get(_ORDER_LINE)
        found = get(_NOTE)
        text = None if found is None else found.text
        append(
            ParsedLine(
                position,
                line_id,
                quantity,
                unit,
                net,
                price,
                base,
                name[:500],
                seller_item,
                standard,
                standard_scheme[:4],
                cpv[:20],
                classifications,
                "" if order_line is None else _text(_child(order_line, _LINE_ID))[:200],
                text.strip() if text else "",
                period_start,
                period_end,
            )
        )
    return lines


_ROOT_INVOICE = f"{{{NS_INVOICE}}}Invoice"
_ROOT_CREDIT_NOTE = f"{{{NS_CREDIT_NOTE}}}CreditNote"
_CUSTOMIZATION_ID = _tags("cbc:CustomizationID")
_NUMBER = _tags("cbc:ID")
_ISSUE_DATE = _tags("cbc:IssueDate")
_DUE_DATE = _tags("cbc:DueDate")
_PAYMENT_DUE_DATE = _tags("cac:PaymentTerms/cbc:PaymentDueDate")
_DELIVERY_DATE = _tags("cac:Delivery/cbc:ActualDeliveryDate")
_HEADER_PERIOD = _CAC + "InvoicePeriod"
_P_START_DATE = _tags("cbc:StartDate")
_P_END_DATE = _tags("cbc:EndDate")
_CURRENCY = _tags("cbc:DocumentCurrencyCode")
_CURRENCY_SHAPE = re.compile(r"[A-Z]{3}").fullmatch
_TOTALS = _CAC + "LegalMonetaryTotal"
_TOTAL_LINES = _CBC + "LineExtensionAmount"
_TOTAL_EXCLUSIVE = _CBC + "TaxExclusiveAmount"
_TOTAL_INCLUSIVE = _CBC + "TaxInclusiveAmount"
_TOTAL_PAYABLE = _CBC + "PayableAmount"
_PROFILE_ID = _tags("cbc:ProfileID")
_INVOICE_TYPE_CODE = _tags("cbc:InvoiceTypeCode")
_CREDIT_NOTE_TYPE_CODE = _tags("cbc:CreditNoteTypeCode")
_BUYER_REFERENCE = _tags("cbc:BuyerReference")
_ORDER_REFERENCE = _tags("cac:OrderReference/cbc:ID")
_CONTRACT_REFERENCE = _tags("cac:ContractDocumentReference/cbc:ID")
_BILLING_REFERENCE = _tags("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID")

L_ISSUE_DATE = gettext_lazy("issue date")
L_DUE_DATE = gettext_lazy("due date")
L_DELIVERY_DATE = gettext_lazy("delivery date")
L_SUM_OF_LINES = gettext_lazy("sum of lines")
L_TAX_EXCLUSIVE = gettext_lazy("total excluding VAT")
L_TAX_INCLUSIVE = gettext_lazy("total including VAT")
L_PAYABLE = gettext_lazy("amount due")
L_NUMBER = gettext_lazy("invoice number")
L_BUYER_REFERENCE = gettext_lazy("buyer reference")
L_ORDER_REFERENCE = gettext_lazy("order reference")
L_CONTRACT_REFERENCE = gettext_lazy("contract reference")
L_BILLING_REFERENCE = gettext_lazy("preceding invoice")
L_SELLER_KEY = gettext_lazy("seller identifier")
L_SELLER_ENDPOINT_ID = gettext_lazy("seller endpoint id")
L_SELLER_LEGAL_ID = gettext_lazy("seller legal id")


def parse(data: bytes, file_name: str = "") -> ParsedDocument:
    """Read one BIS 3 Invoice or CreditNote. Raises InvoiceRejected for anything that
    cannot be imported; returns warnings for what can be imported all the same."""
    root = parse_xml(data)
    root_tag = root.tag
    if root_tag == _ROOT_INVOICE:
        kind = KIND_INVOICE
    elif root_tag == _ROOT_CREDIT_NOTE:
        kind = KIND_CREDIT_NOTE
    else:
        tag = etree.QName(root)
        raise InvoiceRejected(
            ProblemCode.WRONG_ROOT,
            _("The document is a %(root)s, not a UBL 2.1 Invoice or CreditNote.") % {"root": tag.localname},
            {"root": tag.text},
        )

    warnings: list[Warning_] = []
    top = _first_children(root)
    customization = _t(top, _CUSTOMIZATION_ID)
    if not customization:
        raise InvoiceRejected(
            ProblemCode.UNSUPPORTED_CUSTOMIZATION,
            _("The document has no customization id (BT-24); it does not say it follows Peppol BIS Billing 3.0."),
        )
    if customization != BIS3_CUSTOMIZATION:
        if not customization.startswith(EN16931_PREFIX):
            raise InvoiceRejected(
                ProblemCode.UNSUPPORTED_CUSTOMIZATION,
                _("The document follows %(value)s, not Peppol BIS Billing 3.0 (EN 16931).") % {"value": customization},
                {"customization_id": customization},
            )
        warnings.append(
            Warning_(
                ProblemCode.OTHER_CUSTOMIZATION,
                _("The document follows %(value)s, an EN 16931 specification other than Peppol BIS Billing 3.0.")
                % {"value": customization},
            )
        )

    number = _t(top, _NUMBER)
    if not number:
        raise InvoiceRejected(ProblemCode.MISSING_NUMBER, _("The invoice number (cbc:ID, BT-1) is missing."))
    issue = _t(top, _ISSUE_DATE)
    if not issue:
        raise InvoiceRejected(ProblemCode.MISSING_DATE, _("The issue date (cbc:IssueDate, BT-2) is missing."))
    issue_date = _date(issue, L_ISSUE_DATE)
    due = _t(top, _DUE_DATE) or _t(top, _PAYMENT_DUE_DATE)
    due_date = _date(due, L_DUE_DATE) if due else None
    # What the invoice covers (BT-72, BT-73/74); malformed dates refuse it like the others.
    delivery = _t(top, _DELIVERY_DATE)
    delivery_date = _date(delivery, L_DELIVERY_DATE) if delivery else None
    period_el = top.get(_HEADER_PERIOD)
    if period_el is None:
        period_start = period_end = None
    else:
        period_start, period_end = _period(
            _norm(_walk(period_el, _P_START_DATE)),
            _norm(_walk(period_el, _P_END_DATE)),
            L_PERIOD_START,
            L_PERIOD_END,
        )
    currency = _t(top, _CURRENCY).upper()
    if not _CURRENCY_SHAPE(currency):
        raise InvoiceRejected(
            ProblemCode.MISSING_CURRENCY, _("The invoice currency (BT-5) is missing or not a currency code.")
        )

    seller = _party(top, _P_SELLER, seller=True)
    buyer = _party(top, _P_BUYER, seller=False)
    _check_vat(seller, warnings)
    seller_key = _seller_key(seller)
    if not seller_key:
        raise InvoiceRejected(
            ProblemCode.MISSING_SUPPLIER_ID,
            _(
                "The seller has no identifier: neither a Peppol id (EndpointID), an organisation number "
                "(PartyLegalEntity/CompanyID) nor a VAT number."
            ),
        )

    totals_el = top.get(_TOTALS)
    if totals_el is None:
        raise InvoiceRejected(ProblemCode.MISSING_TOTALS, _("The document totals (LegalMonetaryTotal) are missing."))
    totals = _first_children(totals_el)
    line_extension = _amount(_norm(totals.get(_TOTAL_LINES)), L_SUM_OF_LINES)
    tax_exclusive = _amount(_norm(totals.get(_TOTAL_EXCLUSIVE)), L_TAX_EXCLUSIVE)
    tax_inclusive = _amount(_norm(totals.get(_TOTAL_INCLUSIVE)), L_TAX_INCLUSIVE)
    payable = _amount(_norm(totals.get(_TOTAL_PAYABLE)), L_PAYABLE)

    lines = _lines(root, kind)
    if not lines:
        raise InvoiceRejected(ProblemCode.NO_LINES, _("The document has no lines."))

    return ParsedDocument(
        kind=kind,
        original=data,
        sha256=sha256_of(data),
        file_name=file_name[-500:],
        customization_id=customization[:300],
        profile_id=_t(top, _PROFILE_ID)[:300],
        type_code=_t(top, _INVOICE_TYPE_CODE if kind == KIND_INVOICE else _CREDIT_NOTE_TYPE_CODE)[:3],
        number=_fit(number, 200, L_NUMBER),
        issue_date=issue_date,
        due_date=due_date,
        currency=currency,
        buyer_reference=_fit(_t(top, _BUYER_REFERENCE), 200, L_BUYER_REFERENCE),
        order_reference=_fit(_t(top, _ORDER_REFERENCE), 200, L_ORDER_REFERENCE),
        contract_reference=_fit(_t(top, _CONTRACT_REFERENCE), 200, L_CONTRACT_REFERENCE),
        billing_reference=_fit(_t(top, _BILLING_REFERENCE), 200, L_BILLING_REFERENCE),
        seller_key=_fit(seller_key, 140, L_SELLER_KEY),
        seller_endpoint_id=_fit(seller.endpoint_id, 130, L_SELLER_ENDPOINT_ID),
        seller_endpoint_scheme=seller.endpoint_scheme[:4],
        seller_legal_id=_fit(seller.legal_id, 130, L_SELLER_LEGAL_ID),
        seller_legal_scheme=seller.legal_scheme[:4],
        seller_vat_id=seller.vat_id[:30],
        seller_org_number=seller.org_number,
        seller_name=seller.name[:300],
        buyer_endpoint_id=buyer.endpoint_id[:130],
        buyer_endpoint_scheme=buyer.endpoint_scheme[:4],
        buyer_legal_id=buyer.legal_id[:130],
        buyer_legal_scheme=buyer.legal_scheme[:4],
        buyer_name=buyer.name[:300],
        line_extension_amount=line_extension,
        tax_exclusive_amount=tax_exclusive,
        tax_inclusive_amount=tax_inclusive,
        payable_amount=payable,
        lines=lines,
        warnings=warnings,
        delivery_date=delivery_date,
        period_start=period_start,
        period_end=period_end,
    )
