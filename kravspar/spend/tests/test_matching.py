"""Matching invoices to contracts and articles, and the checks that become deviations."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from kravspar.contracts.models import Contract
from kravspar.findings.models import Deviation
from kravspar.invoices.models import DocumentKind
from kravspar.spend.matching import Matcher, match_documents
from kravspar.spend.models import (
    Check,
    DeviationInvoiceLine,
    EconomyFinding,
    InvoiceMatch,
    LineMatch,
    LineMethod,
    LineStatus,
    MatchMethod,
    MatchStatus,
    OffContractPurchase,
)
from kravspar.spend.tests.conftest import make_invoice

pytestmark = pytest.mark.django_db


def match(doc: Any) -> InvoiceMatch:
    Matcher(tolerance=Decimal(2)).match([doc.pk])
    return InvoiceMatch.objects.get(document=doc)


def test_contract_reference_wins(world: Any, supplier: Any, contract: Contract, articles: Any) -> None:
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        contract_reference="RV-2025-0107",
        lines=[{"item": "ART-0001", "price": 100}],
    )
    m = match(doc)
    assert (m.status, m.method, m.contract, m.detail) == (
        MatchStatus.MATCHED,
        MatchMethod.CONTRACT_REFERENCE,
        contract,
        "RV-2025-0107",
    )
    assert m.supplier_via == "import"
    assert not m.needs_attention


def test_order_reference_starting_with_the_contract_number(world: Any, supplier: Any, contract: Contract) -> None:
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        order_reference="RV-2025-0107-0042",
        lines=[{"item": "X", "price": 1}],
    )
    m = match(doc)
    assert (m.method, m.contract) == (MatchMethod.ORDER_REFERENCE, contract)


def test_buyer_reference(world: Any, supplier: Any, contract: Contract) -> None:
    doc = make_invoice(
        supplier=supplier, buyer=world.vastmanland, buyer_reference="rv-2025-0107", lines=[{"item": "X", "price": 1}]
    )
    m = match(doc)
    assert (m.method, m.contract) == (MatchMethod.BUYER_REFERENCE, contract)


def test_reference_to_a_contract_the_supplier_is_not_party_to_is_not_trusted(
    world: Any, other_supplier: Any, contract: Contract
) -> None:
    doc = make_invoice(
        supplier=other_supplier,
        buyer=world.vastmanland,
        contract_reference="RV-2025-0107",
        lines=[{"item": "X", "price": 1}],
    )
    m = match(doc)
    assert m.status == MatchStatus.NO_CONTRACT
    assert m.contract is None


def test_supplier_buyer_and_period(world: Any, supplier: Any, contract: Contract) -> None:
    doc = make_invoice(supplier=supplier, buyer=world.vastmanland, lines=[{"item": "X", "price": 1}])
    m = match(doc)
    assert (m.method, m.contract) == (MatchMethod.SUPPLIER_PERIOD, contract)


def test_two_valid_contracts_are_ambiguous_and_go_to_the_queue(world: Any, supplier: Any, contract: Contract) -> None:
    second = Contract.objects.create(
        contract_number="RV-2025-0108",
        title="Mer material",
        signed_on=datetime.date(2025, 1, 1),
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2027, 1, 1),
    )
    second.buyers.set([world.vastmanland])
    second.suppliers.set([supplier])
    doc = make_invoice(supplier=supplier, buyer=world.vastmanland, lines=[{"item": "X", "price": 1}])
    m = match(doc)
    assert m.status == MatchStatus.AMBIGUOUS
    assert m.needs_attention
    assert set(m.candidates.all()) == {contract, second}


def test_unknown_supplier_goes_to_the_queue(world: Any, contract: Contract) -> None:
    doc = make_invoice(
        supplier=None, buyer=world.vastmanland, seller_org_number="5567037485", lines=[{"item": "X", "price": 1}]
    )
    m = match(doc)
    assert (m.status, m.needs_attention) == (MatchStatus.NO_SUPPLIER, True)
    assert not OffContractPurchase.objects.exists()


def test_an_unknown_seller_quoting_the_contract_number_is_not_trusted(world: Any, contract: Contract) -> None:
    doc = make_invoice(
        supplier=None,
        buyer=world.vastmanland,
        seller_org_number="5567037485",
        contract_reference="RV-2025-0107",
        lines=[{"item": "X", "price": 1}],
    )
    m = match(doc)
    assert (m.status, m.contract) == (MatchStatus.NO_SUPPLIER, None)


def test_supplier_found_later_in_the_registry(world: Any, supplier: Any, contract: Contract) -> None:
    """The import found no supplier; the registry has it by organisation number now."""
    doc = make_invoice(
        supplier=None, buyer=world.vastmanland, seller_org_number=supplier.org_number, lines=[{"item": "X", "price": 1}]
    )
    m = match(doc)
    assert (m.supplier, m.supplier_via, m.contract) == (supplier, "org_number", contract)


def test_supplier_without_contract_is_an_off_contract_purchase_not_a_deviation(
    world: Any, other_supplier: Any, contract: Contract
) -> None:
    doc = make_invoice(supplier=other_supplier, buyer=world.vastmanland, lines=[{"item": "X", "price": 250}])
    m = match(doc)
    assert m.status == MatchStatus.NO_CONTRACT
    off = OffContractPurchase.objects.get(document=doc)
    assert (off.organisation, off.supplier, off.net_amount) == (world.vastmanland, other_supplier, Decimal("250.00"))
    assert not Deviation.objects.exists()
    assert LineMatch.objects.get(line__document=doc).status == LineStatus.NO_CONTRACT


def test_invoice_after_the_period_without_reference_is_off_contract(
    world: Any, supplier: Any, contract: Contract
) -> None:
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        issue_date=datetime.date(2027, 3, 1),
        lines=[{"item": "X", "price": 1}],
    )
    m = match(doc)
    assert m.status == MatchStatus.NO_CONTRACT
    assert OffContractPurchase.objects.get(document=doc).nearest_contract == contract


def test_lines_by_item_id_then_gtin(world: Any, supplier: Any, contract: Contract, articles: Any) -> None:
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        lines=[
            {"item": "ART-0001", "price": 100},
            {"item": "OKÄND", "gtin": "7300000000011", "price": 10, "unit": "EA"},
            {"item": "ART-9999", "price": 5},
        ],
    )
    m = match(doc)
    by_pos = {lm.line.position: lm for lm in LineMatch.objects.select_related("line", "article")}
    assert (by_pos[1].method, by_pos[1].article) == (LineMethod.SELLER_ITEM_ID, articles[0])
    assert (by_pos[2].method, by_pos[2].article) == (LineMethod.GTIN, articles[1])
    assert (by_pos[3].status, by_pos[3].method) == (LineStatus.NO_ARTICLE, LineMethod.NONE)
    assert m.unmatched_lines == 1 and m.needs_attention


def test_article_outside_its_validity_does_not_match(
    world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    articles[0].valid_to = datetime.date(2026, 1, 31)
    articles[0].save()
    doc = make_invoice(supplier=supplier, buyer=world.vastmanland, lines=[{"item": "ART-0001", "price": 100}])
    match(doc)
    assert LineMatch.objects.get().status == LineStatus.NO_ARTICLE


@pytest.mark.parametrize(
    ("price", "flagged"),
    [("102.00", False), ("102.01", True), ("100.00", False), ("95.00", False)],
)
def test_tolerance_boundary(
    world: Any, supplier: Any, contract: Contract, articles: Any, price: str, flagged: bool
) -> None:
    """Agreed 100.00, tolerance 2 %: 102.00 is exactly at the tolerance and accepted."""
    doc = make_invoice(
        supplier=supplier, buyer=world.vastmanland, lines=[{"item": "ART-0001", "price": price, "quantity": 3}]
    )
    match(doc)
    lm = LineMatch.objects.get()
    assert lm.over_price is flagged
    assert EconomyFinding.objects.filter(check_type=Check.OVER_PRICE).exists() is flagged
    assert lm.on_terms is (Decimal(price) <= Decimal(100))
    if flagged:
        assert lm.overcharge == Decimal("6.03")
        deviation = Deviation.objects.get()
        assert (deviation.kind, deviation.contract, deviation.severity) == ("economy", contract, "minor")
        evidence = DeviationInvoiceLine.objects.get()
        assert (evidence.line_id, evidence.agreed_price, evidence.overcharge) == (
            lm.line_id,
            Decimal(100),
            Decimal("6.03"),
        )


def test_tolerance_comes_from_the_setting(
    settings: Any, world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    settings.KRAVSPAR_PRICE_TOLERANCE_PERCENT = "10"
    doc = make_invoice(supplier=supplier, buyer=world.vastmanland, lines=[{"item": "ART-0001", "price": "109"}])
    match_documents([doc.pk])
    assert not LineMatch.objects.get().over_price


def test_one_deviation_per_invoice_and_check_and_none_again_on_rematch(
    world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        lines=[
            {"item": "ART-0001", "price": 120},
            {"item": "ART-0001", "price": 130},
            {"item": "NY-1", "price": 1},
            {"item": "NY-2", "price": 1},
        ],
    )
    match(doc)
    assert Deviation.objects.count() == 2
    over = EconomyFinding.objects.get(check_type=Check.OVER_PRICE).deviation
    assert over.invoice_lines.count() == 2
    assert EconomyFinding.objects.get(check_type=Check.NOT_ON_CONTRACT).deviation.invoice_lines.count() == 2
    call_command("match_invoices", "--all", stdout=open("/dev/null", "w"))  # noqa: SIM115
    match(doc)
    assert Deviation.objects.count() == 2
    assert DeviationInvoiceLine.objects.count() == 4


def test_spend_past_the_value_raised_once(world: Any, supplier: Any, contract: Contract, articles: Any) -> None:
    first = make_invoice(
        supplier=supplier, buyer=world.vastmanland, lines=[{"item": "ART-0001", "price": 100, "quantity": 900}]
    )
    match(first)
    assert not EconomyFinding.objects.filter(check_type=Check.OVER_VALUE).exists()
    second = make_invoice(
        supplier=supplier, buyer=world.vastmanland, lines=[{"item": "ART-0001", "price": 100, "quantity": 200}]
    )
    match(second)
    finding = EconomyFinding.objects.get(check_type=Check.OVER_VALUE)
    assert (finding.document, finding.deviation.severity) == (second, "major")
    third = make_invoice(supplier=supplier, buyer=world.vastmanland, lines=[{"item": "ART-0001", "price": 100}])
    match(third)
    assert EconomyFinding.objects.filter(check_type=Check.OVER_VALUE).count() == 1


def test_invoice_after_the_end_with_a_contract_reference(
    world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        contract_reference="RV-2025-0107",
        issue_date=datetime.date(2027, 2, 1),
        lines=[{"item": "ART-0001", "price": 100}],
    )
    m = match(doc)
    assert m.contract == contract
    assert EconomyFinding.objects.get().check_type == Check.AFTER_END


def test_credit_note_takes_the_credited_invoice_contract_and_nets(
    world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    invoice = make_invoice(
        supplier=supplier, buyer=world.vastmanland, number="F-100", lines=[{"item": "ART-0001", "price": 130}]
    )
    credit = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        kind=DocumentKind.CREDIT_NOTE,
        number="K-1",
        billing_reference="F-100",
        issue_date=datetime.date(2027, 6, 1),  # after the end: only the billing reference finds the contract
        lines=[{"item": "ART-0001", "price": 30}],
    )
    Matcher(tolerance=Decimal(2)).match([credit.pk, invoice.pk])
    m = InvoiceMatch.objects.get(document=credit)
    assert (m.method, m.contract, m.credited_document) == (MatchMethod.CREDITED_INVOICE, contract, invoice)
    assert m.net_amount == Decimal("-30.00")
    assert sum(lm.net_amount for lm in LineMatch.objects.filter(contract=contract)) == Decimal("100.00")
    # The credit note raises nothing of its own (only the invoice's over-price).
    assert list(EconomyFinding.objects.values_list("document_id", "check_type")) == [(invoice.pk, Check.OVER_PRICE)]


def test_unknown_buyer(world: Any, supplier: Any, contract: Contract) -> None:
    doc = make_invoice(supplier=supplier, buyer=None, lines=[{"item": "X", "price": 1}])
    assert match(doc).status == MatchStatus.NO_BUYER


def test_match_runs_on_the_signal(world: Any, supplier: Any, contract: Contract, articles: Any) -> None:
    from kravspar.invoices.signals import invoice_stored

    doc = make_invoice(supplier=supplier, buyer=world.vastmanland, lines=[{"item": "ART-0001", "price": 100}])
    invoice_stored.send(sender=None, document=doc)
    assert InvoiceMatch.objects.get(document=doc).contract == contract


def test_unmatched_option_rematches_the_queue(world: Any, other_supplier: Any, contract: Contract) -> None:
    doc = make_invoice(supplier=other_supplier, buyer=world.vastmanland, lines=[{"item": "X", "price": 1}])
    call_command("match_invoices", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert InvoiceMatch.objects.get(document=doc).status == MatchStatus.NO_CONTRACT
    contract.suppliers.add(other_supplier)
    call_command("match_invoices", "--unmatched", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert InvoiceMatch.objects.get(document=doc).contract == contract
    assert OffContractPurchase.objects.get(document=doc).cleared_at is not None


def test_batch_runs_in_a_fixed_number_of_queries(
    world: Any, supplier: Any, contract: Contract, articles: Any, django_assert_max_num_queries: Any
) -> None:
    docs = [
        make_invoice(supplier=supplier, buyer=world.vastmanland, lines=[{"item": "ART-0001", "price": 100}] * 5)
        for _ in range(20)
    ]
    matcher = Matcher(tolerance=Decimal(2))
    with django_assert_max_num_queries(20):
        matcher.match([d.pk for d in docs])
    assert LineMatch.objects.filter(status=LineStatus.MATCHED).count() == 100
