#!/usr/bin/env python3
"""What reading the Peppol fields in C (libxslt, libxml2's XPath) would cost, against the reader.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_ubl_c_paths.py [--invoices 1000]
        [--lines-per-invoice 10] [--repeats 11]

Issue 15, seventh pass (docs/benchmarks.md, "the reader in C"). Writes ``--invoices``
generated BIS 3 invoices (the files ``bench_ubl_reader.py`` reads, seed 7), parses each once
and then times, interleaved in ``--repeats`` rounds with the garbage collector off while
timed, each of the ways below over all the documents; prints the least and the median CPU
seconds (``time.process_time``) of each.

- ``fromstring``, ``parse``: lxml's parse alone and ``ubl.parse`` (bytes in memory);
  ``_lines``: ``ubl._lines`` on the parsed roots; "header etc." is ``parse`` less both
  (the least less the leasts, the median less the medians).
- ``parse by one XSLT transform``: ``ubl.parse`` with every field read by one transform (the
  header's fields one ``xsl:value-of`` each, the lines as in ``xslt templates, lines``) and
  the reader's rules in Python on the strings; checked equal to ``ubl.parse`` for every
  document before timing. Invoices only, the header's refusals reduced to assertions, no
  check that the separator does not occur in the text: a lower bound.
  ``parse, the header by XSLT``: the same with the header only (``xslt fields, header only``)
  and the lines read by ``ubl._lines``.
- ``xslt empty``: a text stylesheet that writes one character (libxslt's cost per transform).
- ``xslt fields, whole document``: one ``xsl:value-of`` per field the reader reads (the header,
  both parties with their tax schemes, the totals, every line's fields and classifications),
  the first or last matching child as the reader takes it, the text as ``el.text`` gives it
  (``node()[1][self::text()]``), joined by U+007F; then ``str()`` and ``split``.
- ``xslt fields, no predicates``: the same with every ``[1]`` and ``[last()]`` and the text
  step left out (no longer what the reader reads): what the paths themselves cost.
- ``xslt fields, header only``: the same stylesheet without the lines.
- ``xslt 16 fields per line``, ``xslt one concat per line``: the lines only, each line's 16
  fields (the first classification only) with one ``xsl:value-of`` each, and as one
  ``concat()`` in a single ``xsl:value-of``.
- ``xslt templates, lines``: one pass of ``xsl:apply-templates`` over each line's and item's
  children, one template per tag writing a code and the text; ``+ Python`` adds the Python
  that turns that text into the same ``ParsedLine`` objects (checked equal to ``_lines`` for
  every document before timing). It keeps the reader's rules only for what these documents
  contain (no refusals are wrapped, a second ``cac:Item`` is not handled), so it is a lower
  bound of what a complete version would cost.
- ``xpath concat per line``: one compiled ``etree.XPath`` per line returning one string
  (``concat`` of the line's 16 fields), ``smart_strings=False``, then ``split``.
- ``xpath columns``: 16 compiled ``etree.XPath`` per document, each returning one field of
  every line as plain strings (what could only be used when every line has the field).
- ``iterwalk per line, start and end``: the tag and text of every element of each line with
  ``etree.iterwalk`` start and end events (what keeping each element's parent in one pass
  takes), no rules.
- ``element floor``: the tag and text of each line's children and grandchildren in lists,
  no rules: what touching those elements through lxml costs at the least.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

SEP = "\x7f"
TEXT = "node()[1][self::text()]"  # what lxml's ``.text`` reads: the first child, if it is text

_HEAD = """<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<xsl:output method="text" encoding="UTF-8"/>
"""

LINE_TEXTS = [
    "cbc:ID[last()]",
    "cbc:InvoicedQuantity[last()]",
    "cbc:LineExtensionAmount[last()]",
    "cac:Price[last()]/cbc:PriceAmount[1]",
    "cac:Price[last()]/cbc:BaseQuantity[1]",
    "cac:InvoicePeriod[last()]/cbc:StartDate[1]",
    "cac:InvoicePeriod[last()]/cbc:EndDate[1]",
    "cac:Item[last()]/cbc:Name[last()]",
    "cac:Item[last()]/cac:SellersItemIdentification[last()]/cbc:ID[1]",
    "cac:Item[last()]/cac:StandardItemIdentification[last()]/cbc:ID[1]",
    "cac:OrderLineReference[last()]/cbc:LineID[1]",
    "cbc:Note[last()]",
    "cac:Item[last()]/cac:CommodityClassification[1]/cbc:ItemClassificationCode[1]",
]
LINE_ATTRIBUTES = [
    "cbc:InvoicedQuantity[last()]/@unitCode",
    "cac:Item[last()]/cac:StandardItemIdentification[last()]/cbc:ID[1]/@schemeID",
    "cac:Item[last()]/cac:CommodityClassification[1]/cbc:ItemClassificationCode[1]/@listID",
]


def _v(path: str) -> str:
    return f'<xsl:value-of select="{path}/{TEXT}"/>&#127;'


def _a(path: str) -> str:
    return f'<xsl:value-of select="{path}"/>&#127;'


def _party(p: str) -> str:
    return "".join(
        [
            _v(f"{p}/cbc:EndpointID[1]"),
            _a(f"{p}/cbc:EndpointID[1]/@schemeID"),
            _v(f"{p}/cac:PartyLegalEntity[1]/cbc:CompanyID[1]"),
            _a(f"{p}/cac:PartyLegalEntity[1]/cbc:CompanyID[1]/@schemeID"),
            _v(f"{p}/cac:PartyLegalEntity[1]/cbc:RegistrationName[1]"),
            _v(f"{p}/cac:PartyName[1]/cbc:Name[1]"),
            _v(f"({p}/cac:PostalAddress[1]/cac:Country/cbc:IdentificationCode)[1]"),
            _a(f"count({p}/cac:PartyTaxScheme)"),
            f'<xsl:for-each select="{p}/cac:PartyTaxScheme">',
            _v("(cac:TaxScheme/cbc:ID)[1]"),
            _v("cbc:CompanyID[1]"),
            "</xsl:for-each>",
        ]
    )


HEADER_FIELDS = "".join(
    [
        _v("cbc:CustomizationID[1]"),
        _v("cbc:ID[1]"),
        _v("cbc:IssueDate[1]"),
        _v("cbc:DueDate[1]"),
        _v("cac:PaymentTerms[1]/cbc:PaymentDueDate[1]"),
        _v("cac:Delivery[1]/cbc:ActualDeliveryDate[1]"),
        _a("count(cac:InvoicePeriod[1])"),
        _v("cac:InvoicePeriod[1]/cbc:StartDate[1]"),
        _v("cac:InvoicePeriod[1]/cbc:EndDate[1]"),
        _v("cbc:DocumentCurrencyCode[1]"),
        _party("cac:AccountingSupplierParty[1]/cac:Party[1]"),
        _party("cac:AccountingCustomerParty[1]/cac:Party[1]"),
        _a("count(cac:LegalMonetaryTotal[1])"),
        _v("cac:LegalMonetaryTotal[1]/cbc:LineExtensionAmount[1]"),
        _v("cac:LegalMonetaryTotal[1]/cbc:TaxExclusiveAmount[1]"),
        _v("cac:LegalMonetaryTotal[1]/cbc:TaxInclusiveAmount[1]"),
        _v("cac:LegalMonetaryTotal[1]/cbc:PayableAmount[1]"),
        _v("cbc:ProfileID[1]"),
        _v("cbc:InvoiceTypeCode[1]"),
        _v("cbc:BuyerReference[1]"),
        _v("cac:OrderReference[1]/cbc:ID[1]"),
        _v("cac:ContractDocumentReference[1]/cbc:ID[1]"),
        _v("(cac:BillingReference[1]/cac:InvoiceDocumentReference/cbc:ID)[1]"),
    ]
)
LINE_FIELDS = "".join(
    [_v(path) for path in LINE_TEXTS[:-1]]
    + [_a(path) for path in LINE_ATTRIBUTES[:2]]
    + [
        _a("count(cac:Item[last()]/cac:CommodityClassification)"),
        '<xsl:for-each select="cac:Item[last()]/cac:CommodityClassification">',
        _v("cbc:ItemClassificationCode[1]"),
        _a("cbc:ItemClassificationCode[1]/@listID"),
        "</xsl:for-each>",
    ]
)
FIELDS_WHOLE = (
    _HEAD + f'<xsl:template match="/*">{HEADER_FIELDS}<xsl:for-each select="cac:InvoiceLine">'
    f"{LINE_FIELDS}</xsl:for-each></xsl:template></xsl:stylesheet>"
)
# The same with every ``[1]``/``[last()]`` and the text step left out (no longer what the
# reader reads): what the paths themselves cost.
FIELDS_PLAIN = FIELDS_WHOLE.replace(f"/{TEXT}", "").replace("[1]", "").replace("[last()]", "")
FIELDS_HEADER = _HEAD + f'<xsl:template match="/*">{HEADER_FIELDS}</xsl:template></xsl:stylesheet>'
EMPTY = _HEAD + '<xsl:template match="/">x</xsl:template></xsl:stylesheet>'


def _pair(code: str, path: str) -> str:
    return f'{code}&#127;<xsl:value-of select="{path}"/>&#127;'


def _template(match: str, mode: str, body: str) -> str:
    return f'<xsl:template match="{match}" mode="{mode}">{body}</xsl:template>'


TEMPLATES_LINES = (
    _HEAD
    + '<xsl:template match="/*"><xsl:apply-templates select="cac:InvoiceLine"/></xsl:template>'
    + '<xsl:template match="cac:InvoiceLine">&#128;<xsl:apply-templates select="*" mode="l"/></xsl:template>'
    + '<xsl:template match="*" mode="l"/><xsl:template match="*" mode="i"/>'
    + _template("cbc:ID", "l", _pair("i", TEXT))
    + _template("cbc:Note", "l", _pair("n", TEXT))
    + _template("cbc:LineExtensionAmount", "l", _pair("a", TEXT))
    + _template("cbc:InvoicedQuantity", "l", _pair("q", TEXT) + _pair("u", "@unitCode"))
    + _template("cac:Price", "l", _pair("p", f"cbc:PriceAmount[1]/{TEXT}") + _pair("b", f"cbc:BaseQuantity[1]/{TEXT}"))
    + _template("cac:InvoicePeriod", "l", _pair("s", f"cbc:StartDate[1]/{TEXT}") + _pair("e", f"cbc:EndDate[1]/{TEXT}"))
    + _template("cac:OrderLineReference", "l", _pair("o", f"cbc:LineID[1]/{TEXT}"))
    + _template("cac:Item", "l", '<xsl:apply-templates select="*" mode="i"/>')
    + _template("cbc:Name", "i", _pair("N", TEXT))
    + _template("cac:SellersItemIdentification", "i", _pair("S", f"cbc:ID[1]/{TEXT}"))
    + _template(
        "cac:StandardItemIdentification", "i", _pair("G", f"cbc:ID[1]/{TEXT}") + _pair("H", "cbc:ID[1]/@schemeID")
    )
    + _template(
        "cac:CommodityClassification",
        "i",
        _pair("C", f"cbc:ItemClassificationCode[1]/{TEXT}") + _pair("L", "cbc:ItemClassificationCode[1]/@listID"),
    )
    + "</xsl:stylesheet>"
)


# The header's fields (one ``xsl:value-of`` each) and the lines by templates, in one transform.
TEMPLATES_WHOLE = TEMPLATES_LINES.replace(
    '<xsl:template match="/*"><xsl:apply-templates', f'<xsl:template match="/*">{HEADER_FIELDS}<xsl:apply-templates'
)
assert TEMPLATES_WHOLE != TEMPLATES_LINES


# The lines' 16 fields, one ``xsl:value-of`` each, and as one ``concat()`` in a single one.
FIELDS_LINES = (
    _HEAD
    + '<xsl:template match="/*"><xsl:for-each select="cac:InvoiceLine">'
    + "".join([_v(p) for p in LINE_TEXTS] + [_a(p) for p in LINE_ATTRIBUTES])
    + "</xsl:for-each></xsl:template></xsl:stylesheet>"
)
CONCAT_LINES = (
    _HEAD
    + '<xsl:template match="/*"><xsl:for-each select="cac:InvoiceLine"><xsl:value-of select="concat('
    + ", '&#127;', ".join([f"string({p}/{TEXT})" for p in LINE_TEXTS] + [f"string({p})" for p in LINE_ATTRIBUTES])
    + ", '&#127;')\"/></xsl:for-each></xsl:template></xsl:stylesheet>"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--lines-per-invoice", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=11)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kravspar-bench-ubl-c-"))
    try:
        sys.path.insert(0, str(ROOT))
        os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
        os.environ["KRAVSPAR_VAR_DIR"] = str(tmp / "var")
        Path(tmp, "var", "static").mkdir(parents=True)
        import django

        django.setup()
        from lxml import etree

        from kravspar.invoices import ubl
        from kravspar.invoices.generate import write_many

        folder = tmp / "invoices"
        write_many(folder, args.invoices, args.lines_per_invoice, seed=7)
        datas = [path.read_bytes() for path in sorted(folder.rglob("*.xml"))]
        xml_parser = ubl._parser()
        roots = [etree.fromstring(data, xml_parser) for data in datas]
        deny = etree.XSLTAccessControl.DENY_ALL

        def xslt(text: str) -> etree.XSLT:
            return etree.XSLT(etree.XML(text), access_control=deny)

        empty, fields_whole, fields_plain, fields_header, templates, fields_lines, concat_lines, whole = map(
            xslt,
            (
                EMPTY,
                FIELDS_WHOLE,
                FIELDS_PLAIN,
                FIELDS_HEADER,
                TEMPLATES_LINES,
                FIELDS_LINES,
                CONCAT_LINES,
                TEMPLATES_WHOLE,
            ),
        )
        line_tag = ubl._CAC + "InvoiceLine"
        concat = etree.XPath(
            "concat("
            + ", '\x7f', ".join(f"string({p}/{TEXT})" for p in LINE_TEXTS)
            + ", '\x7f', "
            + ", '\x7f', ".join(f"string({p})" for p in LINE_ATTRIBUTES)
            + ")",
            namespaces=ubl.NS,
            smart_strings=False,
        )
        columns = [
            etree.XPath(f"cac:InvoiceLine/{p}/{TEXT}", namespaces=ubl.NS, smart_strings=False) for p in LINE_TEXTS
        ] + [etree.XPath(f"cac:InvoiceLine/{p}", namespaces=ubl.NS, smart_strings=False) for p in LINE_ATTRIBUTES]
        quantities = ubl._QUANTITIES

        def lines_from_templates(root: Any) -> list[ubl.ParsedLine]:
            return lines_from_records(str(templates(root)).split("\x80")[1:])

        def lines_from_records(records: list[str]) -> list[ubl.ParsedLine]:
            lines: list[ubl.ParsedLine] = []
            append = lines.append
            for position, record in enumerate(records, start=1):
                f = record.split(SEP)
                get = dict(zip(f[0::2], f[1::2], strict=False)).get  # the last of each code
                line_id = get("i", "").strip() or str(position)
                text = get("q", "").strip()
                quantity = quantities.get(text) or ubl._cached_quantity(text, ubl.L_QUANTITY)
                net = ubl._amount(get("a", "").strip(), ubl.L_LINE_AMOUNT)
                text = get("p", "").strip()
                price = quantities.get(text) or ubl._cached_quantity(text, ubl.L_PRICE)
                b = get("b")
                base = None if b is None else ubl._decimal(b.strip(), ubl.L_BASE, places=10, digits=28, required=False)
                s, e = get("s"), get("e")
                period: tuple[Any, Any] = (None, None)
                if s is not None and e is not None:
                    period = ubl._period(s.strip(), e.strip(), ubl.L_PERIOD_START, ubl.L_PERIOD_END)
                classifications: list[dict[str, str]] = []
                cpv = ""
                if "C" in f:
                    for k in range(0, len(f) - 3, 2):
                        if f[k] == "C" and (code := f[k + 1].strip()):
                            list_id = f[k + 3].strip()
                            classifications.append({"list_id": list_id, "code": code})
                            if list_id == ubl.CPV_LIST_ID and not cpv:
                                cpv = code
                seller_item, standard, unit = get("S", "").strip(), get("G", "").strip(), get("u", "").strip()
                if len(line_id) > 200 or len(unit) > 3 or len(seller_item) > 200 or len(standard) > 200:
                    ubl._fit(line_id, 200, ubl.L_LINE_ID)
                append(
                    ubl.ParsedLine(
                        position,
                        line_id,
                        quantity,
                        unit,
                        net,
                        price,
                        base,
                        " ".join(get("N", "").split())[:500],
                        seller_item,
                        standard,
                        get("H", "").strip()[:4],
                        cpv[:20],
                        classifications,
                        get("o", "").strip()[:200],
                        get("n", "").strip(),
                        *period,
                    )
                )
            return lines

        def norm(text: str) -> str:
            return " ".join(text.split())

        def party(f: list[str], i: int, *, seller: bool) -> tuple[Any, int]:
            """``ubl._party`` from the fields at ``f[i:]``, and the index after them."""
            p = ubl._Party()
            p.endpoint_id, p.endpoint_scheme = norm(f[i]), f[i + 1].strip()
            p.legal_id, p.legal_scheme = norm(f[i + 2]), f[i + 3].strip()
            schemes = int(f[i + 7])
            for k in range(i + 8, i + 8 + 2 * schemes, 2):
                if norm(f[k]).upper() == "VAT":
                    p.vat_id = norm(f[k + 1])
                    break
            p.name = norm(f[i + 4]) or norm(f[i + 5])
            p.country = norm(f[i + 6]).upper()
            if p.endpoint_scheme == ubl.SWEDISH_ORGNR_SCHEME and p.endpoint_id:
                p.org_number = ubl._org_number(p.endpoint_id, ubl.L_SELLER_ENDPOINT if seller else ubl.L_BUYER_ENDPOINT)
            if p.legal_id and (
                p.legal_scheme == ubl.SWEDISH_ORGNR_SCHEME
                or (not p.legal_scheme and p.country == "SE" and ubl._ORG_NUMBER_SHAPE(p.legal_id))
            ):
                legal = ubl._org_number(p.legal_id, ubl.L_SELLER_LEGAL if seller else ubl.L_BUYER_LEGAL)
                p.org_number = p.org_number or legal
            return p, i + 8 + 2 * schemes

        def parse_by_xslt(data: bytes, file_name: str = "", *, header_only: bool = False) -> ubl.ParsedDocument:
            """``ubl.parse`` for these documents (invoices; the header's refusals are assertions)
            with every field read by one transform: the end-to-end figure."""
            root = ubl.parse_xml(data)
            if root.tag != ubl._ROOT_INVOICE:
                raise AssertionError("invoices only")
            kind = ubl.KIND_INVOICE
            if header_only:
                head, records = str(fields_header(root)), []
            else:
                head, *records = str(whole(root)).split("\x80")
            f = head.split(SEP)
            warnings: list[ubl.Warning_] = []
            customization = norm(f[0])
            if customization != ubl.BIS3_CUSTOMIZATION:
                raise AssertionError("BIS 3 only")
            number = norm(f[1])
            issue = norm(f[2])
            if not number or not issue:
                raise AssertionError("number and date")
            issue_date = ubl._date(issue, ubl.L_ISSUE_DATE)
            due = norm(f[3]) or norm(f[4])
            due_date = ubl._date(due, ubl.L_DUE_DATE) if due else None
            delivery = norm(f[5])
            delivery_date = ubl._date(delivery, ubl.L_DELIVERY_DATE) if delivery else None
            period_start = period_end = None
            if f[6] != "0":
                period_start, period_end = ubl._period(norm(f[7]), norm(f[8]), ubl.L_PERIOD_START, ubl.L_PERIOD_END)
            currency = norm(f[9]).upper()
            if not ubl._CURRENCY_SHAPE(currency):
                raise AssertionError("currency")
            seller, i = party(f, 10, seller=True)
            buyer, i = party(f, i, seller=False)
            ubl._check_vat(seller, warnings)
            seller_key = ubl._seller_key(seller)
            if not seller_key or f[i] == "0":
                raise AssertionError("seller and totals")
            line_extension = ubl._amount(norm(f[i + 1]), ubl.L_SUM_OF_LINES)
            tax_exclusive = ubl._amount(norm(f[i + 2]), ubl.L_TAX_EXCLUSIVE)
            tax_inclusive = ubl._amount(norm(f[i + 3]), ubl.L_TAX_INCLUSIVE)
            payable = ubl._amount(norm(f[i + 4]), ubl.L_PAYABLE)
            lines = ubl._lines(root, kind) if header_only else lines_from_records(records)
            if not lines:
                raise AssertionError("lines")
            fit = ubl._fit
            return ubl.ParsedDocument(
                kind=kind,
                original=data,
                sha256=ubl.sha256_of(data),
                file_name=file_name[-500:],
                customization_id=customization[:300],
                profile_id=norm(f[i + 5])[:300],
                type_code=norm(f[i + 6])[:3],
                number=fit(number, 200, ubl.L_NUMBER),
                issue_date=issue_date,
                due_date=due_date,
                currency=currency,
                buyer_reference=fit(norm(f[i + 7]), 200, ubl.L_BUYER_REFERENCE),
                order_reference=fit(norm(f[i + 8]), 200, ubl.L_ORDER_REFERENCE),
                contract_reference=fit(norm(f[i + 9]), 200, ubl.L_CONTRACT_REFERENCE),
                billing_reference=fit(norm(f[i + 10]), 200, ubl.L_BILLING_REFERENCE),
                seller_key=fit(seller_key, 140, ubl.L_SELLER_KEY),
                seller_endpoint_id=fit(seller.endpoint_id, 130, ubl.L_SELLER_ENDPOINT_ID),
                seller_endpoint_scheme=seller.endpoint_scheme[:4],
                seller_legal_id=fit(seller.legal_id, 130, ubl.L_SELLER_LEGAL_ID),
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

        # The comparisons are only fair if the results are the same.
        for data, root in zip(datas, roots, strict=True):
            assert lines_from_templates(root) == ubl._lines(root, ubl.KIND_INVOICE)
            assert parse_by_xslt(data) == ubl.parse(data) == parse_by_xslt(data, header_only=True)

        def walk_lines(root: Any) -> list[Any]:
            return [
                [
                    (el.tag, el.text) if event == "start" else None
                    for event, el in etree.iterwalk(line, ("start", "end"))
                ]
                for line in root.iterchildren(line_tag)
            ]

        def element_floor(root: Any) -> list[Any]:
            return [
                [(c.tag, c.text, [(k.tag, k.text) for k in c]) for c in line] for line in root.iterchildren(line_tag)
            ]

        ways: dict[str, Callable[[], object]] = {
            "fromstring": lambda: [etree.fromstring(d, xml_parser) for d in datas],
            "parse": lambda: [ubl.parse(d) for d in datas],
            "parse by one XSLT transform": lambda: [parse_by_xslt(d) for d in datas],
            "parse, the header by XSLT": lambda: [parse_by_xslt(d, header_only=True) for d in datas],
            "_lines": lambda: [ubl._lines(r, ubl.KIND_INVOICE) for r in roots],
            "xslt empty": lambda: [str(empty(r)) for r in roots],
            "xslt fields, whole document": lambda: [str(fields_whole(r)).split(SEP) for r in roots],
            "xslt fields, no predicates": lambda: [str(fields_plain(r)).split(SEP) for r in roots],
            "xslt fields, header only": lambda: [str(fields_header(r)).split(SEP) for r in roots],
            "xslt templates, lines": lambda: [str(templates(r)) for r in roots],
            "xslt templates, lines + Python": lambda: [lines_from_templates(r) for r in roots],
            "xslt 16 fields per line": lambda: [str(fields_lines(r)).split(SEP) for r in roots],
            "xslt one concat per line": lambda: [str(concat_lines(r)).split(SEP) for r in roots],
            "xpath concat per line": lambda: [[concat(x).split(SEP) for x in r.iterchildren(line_tag)] for r in roots],
            "xpath columns": lambda: [[c(r) for c in columns] for r in roots],
            "iterwalk per line, start and end": lambda: [walk_lines(r) for r in roots],
            "element floor": lambda: [element_floor(r) for r in roots],
        }
        times: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(args.repeats):
            for name, way in ways.items():
                gc.collect()
                gc.disable()
                cpu = time.process_time()
                way()
                times[name].append(time.process_time() - cpu)
                gc.enable()
        print(f"{len(datas):,} invoices of {args.lines_per_invoice} lines; load average {os.getloadavg()[0]:.1f}")
        print(f"{'':38} {'least':>7} {'median':>7}  (s CPU, {args.repeats} interleaved rounds)")
        for name, values in times.items():
            print(f"{name:38} {min(values):7.3f} {statistics.median(values):7.3f}")
        least = {name: min(values) for name, values in times.items()}
        median = {name: statistics.median(values) for name, values in times.items()}
        rest_least = least["parse"] - least["fromstring"] - least["_lines"]
        rest_median = median["parse"] - median["fromstring"] - median["_lines"]
        print(f"{'header etc. (parse less both)':38} {rest_least:7.3f} {rest_median:7.3f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
