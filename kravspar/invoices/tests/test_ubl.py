"""The parser: what it reads from a BIS 3 document, and every reason it refuses one."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from kravspar.invoices import ubl
from kravspar.invoices.generate import SUPPLIERS, Line, Party, org_number, render
from kravspar.invoices.ubl import BIS3_CUSTOMIZATION, InvoiceRejected, ProblemCode, parse

from .conftest import spec

MakeXml = Callable[..., bytes]


def refused(data: bytes) -> InvoiceRejected:
    with pytest.raises(InvoiceRejected) as info:
        parse(data, "test.xml")
    return info.value


def test_reads_header_parties_and_lines(make_xml: MakeXml) -> None:
    doc = parse(make_xml(), "f.xml")
    assert doc.kind == "invoice"
    assert doc.number == "F-1001"
    assert doc.issue_date == datetime.date(2026, 3, 2)
    assert doc.due_date == datetime.date(2026, 4, 1)
    assert doc.currency == "SEK"
    assert (doc.buyer_reference, doc.order_reference, doc.contract_reference) == (
        "Ortopedkliniken",
        "RV-2025-0107-0001",
        "RV-2025-0107",
    )
    seller = SUPPLIERS[0]
    assert doc.seller_key == f"0007:{seller.org_number}"
    assert (doc.seller_endpoint_scheme, doc.seller_endpoint_id) == ("0007", seller.org_number)
    assert (doc.seller_legal_scheme, doc.seller_legal_id) == ("0007", seller.org_number)
    assert doc.seller_vat_id == f"SE{seller.org_number}01"
    assert doc.seller_org_number == seller.org_number
    assert doc.seller_name == "Mälardalens Lokalvård AB"
    assert (doc.buyer_endpoint_scheme, doc.buyer_endpoint_id, doc.buyer_name) == (
        "0007",
        "2321000172",
        "Region Västmanland",
    )
    # 120 h × 425.00 + 24 × 39.90 = 51 000.00 + 957.60; VAT 25 %.
    assert doc.line_extension_amount == Decimal("51957.60")
    assert doc.tax_exclusive_amount == Decimal("51957.60")
    assert doc.tax_inclusive_amount == Decimal("64947.00")
    assert doc.payable_amount == Decimal("64947.00")
    first, second = doc.lines
    assert (first.position, first.line_id, first.quantity, first.unit_code) == (1, "1", Decimal(120), "HUR")
    assert (first.price_amount, first.line_net_amount, first.seller_item_id) == (
        Decimal("425.00"),
        Decimal("51000.00"),
        "ART-0001",
    )
    assert first.cpv_code == "90911200"
    assert first.classifications == [{"list_id": "STI", "code": "90911200"}]
    assert (second.standard_item_id, second.standard_item_scheme) == ("7350000000019", "0160")
    assert doc.warnings == []
    assert len(doc.sha256) == 64


def test_reads_a_credit_note_and_what_it_credits(make_xml: MakeXml) -> None:
    doc = parse(make_xml(credit_note=True, number="K-1", billing_reference="F-1001"))
    assert doc.kind == "credit_note"
    assert doc.type_code == "381"
    assert doc.billing_reference == "F-1001"
    assert [line.quantity for line in doc.lines] == [Decimal(120), Decimal(24)]


def test_base_quantity_and_many_decimals_in_prices(make_xml: MakeXml) -> None:
    line = Line("X", "Spik", Decimal("1.23456789"), "KGM", Decimal("2.345678901"), base_quantity=Decimal(100))
    doc = parse(make_xml(lines=[line]))
    assert doc.lines[0].base_quantity == Decimal(100)
    assert doc.lines[0].price_amount == Decimal("2.345678901")
    assert doc.lines[0].quantity == Decimal("1.23456789")


def test_quantities_and_prices_are_remembered_in_a_bounded_cache(
    make_xml: MakeXml, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quantity or price read once is looked up the next time its exact text comes; a
    text that was refused is never kept, and past its limit the cache starts again."""
    monkeypatch.setattr(ubl, "_QUANTITIES", {})
    monkeypatch.setattr(ubl, "_QUANTITIES_LIMIT", 4)
    lines = [Line(f"A-{n}", "Spik", Decimal(n), "KGM", Decimal(f"{n}.5")) for n in (1, 2)]
    first, again = parse(make_xml(lines=lines)), parse(make_xml(lines=lines))
    assert [(x.quantity, x.price_amount) for x in again.lines] == [(1, Decimal("1.5")), (2, Decimal("2.5"))]
    assert again.lines[1].price_amount is first.lines[1].price_amount  # the same object: looked up
    assert sorted(ubl._QUANTITIES) == ["1", "1.5", "2", "2.5"]
    with pytest.raises(InvoiceRejected) as refused:
        parse(make_xml(lines=[Line("A-9", "Spik", Decimal(1), "KGM", Decimal("1.12345678901"))]))
    assert refused.value.code == ProblemCode.INVALID_LINE  # eleven decimals
    assert sorted(ubl._QUANTITIES) == ["1", "1.5", "2", "2.5"]
    parse(make_xml(lines=[Line("A-3", "Spik", Decimal(3), "KGM", Decimal("3.5"))]))
    assert sorted(ubl._QUANTITIES) == ["3", "3.5"]


