"""Reading amounts, quantities and percentages from untrusted input, without ever raising
from the decimal module.

Every reader (the UBL invoice reader, the contract, price-list and statistics imports,
questionnaire answers) parses its numbers with ``parse_decimal``. It works in its own
explicit context (``CONTEXT``: enough precision for any number that passes the limits,
every signal that could mean a lost digit trapped), checks the size of a number before
doing arithmetic with it, and turns every problem into a ``NumberRefused`` with a stable
``reason``. Callers catch that one exception and say in their own words which field of
which row or document is wrong.

Why the order matters: ``Decimal("99999999999999999999999999.999999").quantize(...)``
raises ``InvalidOperation`` in the default 28-digit context, and ``Decimal("1e999999999")``
is a valid number that ``format(..., "f")`` turns into a billion characters. So the text
is bounded first, the magnitude next, and only then is anything rounded or formatted.
"""

from __future__ import annotations

import decimal
import enum
import math
import re
from decimal import Decimal
from typing import Any

# Longer text is never a number a person or a system meant: 60 digits, a sign, a point
# and some spaces as thousands separators fit well within it.
MAX_TEXT = 100

# The widest numbers stored are DecimalField(max_digits=28); the context holds twice that,
# so quantizing a number that passed the magnitude check can never lose a digit.
CONTEXT = decimal.Context(
    prec=60,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=999,
    Emin=-999,
    capitals=1,
    clamp=0,
    flags=[],
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

# Spaces people and spreadsheets put between thousands: space, no-break space, narrow
# no-break space, thin space, and the apostrophe Swiss exports use.
_SEPARATORS = str.maketrans("", "", " \u00a0\u202f\u2009'")


class Reason(enum.StrEnum):
    NOT_A_NUMBER = "not_a_number"
    TOO_MANY_DECIMALS = "too_many_decimals"
    TOO_LARGE = "too_large"
    NEGATIVE = "negative"


class NumberRefused(ValueError):
    """The value is not a number within the limits. ``reason`` says why; ``value`` is
    the input as text, cut to ``MAX_TEXT`` characters for messages."""

    def __init__(self, reason: Reason, value: Any, *, places: int | None = None) -> None:
        text = value if isinstance(value, str) else repr(value)
        super().__init__(f"{reason}: {text[:MAX_TEXT]!r}")
        self.reason = reason
        self.value = text[:MAX_TEXT]
        self.places = places


# ASCII digits only: Decimal() also reads "1_000" and Arabic-Indic digits, which no
# supplier's system means as an amount. ``strict`` is xsd:decimal (UBL): no exponent.
_LENIENT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_STRICT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)", re.ASCII)


