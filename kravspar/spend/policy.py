"""The rules of the economic follow-up, in one place (domain § 5, aim 1 of the policy:
good economic management).

- A line is **priced above the agreed price** when its unit price exceeds the price list's
  agreed net price by more than the tolerance (``KRAVSPAR_PRICE_TOLERANCE_PERCENT``, default
  2 %). Exactly at the tolerance is accepted: rounding and öre differences are not breaches.
- A line is **on the contract's terms** (avtalstrohet) when it is matched to a contract and a
  price-list article and its unit price is at or below the agreed price.
- Spend is **with a contracted supplier** (leverantörstrohet) when the invoice is matched to a
  contract the supplier holds with this buyer.
- The **period an invoice covers** is what it says it delivered, not the day it was written:
  a line's own invoice period (BT-134/135), else the document's invoice period (BT-73/74) and
  actual delivery date (BT-72), and only when none is given the issue date (BT-2). An invoice
  in arrears for the contract's last month covers that month, so it is not "after the end".
- A price is compared only **in the agreed unit**: a line in another unit is converted where
  UN/ECE Recommendation 20 gives a fixed factor (``unit_conversion``), and is otherwise
  a deviation of its own ("unit differs from the agreed unit"), never silently skipped.
- Amounts are compared and added only **in the agreed currency**: the contracts and price
  lists are in kronor (``KRONOR``), so a document in another currency is neither compared
  number to number with an agreed price nor added to any kronor figure; it is a deviation
  ("currency differs from the agreement") when it is billed under a contract.
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import NamedTuple, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from kravspar.findings.models import Severity

DEFAULT_TOLERANCE_PERCENT = Decimal(2)

# The currency of the contracts and of every kronor figure (BT-5 of the invoices counted).
KRONOR = "SEK"

# How grave each finding is when it becomes a deviation: a price or an article outside the
# contract is a shortcoming the supplier corrects (credit the difference); buying past the
# contract's value or after its end is a breach of the procurement itself.
SEVERITY = {
    "over_price": Severity.MINOR,
    "not_on_contract": Severity.MINOR,
    "after_end": Severity.MAJOR,
    "over_value": Severity.MAJOR,
    # Billing in another unit or currency than agreed keeps the buyer from checking the price;
    # the supplier corrects it (a credit note and a new invoice on the agreed terms).
    "unit_differs": Severity.MINOR,
    "currency_differs": Severity.MINOR,
}


def tolerance_percent() -> Decimal:
    """The price tolerance in percent, from the setting or the environment."""
    raw = getattr(settings, "KRAVSPAR_PRICE_TOLERANCE_PERCENT", None)
    if raw is None:
        raw = os.environ.get("KRAVSPAR_PRICE_TOLERANCE_PERCENT", "")
    if raw in ("", None):
        return DEFAULT_TOLERANCE_PERCENT
    try:
        value = Decimal(str(raw).replace(",", "."))
    except InvalidOperation:
        raise ImproperlyConfigured(f"KRAVSPAR_PRICE_TOLERANCE_PERCENT must be a number, not {raw!r}") from None
    if not value.is_finite() or value < 0 or value > 100:
        raise ImproperlyConfigured(f"KRAVSPAR_PRICE_TOLERANCE_PERCENT must be between 0 and 100, not {raw!r}")
    return value


Number = TypeVar("Number", Decimal, Fraction)


def price_limit(agreed: Number, tolerance: Number) -> Number:
    """The highest unit price still accepted. Exact for decimals within the context's 28
    digits, and always for fractions (a price converted from minutes to hours)."""
    return agreed * (1 + tolerance / 100)


def is_over_price(unit_price: Number, agreed: Number, tolerance: Number) -> bool:
    """Above the agreed price by more than the tolerance; exactly at the limit is accepted."""
    return unit_price > price_limit(agreed, tolerance)


class Period(NamedTuple):
    """The days an invoice or a line covers, both ends included."""

    start: datetime.date
    end: datetime.date

    def overlaps(self, start: datetime.date | None, end: datetime.date | None) -> bool:
        """Whether any of these days falls within ``start``–``end`` (None: open)."""
        return (start is None or start <= self.end) and (end is None or self.start <= end)

    def distance(self, day: datetime.date) -> int:
        """Days from the period to ``day`` (0 when inside)."""
        if day < self.start:
            return (self.start - day).days
        return max((day - self.end).days, 0)

    def __str__(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()}–{self.end.isoformat()}"


def document_period(
    issue_date: datetime.date,
    delivery_date: datetime.date | None = None,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
) -> Period:
    """The days a document covers: from the earliest to the latest of its actual delivery
    date (BT-72) and invoice period (BT-73/74), whichever it gives; the issue date (BT-2)
    only when it gives none. When the delivery date lies outside the invoice period both
    are the supplier's own statements, so the period spans both."""
    days = [d for d in (delivery_date, period_start, period_end) if d is not None]
    if not days:
        return Period(issue_date, issue_date)
    return Period(min(days), max(days))


def line_period(
    document: Period, line_start: datetime.date | None = None, line_end: datetime.date | None = None
) -> Period:
    """The days a line covers: its own invoice period (BT-134/135) where it has one (a
    line that gives one end only covers that day), else the document's."""
    if line_start is None and line_end is None:
        return document
    start = line_start or line_end
    end = line_end or line_start
    assert start is not None and end is not None
    return Period(min(start, end), max(start, end))
