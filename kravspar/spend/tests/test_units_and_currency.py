"""A line in another unit than the price list's is converted where UN/ECE Rec 20 gives a
fixed factor and otherwise raised as "unit differs"; a document in another currency is never
compared number to number nor added to kronor (issue 11)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kravspar.audit.labels import action_label
from kravspar.audit.models import AuditEvent
from kravspar.contracts.models import Contract, ContractRequirement
from kravspar.findings.models import Deviation
from kravspar.reports.scope import ReportScope
from kravspar.spend import figures
from kravspar.spend.matching import Matcher
from kravspar.spend.models import (
    Check,
    DeviationInvoiceLine,
    EconomyFinding,
    LineMatch,
    OffContractPurchase,
    PriceCheck,
    PriceListArticle,
)
from kravspar.spend.requirements import ACTION, economy_requirement_for
from kravspar.spend.tests.conftest import make_invoice

pytestmark = pytest.mark.django_db


def match(*docs: Any) -> None:
    Matcher(tolerance=Decimal(2)).match([d.pk for d in docs])


@pytest.fixture
def by_weight(contract: Contract) -> PriceListArticle:
    return PriceListArticle.objects.create(
        contract=contract, seller_item_id="ART-0003", name="Golvvårdsmedel", unit_code="KGM", net_price=Decimal(84)
    )


def invoice(supplier: Any, world: Any, **line: Any) -> Any:
    return make_invoice(supplier=supplier, buyer=world.vastmanland, contract_reference="RV-2025-0107", lines=[line])


# --- units ------------------------------------------------------------------------------------


def test_a_line_in_grams_is_converted_and_checked_against_the_price_per_kilogram(
    world: Any, supplier: Any, contract: Contract, by_weight: PriceListArticle
) -> None:
    """0.092 SEK a gram is 92 SEK a kilogram: 9.5 % above the agreed 84."""
    doc = invoice(supplier, world, item="ART-0003", price="0.092", quantity=2500, unit="GRM")
    match(doc)
    line = LineMatch.objects.get()
    assert (line.price_check, line.compared_price, line.agreed_price) == (
        PriceCheck.CONVERTED,
        Decimal(92),
        Decimal(84),
    )
    assert line.over_price and not line.on_terms
    assert line.overcharge == Decimal("20.00")  # (92 − 84) × 2.5 kg
    evidence = DeviationInvoiceLine.objects.get()
    assert (evidence.check_type, evidence.overcharge) == (Check.OVER_PRICE, Decimal("20.00"))
    assert "Rekommendation 20" in evidence.deviation.description


def test_a_converted_price_at_the_agreed_price_is_on_terms(world: Any, supplier: Any, contract: Contract) -> None:
    """Agreed 0.084 SEK a gram; billed 84 000 SEK a tonne, the same price."""
    PriceListArticle.objects.create(
        contract=contract, seller_item_id="G-1", name="Salt", unit_code="GRM", net_price=Decimal("0.084")
    )
    doc = invoice(supplier, world, item="G-1", price=84000, quantity="0.5", unit="TNE")
    match(doc)
    line = LineMatch.objects.get()
    assert (line.price_check, line.compared_price) == (PriceCheck.CONVERTED, Decimal("0.084"))
    assert line.on_terms and not line.over_price
    assert not Deviation.objects.exists()


def test_exactly_at_the_tolerance_after_conversion_is_accepted(world: Any, supplier: Any, contract: Contract) -> None:
    """Agreed 425 an hour; 7.225 a minute is 433.50 an hour, exactly 2 % above: accepted.
    The comparison is exact, so no rounding of 1/60 moves it across the line."""
    PriceListArticle.objects.create(
        contract=contract, seller_item_id="T-1", name="Städtimme", unit_code="HUR", net_price=Decimal(425)
    )
    at = invoice(supplier, world, item="T-1", price="7.225", quantity=600, unit="MIN")
    above = invoice(supplier, world, item="T-1", price="7.2250001", quantity=600, unit="MIN")
    match(at, above)
    assert LineMatch.objects.get(line__document=at).over_price is False
    assert LineMatch.objects.get(line__document=above).over_price is True


def test_a_unit_without_a_fixed_factor_is_a_deviation_with_the_line(
    world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    """ART-0002 is agreed per piece (EA); billed by the box (XBX), which holds what the
    supplier puts in it. Before, this line was silently left unchecked."""
    doc = invoice(supplier, world, item="ART-0002", price=1150, quantity=1, unit="XBX")
    match(doc)
    line = LineMatch.objects.get()
    assert (line.price_check, line.over_price, line.on_terms, line.compared_price) == (
        PriceCheck.UNIT_DIFFERS,
        False,
        False,
        None,
    )
    finding = EconomyFinding.objects.get()
    assert finding.check_type == Check.UNIT_DIFFERS
    deviation = finding.deviation
    assert (deviation.kind, deviation.severity) == ("economy", "minor")
    assert "XBX" in deviation.description and "EA" in deviation.description
    assert list(deviation.invoice_lines.values_list("line_id", flat=True)) == [line.line_id]
    match(doc)  # again: nothing new
    assert Deviation.objects.count() == 1


def test_units_of_count_for_single_items_are_the_same_unit(
    world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    """EA, H87 and C62 all count single items (Rec 20): a piece is not a change of unit."""
    doc = invoice(supplier, world, item="ART-0002", price=12, quantity=10, unit="H87")
    match(doc)
    line = LineMatch.objects.get()
    assert line.price_check == PriceCheck.CONVERTED
    assert line.over_price
    assert EconomyFinding.objects.get().check_type == Check.OVER_PRICE


# --- currency ---------------------------------------------------------------------------------


def test_an_invoice_in_euro_is_a_deviation_and_never_compared(
    world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    """10 EUR is not "below" 100 SEK, and 130 EUR not "above" it."""
    doc = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        contract_reference="RV-2025-0107",
        currency="EUR",
        lines=[{"item": "ART-0001", "price": 130}, {"item": "ART-0001", "price": 10}],
    )
    match(doc)
    lines = LineMatch.objects.all()
    assert {(lm.price_check, lm.over_price, lm.on_terms, lm.currency) for lm in lines} == {
        (PriceCheck.CURRENCY_DIFFERS, False, False, "EUR")
    }
    finding = EconomyFinding.objects.get()
    assert finding.check_type == Check.CURRENCY_DIFFERS
    assert "EUR" in finding.deviation.description and "SEK" in finding.deviation.description
    assert finding.deviation.invoice_lines.count() == 2


def test_documents_in_another_currency_stay_out_of_every_kronor_figure(
    world: Any, supplier: Any, other_supplier: Any, contract: Contract, articles: Any
) -> None:
    sek = make_invoice(supplier=supplier, buyer=world.vastmanland, lines=[{"item": "ART-0001", "price": 100}])
    eur = make_invoice(
        supplier=supplier,
        buyer=world.vastmanland,
        currency="EUR",
        lines=[{"item": "ART-0001", "price": 99999, "quantity": 2}],
    )
    off_sek = make_invoice(supplier=other_supplier, buyer=world.vastmanland, lines=[{"item": "X", "price": 50}])
    off_eur = make_invoice(
        supplier=other_supplier, buyer=world.vastmanland, currency="EUR", lines=[{"item": "X", "price": 70}]
    )
    match(sek, eur, off_sek, off_eur)
    # Past the contract's value of 100 000 only if euro were added to kronor: it is not.
    assert not EconomyFinding.objects.filter(check_type=Check.OVER_VALUE).exists()

    qs = figures.filtered(world.admin)
    total = figures.totals(qs)
    assert (total.lines, total.total) == (2, Decimal("150.00"))
    assert figures.foreign_documents(figures.scoped(world.admin)) == 2
    rows = figures.contract_spend(qs)
    assert [(r["contract_id"], r["spent"]) for r in rows] == [(contract.pk, Decimal("100.00"))]

    scope = ReportScope(
        key="",
        label="",
        org_ids=None,
        date_from=datetime.date(2026, 1, 1),
        date_to=datetime.date(2026, 12, 31),
        today=datetime.date(2026, 12, 31),
    )
    extension = figures.dashboard_extension(scope)
    spend_row = next(r for r in extension["rows"] if r.key == "spend")
    assert spend_row.counts["n"] == "150"
    assert "2 dokument" in extension["how"]

    assert OffContractPurchase.objects.get(document=off_eur).currency == "EUR"


def test_the_spend_pages_say_how_many_documents_are_left_out(
    world: Any, supplier: Any, contract: Contract, articles: Any, client_for: Any
) -> None:
    sek = make_invoice(supplier=supplier, buyer=world.vastmanland, lines=[{"item": "ART-0001", "price": 100}])
    eur = make_invoice(
        supplier=supplier, buyer=world.vastmanland, currency="EUR", lines=[{"item": "ART-0001", "price": 9}]
    )
    match(sek, eur)
    client = client_for(world.admin)
    page = client.get("/ekonomi/").content.decode()
    assert "1 dokument i annan valuta än SEK" in page
    lines = client.get("/ekonomi/rader/").content.decode()
    assert "1 dokument i annan valuta än SEK" in lines and eur.number not in lines
    foreign = client.get("/ekonomi/rader/?urval=foreign_currency").content.decode()
    assert eur.number in foreign and sek.number not in foreign
    invoice_page = client.get(f"/ekonomi/fakturor/{eur.uuid}/").content.decode()
    assert "EUR" in invoice_page and "valutan skiljer sig" in invoice_page
    body = client.get("/api/v1/spend/figures").json()
    assert (Decimal(body["total"]["spend"]), body["foreign_currency_documents"]) == (100, 1)


def test_off_contract_total_is_in_kronor_only(
    world: Any, other_supplier: Any, contract: Contract, client_for: Any
) -> None:
    a = make_invoice(supplier=other_supplier, buyer=world.vastmanland, lines=[{"item": "X", "price": 50}])
    b = make_invoice(
        supplier=other_supplier, buyer=world.vastmanland, currency="EUR", lines=[{"item": "X", "price": 70}]
    )
    match(a, b)
    page = client_for(world.admin).get("/ekonomi/utanfor-avtal/").content.decode()
    assert "50,00" in page and "70,00 EUR" in page
    assert "1 inköp i annan valuta än SEK" in page


# --- the requirement behind the deviation -------------------------------------------------------


def test_an_invoice_deviation_is_tied_to_an_economy_requirement_added_to_the_contract(
    world: Any, supplier: Any, contract: Contract, articles: Any
) -> None:
    assert not contract.requirements.exists()
    doc = invoice(supplier, world, item="ART-0001", price=130)
    match(doc)
    deviation = Deviation.objects.get()
    requirement = deviation.requirement
    assert requirement is not None and requirement.contract == contract
    assert (requirement.type, requirement.aims, requirement.methods) == ("economy", [1], ["invoice_check"])
    event = AuditEvent.objects.get(action=ACTION)
    assert event.object_id == str(contract.uuid)
    assert event.after["requirement"] == requirement.title
    assert action_label(ACTION) == "Ekonomikrav tillagt för fakturakontrollen"
    # The next deviation on the contract uses the same requirement; no second is added.
    other = invoice(supplier, world, item="NY-1", price=1)
    match(other)
    assert {d.requirement_id for d in Deviation.objects.all()} == {requirement.pk}
    assert contract.requirements.count() == 1
    assert AuditEvent.objects.filter(action=ACTION).count() == 1


def test_the_contracts_own_economy_requirement_is_used(world: Any, supplier: Any, contract: Contract) -> None:
    def add(title: str, type_: str, methods: list[str], aims: list[int], position: int) -> ContractRequirement:
        return ContractRequirement.objects.create(
            contract=contract, title=title, type=type_, text=title, methods=methods, aims=aims, position=position
        )

    add("Kvalitet", "quality", ["invoice_check"], [1], 0)
    add("Prisjustering mot index", "economy", ["document_review"], [1], 1)
    peppol = add("E-faktura via Peppol", "economy", ["invoice_check"], [1], 2)
    assert economy_requirement_for(contract=contract) == peppol
    assert contract.requirements.count() == 3
    assert not AuditEvent.objects.filter(action=ACTION).exists()