# --- Unsafe XML ------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>&lol9;</cbc:ID></Invoice>
"""


def test_billion_laughs_is_refused_without_expanding() -> None:
    problem = refused(BILLION_LAUGHS)
    assert problem.code == ProblemCode.DOCTYPE
    assert "lol" not in problem.message


def test_external_entity_is_refused_and_the_file_never_read(tmp_path: Path, make_xml: MakeXml) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    xml = make_xml(number="PLACEHOLDER").replace(b"<cbc:ID>PLACEHOLDER</cbc:ID>", b"<cbc:ID>&xxe;</cbc:ID>")
    xml = xml.replace(
        b'<?xml version="1.0" encoding="UTF-8"?>\n',
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file://'
        + str(secret).encode()
        + b'">]>\n',
    )
    problem = refused(xml)
    assert problem.code == ProblemCode.DOCTYPE
    assert "TOPSECRET" not in problem.message


def test_a_doctype_hidden_from_the_byte_scan_is_refused_after_parsing(make_xml: MakeXml) -> None:
    # UTF-16: the ASCII scan for "<!DOCTYPE" cannot see it; the parse result still shows it,
    # and the internal entity was not expanded into the document.
    text = make_xml(number="PLACEHOLDER").decode("utf-8")
    text = text.replace('<?xml version="1.0" encoding="UTF-8"?>\n', '<?xml version="1.0" encoding="UTF-16"?>\n')
    text = text.replace("<Invoice ", '<!DOCTYPE Invoice [<!ENTITY e "expanded">]>\n<Invoice ', 1)
    text = text.replace("<cbc:ID>PLACEHOLDER</cbc:ID>", "<cbc:ID>&e;</cbc:ID>")
    problem = refused(text.encode("utf-16"))
    assert problem.code == ProblemCode.DOCTYPE


def test_malformed_xml() -> None:
    problem = refused(b"<Invoice><cbc:ID>1</Invoice>")
    assert problem.code == ProblemCode.MALFORMED
    assert problem.details["line"] == 1


def test_empty_file() -> None:
    assert refused(b"  \n").code == ProblemCode.EMPTY


def test_wrong_root() -> None:
    problem = refused(b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>')
    assert problem.code == ProblemCode.WRONG_ROOT
    assert "Order" in problem.message


def test_invoice_element_in_the_wrong_namespace_is_the_wrong_root() -> None:
    assert refused(b'<Invoice xmlns="urn:example:invoice"/>').code == ProblemCode.WRONG_ROOT


def test_missing_supplier_identifier(make_xml: MakeXml) -> None:
    xml = make_xml()
    start = xml.index(b"<cac:AccountingSupplierParty>")
    end = xml.index(b"</cac:AccountingSupplierParty>")
    xml = xml[:start] + b"<cac:AccountingSupplierParty><cac:Party/>" + xml[end:]
    assert refused(xml).code == ProblemCode.MISSING_SUPPLIER_ID


def test_missing_invoice_number(make_xml: MakeXml) -> None:
    xml = make_xml().replace(b"<cbc:ID>F-1001</cbc:ID>", b"")
    assert refused(xml).code == ProblemCode.MISSING_NUMBER


def test_missing_and_invalid_issue_date(make_xml: MakeXml) -> None:
    assert refused(make_xml().replace(b"<cbc:IssueDate>2026-03-02</cbc:IssueDate>", b"")).code == (
        ProblemCode.MISSING_DATE
    )
    bad = refused(make_xml().replace(b"2026-03-02</cbc:IssueDate>", b"2026-02-30</cbc:IssueDate>"))
    assert bad.code == ProblemCode.INVALID_DATE


def test_seller_endpoint_with_a_wrong_check_digit(make_xml: MakeXml) -> None:
    digits = org_number("556701234")
    wrong = digits[:9] + str((int(digits[9]) + 1) % 10)
    problem = refused(make_xml(seller=Party("Fel AB", wrong)))
    assert problem.code == ProblemCode.INVALID_ORG_NUMBER
    assert wrong in problem.message
    assert "kontrollsiffran" in problem.message


def test_legal_company_id_with_a_wrong_check_digit(make_xml: MakeXml) -> None:
    good = SUPPLIERS[0].org_number
    xml = make_xml().replace(
        f'<cbc:CompanyID schemeID="0007">{good}</cbc:CompanyID>'.encode(),
        b'<cbc:CompanyID schemeID="0007">5567012340</cbc:CompanyID>',
        1,
    )
    problem = refused(xml)
    assert problem.code == ProblemCode.INVALID_ORG_NUMBER
    assert problem.details["value"] == "5567012340"


def test_buyer_org_number_is_checked_too(make_xml: MakeXml) -> None:
    problem = refused(make_xml(buyer=Party("Region X", "2321000033")))
    assert problem.code == ProblemCode.INVALID_ORG_NUMBER


def test_customization_other_than_en16931_is_refused(make_xml: MakeXml) -> None:
    bis2 = b"urn:www.cenbii.eu:transaction:biitrns010:ver2.0:extended:urn:www.peppol.eu:bis:peppol4a:ver2.0"
    xml = make_xml().replace(BIS3_CUSTOMIZATION.encode(), bis2)
    assert refused(xml).code == ProblemCode.UNSUPPORTED_CUSTOMIZATION
    missing = make_xml().replace(f"<cbc:CustomizationID>{BIS3_CUSTOMIZATION}</cbc:CustomizationID>".encode(), b"")
    assert refused(missing).code == ProblemCode.UNSUPPORTED_CUSTOMIZATION


def test_another_en16931_specification_is_read_with_a_warning(make_xml: MakeXml) -> None:
    xrechnung = b"urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
    doc = parse(make_xml().replace(BIS3_CUSTOMIZATION.encode(), xrechnung))
    assert [w.code for w in doc.warnings] == [ProblemCode.OTHER_CUSTOMIZATION]


def test_totals_and_lines_are_required(make_xml: MakeXml) -> None:
    xml = make_xml()
    start = xml.index(b"<cac:LegalMonetaryTotal>")
    end = xml.index(b"</cac:LegalMonetaryTotal>") + len(b"</cac:LegalMonetaryTotal>")
    assert refused(xml[:start] + xml[end:]).code == ProblemCode.MISSING_TOTALS
    assert refused(make_xml(lines=[])).code == ProblemCode.NO_LINES


def test_amount_with_too_many_decimals_and_a_line_that_is_not_a_number(make_xml: MakeXml) -> None:
    xml = make_xml().replace(b'"SEK">64947.00</cbc:PayableAmount>', b'"SEK">64947.001</cbc:PayableAmount>')
    assert refused(xml).code == ProblemCode.INVALID_AMOUNT
    xml = make_xml().replace(b'unitCode="HUR">120<', b'unitCode="HUR">tolv<')
    problem = refused(xml)
    assert problem.code == ProblemCode.INVALID_LINE
    assert problem.details["line"] == "1"


def test_a_swedish_vat_number_with_a_wrong_check_digit_is_a_warning(make_xml: MakeXml) -> None:
    vat = f"SE{SUPPLIERS[0].org_number}01".encode()
    doc = parse(make_xml().replace(vat, b"SE556701234001", 1))
    assert [w.code for w in doc.warnings] == [ProblemCode.INVALID_VAT_NUMBER]


def test_generated_invoices_for_every_demo_supplier_parse() -> None:
    for supplier in SUPPLIERS:
        doc = parse(render(spec(seller=supplier)))
        assert doc.seller_org_number == supplier.org_number
