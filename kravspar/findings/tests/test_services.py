"""Deviations through their lifecycle: action plan, verification, sanction decision,
closing and reopening — each change recorded, none overwriting another."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kravspar.audit.models import AuditEvent
from kravspar.core.errors import ConcurrentEditError, DomainError, NotAllowedError
from kravspar.findings import policy, services
from kravspar.findings.models import Deviation, DeviationStatus, PlanStatus, SanctionKind, Severity

DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def test_raise_defaults_requirement_and_supplier_from_the_activity(world, raise_deviation, activity, supplier):
    deviation = raise_deviation()
    assert deviation.requirement == activity.requirement
    assert deviation.supplier == supplier
    assert deviation.status == DeviationStatus.OPEN
    assert AuditEvent.objects.filter(action="deviation.raised", object_id=str(deviation.uuid)).exists()


def test_only_inkop_raises_and_handles_deviations(world, activity, raise_deviation):
    with pytest.raises(NotAllowedError):
        services.deviation_raise(actor=world.orderer_vm, activity=activity, severity=Severity.MINOR, title="x")
    deviation = raise_deviation()
    with pytest.raises(NotAllowedError):
        services.deviation_update(actor=world.reader, deviation=deviation, expected_version=None, title="y")


def test_agree_then_verify_fixed_in_time(world, raise_deviation, with_plan, contract):
    deviation = with_plan(raise_deviation(), today() + 10 * DAY)
    assert deviation.status == DeviationStatus.ACTION_PLAN_AGREED
    assert policy.status_of([deviation], today()).light == "yellow"
    plan = services.action_plan_verify(
        actor=world.officer, deviation=deviation, expected_version=deviation.version, fixed=True
    )
    assert plan.status == PlanStatus.VERIFIED
    deviation.refresh_from_db()
    assert deviation.status == DeviationStatus.FIXED and deviation.fixed_in_time
    assert policy.decision_needed(contract, today() + 30 * DAY) == []


def test_not_fixed_needs_a_note(world, raise_deviation, with_plan):
    deviation = with_plan(raise_deviation(), today() + 10 * DAY)
    with pytest.raises(ValidationError) as exc:
        services.action_plan_verify(actor=world.officer, deviation=deviation, expected_version=None, fixed=False)
    assert "note" in exc.value.message_dict


def test_missed_deadline_demands_a_decision_until_one_is_recorded(world, raise_deviation, with_plan, contract):
    deviation = with_plan(raise_deviation(), today() - 8 * DAY, agreed_on=today() - 40 * DAY)
    assert policy.decision_needed(contract, today()) == [deviation]
    # Nothing moves on until Inköp decides: no new plan, no closing, no reopening.
    with pytest.raises(DomainError):
        services.deviation_close(actor=world.officer, deviation=deviation, expected_version=None, note="klart")
    services.sanction_decide(
        actor=world.officer, contract=contract, deviations=[deviation], decision="apply", kind=SanctionKind.FINE
    )
    assert policy.decision_needed(contract, today()) == []


def test_fine_amount_is_computed_from_the_contract(world, raise_deviation, with_plan, contract):
    deviation = with_plan(raise_deviation(), today() - 8 * DAY, agreed_on=today() - 40 * DAY)
    sanction = services.sanction_decide(
        actor=world.officer,
        contract=contract,
        deviations=[deviation],
        decision="apply",
        kind=SanctionKind.FINE,
        amount=1,  # ignored: a fine follows the contract
    )
    assert (sanction.weeks, sanction.amount) == (2, Decimal(10000))


def test_waiving_needs_a_reason(world, raise_deviation, with_plan, contract):
    deviation = with_plan(raise_deviation(), today() - DAY, agreed_on=today() - 20 * DAY)
    with pytest.raises(ValidationError) as exc:
        services.sanction_decide(actor=world.officer, contract=contract, deviations=[deviation], decision="waive")
    assert "reason" in exc.value.message_dict
    assert policy.decision_needed(contract, today()) == [deviation]
    services.sanction_decide(
        actor=world.officer,
        contract=contract,
        deviations=[deviation],
        decision="waive",
        reason="Leverantören rättade dagen efter; proportionalitet.",
    )
    assert policy.decision_needed(contract, today()) == []


def test_only_inkop_decides_sanctions(world, raise_deviation, contract):
    deviation = raise_deviation()
    with pytest.raises(NotAllowedError):
        services.sanction_decide(
            actor=world.orderer_vm, contract=contract, deviations=[deviation], decision="waive", reason="x"
        )


def test_reopen_is_recorded_and_needs_a_new_plan(world, raise_deviation, with_plan):
    deviation = with_plan(raise_deviation(), today() + 10 * DAY)
    services.action_plan_verify(actor=world.officer, deviation=deviation, expected_version=None, fixed=True)
    services.deviation_close(actor=world.officer, deviation=deviation, expected_version=None)
    with pytest.raises(ValidationError):
        services.deviation_reopen(actor=world.officer, deviation=deviation, expected_version=None, reason=" ")
    services.deviation_reopen(
        actor=world.officer, deviation=deviation, expected_version=None, reason="Ny revision visar samma brist."
    )
    deviation.refresh_from_db()
    assert deviation.status == DeviationStatus.REOPENED
    assert deviation.deadline is None and deviation.closed_on is None
    event = AuditEvent.objects.get(action="deviation.reopened", object_id=str(deviation.uuid))
    assert event.before["status"] == "closed"
    assert event.after["reason"] == "Ny revision visar samma brist."
    with_plan(deviation, today() + 20 * DAY)
    assert deviation.action_plans.count() == 2
    assert deviation.action_plans.filter(status=PlanStatus.CLOSED).count() == 1


def test_concurrent_edits_cannot_overwrite_each_other(world, raise_deviation):
    deviation = raise_deviation()
    seen = deviation.version
    services.deviation_update(actor=world.officer, deviation=deviation, expected_version=seen, title="Första")
    with pytest.raises(ConcurrentEditError):
        services.deviation_update(actor=world.officer, deviation=deviation, expected_version=seen, title="Andra")
    assert Deviation.objects.get(pk=deviation.pk).title == "Första"


def test_action_plan_needs_actions_and_a_sensible_deadline(world, raise_deviation):
    deviation = raise_deviation(raised_on=today() - 5 * DAY)
    with pytest.raises(ValidationError) as exc:
        services.action_plan_agree(
            actor=world.officer,
            deviation=deviation,
            expected_version=None,
            agreed_on=today(),
            deadline=today() - DAY,
            items=[],
        )
    assert set(exc.value.message_dict) == {"deadline", "items"}


def test_evaluation_is_recorded_and_revised(world, contract):
    evaluation = services.evaluation_record(
        actor=world.officer,
        contract=contract,
        expected_version=None,
        aims={4: ("partly", "En avvikelse om löner"), 1: ("met", "")},
        supplier_relationship="Bra dialog.",
        lessons="Begär lönespecifikationer tidigare.",
    )
    assert evaluation.aims.count() == 2
    services.evaluation_record(
        actor=world.officer, contract=contract, expected_version=evaluation.version, aims={4: ("met", "")}
    )
    with pytest.raises(ConcurrentEditError):
        services.evaluation_record(
            actor=world.officer, contract=contract, expected_version=evaluation.version, aims={4: ("met", "")}
        )
    assert AuditEvent.objects.filter(action="contract.evaluation_updated").count() == 1


def test_an_evaluation_made_without_a_day_is_dated_by_the_project_clock(world, contract):
    """The model's default reads Django's clock (``timezone.localdate``), which the demo's
    clock moves, not the machine's calendar."""
    from kravspar.core import demo_clock
    from kravspar.findings.models import ContractEvaluation

    day = datetime.date(2031, 5, 17)
    with demo_clock.told_from(day):
        evaluation = ContractEvaluation.objects.create(contract=contract, evaluated_by=world.officer)
    assert evaluation.evaluated_on == day
