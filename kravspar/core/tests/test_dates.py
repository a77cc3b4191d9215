"""Month arithmetic keeps month ends (issue: conclusions that hold). Properties over every
date 2000–2100, plus the cases the policy names."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from kravspar.core.dates import add_months, is_month_end, last_day_of_month

D = datetime.date
dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31))
months = st.integers(min_value=-120, max_value=120)


def test_named_cases():
    assert add_months(D(2026, 6, 30), 6) == D(2026, 12, 31)
    assert add_months(D(2026, 4, 30), 1) == D(2026, 5, 31)
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert add_months(D(2026, 2, 28), 1) == D(2026, 3, 31)
    assert add_months(D(2028, 2, 28), 1) == D(2028, 3, 28)  # not the end of a leap February
    assert add_months(D(2026, 1, 30), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 3, 15), -3) == D(2025, 12, 15)
    assert add_months(D(2026, 3, 15), 0) == D(2026, 3, 15)


@given(dates, months)
def test_lands_in_the_target_month(day, n):
    result = add_months(day, n)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == n


@given(dates, months)
def test_month_end_stays_month_end(day, n):
    end = day.replace(day=last_day_of_month(day.year, day.month))
    assert is_month_end(add_months(end, n))


@given(dates, months)
def test_other_days_keep_their_number_or_clip(day, n):
    result = add_months(day, n)
    if not is_month_end(day):
        assert result.day == min(day.day, last_day_of_month(result.year, result.month))


@given(dates, months, months)
def test_composes_for_month_ends_and_early_days(day, a, b):
    # Day 28 is not "early": 2000-02-28 + 12 months is 2001-02-28, a month end, which then
    # moves to 31 March, while 2000-02-28 + 13 months is 28 March. Hypothesis found it.
    if is_month_end(day) or day.day <= 27:
        assert add_months(add_months(day, a), b) == add_months(day, a + b)


def test_the_28th_that_becomes_a_month_end_moves_with_it():
    assert add_months(add_months(D(2000, 2, 28), 12), 1) == D(2001, 3, 31)
    assert add_months(D(2000, 2, 28), 13) == D(2001, 3, 28)


@given(dates, st.integers(min_value=0, max_value=120))
def test_never_goes_backwards(day, n):
    assert add_months(day, n) >= day
