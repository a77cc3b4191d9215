"""The follow-up plan: generated from the requirement snapshot over the contract period,
re-planned without touching started, done or cancelled work."""

import datetime

import pytest

from kravspar.audit.models import AuditEvent
from kravspar.followups import services
from kravspar.followups.models import Activity, ActivityStatus
from kravspar.followups.planning import REPLAN_CANCEL_REASON, add_months, plan_contract
from kravspar.followups.tests.conftest import extend
from kravspar.procurements.models import Method

D = datetime.date


def dates(contract, title):
    return list(
        Activity.objects.filter(contract=contract, requirement__title=title)
        .exclude(status=ActivityStatus.CANCELLED)
        .order_by("occurrence")
        .values_list("due_on", flat=True)
    )


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 11, 15), 3) == D(2027, 2, 15)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"timing": "at_evaluation"}, []),
        ({"timing": "at_start"}, [D(2026, 1, 31)]),
        (
            {"timing": "recurring", "interval_months": 6},
            [D(2026, 7, 1), D(2027, 1, 1), D(2027, 7, 1)],
        ),
        ({"timing": "at_months", "at_months": [18, 3, 30]}, [D(2026, 4, 1), D(2027, 7, 1)]),
        ({"timing": "recurring", "interval_months": None}, []),
    ],
)
def test_each_timing(world, make_contract, spec, expected):
    contract = make_contract(requirements=[{"title": "K", "methods": ["document_review"], **spec}])
    result = plan_contract(contract)
    assert dates(contract, "K") == expected
    assert result.created == len(expected)


def test_one_activity_per_occurrence_with_the_first_method_and_the_others_in_notes(world, planned):
    activity = Activity.objects.get(contract=planned, requirement__title="Städkvalitet", occurrence=0)
    assert activity.method == "spot_check"
    assert str(Method.SURVEY.label) in activity.notes
    assert activity.responsible_unit == world.unit_vm
    assert activity.responsible_person is None
    assert activity.status == ActivityStatus.PLANNED


def test_requirement_without_a_method_is_skipped(world, make_contract):
    contract = make_contract(requirements=[{"title": "K", "methods": [], "timing": "at_start"}])
    assert plan_contract(contract).skipped_requirements == 1
    assert not Activity.objects.filter(contract=contract).exists()


def test_planning_twice_changes_nothing_and_writes_one_event_per_plan(planned):
    result = plan_contract(planned)
    assert (result.created, result.moved, result.cancelled, result.unchanged) == (0, 0, 0, 4)
    events = AuditEvent.objects.filter(action="contract.planned", object_id=str(planned.uuid))
    assert events.count() == 2
    assert events.first().after["unchanged"] == 4


def test_replan_after_an_extension_keeps_every_completed_activity_and_adds_the_new_ones(world, planned):
    # Given the first two quality follow-ups done, the third started and the at-start one cancelled,
    done = []
    for number in (0, 1):
        activity = Activity.objects.get(contract=planned, requirement__title="Städkvalitet", occurrence=number)
        services.activity_start(actor=world.orderer_vm, activity=activity)
        done.append(services.activity_complete(actor=world.orderer_vm, activity=activity, outcome="compliant"))
    started = services.activity_start(
        actor=world.orderer_vm,
        activity=Activity.objects.get(contract=planned, requirement__title="Städkvalitet", occurrence=2),
    )
    cancelled = services.activity_cancel(
        actor=world.officer,
        activity=Activity.objects.get(contract=planned, requirement__title="Arbetsrättsliga villkor"),
        reason="Covered by the start meeting",
    )
    before = {a.pk: (a.status, a.due_on, a.version) for a in [*done, started, cancelled]}

    # when the contract is extended by 12 months and re-planned,
    extend(planned, 12)
    result = plan_contract(planned)

    # the done, started and cancelled ones are untouched and two new ones are added.
    after = {a.pk: (a.status, a.due_on, a.version) for a in Activity.objects.filter(pk__in=before)}
    assert after == before
    assert result.created == 2
    assert result.kept == 4
    assert dates(planned, "Städkvalitet") == [
        D(2026, 7, 1),
        D(2027, 1, 1),
        D(2027, 7, 1),
        D(2028, 1, 1),
        D(2028, 7, 1),
    ]


def test_replan_when_the_period_shrinks_cancels_only_planned_ones_outside_it(world, planned):
    late_started = services.activity_start(
        actor=world.orderer_vm,
        activity=Activity.objects.get(contract=planned, requirement__title="Städkvalitet", occurrence=2),
    )
    planned.ends_on = D(2026, 12, 31)
    planned.save()

    result = plan_contract(planned)

    assert result.cancelled == 1
    cancelled = Activity.objects.get(contract=planned, requirement__title="Städkvalitet", occurrence=1)
    assert cancelled.status == ActivityStatus.CANCELLED
    assert cancelled.cancel_reason == REPLAN_CANCEL_REASON
    late_started.refresh_from_db()
    assert late_started.status == ActivityStatus.IN_PROGRESS  # started work is never cancelled by the planner


def test_planned_dates_move_with_the_start_date(planned):
    planned.starts_on = D(2026, 2, 1)
    planned.save()
    result = plan_contract(planned)
    assert result.moved == 4
    assert dates(planned, "Städkvalitet")[0] == D(2026, 8, 1)


def test_period_that_grows_back_plans_again_what_the_planner_cancelled(planned):
    planned.ends_on = D(2026, 12, 31)
    planned.save()
    plan_contract(planned)
    planned.ends_on = D(2027, 12, 31)
    planned.save()
    result = plan_contract(planned)
    assert result.replanned == 2
    assert dates(planned, "Städkvalitet") == [D(2026, 7, 1), D(2027, 1, 1), D(2027, 7, 1)]


def test_generate_plans_command(world, contract, make_contract):
    from io import StringIO

    from django.core.management import call_command

    make_contract(requirements=[{"title": "K", "methods": ["survey"], "timing": "at_start"}])
    out = StringIO()
    call_command("generate_plans", stdout=out, stderr=StringIO())
    assert "Planned 2 contracts" in out.getvalue()
    assert Activity.objects.count() == 5
    call_command("generate_plans", "--contract", contract.contract_number, stdout=out, stderr=StringIO())
    assert Activity.objects.count() == 5


def test_the_ordering_units_follow_ups_go_to_its_named_follow_up_contact(world, contract):
    from kravspar.organisations.services import unit_update

    unit_update(actor=world.admin, unit=world.unit_vm, expected_version=None, followup_contact=world.orderer_vm)
    plan_contract(contract)
    ordering = Activity.objects.filter(contract=contract, responsible_unit=world.unit_vm)
    assert ordering.exists()
    assert set(ordering.values_list("responsible_person", flat=True)) == {world.orderer_vm.pk}


def test_a_follow_up_contact_must_work_in_the_unit(world):
    from django.core.exceptions import ValidationError

    from kravspar.organisations.services import unit_update

    with pytest.raises(ValidationError) as exc:
        unit_update(actor=world.admin, unit=world.unit_vm, expected_version=None, followup_contact=world.orderer_sl)
    assert "followup_contact" in exc.value.message_dict
