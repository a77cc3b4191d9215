"""Assessing several aims and goals at once (``assessments_record``, the demo's way) leaves
the same rows, versions and history as assessing them one by one."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from kravspar.audit.models import AuditEvent
from kravspar.core.errors import NotAllowedError
from kravspar.procurements import services
from kravspar.procurements.models import Aim, EnvironmentalGoal, Procurement


@pytest.fixture
def goals(world):
    return [
        EnvironmentalGoal.objects.create(
            organisation=region, programme="Miljöprogram", code=code, title=title, valid_from=datetime.date(2024, 1, 1)
        )
        for region, code, title in (
            (world.vastmanland, "T1", "Minska transporternas utsläpp"),
            (world.sormland, "2", "Hållbar resursanvändning"),
        )
    ]


def _twin(world, procurement):
    return services.procurement_create(
        actor=world.officer,
        buyers=[world.sormland, world.vastmanland],
        ordering_units=[world.unit_vm],
        registry_number="RS-2026-0143",
        title=procurement.title,
        kind=procurement.kind,
        procedure=procurement.procedure,
        officer=world.officer,
        cpv_main=procurement.cpv_main,
        estimated_value=procurement.estimated_value,
    )


def _state(procurement):
    events = AuditEvent.objects.filter(object_id=str(procurement.uuid)).exclude(action="procurement.created")
    return {
        "version": Procurement.objects.get(pk=procurement.pk).version,
        "aims": sorted(procurement.aim_assessments.values_list("aim", "relevant", "how")),
        "goals": sorted(procurement.goal_assessments.values_list("goal_id", "addressed", "how")),
        "events": [
            (e.actor_id, e.action, e.organisation_id, e.before, e.after) for e in events.order_by("created_at", "id")
        ],
    }


def test_at_once_is_one_by_one(world, procurement, goals):
    first_aims = [(aim.value, aim != Aim.ANIMAL_WELFARE, f"Syfte {aim.value}.") for aim in Aim]
    first_goals = [(goal, True, "Fossilfria transporter.") for goal in goals]
    # Then: one aim changed, one unchanged (no event), one goal considered again (an event).
    then_aims = [(1, False, "Inte längre relevant."), (2, True, "Syfte 2.")]
    then_goals = [(goals[0], False, "Berörs inte.")]

    twin = _twin(world, procurement)
    for aims, goal_list in ((first_aims, first_goals), (then_aims, then_goals)):
        for aim, relevant, how in aims:
            services.aim_assess(actor=world.officer, procurement=procurement, aim=aim, relevant=relevant, how=how)
        for goal, addressed, how in goal_list:
            services.goal_assess(actor=world.officer, procurement=procurement, goal=goal, addressed=addressed, how=how)
        services.assessments_record(actor=world.officer, procurement=twin, aims=aims, goals=goal_list)

    one_by_one, at_once = _state(procurement), _state(twin)
    assert at_once == one_by_one
    assert len(at_once["events"]) == 6 + 2 + 1 + 1
    assert at_once["version"] - 1 == 10


def test_a_refused_item_leaves_nothing(world, procurement, goals):
    version = procurement.version
    with pytest.raises(ValidationError):
        services.assessments_record(
            actor=world.officer, procurement=procurement, aims=[(1, True, "Pris."), (3, False, "   ")]
        )
    with pytest.raises(ValidationError):
        services.assessments_record(
            actor=world.officer, procurement=procurement, aims=[(1, True, "Pris.")], goals=[(goals[0], True, "")]
        )
    assert not procurement.aim_assessments.exists()
    assert not AuditEvent.objects.filter(action="procurement.aim_assessed").exists()
    assert Procurement.objects.get(pk=procurement.pk).version == version


def test_outsiders_cannot_assess(world, procurement, goals):
    for person in (world.orderer_vm, world.reader, world.supplier_contact):
        with pytest.raises(NotAllowedError):
            services.assessments_record(actor=person, procurement=procurement, aims=[(1, True, "Pris.")])
    assert not procurement.aim_assessments.exists()


def test_at_once_takes_a_handful_of_queries(world, procurement, goals, django_assert_max_num_queries):
    aims = [(aim.value, True, "Så här.") for aim in Aim]
    with django_assert_max_num_queries(12):
        services.assessments_record(
            actor=world.officer, procurement=procurement, aims=aims, goals=[(g, True, "Så här.") for g in goals]
        )
    assert procurement.aim_assessments.count() == 6
