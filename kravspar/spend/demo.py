"""Demo data of spend, called by `seed_demo` after the invoices demo.

Puts the agreed prices of the demo cleaning contract RV-2025-0107 on its price list (the
same item ids ART-0001 … as the invoices demo bills, ``invoices.demo.CLEANING_PRICE_LIST``),
registers its predecessor ``invoices.demo.PREDECESSOR_NUMBER`` (same supplier and buyer,
signed before Kravspår and expired the day before RV-2025-0107 started) with its own
prices, registers the office supplier that invoices Region Sörmland without a contract, and
matches every stored invoice again. The result: matched lines, over-priced lines that
become an economy deviation (one of them billed in minutes against a price per hour), a
line for an article not on the contract, a line billed by the box against a price per piece
("unit differs"), an invoice in euro ("currency differs"), an invoice in arrears for the
predecessor's last month that is *not* after its end, a credit note netted against the
invoice it credits, and a purchase outside contract.

Idempotent: a price list is filled only when empty, the predecessor contract and the
supplier are looked up before they are created, and matching again never raises the same
finding twice.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kravspar.contracts.models import Contract, ContractStatus
from kravspar.invoices.models import InvoiceDocument
from kravspar.spend import pricelists
from kravspar.spend.matching import match_documents
from kravspar.spend.models import PriceListArticle

logger = logging.getLogger(__name__)


def seed() -> list[tuple[str, str, str]]:
    """Idempotent: running `seed_demo` twice creates nothing new. Returns extra demo
    logins as (username, role, name) for `make run` to print. (The invoices of the last twelve
    months, ``spend.demo_invoices``, come at the end of `seed_demo`, when every contract exists.)"""
    try:
        from kravspar.invoices import demo as invoices_demo
    except ImportError:  # the invoices demo is not there: nothing to price
        return []
    contract = Contract.objects.filter(contract_number=invoices_demo.CONTRACT_NUMBER).first()
    if contract is not None:
        _price_list(contract, invoices_demo.CLEANING_PRICE_LIST, valid_to=None)
        predecessor = _predecessor(contract, invoices_demo)
        if predecessor is not None:
            _price_list(predecessor, invoices_demo.predecessor_price_list(), valid_to=predecessor.ends_on)
    office = invoices_demo.OFF_CONTRACT_SUPPLIER
    from kravspar.suppliers import services as supplier_services

    supplier_services.supplier_get_or_create(
        actor=None, name=office.name, org_number=office.org_number, source="Demodata"
    )
    match_documents(InvoiceDocument.objects.order_by("id").values_list("id", flat=True))
    return []


def _price_list(
    contract: Contract, prices: tuple[tuple[str, str, str, Decimal], ...], *, valid_to: datetime.date | None
) -> None:
    if PriceListArticle.objects.filter(contract=contract).exists():
        return
    for item, name, unit, price in prices:
        pricelists.article_create(
            actor=None,
            contract=contract,
            seller_item_id=item,
            name=name,
            unit_code=unit,
            net_price=price,
            valid_from=contract.starts_on,
            valid_to=valid_to,
            price_index="KPI" if unit == "HUR" else "",
            note="Avtalat pris enligt prisbilaga 2 till avtalet.",
        )


def _predecessor(contract: Contract, invoices_demo: Any) -> Contract | None:
    """The cleaning contract before ``contract`` (same supplier and buyer), registered as one
    signed before Kravspår and marked expired; None if ``contract`` has no single supplier."""
    existing = Contract.objects.filter(contract_number=invoices_demo.PREDECESSOR_NUMBER).first()
    if existing is not None:
        return existing
    suppliers, buyers = list(contract.suppliers.all()), list(contract.buyers.all())
    if len(suppliers) != 1 or not buyers:
        return None
    from kravspar.contracts import services as contract_services

    signed, starts, ends = invoices_demo.predecessor_period(contract.starts_on)
    predecessor = contract_services.contract_register_direct(
        actor=None,
        suppliers=suppliers,
        buyers=buyers,
        contract_number=invoices_demo.PREDECESSOR_NUMBER,
        title=f"{contract.title} (föregående avtal)",
        signed_on=signed,
        starts_on=starts,
        ends_on=ends,
        value=contract.value,
    )
    if ends < timezone.localdate():
        predecessor = contract_services.contract_set_status(actor=None, contract=predecessor, to=ContractStatus.EXPIRED)
    return predecessor
