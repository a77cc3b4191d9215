"""Amounts as a reader expects them: "4 800 000 kr". Thousands are grouped with a no-break
space, so that an amount never breaks across lines, and the decimal sign is the active
language's. Templates use the ``kr`` filter; Python (lists, PDF) calls ``kronor``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import get_format

NBSP = "\u00a0"


def kronor(value: Any, decimals: int = 0, *, unit: str = "kr") -> str:
    """``value`` in kronor, rounded to ``decimals`` places; "–" when there is none."""
    if value is None or value == "":
        return "–"
    try:
        amount = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals))
    except InvalidOperation:
        return str(value)
    integer, _dot, fraction = f"{abs(amount):f}".partition(".")
    groups: list[str] = []
    while integer:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    text = NBSP.join(groups) or "0"
    if fraction:
        text += str(get_format("DECIMAL_SEPARATOR")) + fraction
    sign = "-" if amount < 0 else ""
    return f"{sign}{text}{NBSP}{unit}" if unit else f"{sign}{text}"
