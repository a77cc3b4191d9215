"""The period an invoice covers decides "after the end", which contract a supplier's invoice
belongs to, and which price list applies; the issue date only when the invoice gives no
delivery date or period (issue 11). The demo contract runs 2025-02-01 – 2026-12-31."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kravspar.contracts.models import Contract
from kravspar.findings.models import Deviation
from kravspar.spend.matching import Matcher
from kravspar.spend.models import (
    Check,
    DeviationInvoiceLine,
    EconomyFinding,
    InvoiceMatch,
    LineMatch,
    LineStatus,
    MatchMethod,
    MatchStatus,
    OffContractPurchase,
    PriceListArticle,
)
from kravspar.spend.policy import Period, document_period, line_period
from kravspar.spend.tests.conftest import make_invoice

pytestmark = pytest.mark.django_db
D = datetime.date
AFTER = D(2027, 1, 8)  # a week after the contract's end


def match(doc: Any) -> InvoiceMatch:
    Matcher(tolerance=Decimal(2)).match([doc.pk])
    return InvoiceMatch.objects.get(document=doc)


def checks() -> set[str]:
    return set(EconomyFinding.objects.values_list("check_type", flat=True))


# --- the rule -------------------------------------------------------------------------------


def test_the_period_rule() -> None:
    issue = D(2027, 1, 8)
    assert document_period(issue) == Period(issue, issue)
    assert document_period(issue, delivery_date=D(2026, 12, 31)) == Period(D(2026, 12, 31), D(2026, 12, 31))
    december = document_period(issue, period_start=D(2026, 12, 1), period_end=D(2026, 12, 31))
    assert december == Period(D(2026, 12, 1), D(2026, 12, 31))
    # A delivery date outside the period widens it: both are the supplier's own words.
    assert document_period(issue, D(2026, 11, 20), D(2026, 12, 1), D(2026, 12, 31)) == Period(
        D(2026, 11, 20), D(2026, 12, 31)
    )
    assert line_period(december) == december
    assert line_period(december, D(2026, 12, 3), D(2026, 12, 4)) == Period(D(2026, 12, 3), D(2026, 12, 4))
    assert line_period(december, D(2026, 12, 3)) == Period(D(2026, 12, 3), D(2026, 12, 3))
    assert str(december) == "2026-12-01–2026-12-31" and str(Period(issue, issue)) == "2027-01-08"


# --- after the end ----------------------------------------------------------------------------


def test_an_invoice_in_arrears_for_the_last_month_is_not_after_the_end(
    world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        contract_reference="RV-2025-0107",
        issue_date=AFTER,
        period_start=D(2026, 12, 1),
        period_end=D(2026, 12, 31),
        lines=[{"item": "ART-0001", "price": 100}],
    )
    m = match(doc)
    assert m.contract == contract
    assert (m.covered_from, m.covered_to) == (D(2026, 12, 1), D(2026, 12, 31))
    assert not EconomyFinding.objects.exists()
    assert not Deviation.objects.exists()


def test_a_delivery_date_inside_the_contract_is_enough(
    world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        contract_reference="RV-2025-0107",
        issue_date=AFTER,
        delivery_date=D(2026, 12, 30),
        lines=[{"item": "ART-0001", "price": 100}],
    )
    match(doc)
    assert Check.AFTER_END not in checks()


def test_without_delivery_date_or_period_the_issue_date_counts(
    world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        contract_reference="RV-2025-0107",
        issue_date=AFTER,
        lines=[{"item": "ART-0001", "price": 100}],
    )
    match(doc)
    deviation = EconomyFinding.objects.get(check_type=Check.AFTER_END).deviation
    assert "2027-01-08" in deviation.description and "2026-12-31" in deviation.description
    assert "fakturadatum" in deviation.description


def test_a_period_past_the_end_is_after_the_end_and_the_deviation_says_which(
    world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        contract_reference="RV-2025-0107",
        issue_date=D(2027, 2, 3),
        period_start=D(2026, 12, 15),
        period_end=D(2027, 1, 14),
        lines=[{"item": "ART-0001", "price": 100}],
    )
    match(doc)
    deviation = EconomyFinding.objects.get(check_type=Check.AFTER_END).deviation
    assert "2026-12-15–2027-01-14" in deviation.description
    assert "BT-72" in deviation.description


def test_each_line_is_judged_by_its_own_period(world: Any, supplier: Any, contract: Contract, articles: Any) -> None:
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        contract_reference="RV-2025-0107",
        issue_date=AFTER,
        period_start=D(2026, 12, 1),
        period_end=D(2026, 12, 31),
        lines=[
            {"item": "ART-0001", "price": 100},
            {"item": "ART-0001", "price": 100, "period_start": D(2027, 1, 2), "period_end": D(2027, 1, 3)},
            {"item": "ART-0001", "price": 100, "period_start": D(2026, 12, 20), "period_end": D(2026, 12, 21)},
        ],
    )
    m = match(doc)
    assert (m.covered_from, m.covered_to) == (D(2026, 12, 1), D(2027, 1, 3))
    evidence = DeviationInvoiceLine.objects.get(check_type=Check.AFTER_END)
    assert evidence.line.position == 2
    assert "2027-01-02–2027-01-03" in evidence.deviation.description


# --- which contract ----------------------------------------------------------------------------


@pytest.fixture
def successor(world: Any, supplier: Any, contract: Contract) -> Contract:
    """The next contract with the same supplier and buyer, from the day after the end."""
    successor = Contract.objects.create(
        contract_number="RV-2026-0200",
        title="Förbrukningsmaterial, nytt avtal",
        signed_on=D(2026, 10, 1),
        starts_on=D(2027, 1, 1),
        ends_on=D(2029, 12, 31),
    )
    successor.buyers.set([world.vastmanland])
    successor.suppliers.set([supplier])
    return successor


def test_an_arrears_invoice_without_reference_goes_to_the_contract_it_covers(
    world: Any, supplier: Any, contract: Contract, successor: Contract
) -> None:
    """Written in January under the new contract, but for December under the old one."""
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        issue_date=AFTER,
        period_start=D(2026, 12, 1),
        period_end=D(2026, 12, 31),
        lines=[{"item": "X", "price": 1}],
    )
    m = match(doc)
    assert (m.status, m.method, m.contract) == (MatchStatus.MATCHED, MatchMethod.SUPPLIER_PERIOD, contract)
    assert m.detail == "2026-12-01–2026-12-31"
    # With no period the issue date decides, and it falls in the new contract.
    plain = make_invoice(
        supplier=supplier, buyer=world.vastmanland, issue_date=AFTER, lines=[{"item": "X", "price": 1}]
    )
    assert match(plain).contract == successor


def test_an_invoice_covering_both_contracts_is_ambiguous(
    world: Any, supplier: Any, contract: Contract, successor: Contract
) -> None:
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        issue_date=D(2027, 2, 1),
        period_start=D(2026, 12, 15),
        period_end=D(2027, 1, 14),
        lines=[{"item": "X", "price": 1}],
    )
    m = match(doc)
    assert m.status == MatchStatus.AMBIGUOUS
    assert set(m.candidates.all()) == {contract, successor}


def test_outside_every_contract_the_nearest_is_measured_from_the_period(
    world: Any, supplier: Any, contract: Contract
) -> None:
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        issue_date=D(2027, 6, 1),
        delivery_date=D(2027, 3, 1),
        lines=[{"item": "X", "price": 1}],
    )
    m = match(doc)
    assert m.status == MatchStatus.NO_CONTRACT
    assert OffContractPurchase.objects.get(document=doc).nearest_contract == contract


# --- which price ------------------------------------------------------------------------------


def test_the_price_list_of_the_months_billed_applies(
    world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    """The agreed price ended on 31 December; an invoice written in January for December is
    still priced by it, not "not on the contract"."""
    PriceListArticle.objects.filter(seller_item_id="ART-0001").update(valid_to=D(2026, 12, 31))
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        contract_reference="RV-2025-0107",
        issue_date=AFTER,
        delivery_date=D(2026, 12, 20),
        lines=[{"item": "ART-0001", "price": 100}],
    )
    match(doc)
    line = LineMatch.objects.get()
    assert (line.status, line.agreed_price) == (LineStatus.MATCHED, Decimal(100))
    assert not EconomyFinding.objects.exists()


def test_a_period_across_a_price_change_is_compared_with_the_higher_price(
    world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    """Indexed on 1 January from 100 to 104: a period 15 Dec – 14 Jan billed at 104 is not
    above the agreed price on every day it covers, so it is no price deviation; 107 is."""
    PriceListArticle.objects.filter(seller_item_id="ART-0001").update(valid_to=D(2025, 12, 31))
    PriceListArticle.objects.create(
        contract=contract,
        seller_item_id="ART-0001",
        name="Handskar",
        unit_code="XBX",
        net_price=Decimal("104.00"),
        valid_from=D(2026, 1, 1),
    )
    period = {"period_start": D(2025, 12, 15), "period_end": D(2026, 1, 14)}
    ok = make_invoice(supplier=supplier, buyer=world.vastmanland, lines=[{"item": "ART-0001", "price": 104}], **period)
    match(ok)
    assert LineMatch.objects.get(line__document=ok).agreed_price == Decimal(104)
    assert not EconomyFinding.objects.exists()
    high = make_invoice(
        supplier=supplier, buyer=world.vastmanland, lines=[{"item": "ART-0001", "price": 107}], **period
    )
    match(high)
    assert EconomyFinding.objects.get().check_type == Check.OVER_PRICE


def test_the_deviation_page_shows_what_each_line_covers(
    world: Any, supplier: Any, contract: Contract, articles: Any, client_for: Any
) -> None:
    from django.urls import reverse

    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        contract_reference="RV-2025-0107",
        issue_date=AFTER,
        period_start=D(2026, 12, 1),
        period_end=D(2026, 12, 31),
        lines=[{"item": "ART-0001", "price": 100, "period_start": D(2027, 1, 2), "period_end": D(2027, 1, 3)}],
    )
    match(doc)
    deviation = EconomyFinding.objects.get(check_type=Check.AFTER_END).deviation
    page = client_for(world.officer).get(reverse("findings:detail", args=[deviation.uuid])).content.decode()
    assert "Avser" in page and "2027-01-02–2027-01-03" in page and "2027-01-08" in page
