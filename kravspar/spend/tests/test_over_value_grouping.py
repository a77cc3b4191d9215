"""The "spend past the contract value" finding names the invoice at which the contract's
running kronor total went past the value, whatever the grouping of the import: one file at a
time, seven, a hundred or all at once name the same invoice."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Sum

from kravspar.contracts.models import Contract
from kravspar.invoices.generate import REGION_VASTMANLAND, InvoiceSpec, Line, Party, render
from kravspar.invoices.services import import_paths
from kravspar.spend.models import Check, EconomyFinding, LineMatch

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 3, 1)


def write(folder: Path, position: int, number: str, amount: int, file_name: str = "", **overrides: Any) -> None:
    """A file that sorts in ``position`` order (unless ``file_name`` is given), issued
    ``position`` days after the 1st of March: ``amount`` SEK (or the currency given) of the
    price list's ART-0001 at its agreed price, on the contract by its reference."""
    seller = Party("Medicinteknik AB", "5560360793")
    spec = InvoiceSpec(
        number=number,
        issue_date=START + datetime.timedelta(days=position),
        seller=seller,
        buyer=REGION_VASTMANLAND,
        contract_reference="RV-2025-0107",
        buyer_reference="Ortopedkliniken",
        lines=[Line("ART-0001", "Handskar", Decimal(amount // 100), "XBX", Decimal("100.00"))],
        **overrides,
    )
    (folder / (file_name or f"{position:03d}.xml")).write_bytes(render(spec))


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """20 files in date order against the contract's value of 100,000 SEK. The running
    kronor total: nine invoices of 10,000 (90,000); a euro invoice of 50,000 EUR, which the
    total leaves out; F-011 5,000 (95,000); F-012 10,000 (105,000: past the value); a
    credit note of F-012's 10,000 (95,000, back below); seven invoices of 1,000 (past again
    at F-019, 101,000, and 102,000 at the end). F-012 is neither the last file nor the last
    of any group of 7 or 100, and the group of 7 holding it ends below the value."""
    folder = tmp_path / "in"
    folder.mkdir()
    for position in range(1, 10):
        write(folder, position, f"F-{position:03d}", 10_000)
    write(folder, 10, "F-010", 50_000, currency="EUR")
    write(folder, 11, "F-011", 5_000)
    write(folder, 12, "F-012", 10_000)
    write(folder, 13, "K-013", 10_000, credit_note=True, billing_reference="F-012")
    for position in range(14, 21):
        write(folder, position, f"F-{position:03d}", 1_000)
    return folder


@pytest.mark.parametrize("group_size", [1, 7, 100, 20])
def test_the_finding_names_the_invoice_that_crossed_the_value_whatever_the_grouping(
    world: Any, supplier: Any, contract: Contract, articles: Any, files: Path, group_size: int
) -> None:
    batch = import_paths([files], group_size=group_size)
    assert (batch.imported_count, batch.refused_count) == (20, 0)
    kronor = LineMatch.objects.filter(contract=contract, currency="SEK").aggregate(total=Sum("net_amount"))
    assert kronor["total"] == Decimal("102000.00")  # the credit note counted, the euro invoice not
    finding = EconomyFinding.objects.get(check_type=Check.OVER_VALUE)  # one, ever
    assert (finding.contract, finding.document.number) == (contract, "F-012")
    assert "F-012" in finding.deviation.description
    assert finding.deviation.invoice_lines.count() == 1  # the named invoice's line is the evidence


@pytest.mark.parametrize(("group_size", "named"), [(100, "F-LATE"), (1, "F-EARLY")])
def test_within_a_group_invoices_are_added_in_date_order(
    world: Any, supplier: Any, contract: Contract, articles: Any, tmp_path: Path, group_size: int, named: str
) -> None:
    """Within a group the contract's invoices are added in (issue date, id) order; groups
    follow each other in file order. Files out of date order can therefore name another
    invoice with other groups: here the first file is issued last."""
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, 20, "F-LATE", 95_000, file_name="001.xml")
    write(folder, 1, "F-EARLY", 10_000, file_name="002.xml")
    import_paths([folder], group_size=group_size)
    # In one group, by date: F-EARLY 10,000, then F-LATE 105,000. One by one, by file:
    # F-LATE 95,000, then F-EARLY 105,000.
    assert EconomyFinding.objects.get(check_type=Check.OVER_VALUE).document.number == named
