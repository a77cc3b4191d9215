"""A registered contract gets its follow-up plan at once, and its history says what it
carries: Inköp registers a contract from an awarded procurement (or a contract adopts a
strategy, or is tied to its procurement) and the plan is there in the same transaction;
if planning fails, nothing is registered. The registration event names the approved
strategy the contract follows."""

import pytest

from kravspar.audit.models import AuditEvent
from kravspar.contracts import services
from kravspar.contracts.models import Contract, ContractRequirement
from kravspar.contracts.tests.conftest import contract_fields
from kravspar.contracts.tests.test_adopt_strategy import _approve, _conclude
from kravspar.followups import planning
from kravspar.followups.models import Activity
from kravspar.procurements import policy

pytestmark = pytest.mark.django_db


def event(contract, action):
    return AuditEvent.objects.get(action=action, object_id=str(contract.uuid))


def register(world, awarded, cleaner, **overrides):
    return services.contract_create_from_procurement(
        actor=world.officer,
        procurement=awarded,
        suppliers=[cleaner],
        buyers=[world.sormland, world.vastmanland],
        **contract_fields(**overrides),
    )


class PlanningFailed(Exception):
    pass


@pytest.fixture
def planning_fails(monkeypatch):
    def fail(*args, **kwargs):
        raise PlanningFailed

    monkeypatch.setattr(planning, "plan_contract", fail)


def test_a_contract_registered_from_an_awarded_procurement_has_its_plan_at_once(world, awarded, cleaner):
    # Given an awarded procurement with an approved strategy (spot checks every 3 months,
    # self-assessment at months 3 and 12), when Inköp registers the 2-year contract,
    contract = register(world, awarded, cleaner)
    # then the plan is there: the seven quarterly spot checks within the period and both labour checks.
    quality, labour = awarded.planned
    assert Activity.objects.filter(contract=contract, requirement__source_requirement=quality).count() == 7
    assert Activity.objects.filter(contract=contract, requirement__source_requirement=labour).count() == 2
    planned = event(contract, "contract.planned")
    assert planned.actor == world.officer and planned.after["created"] == 9


def test_if_planning_fails_nothing_is_registered(world, awarded, cleaner, planning_fails):
    with pytest.raises(PlanningFailed):
        register(world, awarded, cleaner)
    assert not Contract.objects.exists()
    assert not ContractRequirement.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="contract.").exists()


def test_without_an_approved_strategy_the_contract_is_flagged_and_has_no_plan(world, procurement, cleaner):
    concluded = _conclude(procurement)
    contract = services.contract_create_from_procurement(
        actor=world.officer,
        procurement=concluded,
        suppliers=[cleaner],
        buyers=[world.sormland],
        **contract_fields(),
    )
    assert contract.strategy_missing and not planning.has_plan(contract)
    assert not AuditEvent.objects.filter(action="contract.planned").exists()
    created = event(contract, "contract.created")
    assert created.after["strategy_missing"] is True and created.after["strategy"] is None


def test_the_registration_event_names_the_strategy_the_contract_follows(world, awarded, cleaner):
    contract = register(world, awarded, cleaner)
    strategy = policy.current_strategy(awarded)
    after = event(contract, "contract.created").after
    # The event is written after the snapshot: it never says "strategy missing" for a
    # contract that follows a strategy.
    assert after["strategy_missing"] is False and after["strategy_version"] == strategy.number == 1
    assert after["strategy"] == {
        "id": strategy.pk,
        "version": 1,
        "approved_at": strategy.approved_at.isoformat(),
        "requirements": 2,
    }
    assert after["requirements"] == 2


def test_a_direct_registration_says_it_has_no_strategy_and_plans_nothing(world, cleaner):
    contract = services.contract_register_direct(
        actor=world.officer, suppliers=[cleaner], buyers=[world.sormland], **contract_fields()
    )
    after = event(contract, "contract.registered").after
    assert after["strategy_missing"] is True and after["strategy"] is None and after["requirements"] == 0
    assert not planning.has_plan(contract)
    assert not AuditEvent.objects.filter(action="contract.planned").exists()


