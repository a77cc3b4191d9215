"""The demo invoices and the generator the demo and the benchmark use."""

from __future__ import annotations

import datetime
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from kravspar.invoices import demo
from kravspar.invoices.generate import catalogue, random_specs, render, write_many
from kravspar.invoices.models import BatchSource, ImportBatch, InvoiceDocument, InvoiceLine
from kravspar.invoices.ubl import ProblemCode, parse
from kravspar.testing.factories import SupplierFactory


@pytest.mark.django_db
def test_demo_is_quick_idempotent_and_has_its_story(world: Any) -> None:
    SupplierFactory.create(name="Mälardalens Lokalvård AB", org_number=demo.CLEANING_SUPPLIER.org_number)
    started = time.perf_counter()
    demo.seed()
    assert time.perf_counter() - started < 5
    demo.seed()
    batch = ImportBatch.objects.get(source=BatchSource.DEMO)
    assert (batch.imported_count, batch.duplicate_count, batch.refused_count) == (14, 1, 1)
    codes = dict(batch.problems.values_list("file_name", "code"))
    assert codes["VSF-0012.xml"] == ProblemCode.INVALID_ORG_NUMBER
    assert codes[
        f"{InvoiceDocument.objects.filter(number__startswith='ML-').order_by('issue_date')[0].number}-kopia.xml"
    ] == (ProblemCode.DUPLICATE_FILE)
    assert codes["KGN-44871.xml"] == ProblemCode.UNKNOWN_SUPPLIER  # the off-contract supplier, stored with a warning
    cleaning = InvoiceDocument.objects.filter(
        contract_reference="RV-2025-0107", kind="invoice", currency="SEK"
    ).order_by("issue_date")
    assert cleaning.count() == demo.MONTHS
    assert {d.buyer_organisation for d in cleaning} == {world.vastmanland}
    # Each monthly invoice covers the month before it.
    for doc in cleaning:
        assert doc.period_start is not None and doc.period_end is not None
        assert doc.period_start <= doc.period_end < doc.issue_date
    agreed = {item: (unit, price) for item, _name, unit, price in demo.CLEANING_PRICE_LIST}
    overpriced = InvoiceLine.objects.filter(document__in=cleaning).exclude(seller_item_id="ART-0099")
    above = {
        (line.document.number, line.seller_item_id)
        for line in overpriced
        if line.unit_code == agreed[line.seller_item_id][0] and line.price_amount > agreed[line.seller_item_id][1]
    }
    last_two = [d.number for d in cleaning][-2:]
    assert above == {(n, item) for n in last_two for item in demo.OVERPRICED}
    assert InvoiceLine.objects.filter(seller_item_id="ART-0099").count() == 1
    credit = InvoiceDocument.objects.get(kind="credit_note")
    assert credit.billing_reference == cleaning[1].number
    sormland = InvoiceDocument.objects.get(number="KGN-44871")
    assert sormland.buyer_organisation == world.sormland
    assert sormland.supplier is None


@pytest.mark.django_db
def test_demo_has_the_arrears_the_changed_units_and_the_euro_invoice(world: Any) -> None:
    """Issue 11: the demo shows each case the economy checks must get right (the spend
    demo's test shows how each is judged)."""
    demo.seed()
    cleaning = InvoiceDocument.objects.filter(contract_reference="RV-2025-0107", currency="SEK", kind="invoice")
    starts = datetime.date.today() - datetime.timedelta(days=370)  # no contract in this test: the demo's default
    _signed, _begins, ends = demo.predecessor_period(starts)

    # In arrears: written after the predecessor ended, delivered and invoiced for its last month.
    arrears = InvoiceDocument.objects.get(contract_reference=demo.PREDECESSOR_NUMBER)
    assert arrears.issue_date > ends
    assert arrears.delivery_date == ends
    assert arrears.period_start is not None and arrears.period_start < ends == arrears.period_end
    own = arrears.lines.exclude(period_start=None).get()
    assert own.period_start is not None and arrears.period_start <= own.period_start <= own.period_end <= ends
    prices = {item: price for item, _n, _u, price in demo.predecessor_price_list()}
    assert all(line.price_amount == prices[line.seller_item_id] for line in arrears.lines.all())

    # Units changed: hours billed in minutes, pieces billed by the box.
    minutes = InvoiceLine.objects.get(document__in=cleaning, unit_code="MIN")
    assert minutes.seller_item_id == demo.MINUTES[0] and minutes.price_amount == demo.MINUTES[2]
    box = InvoiceLine.objects.get(document__in=cleaning, unit_code="XBX")
    assert box.seller_item_id == demo.BOX[0]
    units = {item: unit for item, _n, unit, _p in demo.CLEANING_PRICE_LIST}
    assert (units[minutes.seller_item_id], units[box.seller_item_id]) == ("HUR", "EA")

    # In euro, under the contract whose prices are in kronor.
    euro = InvoiceDocument.objects.get(currency="EUR")
    assert euro.contract_reference == "RV-2025-0107"
    assert euro.kind == "invoice"


def test_generated_documents_add_up() -> None:
    for spec in random_specs(20, 7, seed=3):
        doc = parse(render(spec))
        assert sum(line.line_net_amount for line in doc.lines) == doc.line_extension_amount
        assert doc.tax_inclusive_amount == doc.line_extension_amount + (
            doc.line_extension_amount * Decimal("0.25")
        ).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert doc.payable_amount == doc.tax_inclusive_amount
        assert len(doc.lines) == 7
        assert all(line.seller_item_id.startswith("ART-") and line.standard_item_scheme == "0160" for line in doc.lines)


def test_catalogue_is_deterministic_with_valid_gtins() -> None:
    first, again = catalogue(50), catalogue(50)
    assert first == again
    assert first[0].seller_item_id == "ART-0001"
    from stdnum import ean

    assert all(ean.is_valid(a.gtin) for a in first)


def test_write_many_is_fast_and_numbers_are_unique(tmp_path: Path) -> None:
    started = time.perf_counter()
    size = write_many(tmp_path, 1000, 20, per_folder=250)
    elapsed = time.perf_counter() - started
    files = sorted(tmp_path.rglob("*.xml"))
    assert len(files) == 1000
    assert len({f.name for f in files}) == 1000
    assert sum(f.stat().st_size for f in files) == size
    # About 50,000 invoices × 20 lines a minute on this machine; a generous bound here.
    assert elapsed < 20, elapsed
