"""The one decimal helper every reader parses amounts with: any input is a number within
the limits or a NumberRefused, never an exception from the decimal module (issue 18)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kravspar.core.numbers import NumberRefused, Reason, parse_decimal, parse_integer

HUGE = "99999999999999999999999999.999999"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (HUGE, Reason.TOO_LARGE),
        ("1e999999999", Reason.TOO_LARGE),
        ("-1E+999999999", Reason.TOO_LARGE),
        ("1E-999999999", Reason.TOO_MANY_DECIMALS),
        ("12.345", Reason.TOO_MANY_DECIMALS),
        ("NaN", Reason.NOT_A_NUMBER),
        ("sNaN", Reason.NOT_A_NUMBER),
        ("-Infinity", Reason.NOT_A_NUMBER),
        ("1_000", Reason.NOT_A_NUMBER),
        ("١٢٣", Reason.NOT_A_NUMBER),  # Arabic-Indic digits, which Decimal() reads
        ("12 kr", Reason.NOT_A_NUMBER),
        ("", Reason.NOT_A_NUMBER),
        ("9" * 101, Reason.NOT_A_NUMBER),
        (float("nan"), Reason.NOT_A_NUMBER),
        (float("inf"), Reason.NOT_A_NUMBER),
        (1e300, Reason.TOO_LARGE),
        pytest.param(10**5000, Reason.TOO_LARGE, id="int-of-5000-digits"),
        (True, Reason.NOT_A_NUMBER),
        (None, Reason.NOT_A_NUMBER),
        (Decimal("1e30"), Reason.TOO_LARGE),
    ],
)
def test_refusals_are_named(value: Any, reason: Reason) -> None:
    with pytest.raises(NumberRefused) as info:
        parse_decimal(value, places=2, digits=19)
    assert info.value.reason == reason
    assert len(info.value.value) <= 100


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1 200 000", Decimal(1200000)),
        ("12,50", Decimal("12.50")),
        ("12.500", Decimal("12.50")),  # a trailing zero is no extra decimal
        ("-0", Decimal("0.00")),
        ("0E+999999999", Decimal("0.00")),
        ("1e3", Decimal(1000)),
        (0.1, Decimal("0.1")),
        (12, Decimal(12)),
        ("99999999999999999.99", Decimal("99999999999999999.99")),  # the largest DecimalField(19, 2)
    ],
)
def test_numbers_within_the_limits(value: Any, expected: Decimal) -> None:
    assert parse_decimal(value, places=2, digits=19) == expected


def test_strict_is_xsd_decimal() -> None:
    assert parse_decimal("12.50", places=2, digits=19, strict=True) == Decimal("12.50")
    for text in ("1e3", "12,50", "1 000"):
        with pytest.raises(NumberRefused):
            parse_decimal(text, places=2, digits=19, strict=True)


def test_rounding_and_its_carry() -> None:
    assert parse_decimal("1200000.5", places=0, digits=15, round_places=True) == Decimal(1200000)
    with pytest.raises(NumberRefused) as info:
        parse_decimal("999.995", places=2, digits=5, round_places=True)  # rounds up to 1000.00
    assert info.value.reason == Reason.TOO_LARGE


def test_negative_and_integers() -> None:
    with pytest.raises(NumberRefused) as info:
        parse_decimal("-1", places=0, digits=5, negative=False)
    assert info.value.reason == Reason.NEGATIVE
    assert parse_integer("3,0") == 3
    with pytest.raises(NumberRefused):
        parse_integer("3.5")


def _within(number: Decimal, places: int, digits: int) -> bool:
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    return -exponent <= places and (number.is_zero() or number.adjusted() < digits - places)


LIMITS = st.sampled_from([(0, 12), (0, 15), (2, 19), (4, 14), (10, 28), (10, 30)])


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        st.text(max_size=120),
        st.from_regex(r"[+-]?[0-9 ,.]{0,40}([eE][+-]?[0-9]{1,12})?", fullmatch=True),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.floats(),
        st.integers(),
        st.none(),
        st.booleans(),
    ),
    limits=LIMITS,
    round_places=st.booleans(),
    strict=st.booleans(),
)
def test_any_input_is_a_number_within_the_limits_or_a_refusal(
    value: Any, limits: tuple[int, int], round_places: bool, strict: bool
) -> None:
    places, digits = limits
    try:
        number = parse_decimal(value, places=places, digits=digits, round_places=round_places, strict=strict)
    except NumberRefused:
        return
    assert number.is_finite()
    assert _within(number, places, digits)


@settings(max_examples=200, deadline=None)
@given(number=st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**16), max_value=10**16))
def test_every_amount_that_fits_reads_back_unchanged(number: Decimal) -> None:
    assert parse_decimal(str(number), places=2, digits=19) == number
    assert parse_decimal(format(number, "f").replace(".", ","), places=2, digits=19) == number
