"""Sanction decisions that hold (issue 11): a fine over several deviations is each
deviation's own fine summed, stated as of the decision day; a waiver needs something to waive."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from kravspar.accounts.services import api_token_create
from kravspar.findings import services
from kravspar.findings.models import Sanction, SanctionKind, Severity

DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def test_a_fine_over_several_deviations_sums_each_ones_own_fine(world, raise_deviation, with_plan, contract):
    # Given two major deviations of the contract, 8 and 80 days past their deadlines
    eight = with_plan(raise_deviation(title="Lön"), today() - 8 * DAY, agreed_on=today() - 40 * DAY)
    eighty = with_plan(
        raise_deviation(title="Semester", raised_on=today() - 100 * DAY),
        today() - 80 * DAY,
        agreed_on=today() - 90 * DAY,
    )
    # When Inköp applies the fine to both in one decision
    sanction = services.sanction_decide(
        actor=world.officer, contract=contract, deviations=[eight, eighty], decision="apply", kind=SanctionKind.FINE
    )
    # Then each runs its own started weeks, the long one capped at the contract's 10 weeks:
    # 2 + 10 weeks at 5 000 SEK (the latest alone would have said 10 weeks, 50 000 SEK).
    assert (sanction.weeks, sanction.amount) == (12, Decimal(60000))


def test_the_fine_stated_is_the_fine_of_the_decision_day(world, raise_deviation, with_plan, contract):
    # Given a deviation 15 days past its deadline, verified fixed today
    deviation = with_plan(raise_deviation(), today() - 15 * DAY, agreed_on=today() - 40 * DAY)
    services.action_plan_verify(actor=world.officer, deviation=deviation, expected_version=None, fixed=True)
    deviation.refresh_from_db()
    # When the decision is recorded as taken a week ago (8 days late then)
    sanction = services.sanction_decide(
        actor=world.officer,
        contract=contract,
        deviations=[deviation],
        decision="apply",
        kind=SanctionKind.FINE,
        decided_on=today() - 7 * DAY,
    )
    # Then the amount is the fine as of that day: 2 started weeks, not the 3 of today
    assert (sanction.weeks, sanction.amount) == (2, Decimal(10000))


def test_a_fine_that_keeps_running_is_recomputed_when_decided(world, raise_deviation, with_plan, contract):
    deviation = with_plan(raise_deviation(), today() - 8 * DAY, agreed_on=today() - 40 * DAY)
    earlier = services.sanction_decide(
        actor=world.officer,
        contract=contract,
        deviations=[deviation],
        decision="apply",
        kind=SanctionKind.FINE,
        decided_on=today() - 7 * DAY,
    )
    later = services.sanction_decide(
        actor=world.officer, contract=contract, deviations=[deviation], decision="apply", kind=SanctionKind.FINE
    )
    assert (earlier.amount, later.amount) == (Decimal(5000), Decimal(10000))


def test_nothing_to_waive_for_a_minor_deviation_within_its_deadline(world, raise_deviation, with_plan, contract):
    minor = with_plan(raise_deviation(severity=Severity.MINOR), today() + 10 * DAY)
    with translation.override("sv"), pytest.raises(ValidationError) as exc:
        services.sanction_decide(
            actor=world.officer, contract=contract, deviations=[minor], decision="waive", reason="Ingen fara."
        )
    assert "inget att avstå från" in exc.value.message_dict["decision"][0]
    assert not Sanction.objects.exists()


def test_a_waiver_is_possible_once_a_deadline_was_missed_or_for_a_major_deviation(
    world, raise_deviation, with_plan, contract
):
    minor_late = with_plan(raise_deviation(severity=Severity.MINOR, title="Sen"), today() - DAY)
    major_in_time = with_plan(raise_deviation(severity=Severity.MAJOR, title="Allvarlig"), today() + 10 * DAY)
    for deviation in (minor_late, major_in_time):
        services.sanction_decide(
            actor=world.officer, contract=contract, deviations=[deviation], decision="waive", reason="Proportionalitet."
        )
    assert Sanction.objects.count() == 2


def test_the_sanction_page_refuses_a_waiver_with_nothing_to_waive(world, client_for, raise_deviation, with_plan):
    minor = with_plan(raise_deviation(severity=Severity.MINOR), today() + 10 * DAY)
    client = client_for(world.officer)
    response = client.post(
        reverse("findings:sanction", args=[minor.uuid]),
        {"decision": "waive", "reason": "x", "decided_on": today().isoformat()},
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert response.status_code == 400
    assert "inget att avstå från" in " ".join(response.context["form"].errors["decision"])


def test_the_api_refuses_a_waiver_with_nothing_to_waive(world, client, raise_deviation, with_plan):
    minor = with_plan(raise_deviation(severity=Severity.MINOR), today() + 10 * DAY)
    token = api_token_create(actor=None, user=world.officer, name="test")[1]
    response = client.post(
        f"/api/v1/deviations/{minor.uuid}/sanctions",
        {"decision": "waive", "reason": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert response.status_code == 400
    assert "decision" in response.json()["details"]["fields"]
    assert not Sanction.objects.exists()
