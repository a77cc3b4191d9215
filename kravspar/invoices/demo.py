"""Demo data of invoices, called by `seed_demo` after contracts and follow-ups exist.

Invoices as Region Västmanland would receive them over Peppol for the demo cleaning
contract RV-2025-0107 (Mälardalens Lokalvård AB): one a month since the contract
started, each for the month before (its invoice period), at the agreed prices until the
last two months, when two articles are billed above them, plus a call-out article that is
not on the price list and a credit note. Three invoices show what the economy checks must
get right (issue 11):

- an invoice **in arrears** for the last month of the predecessor contract
  ``PREDECESSOR_NUMBER``: written a week after that contract ended, but its delivery date
  and invoice period (and one line's own period) lie inside it, so it is *not* "after the
  end" and is priced by the predecessor's price list;
- **units changed**: one month bills the receptions' cleaning in minutes (MIN) against a
  price per hour (converted by Rec 20 and found above the agreed price), and another bills
  the cleaning-trolley supplies by the box (XBX) against a price per piece (no fixed
  factor: "unit differs from the agreed unit");
- an invoice **in euro** under the contract, whose prices are in kronor: "currency differs
  from the agreement", and left out of the kronor figures.

Besides: an invoice to Region Sörmland from an office supplier without a contract, the
same file delivered twice (the import reports the duplicate) and one file with a wrong
check digit in the seller's organisation number (refused).

The agreed prices are ``CLEANING_PRICE_LIST`` (and ``predecessor_price_list()``); the
``spend`` app's demo puts them on the contracts' price lists (registering the predecessor
contract first), so the over-priced lines become price deviations.

Idempotent: nothing is done when a demo import batch exists. Quick: about 17 documents.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone, translation

from kravspar.accounts.models import User
from kravspar.contracts.models import Contract
from kravspar.core.dates import add_months
from kravspar.invoices.generate import (
    REGION_SORMLAND,
    REGION_VASTMANLAND,
    SUPPLIERS,
    InvoiceSpec,
    Line,
    Party,
    org_number,
    render,
)
from kravspar.invoices.models import BatchSource, ImportBatch
from kravspar.invoices.services import import_files

CONTRACT_NUMBER = "RV-2025-0107"
CLEANING_SUPPLIER = SUPPLIERS[0]  # Mälardalens Lokalvård AB, the supplier of RV-2025-0107
OFF_CONTRACT_SUPPLIER = SUPPLIERS[3]  # Kontorsgrossisten Nyköping AB: no contract with the regions

# (seller's item id, name, UN/ECE Rec 20 unit, agreed net price in SEK) for RV-2025-0107.
CLEANING_PRICE_LIST: tuple[tuple[str, str, str, Decimal], ...] = (
    ("ART-0001", "Lokalvård vårdavdelning, per timme", "HUR", Decimal("425.00")),
    ("ART-0002", "Lokalvård mottagning, per timme", "HUR", Decimal("410.00")),
    ("ART-0003", "Storstädning operationssal", "EA", Decimal("3850.00")),
    ("ART-0004", "Golvvård, polering", "MTK", Decimal("28.50")),
    ("ART-0005", "Fönsterputs", "MTK", Decimal("19.00")),
    ("ART-0006", "Förbrukningsmaterial städvagn", "EA", Decimal("245.00")),
)
CLEANING_CPV = "90911200"
# Billed in the last two months above the agreed price.
OVERPRICED = {"ART-0001": Decimal("465.00"), "ART-0003": Decimal("4200.00")}
# Billed once but not on the price list.
OFF_LIST = ("ART-0099", "Extra jourstädning helg, per timme", "HUR", Decimal("690.00"))
MONTHS = 10

# The cleaning contract before RV-2025-0107, with the same supplier and buyer: four years
# up to the day before RV-2025-0107 started, at prices 4 % lower. Registered by the spend
# demo (a contract signed before Kravspår), which also puts these prices on its price list.
PREDECESSOR_NUMBER = "RV-2021-0093"
PREDECESSOR_YEARS = 4
PREDECESSOR_DISCOUNT = Decimal("0.96")
ARREARS_DAYS = 7  # the arrears invoice is written a week after the predecessor ended

# Month (index) whose invoice bills ART-0002 in minutes at 7.25 SEK a minute = 435 SEK an
# hour, above the agreed 410 SEK an hour (+2 % tolerance): a price deviation after conversion.
MINUTES_MONTH = 3
MINUTES = ("ART-0002", "MIN", Decimal("7.25"))
# Month (index) whose invoice bills ART-0006 by the box: no fixed factor to "each".
BOX_MONTH = 4
BOX = ("ART-0006", "Förbrukningsmaterial städvagn, kartong om 5", "XBX", Decimal("1150.00"))
# Month (index) after which the supplier sends one invoice in euro.
EURO_MONTH = 5
EURO = ("ART-0005", "Fönsterputs", "MTK", Decimal("1.70"))


def predecessor_period(starts: datetime.date) -> tuple[datetime.date, datetime.date, datetime.date]:
    """(signed, starts, ends) of the predecessor of a contract that starts on ``starts``."""
    ends = starts - datetime.timedelta(days=1)
    begins = add_months(starts, -12 * PREDECESSOR_YEARS)
    return begins - datetime.timedelta(days=21), begins, ends


def predecessor_price_list() -> tuple[tuple[str, str, str, Decimal], ...]:
    return tuple(
        (item, name, unit, (price * PREDECESSOR_DISCOUNT).quantize(Decimal("0.01")))
        for item, name, unit, price in CLEANING_PRICE_LIST
    )


def _cleaning_lines(
    month: int, *, overpriced: bool, prices: tuple[tuple[str, str, str, Decimal], ...] = CLEANING_PRICE_LIST
) -> list[Line]:
    lines = []
    for n, (item, name, unit, price) in enumerate(prices):
        billed = OVERPRICED.get(item, price) if overpriced else price
        quantity = Decimal(120 + 7 * month + 11 * n) if unit == "HUR" else Decimal(2 + (month + n) % 5)
        if unit == "MTK":
            quantity = Decimal(800 + 25 * month)
        if month == MINUTES_MONTH and item == MINUTES[0]:
            # The supplier's new system bills the hours in minutes.
            lines.append(Line(item, name, quantity * 60, MINUTES[1], MINUTES[2], cpv=CLEANING_CPV))
            continue
        if month == BOX_MONTH and item == BOX[0]:
            lines.append(Line(item, BOX[1], Decimal(1), BOX[2], BOX[3], cpv=CLEANING_CPV))
            continue
        lines.append(Line(item, name, quantity, unit, billed, cpv=CLEANING_CPV))
    return lines


def _wrong_check_digit(base9: str) -> str:
    """An organisation number whose last digit is not the check digit."""
    return base9 + str((int(org_number(base9)[-1]) + 1) % 10)


def _month_start(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def documents(today: datetime.date | None = None) -> list[tuple[str, bytes]]:
    """The demo files as (name, bytes), in the order they are imported."""
    today = today or timezone.localdate()
    contract = Contract.objects.filter(contract_number=CONTRACT_NUMBER).only("starts_on").first()
    starts = contract.starts_on if contract is not None else today - datetime.timedelta(days=370)
    files: list[tuple[str, bytes]] = []
    first = _month_start(starts, 1)
    issued: list[InvoiceSpec] = []
    for month in range(MONTHS):
        issue = _month_start(first, month) + datetime.timedelta(days=2)
        if issue > today:
            break
        lines = _cleaning_lines(month, overpriced=month >= MONTHS - 2)
        # Each invoice covers the month before it (from the contract's start, for the first).
        period_start = max(_month_start(issue, -1), starts)
        period_end = _month_start(issue, 0) - datetime.timedelta(days=1)
        if month == MONTHS - 3:
            item, name, unit, price = OFF_LIST
            lines.append(Line(item, name, Decimal(16), unit, price, cpv=CLEANING_CPV, note="Beställd av jourhavande"))
        spec = InvoiceSpec(
            number=f"ML-{issue:%Y%m}-{1001 + month}",
            issue_date=issue,
            due_date=issue + datetime.timedelta(days=30),
            seller=CLEANING_SUPPLIER,
            buyer=REGION_VASTMANLAND,
            buyer_reference="Ortopedkliniken",
            order_reference=f"{CONTRACT_NUMBER}-{month + 1:04d}",
            contract_reference=CONTRACT_NUMBER,
            lines=lines,
            note=f"Lokalvård {period_start:%Y-%m}",
            period_start=period_start,
            period_end=period_end,
        )
        issued.append(spec)
        files.append((f"{spec.number}.xml", render(spec)))
    if len(issued) >= 2:
        credited = issued[1]
        credit = InvoiceSpec(
            number=f"MLK-{credited.issue_date:%Y%m}-1",
            issue_date=credited.issue_date + datetime.timedelta(days=12),
            seller=CLEANING_SUPPLIER,
            buyer=REGION_VASTMANLAND,
            buyer_reference="Ortopedkliniken",
            contract_reference=CONTRACT_NUMBER,
            billing_reference=credited.number,
            credit_note=True,
            lines=[
                Line(
                    "ART-0003",
                    "Storstädning operationssal, ej utförd",
                    Decimal(1),
                    "EA",
                    Decimal("3850.00"),
                    cpv=CLEANING_CPV,
                )
            ],
            note="Kreditering: en storstädning som inte utfördes",
        )
        files.append((f"{credit.number}.xml", render(credit)))
        # The same file again, as when an access point delivers twice: reported as a duplicate.
        files.append((f"{issued[0].number}-kopia.xml", files[0][1]))
    files.extend(_story_documents(starts, issued, today))
    office = InvoiceSpec(
        number="KGN-44871",
        issue_date=today - datetime.timedelta(days=20),
        due_date=today + datetime.timedelta(days=10),
        seller=OFF_CONTRACT_SUPPLIER,
        buyer=REGION_SORMLAND,
        buyer_reference="Hälsocentralen Nyköping",
        lines=[
            Line(
                "KG-2201",
                "Kopieringspapper A4 80 g, 500 ark",
                Decimal(40),
                "XPK",
                Decimal("62.00"),
                gtin="7350000000019",
                cpv="30197630",
            ),
            Line("KG-3107", "Kulspetspenna blå, 10-pack", Decimal(12), "XPK", Decimal("48.00"), cpv="30192121"),
        ],
    )
    files.append((f"{office.number}.xml", render(office)))
    wrong = Party("Västerås Städ & Fönster AB", _wrong_check_digit("556755555"), "Sigurdsgatan 21", "72130", "Västerås")
    refused = InvoiceSpec(
        number="VSF-0012",
        issue_date=today - datetime.timedelta(days=5),
        seller=wrong,
        buyer=REGION_VASTMANLAND,
        lines=[Line("F-10", "Fönsterputs", Decimal(300), "MTK", Decimal("21.00"))],
    )
    files.append((f"{refused.number}.xml", render(refused)))
    return files


def _story_documents(starts: datetime.date, issued: list[InvoiceSpec], today: datetime.date) -> list[tuple[str, bytes]]:
    """The arrears invoice of the predecessor contract, and the invoice in euro."""
    files: list[tuple[str, bytes]] = []
    _signed, _begins, ends = predecessor_period(starts)
    issue = ends + datetime.timedelta(days=ARREARS_DAYS)
    if issue > today:
        return files
    lines = _cleaning_lines(0, overpriced=False, prices=predecessor_price_list())
    # The operating-theatre clean was done on two given days: the line says so itself.
    lines = [
        Line(
            line.seller_item_id,
            line.name,
            line.quantity,
            line.unit_code,
            line.price,
            cpv=line.cpv,
            period_start=ends - datetime.timedelta(days=9),
            period_end=ends - datetime.timedelta(days=8),
        )
        if line.seller_item_id == "ART-0003"
        else line
        for line in lines
    ]
    arrears = InvoiceSpec(
        number=f"ML-{ends:%Y%m}-0990",
        issue_date=issue,
        due_date=issue + datetime.timedelta(days=30),
        seller=CLEANING_SUPPLIER,
        buyer=REGION_VASTMANLAND,
        buyer_reference="Ortopedkliniken",
        contract_reference=PREDECESSOR_NUMBER,
        lines=lines,
        note=f"Lokalvård, sista månaden enligt avtal {PREDECESSOR_NUMBER}",
        delivery_date=ends,
        period_start=add_months(ends + datetime.timedelta(days=1), -1),
        period_end=ends,
    )
    files.append((f"{arrears.number}.xml", render(arrears)))
    euro_issue = issued[EURO_MONTH].issue_date + datetime.timedelta(days=14) if len(issued) > EURO_MONTH else None
    if euro_issue is not None and euro_issue <= today:
        item, name, unit, price = EURO
        euro = InvoiceSpec(
            number=f"ML-EUR-{euro_issue:%Y%m}-1",
            issue_date=euro_issue,
            due_date=euro_issue + datetime.timedelta(days=30),
            seller=CLEANING_SUPPLIER,
            buyer=REGION_VASTMANLAND,
            buyer_reference="Ortopedkliniken",
            contract_reference=CONTRACT_NUMBER,
            currency="EUR",
            lines=[Line(item, f"{name}, extra beställning", Decimal(600), unit, price, cpv=CLEANING_CPV)],
            note="Fönsterputs, extra beställning",
            delivery_date=euro_issue - datetime.timedelta(days=3),
        )
        files.append((f"{euro.number}.xml", render(euro)))
    return files


def seed() -> list[tuple[str, str, str]]:
    """Idempotent: running `seed_demo` twice creates nothing new. Returns extra demo
    logins as (username, role, name) for `make run` to print."""
    if ImportBatch.objects.filter(source=BatchSource.DEMO).exists():
        return []
    # Imported by Inköp's procurement officer, so that she finds the import report.
    officer = User.objects.filter(username="inkopare").first()
    with translation.override("sv"):
        import_files(documents(), actor=officer, source=BatchSource.DEMO)
    return []
