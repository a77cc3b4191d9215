"""Supplier status (green/yellow/red), the sanction-decision rule and the fine."""

import datetime
from decimal import Decimal

from django.utils import translation

from kravspar.contracts.models import Contract
from kravspar.findings import policy
from kravspar.findings.models import Deviation, DeviationStatus, Severity

TODAY = datetime.date(2026, 3, 2)
DAY = datetime.timedelta(days=1)


def dev(**kw):
    fields = {"title": "x", "severity": Severity.MAJOR, "status": DeviationStatus.OPEN} | kw
    return Deviation(**fields)


def light(*deviations):
    return policy.status_of(deviations, TODAY).light


def test_green_when_nothing_is_open_or_everything_was_fixed_in_time():
    assert light() == "green"
    assert light(dev(status=DeviationStatus.FIXED, deadline=TODAY - DAY, fixed_on=TODAY - 2 * DAY)) == "green"
    assert light(dev(status=DeviationStatus.CLOSED, deadline=TODAY - 9 * DAY)) == "green"


def test_observations_do_not_count():
    assert light(dev(severity=Severity.OBSERVATION)) == "green"


def test_yellow_while_being_handled_within_the_deadline():
    assert light(dev(status=DeviationStatus.ACTION_PLAN_AGREED, deadline=TODAY)) == "yellow"
    assert light(dev(severity=Severity.MINOR)) == "yellow"  # open, plan not yet agreed


def test_red_when_the_deadline_passed_without_verification():
    with translation.override("en"):
        status = policy.status_of([dev(status=DeviationStatus.ACTION_PLAN_AGREED, deadline=TODAY - DAY)], TODAY)
        assert status.light == "red"
        assert "passed without verification" in status.reasons[0]


def test_red_when_fixed_late_or_not_enough():
    assert light(dev(status=DeviationStatus.FIXED, deadline=TODAY - 5 * DAY, fixed_on=TODAY - DAY)) == "red"
    assert light(dev(status=DeviationStatus.NOT_FIXED, deadline=TODAY + DAY)) == "red"


def test_red_for_a_critical_deviation_without_an_agreed_plan():
    assert light(dev(severity=Severity.CRITICAL)) == "red"
    assert light(dev(severity=Severity.MAJOR)) == "yellow"


def test_the_worst_deviation_decides():
    green = dev(status=DeviationStatus.FIXED, deadline=TODAY, fixed_on=TODAY)
    yellow = dev(status=DeviationStatus.ACTION_PLAN_AGREED, deadline=TODAY + DAY)
    red = dev(status=DeviationStatus.NOT_FIXED)
    assert light(green, yellow) == "yellow"
    assert light(green, yellow, red) == "red"


def test_decision_needed_only_for_major_or_critical_past_the_deadline_until_decided():
    late = dev(status=DeviationStatus.ACTION_PLAN_AGREED, deadline=TODAY - DAY)
    assert policy.needs_decision(late, TODAY, decided=False)
    assert not policy.needs_decision(late, TODAY, decided=True)
    assert not policy.needs_decision(dev(deadline=TODAY - DAY, severity=Severity.MINOR), TODAY, decided=False)
    assert not policy.needs_decision(dev(deadline=TODAY), TODAY, decided=False)  # the deadline day itself is in time
    fixed_in_time = dev(status=DeviationStatus.FIXED, deadline=TODAY - 3 * DAY, fixed_on=TODAY - 3 * DAY)
    assert not policy.needs_decision(fixed_in_time, TODAY, decided=False)
    fixed_late = dev(status=DeviationStatus.FIXED, deadline=TODAY - 3 * DAY, fixed_on=TODAY - DAY)
    assert policy.needs_decision(fixed_late, TODAY, decided=False)


def contract(per_week=5000, cap=10):
    return Contract(fine_per_week=None if per_week is None else Decimal(per_week), fine_cap_weeks=cap)


def test_fine_is_per_started_week():
    deadline = datetime.date(2026, 1, 1)
    assert policy.fine_for(contract(), deadline=deadline, until=deadline).weeks == 0
    one_day = policy.fine_for(contract(), deadline=deadline, until=deadline + DAY)
    assert (one_day.weeks, one_day.amount) == (1, Decimal(5000))
    assert policy.fine_for(contract(), deadline=deadline, until=deadline + 7 * DAY).weeks == 1
    assert policy.fine_for(contract(), deadline=deadline, until=deadline + 8 * DAY).weeks == 2


def test_fine_is_capped_at_the_contracts_weeks():
    deadline = datetime.date(2026, 1, 1)
    fine = policy.fine_for(contract(cap=10), deadline=deadline, until=deadline + 100 * DAY)
    assert (fine.weeks, fine.capped, fine.amount) == (10, True, Decimal(50000))
    uncapped = policy.fine_for(contract(cap=None), deadline=deadline, until=deadline + 100 * DAY)
    assert (uncapped.weeks, uncapped.capped) == (15, False)


def test_no_amount_when_the_contract_sets_no_fine():
    deadline = datetime.date(2026, 1, 1)
    assert policy.fine_for(contract(per_week=None), deadline=deadline, until=deadline + DAY).amount is None


def test_a_major_deviation_without_a_plan_turns_red_after_the_set_days(settings):
    settings.KRAVSPAR_ACTION_PLAN_DAYS = 30
    waited_30 = dev(raised_on=TODAY - 30 * DAY)
    waited_31 = dev(raised_on=TODAY - 31 * DAY)
    assert light(waited_30) == "yellow"
    assert light(waited_31) == "red"
    assert not policy.needs_decision(waited_30, TODAY, decided=False)
    assert policy.needs_decision(waited_31, TODAY, decided=False)
    assert not policy.needs_decision(waited_31, TODAY, decided=True)
    # A minor one asks for no sanction; a reopened one waiting for its new plan does.
    assert light(dev(severity=Severity.MINOR, raised_on=TODAY - 99 * DAY)) == "yellow"
    assert policy.needs_decision(dev(status=DeviationStatus.REOPENED, raised_on=TODAY - 99 * DAY), TODAY, decided=False)
    # A closed one is finished, however long ago it was raised.
    assert not policy.needs_decision(
        dev(status=DeviationStatus.CLOSED, raised_on=TODAY - 99 * DAY), TODAY, decided=False
    )


def test_the_number_of_days_is_a_setting(settings):
    settings.KRAVSPAR_ACTION_PLAN_DAYS = 10
    assert light(dev(raised_on=TODAY - 11 * DAY)) == "red"


def test_a_reported_deviation_waits_for_inkop_whatever_severity_was_proposed():
    reported = dev(severity=Severity.CRITICAL, awaiting_assessment=True, raised_on=TODAY - 99 * DAY)
    assert light(reported) == "yellow"
    assert not policy.needs_decision(reported, TODAY, decided=False)
