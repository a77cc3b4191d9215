"""Writing Peppol BIS Billing 3.0 invoices and credit notes (UBL 2.1), for the demo, the
tests and the benchmark.

The documents follow BIS 3 and its Swedish rules: the seller's Peppol id and
organisation number (scheme 0007) with valid check digits, a VAT number SE + number + 01,
"Godkänd för F-skatt", a buyer reference, standard-rated VAT at 25 % with totals that add
up, and per line the seller's item id, optionally a GTIN (scheme 0160) and a CPV code.

The XML is written from templates rather than built as a tree: the benchmark writes a
million lines, and string formatting is several times faster than lxml's builder. Every
value goes through ``escape``.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from stdnum import luhn

from kravspar.invoices.ubl import BIS3_CUSTOMIZATION

PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
VAT_RATE = Decimal("25")
CENT = Decimal("0.01")


def org_number(base9: str) -> str:
    """A ten-digit organisation number with a valid check digit (Luhn) after ``base9``."""
    return base9 + luhn.calc_check_digit(base9)


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    org_number: str  # ten digits
    street: str = ""
    postal_code: str = ""
    city: str = ""

    @property
    def vat_number(self) -> str:
        return f"SE{self.org_number}01"


@dataclass(frozen=True, slots=True)
class Line:
    seller_item_id: str
    name: str
    quantity: Decimal
    unit_code: str
    price: Decimal  # net price per base quantity
    gtin: str = ""
    cpv: str = ""
    base_quantity: Decimal = Decimal(1)
    note: str = ""
    period_start: datetime.date | None = None  # the line's own invoice period (BT-134/135)
    period_end: datetime.date | None = None

    @property
    def net_amount(self) -> Decimal:
        return (self.quantity * self.price / self.base_quantity).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class InvoiceSpec:
    number: str
    issue_date: datetime.date
    seller: Party
    buyer: Party
    lines: Sequence[Line]
    credit_note: bool = False
    due_date: datetime.date | None = None
    buyer_reference: str = ""
    order_reference: str = ""
    contract_reference: str = ""
    billing_reference: str = ""  # the invoice a credit note credits
    currency: str = "SEK"
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    delivery_date: datetime.date | None = None  # actual delivery date (BT-72)
    period_start: datetime.date | None = None  # invoice period (BT-73/74)
    period_end: datetime.date | None = None


# Buyers: the regions with their Peppol ids (0007 + organisation number).
REGION_SORMLAND = Party("Region Sörmland", "2321000032", "Repslagargatan 19", "61188", "Nyköping")
REGION_VASTMANLAND = Party("Region Västmanland", "2321000172", "Västmanlands sjukhus", "72189", "Västerås")
BUYERS = (REGION_SORMLAND, REGION_VASTMANLAND)

# Fictional suppliers with real-looking names and valid organisation numbers.
SUPPLIERS = (
    Party("Mälardalens Lokalvård AB", org_number("556701234"), "Kopparbergsvägen 10", "72213", "Västerås"),
    Party("Sörmlands Sjukvårdsprodukter AB", org_number("556812345"), "Gjutargatan 4", "63229", "Eskilstuna"),
    Party("Nordisk Medicinteknik i Västerås AB", org_number("556923456"), "Stora gatan 41", "72212", "Västerås"),
    Party("Kontorsgrossisten Nyköping AB", org_number("556634567"), "Brunnsgatan 7", "61132", "Nyköping"),
    Party("Hjälpmedelsteknik Mälardalen AB", org_number("559045678"), "Verkstadsgatan 2", "72348", "Västerås"),
    Party("Strängnäs Livsmedelsservice AB", org_number("556156789"), "Storgatan 12", "64530", "Strängnäs"),
    Party("Köping Laboratorieutrustning AB", org_number("556267890"), "Glasgatan 3", "73130", "Köping"),
    Party("Katrineholms Tvätteri och Textil AB", org_number("556378901"), "Vingåkersvägen 20", "64136", "Katrineholm"),
)

# Articles for bulk generation: ART-0001 … with a GTIN, a CPV code and a list price.
_UNITS = ("EA", "H87", "XBX", "KGM", "LTR", "HUR", "MTK", "XPK")  # Rec 20, with Rec 21 packages as X..
_NAMES = (
    "Undersökningshandske nitril",
    "Kompress steril 10x10",
    "Kopieringspapper A4",
    "Desinfektionsmedel",
    "Städtimme vårdavdelning",
    "Golvvård",
    "Bläckpatron",
    "Engångsförkläde",
    "Sprutor 10 ml",
    "Handsprit",
    "Skyddsmask",
    "Kaffe hela bönor",
)
_CPVS = ("33140000", "30197630", "90911200", "33141420", "15861000", "18424300", "33696500")


def gtin13(base12: str) -> str:
    """A GTIN-13 with its check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(base12))
    return base12 + str((10 - total % 10) % 10)