def test_adopting_a_strategy_records_it_and_plans_in_the_same_transaction(world, awarded, cleaner):
    # Registered directly although its procurement's strategy is approved: flagged.
    contract = services.contract_register_direct(
        actor=world.officer, procurement=awarded, suppliers=[cleaner], buyers=[world.sormland], **contract_fields()
    )
    services.contract_adopt_strategy(actor=world.officer, contract=contract)
    contract.refresh_from_db()
    assert not contract.strategy_missing and planning.has_plan(contract)
    assert Activity.objects.filter(contract=contract).count() == 9
    adopted = event(contract, "contract.strategy_adopted").after
    strategy = policy.current_strategy(awarded)
    assert adopted["strategy"] == {
        "id": strategy.pk,
        "version": 1,
        "approved_at": strategy.approved_at.isoformat(),
        "requirements": 2,
    }
    assert adopted["requirements"] == 2


def test_if_planning_fails_the_strategy_is_not_adopted(world, awarded, cleaner, monkeypatch):
    contract = services.contract_register_direct(
        actor=world.officer, procurement=awarded, suppliers=[cleaner], buyers=[world.sormland], **contract_fields()
    )

    def fail(*args, **kwargs):
        raise PlanningFailed

    monkeypatch.setattr(planning, "plan_contract", fail)
    with pytest.raises(PlanningFailed):
        services.contract_adopt_strategy(actor=world.officer, contract=contract)
    contract.refresh_from_db()
    assert contract.strategy_missing and not contract.requirements.exists()
    assert not AuditEvent.objects.filter(action="contract.strategy_adopted").exists()


def test_tying_a_contract_to_a_procurement_with_an_approved_strategy_plans_it(world, awarded, sormland_contract):
    services.contract_link_procurement(actor=world.officer, contract=sormland_contract, procurement=awarded)
    assert Activity.objects.filter(contract=sormland_contract).count() == 9
    adopted = event(sormland_contract, "contract.strategy_adopted").after
    assert adopted["strategy"]["version"] == 1 and adopted["strategy"]["requirements"] == 2


def test_if_planning_fails_the_contract_is_not_tied(world, awarded, sormland_contract, planning_fails):
    with pytest.raises(PlanningFailed):
        services.contract_link_procurement(actor=world.officer, contract=sormland_contract, procurement=awarded)
    sormland_contract.refresh_from_db()
    assert sormland_contract.procurement is None and sormland_contract.strategy_missing


def test_approving_a_strategy_plans_every_contract_waiting_for_it(world, procurement, cleaner, second_officer):
    concluded = _conclude(procurement)
    waiting = [
        services.contract_register_direct(
            actor=world.officer,
            procurement=concluded,
            suppliers=[cleaner],
            buyers=[world.sormland],
            **contract_fields(contract_number=f"AVT-{n}"),
        )
        for n in (1, 2)
    ]
    _approve(world, second_officer, concluded)
    for contract in waiting:
        contract.refresh_from_db()
        assert not contract.strategy_missing and Activity.objects.filter(contract=contract).count() == 9
        assert event(contract, "contract.strategy_adopted").after["strategy"]["version"] == 1


def test_if_planning_fails_the_approval_adopts_nothing(world, procurement, cleaner, second_officer, planning_fails):
    concluded = _conclude(procurement)
    contract = services.contract_register_direct(
        actor=world.officer, procurement=concluded, suppliers=[cleaner], buyers=[world.sormland], **contract_fields()
    )
    with pytest.raises(PlanningFailed):
        _approve(world, second_officer, concluded)
    contract.refresh_from_db()
    assert contract.strategy_missing and not contract.requirements.exists()
