"""The rule of the purchasing policy: no procurement leaves planning, and none is
advertised, without an approved follow-up strategy that covers every requirement."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from kravspar.audit.models import AuditEvent
from kravspar.core.errors import NotAllowedError
from kravspar.procurements import policy, services
from kravspar.procurements.models import (
    Aim,
    EnvironmentalGoal,
    ProcurementStatus,
    Responsible,
    StrategyStatus,
    Tier,
)
from kravspar.requirements import services as requirement_services


def assess_all_aims(actor, procurement):
    for aim in Aim:
        services.aim_assess(
            actor=actor, procurement=procurement, aim=aim.value, relevant=aim != Aim.ANIMAL_WELFARE, how="Så här."
        )


def plan_fully(world, procurement):
    assess_all_aims(world.officer, procurement)
    quality = requirement_services.requirement_add(
        actor=world.officer, procurement=procurement, title="Städkvalitet", type="quality", text="INSTA 800 nivå 3."
    )
    labour = requirement_services.requirement_add(
        actor=world.officer,
        procurement=procurement,
        title="Arbetsrättsliga villkor",
        type="labour",
        text="Lön, semester och arbetstid enligt kollektivavtal.",
        binds_subcontractors=True,
        aims=[4],
    )
    services.strategy_entry_set(
        actor=world.officer,
        procurement=procurement,
        requirement=quality,
        methods=["spot_check"],
        timing="recurring",
        interval_months=3,
        change_reason="Stickprov varje kvartal: städkvaliteten varierar mellan lokalerna.",
    )
    services.strategy_entry_set(
        actor=world.officer,
        procurement=procurement,
        requirement=labour,
        methods=["self_assessment", "desk_audit"],
        timing="at_months",
        at_months=[3, 12],
        change_reason="Tidig kontroll efter 3 månader, sedan årligen.",
    )
    return quality, labour


def test_a_new_procurement_lists_everything_missing(world, procurement):
    missing = policy.strategy_gate_missing(procurement)
    assert len([m for m in missing if m.startswith("Syfte") or m.startswith("Aim")]) == 6
    assert any("krav" in m.lower() or "requirement" in m.lower() for m in missing)
    for target in ("strategy_approved", "advertised"):
        with pytest.raises(services.StrategyIncompleteError) as exc:
            services.procurement_transition(actor=world.officer, procurement=procurement, to=target)
        assert exc.value.missing == missing
    procurement.refresh_from_db()
    assert procurement.status == ProcurementStatus.PLANNING


def test_planning_cannot_jump_to_advertised(world, procurement):
    with pytest.raises(services.TransitionError):
        services.procurement_transition(actor=world.officer, procurement=procurement, to="evaluation")


def test_full_flow_with_four_eyes(world, procurement, second_officer):
    quality, labour = plan_fully(world, procurement)
    # The policy assigns the responsible unit: quality to the ordering unit, labour to Inköp.
    strategy = policy.current_strategy(procurement)
    entries = {e.requirement_id: e for e in strategy.entries.all()}
    assert entries[quality.id].responsible == Responsible.ORDERING_UNIT
    assert entries[quality.id].responsible_unit == world.unit_vm
    assert entries[labour.id].responsible == Responsible.PURCHASING
    assert entries[labour.id].responsible_unit == world.inkop
    # Everything but the approval is in place.
    remaining = policy.strategy_gate_missing(procurement)
    assert len(remaining) == 1 and "1" in remaining[0]
    assert policy.strategy_gate_missing(procurement, require_approval=False) == []
    services.strategy_submit(actor=world.officer, procurement=procurement)
    with pytest.raises(NotAllowedError):
        services.strategy_approve(actor=world.officer, procurement=procurement)
    services.strategy_approve(actor=second_officer, procurement=procurement)
    procurement.refresh_from_db()
    assert procurement.status == ProcurementStatus.STRATEGY_APPROVED
    services.procurement_transition(actor=world.officer, procurement=procurement, to="advertised")
    procurement.refresh_from_db()
    assert procurement.status == ProcurementStatus.ADVERTISED
    actions = list(AuditEvent.objects.filter(object_id=str(procurement.uuid)).values_list("action", flat=True))
    assert "strategy.approved" in actions and "procurement.advertised" in actions


def test_approved_strategy_is_frozen_and_a_change_makes_a_new_version(world, procurement, second_officer):
    quality, _labour = plan_fully(world, procurement)
    services.strategy_submit(actor=world.officer, procurement=procurement)
    services.strategy_approve(actor=second_officer, procurement=procurement)
    approved = policy.current_strategy(procurement)
    services.strategy_entry_set(
        change_reason="Passar kravet bättre.",
        actor=world.officer,
        procurement=procurement,
        requirement=quality,
        methods=["survey"],
        timing="at_start",
    )
    procurement.refresh_from_db()
    approved.refresh_from_db()
    assert approved.status == StrategyStatus.SUPERSEDED
    assert approved.entries.get(requirement=quality).methods == ["spot_check"]  # version 1 unchanged
    draft = policy.current_strategy(procurement)
    assert draft.number == 2 and draft.status == StrategyStatus.DRAFT
    assert draft.entries.get(requirement=quality).methods == ["survey"]
    assert procurement.status == ProcurementStatus.PLANNING
    with pytest.raises(services.StrategyIncompleteError):
        services.procurement_transition(actor=world.officer, procurement=procurement, to="strategy_approved")


def test_adding_a_requirement_after_approval_reopens_the_gate(world, procurement, second_officer):
    plan_fully(world, procurement)
    services.strategy_submit(actor=world.officer, procurement=procurement)
    services.strategy_approve(actor=second_officer, procurement=procurement)
    requirement_services.requirement_add(
        actor=world.officer, procurement=procurement, title="Miljöbilar", type="environment", text="Euro VI."
    )
    procurement.refresh_from_db()
    with pytest.raises(services.StrategyIncompleteError) as exc:
        services.procurement_transition(actor=world.officer, procurement=procurement, to="strategy_approved")
    assert any("Miljöbilar" in m for m in exc.value.missing)


def test_changing_the_policy_responsible_needs_a_reason(world, procurement):
    quality = requirement_services.requirement_add(
        actor=world.officer, procurement=procurement, title="Kvalitet", type="quality", text="Text."
    )
    with pytest.raises(ValidationError) as exc:
        services.strategy_entry_set(
            change_reason="Passar kravet bättre.",
            actor=world.officer,
            procurement=procurement,
            requirement=quality,
            methods=["supplier_meeting"],
            timing="at_start",
            responsible="purchasing",
        )
    assert "override_reason" in exc.value.message_dict
    entry = services.strategy_entry_set(
        change_reason="Passar kravet bättre.",
        actor=world.officer,
        procurement=procurement,
        requirement=quality,
        methods=["supplier_meeting"],
        timing="at_start",
        responsible="purchasing",
        override_reason="Beställaren saknar resurser under 2026.",
    )
    assert entry.override_reason.startswith("Beställaren")
    event = AuditEvent.objects.filter(action="strategy.entry_set").latest("id")
    assert event.after["Kvalitet"]["override_reason"].startswith("Beställaren")


def test_environmental_goals_of_the_buying_regions_must_be_considered(world, procurement):
    goal = EnvironmentalGoal.objects.create(
        organisation=world.vastmanland,
        programme="Miljöprogram",
        code="T1",
        title="Minska transporternas utsläpp med 32 %",
        valid_from=datetime.date(2024, 1, 1),
    )
    EnvironmentalGoal.objects.create(
        organisation=world.vastmanland,
        programme="Gammalt",
        title="Utgånget mål",
        valid_from=datetime.date(2010, 1, 1),
        valid_to=datetime.date(2012, 1, 1),
    )
    missing = policy.strategy_gate_missing(procurement)
    assert sum("Minska transporternas" in m for m in missing) == 1
    assert not any("Utgånget" in m for m in missing)
    services.goal_assess(actor=world.officer, procurement=procurement, goal=goal, addressed=True, how="Fossilfritt.")
    assert not any("Minska transporternas" in m for m in policy.strategy_gate_missing(procurement))


def test_not_relevant_aim_needs_a_reason(world, procurement):
    with pytest.raises(ValidationError):
        services.aim_assess(actor=world.officer, procurement=procurement, aim=5, relevant=False, how="  ")


def test_cancel_needs_a_reason_and_ends_the_lifecycle(world, procurement):
    with pytest.raises(ValidationError):
        services.procurement_transition(actor=world.officer, procurement=procurement, to="cancelled")
    services.procurement_transition(actor=world.officer, procurement=procurement, to="cancelled", reason="Inget behov.")
    procurement.refresh_from_db()
    assert procurement.cancel_reason == "Inget behov."
    with pytest.raises(services.TransitionError):
        services.procurement_transition(actor=world.officer, procurement=procurement, to="planning")


def test_orderers_and_readers_cannot_plan(world, procurement):
    for person in (world.orderer_vm, world.reader, world.env_vm, world.supplier_contact):
        with pytest.raises(NotAllowedError):
            services.aim_assess(actor=person, procurement=procurement, aim=1, relevant=True, how="x")
        with pytest.raises(NotAllowedError):
            services.procurement_transition(actor=person, procurement=procurement, to="cancelled", reason="x")


def test_tier_and_kraljic(world, procurement):
    # Band 2 + criticality 2 = 4: important; supply risk 3: risky.
    assert policy.kraljic(procurement) == "strategic"
    # 40 MSEK (band 2) + criticality 2 + supply risk 3 = 7 → B
    assert policy.tier(procurement) == Tier.B
    procurement.tier_override = "A"
    assert policy.tier(procurement) == Tier.A
    with pytest.raises(ValidationError):
        services.procurement_update(
            actor=world.officer, procurement=procurement, expected_version=None, tier_override="A"
        )


def test_unknown_procedure_and_agreement_type_are_refused(world, procurement):
    with pytest.raises(ValidationError) as exc:
        services.procurement_update(
            actor=world.officer,
            procurement=procurement,
            expected_version=None,
            procedure="lottery",
            agreement_type="handshake",
        )
    assert {"procedure", "agreement_type"} <= set(exc.value.message_dict)


def test_a_submitted_strategy_cannot_change_until_withdrawn(world, procurement):
    quality, _labour = plan_fully(world, procurement)
    services.strategy_submit(actor=world.officer, procurement=procurement)
    with pytest.raises(services.TransitionError):
        services.strategy_entry_set(
            change_reason="Passar kravet bättre.",
            actor=world.officer,
            procurement=procurement,
            requirement=quality,
            methods=["survey"],
            timing="at_start",
        )
    with pytest.raises(services.TransitionError):
        requirement_services.requirement_add(
            actor=world.officer, procurement=procurement, title="Nytt", type="quality", text="x"
        )
    services.strategy_withdraw(actor=world.officer, procurement=procurement)
    services.strategy_entry_set(
        change_reason="Passar kravet bättre.",
        actor=world.officer,
        procurement=procurement,
        requirement=quality,
        methods=["survey"],
        timing="at_start",
    )
    assert policy.current_strategy(procurement).number == 1
    assert policy.current_strategy(procurement).status == StrategyStatus.DRAFT
