"""A supply contract for Region Västmanland with a price list, its supplier, and a way to
store invoices directly (the parser is the invoices app's concern; here only the fields
matching reads matter)."""

from __future__ import annotations

import datetime
import hashlib
import itertools
from decimal import Decimal
from typing import Any

import pytest

from kravspar.contracts.models import Contract
from kravspar.invoices import originals
from kravspar.invoices.models import DocumentKind, InvoiceDocument, InvoiceLine
from kravspar.spend.models import PriceListArticle
from kravspar.testing.factories import SupplierFactory

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Invoice originals go to storage: a folder of the test's own, outside the folders
    the tests import from."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def supplier(world: Any) -> Any:
    return SupplierFactory.create(name="Medicinteknik AB", org_number="5560360793", vat_number="SE556036079301")


@pytest.fixture
def other_supplier(world: Any) -> Any:
    return SupplierFactory.create(name="Sidoleverantören AB", org_number="5565658932")


@pytest.fixture
def contract(world: Any, supplier: Any) -> Contract:
    contract = Contract.objects.create(
        contract_number="RV-2025-0107",
        title="Förbrukningsmaterial",
        signed_on=datetime.date(2025, 1, 10),
        starts_on=datetime.date(2025, 2, 1),
        ends_on=datetime.date(2026, 12, 31),
        value=Decimal(100000),
        strategy_missing=False,
    )
    contract.buyers.set([world.vastmanland])
    contract.suppliers.set([supplier])
    return contract


@pytest.fixture
def sormland_contract(world: Any, supplier: Any) -> Contract:
    contract = Contract.objects.create(
        contract_number="RS-2025-0200",
        title="Förbrukningsmaterial Sörmland",
        signed_on=datetime.date(2025, 1, 10),
        starts_on=datetime.date(2025, 2, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    contract.buyers.set([world.sormland])
    contract.suppliers.set([supplier])
    return contract


@pytest.fixture
def articles(contract: Contract) -> list[PriceListArticle]:
    return [
        PriceListArticle.objects.create(
            contract=contract, seller_item_id="ART-0001", name="Handskar", unit_code="XBX", net_price=Decimal("100.00")
        ),
        PriceListArticle.objects.create(
            contract=contract,
            seller_item_id="ART-0002",
            gtin="7300000000011",
            name="Förband",
            unit_code="EA",
            net_price=Decimal("10.00"),
        ),
    ]


def make_invoice(
    *,
    supplier: Any = None,
    buyer: Any = None,
    lines: list[dict[str, Any]],
    issue_date: datetime.date = datetime.date(2026, 3, 2),
    kind: str = DocumentKind.INVOICE,
    number: str = "",
    contract_reference: str = "",
    order_reference: str = "",
    buyer_reference: str = "",
    billing_reference: str = "",
    seller_org_number: str | None = None,
    currency: str = "SEK",
    delivery_date: datetime.date | None = None,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
) -> InvoiceDocument:
    """Store an invoice as the import would. ``lines``: dicts with item, price, quantity and
    optionally gtin, unit, period_start and period_end."""
    n = next(_seq)
    org_number = seller_org_number if seller_org_number is not None else (supplier.org_number if supplier else "")
    total = sum((Decimal(str(line["price"])) * Decimal(str(line.get("quantity", 1))) for line in lines), Decimal(0))
    doc = InvoiceDocument.objects.create(
        kind=kind,
        original=originals.save(b"<Invoice/>"),
        sha256=hashlib.sha256(f"doc-{n}".encode()).hexdigest(),
        number=number or f"F{n:05d}",
        issue_date=issue_date,
        delivery_date=delivery_date,
        period_start=period_start,
        period_end=period_end,
        currency=currency,
        contract_reference=contract_reference,
        order_reference=order_reference,
        buyer_reference=buyer_reference,
        billing_reference=billing_reference,
        seller_key=f"0007:{org_number}",
        seller_legal_id=org_number,
        seller_legal_scheme="0007",
        seller_org_number=org_number,
        seller_name=supplier.name if supplier else "Okänd AB",
        buyer_endpoint_id=buyer.peppol_value if buyer else "0000000000",
        buyer_endpoint_scheme="0007",
        line_extension_amount=total,
        tax_exclusive_amount=total,
        tax_inclusive_amount=total * Decimal("1.25"),
        payable_amount=total * Decimal("1.25"),
        line_count=len(lines),
        buyer_organisation=buyer,
        supplier=supplier,
        imported_at=datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC),
    )
    for position, line in enumerate(lines, start=1):
        quantity = Decimal(str(line.get("quantity", 1)))
        price = Decimal(str(line["price"]))
        InvoiceLine.objects.create(
            document=doc,
            position=position,
            line_id=str(position),
            quantity=quantity,
            unit_code=line.get("unit", "XBX"),
            line_net_amount=(price * quantity).quantize(Decimal("0.01")),
            price_amount=price,
            item_name=line.get("name", "Vara"),
            seller_item_id=line.get("item", ""),
            standard_item_id=line.get("gtin", ""),
            standard_item_scheme="0160" if line.get("gtin") else "",
            period_start=line.get("period_start"),
            period_end=line.get("period_end"),
        )
    return doc
