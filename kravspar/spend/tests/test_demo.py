"""The demo: after the invoices demo, the price list of RV-2025-0107 makes the demo
invoices match, the over-priced months raise an economy deviation, and the office
supplier's invoice to Region Sörmland is a purchase outside contract. Twice changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kravspar.contracts.models import Contract, ContractStatus
from kravspar.findings.models import Deviation
from kravspar.invoices import demo as invoices_demo
from kravspar.spend import demo, figures
from kravspar.spend.models import (
    Check,
    DeviationInvoiceLine,
    EconomyFinding,
    InvoiceMatch,
    LineMatch,
    LineStatus,
    OffContractPurchase,
    PriceCheck,
    PriceListArticle,
)
from kravspar.testing.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def test_demo_matches_the_demo_invoices_and_is_idempotent(world: Any) -> None:
    supplier = SupplierFactory.create(
        name="Mälardalens Lokalvård AB", org_number=invoices_demo.CLEANING_SUPPLIER.org_number
    )
    today = timezone.localdate()
    contract = Contract.objects.create(
        contract_number="RV-2025-0107",
        title="Lokalvård",
        signed_on=today - datetime.timedelta(days=400),
        starts_on=today - datetime.timedelta(days=390),
        ends_on=today + datetime.timedelta(days=700),
    )
    contract.buyers.set([world.vastmanland])
    contract.suppliers.set([supplier])
    invoices_demo.seed()
    demo.seed()
    assert PriceListArticle.objects.filter(contract=contract).count() == len(invoices_demo.CLEANING_PRICE_LIST)
    assert InvoiceMatch.objects.filter(contract=contract).count() >= 3
    assert LineMatch.objects.filter(contract=contract, status=LineStatus.MATCHED).exists()
    checks = set(EconomyFinding.objects.values_list("check_type", flat=True))
    assert {"over_price", "not_on_contract"} <= checks
    off = OffContractPurchase.objects.get()
    assert off.organisation == world.sormland
    counts = (
        Deviation.objects.count(),
        PriceListArticle.objects.count(),
        OffContractPurchase.objects.count(),
        Contract.objects.count(),
    )
    demo.seed()
    assert (
        Deviation.objects.count(),
        PriceListArticle.objects.count(),
        OffContractPurchase.objects.count(),
        Contract.objects.count(),
    ) == counts


def test_demo_shows_arrears_not_flagged_and_units_and_euro_flagged(world: Any) -> None:
    """Issue 11: each case the economy checks must get right is in the demo, judged right."""
    supplier = SupplierFactory.create(
        name="Mälardalens Lokalvård AB", org_number=invoices_demo.CLEANING_SUPPLIER.org_number
    )
    today = timezone.localdate()
    contract = Contract.objects.create(
        contract_number="RV-2025-0107",
        title="Lokalvård",
        signed_on=today - datetime.timedelta(days=400),
        starts_on=today - datetime.timedelta(days=370),
        ends_on=today + datetime.timedelta(days=700),
        value=Decimal(30_000_000),
    )
    contract.buyers.set([world.vastmanland])
    contract.suppliers.set([supplier])
    invoices_demo.seed()
    demo.seed()

    # The predecessor: registered, expired the day before RV-2025-0107 started, with its prices.
    predecessor = Contract.objects.get(contract_number=invoices_demo.PREDECESSOR_NUMBER)
    assert predecessor.ends_on == contract.starts_on - datetime.timedelta(days=1)
    assert predecessor.status == ContractStatus.EXPIRED
    assert predecessor.price_list.count() == len(invoices_demo.CLEANING_PRICE_LIST)

    # In arrears for its last month, written after its end: matched to it, on its prices, not flagged.
    arrears = InvoiceMatch.objects.get(contract=predecessor)
    assert arrears.document.issue_date > predecessor.ends_on
    assert arrears.covered_to == predecessor.ends_on
    assert not LineMatch.objects.filter(invoice_match=arrears).exclude(status=LineStatus.MATCHED).exists()
    assert LineMatch.objects.filter(invoice_match=arrears, on_terms=True).count() == arrears.document.line_count
    assert not EconomyFinding.objects.filter(document=arrears.document).exists()
    assert not Deviation.objects.filter(contract=predecessor).exists()

    # Hours billed in minutes: converted, and above the agreed price per hour.
    minutes = LineMatch.objects.get(line__unit_code="MIN")
    assert (minutes.price_check, minutes.compared_price) == (PriceCheck.CONVERTED, Decimal(435))
    assert minutes.over_price
    assert DeviationInvoiceLine.objects.filter(line=minutes.line, check_type=Check.OVER_PRICE).exists()

    # Pieces billed by the box: no fixed factor, so "unit differs", with the line.
    box = LineMatch.objects.get(line__unit_code="XBX")
    assert box.price_check == PriceCheck.UNIT_DIFFERS
    unit = DeviationInvoiceLine.objects.get(line=box.line, check_type=Check.UNIT_DIFFERS)

    # In euro: "currency differs", and out of the kronor figures.
    euro = InvoiceMatch.objects.get(currency="EUR")
    assert euro.contract == contract
    currency = EconomyFinding.objects.get(document=euro.document, check_type=Check.CURRENCY_DIFFERS)
    assert not EconomyFinding.objects.filter(document=euro.document).exclude(check_type=Check.CURRENCY_DIFFERS).exists()
    assert not figures.filtered(world.admin).filter(invoice_match=euro).exists()

    # Every economy deviation keeps the trail to the contract's economy requirement.
    for deviation in (unit.deviation, currency.deviation, *Deviation.objects.filter(kind="economy")):
        assert deviation.requirement is not None
        assert (deviation.requirement.contract, deviation.requirement.type) == (contract, "economy")
