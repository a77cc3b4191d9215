"""The follow-up plan: generated from the requirement snapshot over the contract period,
re-planned without touching started, done or cancelled work."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from kravspar.audit.models import AuditEvent
from kravspar.contracts.models import ContractRequirement
from kravspar.contracts.selectors import period_end
from kravspar.followups import services
from kravspar.followups.models import Activity, ActivityStatus
from kravspar.followups.planning import (
    REPLAN_CANCEL_REASON,
    NoPlanError,
    add_months,
    contract_replan,
    has_plan,
    occurrences,
    plan_contract,
)
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


# --- Dates: whole months that keep month ends -------------------------------------------

DATES = st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31))


def test_the_start_up_follow_up_is_due_within_the_contracts_first_month(world, make_contract):
    # 30 days from 1 February would be 3 March, outside the first month; it is due on 28 February.
    contract = make_contract(
        starts_on=D(2026, 2, 1), requirements=[{"title": "K", "methods": ["document_review"], "timing": "at_start"}]
    )
    plan_contract(contract)
    assert dates(contract, "K") == [D(2026, 2, 28)]


@given(start=DATES)
def test_the_start_up_follow_up_always_falls_in_the_first_month(start):
    requirement = ContractRequirement(timing="at_start")
    [due] = occurrences(requirement, start, D(2101, 12, 31))
    assert start <= due < add_months(start, 1)


@given(start=DATES, months=st.integers(min_value=1, max_value=120))
def test_a_period_of_n_months_ends_the_day_before_the_next_one_starts(start, months):
    end = period_end(start, months)
    assert end + datetime.timedelta(days=1) == add_months(start, months)
    if start.day == 1:  # a contract from the 1st runs to a month's last day
        assert (end + datetime.timedelta(days=1)).day == 1


def test_periods_the_policy_names():
    assert period_end(D(2026, 1, 1), 12) == D(2026, 12, 31)
    assert period_end(D(2026, 2, 1), 1) == D(2026, 2, 28)
    assert period_end(D(2026, 7, 1), 6) == D(2026, 12, 31)


@given(start=DATES, step=st.integers(min_value=1, max_value=24), years=st.integers(min_value=1, max_value=6))
def test_recurring_follow_ups_land_on_whole_months_from_the_start(start, step, years):
    requirement = ContractRequirement(timing="recurring", interval_months=step)
    end = period_end(start, 12 * years)
    due = occurrences(requirement, start, end)
    assert due == [add_months(start, k * step) for k in range(1, len(due) + 1)]
    assert len(due) == (12 * years - 1) // step


# --- Re-planning is offered only once a plan exists -------------------------------------


@pytest.fixture
def unplanned(make_contract):
    """Registered without an approved strategy: flagged "strategy missing", no plan."""
    return make_contract(strategy_missing=True)


def test_a_contract_without_a_plan_cannot_be_re_planned(world, unplanned):
    assert not has_plan(unplanned)
    with pytest.raises(NoPlanError, match="strategi"):
        contract_replan(actor=world.officer, contract=unplanned)
    assert not AuditEvent.objects.filter(action="contract.planned").exists()


def test_a_contract_that_follows_a_strategy_has_a_plan_even_before_its_first_follow_up(world, make_contract):
    # A 6-month contract whose only follow-up is yearly: the plan is empty until an extension.
    contract = make_contract(
        strategy_missing=False,
        ends_on=D(2026, 6, 30),
        requirements=[{"title": "K", "methods": ["survey"], "timing": "recurring", "interval_months": 12}],
    )
    assert has_plan(contract)
    contract.ends_on = D(2027, 6, 30)
    contract.save()
    assert contract_replan(actor=world.officer, contract=contract).created == 1


def test_a_planned_contract_is_re_planned(world, planned):
    assert has_plan(planned)
    assert contract_replan(actor=world.officer, contract=planned).unchanged == 4


def test_the_plan_page_offers_re_planning_only_once_a_plan_exists(world, client_for, unplanned, planned):
    client = client_for(world.officer)
    replan_url = reverse("followups:contract_replan", args=[unplanned.uuid])
    page = client.get(reverse("followups:contract_plan", args=[unplanned.uuid])).content.decode()
    assert replan_url not in page and "Ingen uppföljningsplan ännu" in page
    refused = client.post(replan_url, follow=True).content.decode()
    assert "ingen uppföljningsplan att planera om" in refused
    assert not Activity.objects.filter(contract=unplanned).exists()
    page = client.get(reverse("followups:contract_plan", args=[planned.uuid])).content.decode()
    assert reverse("followups:contract_replan", args=[planned.uuid]) in page and "Planera om" in page


def test_the_api_refuses_to_re_plan_a_contract_without_a_plan(world, client_for, unplanned):
    response = client_for(world.officer).post(f"/api/v1/contracts/{unplanned.uuid}/plan")
    assert response.status_code == 409
    assert response.json()["code"] == "no_plan"


# --- The plan table names the responsible unit beside the person -------------------------


def test_the_plan_shows_the_responsible_unit_beside_the_person(world, client_for, planned):
    Activity.objects.filter(contract=planned, responsible_unit=world.unit_vm).update(
        responsible_person=world.orderer_vm
    )
    page = client_for(world.officer).get(reverse("followups:contract_plan", args=[planned.uuid])).content.decode()
    assert "Ansvarig enhet" in page and "Ansvarig person" in page
    assert page.count("Beställaren – Ortopedkliniken") == 3
    assert world.orderer_vm.get_full_name() in page
    # Inköp's start-up follow-up names nobody yet: the whole unit answers for it.
    assert "<td>Inköp</td>" in page and "Hela enheten" in page


def test_the_plan_page_query_count_does_not_grow(world, client_for, make_contract, django_assert_num_queries):
    def contract_with(n):
        contract = make_contract(
            strategy_missing=False,
            requirements=[
                {
                    "title": f"K{i}",
                    "methods": ["survey"],
                    "timing": "recurring",
                    "interval_months": 6,
                    "responsible": "ordering_unit",
                    "responsible_unit": world.unit_vm,
                }
                for i in range(n)
            ],
        )
        plan_contract(contract)
        Activity.objects.filter(contract=contract).update(responsible_person=world.orderer_vm)
        return contract

    client = client_for(world.officer)
    small, large = contract_with(1), contract_with(6)
    client.get(reverse("followups:contract_plan", args=[small.uuid]))
    # session, user, roles, visible organisations, the contract, the change check, count and page:
    # one query for the activities with their requirement, unit and person, however many
    with django_assert_num_queries(9) as few:
        client.get(reverse("followups:contract_plan", args=[small.uuid]))
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("followups:contract_plan", args=[large.uuid]))
    assert len(response.context["page"].object_list) == 18