@dataclass(frozen=True, slots=True)
class Article:
    seller_item_id: str
    name: str
    unit_code: str
    price: Decimal
    gtin: str
    cpv: str


def catalogue(count: int = 200) -> list[Article]:
    """A deterministic catalogue of ``count`` articles ART-0001 … with list prices."""
    rnd = random.Random(1)  # noqa: S311 - test data, not secrets
    return [
        Article(
            f"ART-{n:04d}",
            f"{_NAMES[n % len(_NAMES)]} {n}",
            _UNITS[n % len(_UNITS)],
            Decimal(rnd.randint(500, 250000)) / 100,
            gtin13(f"735000{n:06d}"),
            _CPVS[n % len(_CPVS)],
        )
        for n in range(1, count + 1)
    ]


def _amt(value: Decimal) -> str:
    return f"{value.quantize(CENT, ROUND_HALF_UP):f}"


def _num(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def _period_xml(start: datetime.date | None, end: datetime.date | None) -> str:
    """A cac:InvoicePeriod (document BT-73/74 or line BT-134/135)."""
    inner = f"<cbc:StartDate>{start.isoformat()}</cbc:StartDate>" if start else ""
    inner += f"<cbc:EndDate>{end.isoformat()}</cbc:EndDate>" if end else ""
    return f"<cac:InvoicePeriod>{inner}</cac:InvoicePeriod>"


def _party_xml(party: Party, *, seller: bool) -> str:
    e = escape
    tax = (
        f"<cac:PartyTaxScheme><cbc:CompanyID>{party.vat_number}</cbc:CompanyID>"
        "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
    )
    if seller:
        tax += (
            "<cac:PartyTaxScheme><cbc:CompanyID>Godkänd för F-skatt</cbc:CompanyID>"
            "<cac:TaxScheme><cbc:ID>TAX</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
        )
    return (
        f'<cac:Party><cbc:EndpointID schemeID="0007">{party.org_number}</cbc:EndpointID>'
        f"<cac:PartyName><cbc:Name>{e(party.name)}</cbc:Name></cac:PartyName>"
        f"<cac:PostalAddress><cbc:StreetName>{e(party.street)}</cbc:StreetName>"
        f"<cbc:CityName>{e(party.city)}</cbc:CityName><cbc:PostalZone>{e(party.postal_code)}</cbc:PostalZone>"
        "<cac:Country><cbc:IdentificationCode>SE</cbc:IdentificationCode></cac:Country></cac:PostalAddress>"
        f"{tax}"
        f"<cac:PartyLegalEntity><cbc:RegistrationName>{e(party.name)}</cbc:RegistrationName>"
        f'<cbc:CompanyID schemeID="0007">{party.org_number}</cbc:CompanyID></cac:PartyLegalEntity>'
        "</cac:Party>"
    )


def render(spec: InvoiceSpec) -> bytes:
    """One BIS 3 Invoice (or CreditNote) as UTF-8 bytes."""
    e = escape
    cur = e(spec.currency)
    root, line_tag, qty_tag, type_tag, type_code = (
        ("CreditNote", "CreditNoteLine", "CreditedQuantity", "CreditNoteTypeCode", "381")
        if spec.credit_note
        else ("Invoice", "InvoiceLine", "InvoicedQuantity", "InvoiceTypeCode", "380")
    )
    parts: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2" '
        'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
        'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">\n',
        f"<cbc:CustomizationID>{BIS3_CUSTOMIZATION}</cbc:CustomizationID>",
        f"<cbc:ProfileID>{PROFILE}</cbc:ProfileID>",
        f"<cbc:ID>{e(spec.number)}</cbc:ID>",
        f"<cbc:IssueDate>{spec.issue_date.isoformat()}</cbc:IssueDate>",
    ]
    if spec.due_date and not spec.credit_note:
        parts.append(f"<cbc:DueDate>{spec.due_date.isoformat()}</cbc:DueDate>")
    parts.append(f"<cbc:{type_tag}>{type_code}</cbc:{type_tag}>")
    if spec.note:
        parts.append(f"<cbc:Note>{e(spec.note)}</cbc:Note>")
    parts.append(f"<cbc:DocumentCurrencyCode>{cur}</cbc:DocumentCurrencyCode>")
    parts.append(f"<cbc:BuyerReference>{e(spec.buyer_reference or spec.buyer.name)}</cbc:BuyerReference>")
    if spec.period_start or spec.period_end:
        parts.append(_period_xml(spec.period_start, spec.period_end))
    if spec.order_reference:
        parts.append(f"<cac:OrderReference><cbc:ID>{e(spec.order_reference)}</cbc:ID></cac:OrderReference>")
    if spec.billing_reference:
        parts.append(
            "<cac:BillingReference><cac:InvoiceDocumentReference>"
            f"<cbc:ID>{e(spec.billing_reference)}</cbc:ID>"
            "</cac:InvoiceDocumentReference></cac:BillingReference>"
        )
    if spec.contract_reference:
        parts.append(
            f"<cac:ContractDocumentReference><cbc:ID>{e(spec.contract_reference)}</cbc:ID></cac:ContractDocumentReference>"
        )
    parts.append(f"\n<cac:AccountingSupplierParty>{_party_xml(spec.seller, seller=True)}</cac:AccountingSupplierParty>")
    parts.append(
        f"\n<cac:AccountingCustomerParty>{_party_xml(spec.buyer, seller=False)}</cac:AccountingCustomerParty>\n"
    )
    if spec.delivery_date:
        parts.append(
            f"<cac:Delivery><cbc:ActualDeliveryDate>{spec.delivery_date.isoformat()}</cbc:ActualDeliveryDate></cac:Delivery>\n"
        )
    if not spec.credit_note:
        due = spec.due_date or spec.issue_date + datetime.timedelta(days=30)
        parts.append(
            f"<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cbc:PaymentID>{e(spec.number)}</cbc:PaymentID>"
            f"<cac:PayeeFinancialAccount><cbc:ID>{spec.seller.org_number[:7]}</cbc:ID>"
            "<cac:FinancialInstitutionBranch><cbc:ID>SE:BANKGIRO</cbc:ID></cac:FinancialInstitutionBranch>"
            "</cac:PayeeFinancialAccount></cac:PaymentMeans>"
            f"<cac:PaymentTerms><cbc:Note>30 dagar netto, förfallodag {due.isoformat()}</cbc:Note></cac:PaymentTerms>\n"
        )
    total = sum((line.net_amount for line in spec.lines), Decimal(0))
    tax = (total * VAT_RATE / 100).quantize(CENT, ROUND_HALF_UP)
    vat = "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>"
    parts.append(
        f'<cac:TaxTotal><cbc:TaxAmount currencyID="{cur}">{_amt(tax)}</cbc:TaxAmount>'
        f'<cac:TaxSubtotal><cbc:TaxableAmount currencyID="{cur}">{_amt(total)}</cbc:TaxableAmount>'
        f'<cbc:TaxAmount currencyID="{cur}">{_amt(tax)}</cbc:TaxAmount>'
        f"<cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>{VAT_RATE}</cbc:Percent>{vat}</cac:TaxCategory>"
        "</cac:TaxSubtotal></cac:TaxTotal>\n"
        f'<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="{cur}">{_amt(total)}</cbc:LineExtensionAmount>'
        f'<cbc:TaxExclusiveAmount currencyID="{cur}">{_amt(total)}</cbc:TaxExclusiveAmount>'
        f'<cbc:TaxInclusiveAmount currencyID="{cur}">{_amt(total + tax)}</cbc:TaxInclusiveAmount>'
        f'<cbc:PayableAmount currencyID="{cur}">{_amt(total + tax)}</cbc:PayableAmount>'
        "</cac:LegalMonetaryTotal>\n"
    )
    for n, line in enumerate(spec.lines, start=1):
        ids = (
            f"<cac:SellersItemIdentification><cbc:ID>{e(line.seller_item_id)}</cbc:ID></cac:SellersItemIdentification>"
        )
        if line.gtin:
            ids += (
                f'<cac:StandardItemIdentification><cbc:ID schemeID="0160">{line.gtin}</cbc:ID>'
                "</cac:StandardItemIdentification>"
            )
        if line.cpv:
            ids += (
                '<cac:CommodityClassification><cbc:ItemClassificationCode listID="STI">'
                f"{line.cpv}</cbc:ItemClassificationCode></cac:CommodityClassification>"
            )
        note = f"<cbc:Note>{e(line.note)}</cbc:Note>" if line.note else ""
        base = (
            f'<cbc:BaseQuantity unitCode="{line.unit_code}">{_num(line.base_quantity)}</cbc:BaseQuantity>'
            if line.base_quantity != 1
            else ""
        )
        period = _period_xml(line.period_start, line.period_end) if line.period_start or line.period_end else ""
        parts.append(
            f"<cac:{line_tag}><cbc:ID>{n}</cbc:ID>{note}"
            f'<cbc:{qty_tag} unitCode="{line.unit_code}">{_num(line.quantity)}</cbc:{qty_tag}>'
            f'<cbc:LineExtensionAmount currencyID="{cur}">{_amt(line.net_amount)}</cbc:LineExtensionAmount>'
            f"{period}<cac:Item><cbc:Name>{e(line.name)}</cbc:Name>{ids}"
            f"<cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>{VAT_RATE}</cbc:Percent>{vat}"
            "</cac:ClassifiedTaxCategory></cac:Item>"
            f'<cac:Price><cbc:PriceAmount currencyID="{cur}">{_num(line.price)}</cbc:PriceAmount>{base}</cac:Price>'
            f"</cac:{line_tag}>\n"
        )
    parts.append(f"</{root}>\n")
    return "".join(parts).encode("utf-8")


