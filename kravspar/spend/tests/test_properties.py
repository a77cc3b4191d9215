"""The arithmetic of the economy checks as properties (issue 11): unit conversion by the
fixed factors of UN/ECE Rec 20, and the price tolerance rule. No database."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kravspar.spend import policy, unit_conversion
from kravspar.spend.policy import Period, document_period, is_over_price, line_period, price_limit
from kravspar.spend.unit_conversion import FACTORS, factor, price_in, quantity_in, to_decimal

UNITS = sorted(FACTORS)
GROUPS = sorted({group for group, _f in FACTORS.values()})
unit_pairs = st.sampled_from(GROUPS).flatmap(
    lambda g: st.tuples(*[st.sampled_from([u for u, (group, _f) in FACTORS.items() if group == g])] * 2)
)
unit_triples = st.sampled_from(GROUPS).flatmap(
    lambda g: st.tuples(*[st.sampled_from([u for u, (group, _f) in FACTORS.items() if group == g])] * 3)
)
amounts = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("10000000"), places=4, allow_nan=False)
prices = st.decimals(min_value=Decimal(0), max_value=Decimal("1000000"), places=4, allow_nan=False)
tolerances = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2, allow_nan=False)


# --- unit conversion ------------------------------------------------------------------------------


def test_the_named_factors() -> None:
    assert factor("GRM", "KGM") == Fraction(1, 1000)
    assert factor("KGM", "TNE") == Fraction(1, 1000)
    assert factor("TNE", "GRM") == 1_000_000
    assert factor("CMT", "MTR") == Fraction(1, 100)
    assert factor("MMT", "CMT") == Fraction(1, 10)
    assert factor("KMT", "MMT") == 1_000_000
    assert factor("MLT", "LTR") == Fraction(1, 1000)
    assert factor("MTQ", "LTR") == 1000
    assert factor("MIN", "HUR") == Fraction(1, 60)
    assert factor("ea", " h87 ") == 1
    assert price_in(Decimal("0.092"), "GRM", "KGM") == 92
    assert quantity_in(Decimal(2500), "GRM", "KGM") == Fraction(5, 2)


@pytest.mark.parametrize(
    ("a", "b"),
    [("KGM", "LTR"), ("XBX", "EA"), ("MON", "DAY"), ("ANN", "DAY"), ("HUR", "KWH"), ("MTR", "MTK"), ("", "EA")],
)
def test_no_factor_between_different_kinds_packages_or_calendar_units(a: str, b: str) -> None:
    assert factor(a, b) is None
    assert not unit_conversion.convertible(a, b)
    with pytest.raises(ValueError):
        price_in(Decimal(1), a, b)


@given(st.sampled_from([*UNITS, "XBX", "MON", "ZZZ"]))
def test_a_unit_is_itself_times_one(unit: str) -> None:
    assert factor(unit, unit) == 1


@given(unit_pairs)
def test_factors_are_inverse_both_ways(pair: tuple[str, str]) -> None:
    a, b = pair
    forth, back = factor(a, b), factor(b, a)
    assert forth is not None and back is not None
    assert forth * back == 1


@given(unit_triples)
def test_factors_compose(triple: tuple[str, str, str]) -> None:
    a, b, c = triple
    assert factor(a, b) * factor(b, c) == factor(a, c)  # type: ignore[operator]


@given(unit_pairs, amounts)
def test_quantity_round_trip_is_exact(pair: tuple[str, str], quantity: Decimal) -> None:
    a, b = pair
    assert quantity_in(quantity_in(quantity, a, b), b, a) == quantity


@given(unit_pairs, prices)
def test_price_round_trip_is_exact(pair: tuple[str, str], price: Decimal) -> None:
    a, b = pair
    assert price_in(price_in(price, a, b), b, a) == price


@given(unit_pairs, prices, amounts)
def test_price_times_quantity_is_the_same_in_either_unit(pair: tuple[str, str], price: Decimal, qty: Decimal) -> None:
    a, b = pair
    assert price_in(price, a, b) * quantity_in(qty, a, b) == Fraction(price) * Fraction(qty)


@given(unit_pairs, prices)
def test_stored_converted_price_is_within_half_a_unit_of_the_last_place(pair: tuple[str, str], price: Decimal) -> None:
    a, b = pair
    places = Decimal("0.0000000001")
    exact = price_in(price, a, b)
    assert abs(Fraction(to_decimal(exact, places)) - exact) <= Fraction(1, 2 * 10**10)


# --- the price tolerance rule ---------------------------------------------------------------------


def test_the_tolerance_boundary() -> None:
    assert not is_over_price(Decimal("102.00"), Decimal(100), Decimal(2))
    assert is_over_price(Decimal("102.0001"), Decimal(100), Decimal(2))
    assert not is_over_price(Decimal(100), Decimal(100), Decimal(0))
    assert is_over_price(Decimal("100.0001"), Decimal(100), Decimal(0))


@given(prices, tolerances)
def test_exactly_at_the_limit_is_accepted_and_a_hair_above_is_not(agreed: Decimal, tolerance: Decimal) -> None:
    limit = price_limit(agreed, tolerance)
    assert not is_over_price(limit, agreed, tolerance)
    assert is_over_price(limit + Decimal("0.000001"), agreed, tolerance)


@given(prices, prices, tolerances)
def test_at_or_below_the_agreed_price_is_never_over(agreed: Decimal, discount: Decimal, tolerance: Decimal) -> None:
    assert not is_over_price(max(agreed - discount, Decimal(0)), agreed, tolerance)


@given(prices, prices, tolerances, tolerances)
def test_a_larger_tolerance_never_flags_more(price: Decimal, agreed: Decimal, t1: Decimal, t2: Decimal) -> None:
    low, high = sorted((t1, t2))
    if is_over_price(price, agreed, high):
        assert is_over_price(price, agreed, low)


@given(prices, prices, tolerances)
def test_decimal_and_exact_fractions_agree(price: Decimal, agreed: Decimal, tolerance: Decimal) -> None:
    assert is_over_price(price, agreed, tolerance) == is_over_price(
        Fraction(price), Fraction(agreed), Fraction(tolerance)
    )


@given(unit_pairs, prices, prices, tolerances)
def test_the_verdict_does_not_depend_on_the_unit_it_is_stated_in(
    pair: tuple[str, str], price: Decimal, agreed: Decimal, tolerance: Decimal
) -> None:
    """A price per gram against a price per gram, or both per kilogram: the same answer."""
    a, b = pair
    t = Fraction(tolerance)
    assert is_over_price(Fraction(price), Fraction(agreed), t) == is_over_price(
        price_in(price, a, b), price_in(agreed, a, b), t
    )


# --- the covered period ---------------------------------------------------------------------------

dates = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 12, 31))
maybe = st.none() | dates


@given(dates, maybe, maybe, maybe)
def test_the_document_period_holds_every_date_it_gives_and_falls_back_to_the_issue_date(
    issue: datetime.date, delivery: datetime.date | None, start: datetime.date | None, end: datetime.date | None
) -> None:
    period = document_period(issue, delivery, start, end)
    given_days = [d for d in (delivery, start, end) if d is not None]
    assert period.start <= period.end
    if not given_days:
        assert period == Period(issue, issue)
    else:
        assert period == Period(min(given_days), max(given_days))


@given(dates, dates, maybe, maybe)
def test_a_lines_own_period_wins(
    a: datetime.date, b: datetime.date, start: datetime.date | None, end: datetime.date | None
) -> None:
    document = Period(min(a, b), max(a, b))
    period = line_period(document, start, end)
    if start is None and end is None:
        assert period == document
    else:
        assert {period.start, period.end} <= {d for d in (start, end) if d is not None}


def test_kronor_is_sek() -> None:
    assert policy.KRONOR == "SEK"
