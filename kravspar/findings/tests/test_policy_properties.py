"""The arithmetic rules of findings/policy.py, as properties (issue 11: conclusions that hold).

- The SQL filter ``decision_needed_q`` says exactly what ``needs_decision`` says, on any deviation.
- The SQL light ``deviation_level`` is the light ``deviation_light`` gives, on any deviation.
- A fine over several deviations is the sum of each deviation's own fine; each is monotone
  in days late, never above the contract's cap, and one day late is one started week.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kravspar.contracts.models import Contract
from kravspar.findings import policy
from kravspar.findings.models import Deviation, DeviationStatus, Sanction, Severity

TODAY = datetime.date(2026, 3, 2)
DAY = datetime.timedelta(days=1)
near = st.dates(min_value=TODAY - 90 * DAY, max_value=TODAY + 30 * DAY)


@st.composite
def deviations(draw: Any) -> dict[str, Any]:
    raised_on = draw(st.dates(min_value=TODAY - 120 * DAY, max_value=TODAY))
    return {
        "severity": draw(st.sampled_from(Severity.values)),
        "status": draw(st.sampled_from(DeviationStatus.values)),
        "raised_on": raised_on,
        "deadline": draw(st.none() | near),
        "fixed_on": draw(st.none() | near),
        "awaiting_assessment": draw(st.booleans()),
        "decided": draw(st.booleans()),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(deviations(), min_size=1, max_size=6), plan_days=st.sampled_from([0, 1, 30, 45]))
def test_the_sql_filter_and_the_python_rule_agree(world, contract, rows, plan_days):
    created = []
    try:
        for i, row in enumerate(rows):
            decided = row.pop("decided")
            deviation = Deviation.objects.create(contract=contract, title=f"d{i}", **row)
            if decided:
                sanction = Sanction.objects.create(contract=contract, decision="waive", reason="x", decided_on=TODAY)
                sanction.deviations.set([deviation])
            created.append((deviation, decided))
        with override_settings(KRAVSPAR_ACTION_PLAN_DAYS=plan_days):
            by_python = {d.pk for d, decided in created if policy.needs_decision(d, TODAY, decided=decided)}
            by_sql = set(
                Deviation.objects.filter(policy.decision_needed_q(TODAY), contract=contract).values_list(
                    "pk", flat=True
                )
            )
        assert by_sql == by_python
    finally:  # every generated example starts from an empty contract
        Sanction.objects.filter(contract=contract).delete()
        Deviation.objects.filter(contract=contract).delete()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(deviations(), min_size=1, max_size=6), plan_days=st.sampled_from([0, 1, 30]))
def test_the_sql_light_and_the_python_light_agree(world, contract, rows, plan_days):
    """The dashboard takes the worst light per supplier in SQL (``deviation_level``)."""
    try:
        for i, row in enumerate(rows):
            row.pop("decided")
            Deviation.objects.create(contract=contract, title=f"d{i}", **row)
        with override_settings(KRAVSPAR_ACTION_PLAN_DAYS=plan_days):
            by_sql = dict(
                Deviation.objects.filter(contract=contract)
                .annotate(level=policy.deviation_level(TODAY))
                .values_list("pk", "level")
            )
            by_python = {}
            for deviation in Deviation.objects.filter(contract=contract):
                light = policy.deviation_light(deviation, TODAY)
                by_python[deviation.pk] = None if light is None else policy.Light.ORDER[light[0]]
        assert by_sql == by_python
    finally:
        Deviation.objects.filter(contract=contract).delete()


def _contract(per_week: int | None, cap: int | None) -> Contract:
    return Contract(fine_per_week=None if per_week is None else Decimal(per_week), fine_cap_weeks=cap)


per_week = st.integers(min_value=1, max_value=100_000)
caps = st.none() | st.integers(min_value=0, max_value=52)
days_late = st.integers(min_value=0, max_value=800)


@given(per_week, caps, st.lists(st.tuples(days_late, st.none() | st.integers(-30, 800)), min_size=1, max_size=8))
def test_the_fine_of_a_decision_is_the_sum_of_each_deviations_fine(fine, cap, late):
    contract = _contract(fine, cap)
    covered = []
    for late_by, fixed_after_deadline in late:
        deadline = TODAY - datetime.timedelta(days=late_by)
        fixed_on = None if fixed_after_deadline is None else deadline + datetime.timedelta(days=fixed_after_deadline)
        covered.append(Deviation(severity=Severity.MAJOR, deadline=deadline, fixed_on=fixed_on))
    total = policy.fine_for_deviations(contract, covered, TODAY)
    singles = [policy.fine_for_deviations(contract, [d], TODAY) for d in covered]
    assert total is not None and all(s is not None for s in singles)
    assert total.amount == sum(s.amount for s in singles if s)
    assert total.weeks == sum(s.weeks for s in singles if s)


@given(per_week, caps, days_late, days_late)
def test_a_single_fine_grows_with_the_days_late_and_never_passes_the_cap(fine, cap, a, b):
    contract = _contract(fine, cap)
    deadline = TODAY
    earlier, later = sorted((a, b))
    first = policy.fine_for(contract, deadline=deadline, until=deadline + datetime.timedelta(days=earlier))
    second = policy.fine_for(contract, deadline=deadline, until=deadline + datetime.timedelta(days=later))
    assert first.amount is not None and second.amount is not None
    assert first.amount <= second.amount
    if cap is not None:
        assert second.weeks <= cap and second.amount <= cap * Decimal(fine)


@given(per_week, st.integers(min_value=1, max_value=52))
def test_one_day_late_is_one_started_week(fine, cap):
    fined = policy.fine_for(_contract(fine, cap), deadline=TODAY, until=TODAY + DAY)
    assert (fined.weeks, fined.amount) == (1, Decimal(fine))


@given(per_week, caps, days_late, st.integers(min_value=0, max_value=400))
def test_a_fine_stated_on_a_day_ignores_days_after_it(fine, cap, late_by, fixed_after):
    """A decision dated before the correction was verified states the fine of the decision day."""
    contract = _contract(fine, cap)
    deadline = TODAY - datetime.timedelta(days=late_by)
    deviation = Deviation(deadline=deadline, fixed_on=TODAY + datetime.timedelta(days=fixed_after))
    stated = policy.fine_for_deviations(contract, [deviation], TODAY)
    assert stated is not None
    assert stated.amount == policy.fine_for(contract, deadline=deadline, until=TODAY).amount
