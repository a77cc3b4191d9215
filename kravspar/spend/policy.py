"""The rules of the economic follow-up, in one place (domain § 5, aim 1 of the policy:
good economic management).

- A line is **priced above the agreed price** when its unit price exceeds the price list's
  agreed net price by more than the tolerance (``KRAVSPAR_PRICE_TOLERANCE_PERCENT``, default
  2 %). Exactly at the tolerance is accepted: rounding and öre differences are not breaches.
- A line is **on the contract's terms** (avtalstrohet) when it is matched to a contract and a
  price-list article and its unit price is at or below the agreed price.
- Spend is **with a contracted supplier** (leverantörstrohet) when the invoice is matched to a
  contract the supplier holds with this buyer.
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from kravspar.findings.models import Severity

DEFAULT_TOLERANCE_PERCENT = Decimal(2)

# How grave each finding is when it becomes a deviation: a price or an article outside the
# contract is a shortcoming the supplier corrects (credit the difference); buying past the
# contract's value or after its end is a breach of the procurement itself.
SEVERITY = {
    "over_price": Severity.MINOR,
    "not_on_contract": Severity.MINOR,
    "after_end": Severity.MAJOR,
    "over_value": Severity.MAJOR,
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


def price_limit(agreed: Decimal, tolerance: Decimal) -> Decimal:
    """The highest unit price still accepted."""
    return agreed * (1 + tolerance / 100)


def is_over_price(unit_price: Decimal, agreed: Decimal, tolerance: Decimal) -> bool:
    return unit_price > price_limit(agreed, tolerance)
