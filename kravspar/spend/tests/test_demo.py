"""The demo: after the invoices demo, the price list of RV-2025-0107 makes the demo
invoices match, the over-priced months raise an economy deviation, and the office
supplier's invoice to Region Sörmland is a purchase outside contract. Twice changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from kravspar.contracts.models import Contract
from kravspar.findings.models import Deviation
from kravspar.invoices import demo as invoices_demo
from kravspar.spend import demo
from kravspar.spend.models import (
    EconomyFinding,
    InvoiceMatch,
    LineMatch,
    LineStatus,
    OffContractPurchase,
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
    counts = (Deviation.objects.count(), PriceListArticle.objects.count(), OffContractPurchase.objects.count())
    demo.seed()
    assert (Deviation.objects.count(), PriceListArticle.objects.count(), OffContractPurchase.objects.count()) == counts