def random_specs(
    count: int,
    lines_per_invoice: int = 20,
    *,
    seed: int = 0,
    start: datetime.date = datetime.date(2025, 1, 1),
    suppliers: Sequence[Party] = SUPPLIERS,
    buyers: Sequence[Party] = BUYERS,
    articles: Sequence[Article] | None = None,
    prefix: str = "GEN",
) -> Iterator[InvoiceSpec]:
    """``count`` invoices with unique numbers, spread over a year, at list prices."""
    rnd = random.Random(seed)  # noqa: S311 - test data, not secrets
    articles = articles or catalogue()
    for i in range(count):
        seller = suppliers[i % len(suppliers)]
        buyer = buyers[(i // len(suppliers)) % len(buyers)]
        picked = rnd.sample(articles, min(lines_per_invoice, len(articles)))
        while len(picked) < lines_per_invoice:
            picked.append(rnd.choice(articles))
        issue = start + datetime.timedelta(days=i % 365)
        yield InvoiceSpec(
            number=f"{prefix}-{seed}-{i + 1:07d}",
            issue_date=issue,
            due_date=issue + datetime.timedelta(days=30),
            seller=seller,
            buyer=buyer,
            buyer_reference=f"{buyer.city}-{i % 97:02d}",
            order_reference=f"PO-{i + 1:07d}",
            lines=[
                Line(a.seller_item_id, a.name, Decimal(rnd.randint(1, 40)), a.unit_code, a.price, a.gtin, a.cpv)
                for a in picked
            ],
        )


def write_many(
    folder: str | Path,
    count: int,
    lines_per_invoice: int = 20,
    *,
    seed: int = 0,
    per_folder: int = 1000,
    **kwargs: object,
) -> int:
    """Write ``count`` invoices as files under ``folder`` (``per_folder`` a subfolder).
    Returns the number of bytes written."""
    root = Path(folder)
    written = 0
    current: Path | None = None
    for i, spec in enumerate(random_specs(count, lines_per_invoice, seed=seed, **kwargs)):  # type: ignore[arg-type]
        if i % per_folder == 0:
            current = root / f"{i // per_folder:05d}"
            current.mkdir(parents=True, exist_ok=True)
        assert current is not None
        data = render(spec)
        (current / f"{spec.number}.xml").write_bytes(data)
        written += len(data)
    return written
