"""Demo data of spend, called by `seed_demo` after the invoices demo.

Puts the agreed prices of the demo cleaning contract RV-2025-0107 on its price list (the
same item ids ART-0001 … as the invoices demo bills, ``invoices.demo.CLEANING_PRICE_LIST``),
registers the office supplier that invoices Region Sörmland without a contract, and matches
every stored invoice again. The result: matched lines, over-priced lines that become an
economy deviation, a line for an article not on the contract, a credit note netted against
the invoice it credits, and a purchase outside contract.

Idempotent: the price list is filled only when empty, the supplier is looked up before it
is created, and matching again never raises the same finding twice.
"""

from __future__ import annotations

import logging

from kravspar.contracts.models import Contract
from kravspar.invoices.models import InvoiceDocument
from kravspar.spend import pricelists
from kravspar.spend.matching import match_documents
from kravspar.spend.models import PriceListArticle

logger = logging.getLogger(__name__)


def seed() -> list[tuple[str, str, str]]:
    """Idempotent: running `seed_demo` twice creates nothing new. Returns extra demo
    logins as (username, role, name) for `make run` to print."""
    try:
        from kravspar.invoices import demo as invoices_demo
    except ImportError:  # the invoices demo is not there: nothing to price
        return []
    contract = Contract.objects.filter(contract_number=invoices_demo.CONTRACT_NUMBER).first()
    if contract is not None and not PriceListArticle.objects.filter(contract=contract).exists():
        for item, name, unit, price in invoices_demo.CLEANING_PRICE_LIST:
            pricelists.article_create(
                actor=None,
                contract=contract,
                seller_item_id=item,
                name=name,
                unit_code=unit,
                net_price=price,
                valid_from=contract.starts_on,
                price_index="KPI" if unit == "HUR" else "",
                note="Avtalat pris enligt prisbilaga 2 till avtalet.",
            )
    office = invoices_demo.OFF_CONTRACT_SUPPLIER
    from kravspar.suppliers import services as supplier_services

    supplier_services.supplier_get_or_create(
        actor=None, name=office.name, org_number=office.org_number, source="Demodata"
    )
    match_documents(InvoiceDocument.objects.order_by("id").values_list("id", flat=True))
    return []