def _to_decimal(value: Any, *, comma: bool, strict: bool = False) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise NumberRefused(Reason.NOT_A_NUMBER, value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        # int → Decimal is exact and cheap, but a 10,000-digit int is no amount.
        if value.bit_length() > 400:
            raise NumberRefused(Reason.TOO_LARGE, f"<an integer of {value.bit_length()} bits>")
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise NumberRefused(Reason.NOT_A_NUMBER, value)
        # repr is the shortest text that reads back as the same float: 0.1, not 0.1000000000000000055…
        number = Decimal(repr(value))
    else:
        text = str(value)
        if len(text) > MAX_TEXT * 4:
            raise NumberRefused(Reason.NOT_A_NUMBER, text)
        text = text.strip()
        if not strict:
            text = text.translate(_SEPARATORS)
        if comma:
            text = text.replace(",", ".")
        if len(text) > MAX_TEXT or not (_STRICT if strict else _LENIENT).fullmatch(text):
            raise NumberRefused(Reason.NOT_A_NUMBER, str(value))
        try:
            # The constructor is exact; in CONTEXT malformed text traps as InvalidOperation.
            with decimal.localcontext(CONTEXT):
                number = Decimal(text)
        except (decimal.InvalidOperation, ValueError):
            raise NumberRefused(Reason.NOT_A_NUMBER, str(value)) from None
    if not number.is_finite():
        raise NumberRefused(Reason.NOT_A_NUMBER, str(value))
    return number


def parse_decimal(
    value: Any,
    *,
    places: int,
    digits: int,
    negative: bool = True,
    round_places: bool = False,
    comma: bool = True,
    strict: bool = False,
) -> Decimal:
    """``value`` (text, int, float or Decimal) as a Decimal with at most ``places``
    decimals and ``digits`` digits in all (a ``DecimalField(max_digits=digits,
    decimal_places=places)`` holds it), or ``NumberRefused``.

    ``round_places``: round extra decimals half-even instead of refusing them (a contract
    value in whole kronor). Trailing zeros beyond ``places`` are never refused (12.500).
    ``comma``: a decimal comma is read as a point (Swedish spreadsheets and forms).
    ``negative``: whether a number below zero is allowed.
    ``strict``: only xsd:decimal text (UBL): no separators, no comma, no exponent."""
    if places < 0 or digits <= places or digits > 50:
        raise ValueError("parse_decimal: 0 <= places < digits <= 50")
    number = _to_decimal(value, comma=comma and not strict, strict=strict)
    shown = value if isinstance(value, str) else str(value)
    with decimal.localcontext(CONTEXT):
        if number.is_zero():
            number = Decimal(0).quantize(Decimal(1).scaleb(-places)) if places else Decimal(0)
            return number
        # adjusted() is the power of ten of the first digit: 123.4 → 2. Checked before any
        # arithmetic, so an exponent of a billion never reaches quantize or format.
        if number.adjusted() >= digits - places:
            raise NumberRefused(Reason.TOO_LARGE, shown, places=places)
        if not negative and number < 0:
            raise NumberRefused(Reason.NEGATIVE, shown, places=places)
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        if -exponent > places:
            if number.adjusted() < -places - 1 and not round_places:
                # Far below the smallest unit (e.g. 1E-999999): certainly too many decimals.
                raise NumberRefused(Reason.TOO_MANY_DECIMALS, shown, places=places)
            rounded = number.quantize(Decimal(1).scaleb(-places))
            if rounded != number and not round_places:
                raise NumberRefused(Reason.TOO_MANY_DECIMALS, shown, places=places)
            number = rounded
            # Rounding up may add a digit: 9.995 → 10.00.
            if not number.is_zero() and number.adjusted() >= digits - places:
                raise NumberRefused(Reason.TOO_LARGE, shown, places=places)
        return number


def parse_integer(value: Any, *, digits: int = 18, negative: bool = False) -> int:
    """A whole number (``3``, ``3.0``, ``"3,0"``), or ``NumberRefused``."""
    number = parse_decimal(value, places=1, digits=digits + 1, negative=negative)
    if number != number.to_integral_value(context=CONTEXT):
        raise NumberRefused(Reason.TOO_MANY_DECIMALS, value if isinstance(value, str) else str(value), places=0)
    return int(number)


def divide(numerator: Decimal, denominator: Decimal, *, places: int, digits: int) -> Decimal:
    """``numerator / denominator`` in ``CONTEXT``, rounded half-even to ``places`` decimals,
    or ``NumberRefused`` when the denominator is zero or the quotient does not fit ``digits``.
    (In the default context ``(amount / quantity).quantize(…)`` raises ``InvalidOperation``
    once the quotient needs more than 28 digits.)"""
    try:
        with decimal.localcontext(CONTEXT):
            if not denominator.is_finite() or denominator.is_zero() or not numerator.is_finite():
                raise NumberRefused(Reason.NOT_A_NUMBER, f"{numerator}/{denominator}")
            quotient = numerator / denominator
    except decimal.DecimalException:
        raise NumberRefused(Reason.TOO_LARGE, f"{numerator}/{denominator}") from None
    try:
        return parse_decimal(quotient, places=places, digits=digits, round_places=True)
    except NumberRefused as exc:  # named by the division, not by its quotient
        raise NumberRefused(exc.reason, f"{numerator}/{denominator}", places=places) from None


def refusal_text(exc: NumberRefused) -> str:
    """Why the number was refused, in a sentence for the person who wrote it (translated)."""
    from django.utils.translation import gettext as _

    if exc.reason == Reason.TOO_MANY_DECIMALS:
        return _("“%(value)s” has more than %(places)s decimals.") % {"value": exc.value, "places": exc.places}
    if exc.reason == Reason.TOO_LARGE:
        return _("“%(value)s” is too large.") % {"value": exc.value}
    if exc.reason == Reason.NEGATIVE:
        return _("“%(value)s” cannot be negative.") % {"value": exc.value}
    return _("“%(value)s” is not a number.") % {"value": exc.value}
