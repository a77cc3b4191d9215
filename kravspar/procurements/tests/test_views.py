"""Procurement pages, told from the personas' side: the officer plans, a second officer
approves, the beställare in Västmanland reads, everyone else finds nothing."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from kravspar.audit.models import AuditEvent
from kravspar.cpv.models import CpvCode
from kravspar.procurements import policy, selectors, services
from kravspar.procurements.models import (
    Aim,
    AimAssessment,
    EnvironmentalGoal,
    Procurement,
    ProcurementStatus,
    StrategyStatus,
)
from kravspar.procurements.tests.test_gate import assess_all_aims, plan_fully
from kravspar.requirements import services as requirement_services
from kravspar.requirements.models import Requirement, RequirementTemplate
from kravspar.testing.factories import OrganisationFactory

LIST = reverse("procurements:list")
CREATE = reverse("procurements:create")
MY_WORK = reverse("procurements:my_work")


def url(name, procurement, *args):
    return reverse(f"procurements:{name}", args=[procurement.uuid, *args])


def numbers(response):
    return [p.registry_number for p in response.context["page"].object_list]


def make(world, number, *, buyers=None, **fields):
    defaults = {"title": f"Upphandling {number}", "kind": "goods", "officer": world.officer}
    return services.procurement_create(
        actor=world.officer,
        buyers=buyers or [world.sormland],
        registry_number=number,
        **(defaults | fields),
    )


@pytest.fixture
def vm_only(world):
    """A procurement of Region Västmanland alone."""
    return make(world, "RV-2026-0007", buyers=[world.vastmanland], title="Ortopediska implantat")


def form_data(procurement=None, **changes):
    data = {
        "registry_number": "RS-2026-0200",
        "title": "Tvätt av textilier",
        "description": "",
        "kind": "services",
        "procedure": "open",
        "agreement_type": "framework",
        "estimated_value": "12000000",
        "duration_months": "48",
        "criticality": "2",
        "supply_risk": "3",
        "tier_override": "",
        "tier_override_reason": "",
        "cpv_main": "98310000",
        "cpv_additional": "",
    }
    return data | changes


# --- The list -----------------------------------------------------------------------------


def test_search_by_registry_number_or_title(world, client_for, procurement, vm_only):
    client = client_for(world.officer)
    assert set(numbers(client.get(LIST))) == {"RS-2026-0142", "RV-2026-0007"}
    assert numbers(client.get(LIST, {"q": "0142"})) == ["RS-2026-0142"]
    assert numbers(client.get(LIST, {"q": "implantat"})) == ["RV-2026-0007"]


def test_filters(world, client_for, procurement, vm_only, second_officer):
    client = client_for(world.officer)
    assert numbers(client.get(LIST, {"organisation": world.vastmanland.pk})) == ["RV-2026-0007", "RS-2026-0142"]
    assert numbers(client.get(LIST, {"organisation": world.sormland.pk})) == ["RS-2026-0142"]
    # CPV: a prefix of the main code, or of an additional code.
    assert numbers(client.get(LIST, {"cpv": "9091"})) == ["RS-2026-0142"]
    services.procurement_update(
        actor=world.officer,
        procurement=vm_only,
        expected_version=None,
        cpv_additional=[CpvCode.objects.get(code="90911200")],
    )
    assert numbers(client.get(LIST, {"cpv": "909112"})) == ["RV-2026-0007"]
    services.procurement_update(actor=world.officer, procurement=vm_only, expected_version=None, officer=second_officer)
    assert numbers(client.get(LIST, {"officer": second_officer.pk})) == ["RV-2026-0007"]
    # The cleaning procurement: 40 MSEK (band 2) + criticality 2 + supply risk 3 = 7, tier B.
    assert numbers(client.get(LIST, {"tier": "B"})) == ["RS-2026-0142"]
    assert numbers(client.get(LIST, {"tier": "A"})) == []
    services.procurement_update(
        actor=world.officer,
        procurement=vm_only,
        expected_version=None,
        tier_override="A",
        tier_override_reason="Patientsäkerhet.",
    )
    assert numbers(client.get(LIST, {"tier": "A"})) == ["RV-2026-0007"]
    assert numbers(client.get(LIST, {"status": "advertised"})) == []
    assert set(numbers(client.get(LIST, {"strategy_missing": "on"}))) == {"RS-2026-0142", "RV-2026-0007"}


def test_strategy_missing_filter_leaves_out_approved(world, client_for, procurement, second_officer):
    plan_fully(world, procurement)
    services.strategy_submit(actor=world.officer, procurement=procurement)
    client = client_for(world.officer)
    assert numbers(client.get(LIST, {"strategy_missing": "on"})) == ["RS-2026-0142"]
    services.strategy_approve(actor=second_officer, procurement=procurement)
    assert numbers(client.get(LIST, {"strategy_missing": "on"})) == []
    row = client.get(LIST).context["page"].object_list[0]
    assert row.strategy_status == StrategyStatus.APPROVED


def test_wrong_cpv_filter_is_explained(world, client_for, procurement):
    response = client_for(world.officer).get(LIST, {"cpv": "xyzzyq"})
    assert "cpv" in response.context["form"].errors
    assert b"error-summary" in response.content
    # A word that names codes is the first the picker would list (issue 17), not an error.
    assert client_for(world.officer).get(LIST, {"cpv": "städ"}).context["form"].cleaned_data["cpv"] == "90910000"


def test_the_tier_filter_agrees_with_the_policy(world):
    """The list filters on a SQL version of policy.tier; both must give the same answer."""
    values = [None, Decimal(0), Decimal(2_299_999), Decimal(2_300_000), Decimal(50_000_000)]
    levels = [None, 1, 2, 3]
    combos = list(itertools.product(values, levels, levels))
    for n, (value, criticality, risk) in enumerate(combos):
        Procurement.objects.create(
            registry_number=f"T-{n}",
            title="t",
            kind="goods",
            estimated_value=value,
            criticality=criticality,
            supply_risk=risk,
            tier_override="C" if n % 17 == 0 else "",
        )
    for p in selectors.with_tier(Procurement.objects.all()):
        expected = policy.tier(p)
        assert p.tier_value == (expected.value if expected else None), p.registry_number


def test_htmx_search_returns_only_the_results(world, client_for, procurement):
    response = client_for(world.officer).get(LIST, {"q": "städ"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b"RS-2026-0142" in response.content


def test_empty_list_says_what_to_do(world, client_for):
    response = client_for(world.officer).get(LIST, {"q": "finns inte"})
    assert response.context["page"].paginator.count == 0
    assert CREATE.encode() in response.content


def test_list_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    cpv = CpvCode.objects.get(code="90910000")
    for n in range(35):
        p = Procurement.objects.create(
            registry_number=f"RS-2026-{n:04d}",
            title=f"Upphandling {n}",
            kind="services",
            officer=world.officer,
            cpv_main=cpv,
            estimated_value=n * 1_000_000,
            criticality=2,
            supply_risk=2,
        )
        p.buyers.set([world.sormland, world.vastmanland])
    client = client_for(world.officer)
    # Session, user, roles, three for the visible organisations, the filter choices (two),
    # count, the page, the buyers of the page.
    with django_assert_max_num_queries(11):
        first = client.get(LIST)
    assert len(first.context["page"].object_list) == 25
    with django_assert_max_num_queries(11):
        last = client.get(LIST, {"sida": "2", "tier": "C", "strategy_missing": "on", "cpv": "909"})
    # Only 0, 1 and 2 MSEK stay below the 2.3 MSEK band: 1 + 2 + 2 = 5 is tier C, the rest B.
    assert last.context["page"].paginator.count == 3


# --- Who sees what ------------------------------------------------------------------------


def test_orderer_of_vastmanland_reads_but_cannot_change(world, client_for, procurement, vm_only):
    client = client_for(world.orderer_vm)
    assert set(numbers(client.get(LIST))) == {"RS-2026-0142", "RV-2026-0007"}
    page = client.get(url("detail", procurement))
    assert page.status_code == 200
    assert url("edit", procurement).encode() not in page.content
    assert CREATE.encode() not in client.get(LIST).content
    assert client.get(CREATE).status_code == 403
    for name in ("edit", "aims", "goals", "strategy_edit", "requirement_add", "cancel"):
        assert client.get(url(name, procurement)).status_code == 403, name
    assert client.post(url("transition", procurement), {"to": "advertised"}).status_code == 403
    assert client.post(url("strategy_submit", procurement)).status_code == 403
    assert client.post(url("strategy_approve", procurement)).status_code == 403


def test_orderer_of_another_region_finds_nothing(world, client_for, vm_only):
    client = client_for(world.orderer_sl)
    assert numbers(client.get(LIST)) == []
    assert client.get(url("detail", vm_only)).status_code == 404
    assert client.get(url("edit", vm_only)).status_code == 404
    assert client.get(url("strategy_version", vm_only, 1)).status_code == 404
    assert client.post(url("transition", vm_only), {"to": "advertised"}).status_code == 404


def test_supplier_contact_sees_no_procurements(world, client_for, procurement):
    client = client_for(world.supplier_contact)
    assert client.get(LIST).status_code == 403
    assert client.get(MY_WORK).status_code == 403
    assert client.get(url("detail", procurement)).status_code == 404
    assert client.get(url("strategy_print", procurement, 1)).status_code == 404
    assert client.get(reverse("procurements:detail", args=["not-a-uuid"])).status_code == 404


def test_navigation_shows_procurements_and_library(world, client_for):
    officer = client_for(world.officer).get(LIST)
    assert officer.context["nav"]["procurements"] and officer.context["nav"]["library"]
    orderer = client_for(world.orderer_vm).get(LIST)
    assert orderer.context["nav"]["procurements"] and not orderer.context["nav"]["library"]


# --- Create and edit ----------------------------------------------------------------------


def test_create_then_edit(world, client_for):
    client = client_for(world.officer)
    form = client.get(CREATE).context["form"]
    assert form.initial["officer"] == world.officer.pk
    response = client.post(
        CREATE,
        form_data(
            buyers=[world.sormland.pk, world.vastmanland.pk],
            ordering_units=[world.unit_vm.pk],
            officer=world.officer.pk,
            cpv_additional="98311000, 98315000-3",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    p = Procurement.objects.get(registry_number="RS-2026-0200")
    assert response["Location"] == url("detail", p)
    assert p.cpv_main_id == "98310000"
    assert sorted(c.code for c in p.cpv_additional.all()) == ["98311000", "98315000"]
    assert set(p.buyers.all()) == {world.sormland, world.vastmanland}
    edit = url("edit", p)
    initial = client.get(edit).context["form"].initial
    data = form_data(
        buyers=initial["buyers"],
        ordering_units=initial["ordering_units"],
        officer=initial["officer"],
        cpv_additional=initial["cpv_additional"],
        version=initial["version"],
        title="Tvätt och textilservice",
    )
    assert client.post(edit, data).status_code == 302
    p.refresh_from_db()
    assert p.title == "Tvätt och textilservice"
    assert sorted(c.code for c in p.cpv_additional.all()) == ["98311000", "98315000"]
    actions = AuditEvent.objects.filter(object_id=str(p.uuid)).values_list("action", flat=True)
    assert list(actions.order_by("id")) == ["procurement.created", "procurement.updated"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("cpv_main", "9091"), ("cpv_main", "12345678"), ("cpv_main", "städtjänster"), ("cpv_additional", "909, 98311000")],
)
def test_wrong_cpv_code_is_explained(world, client_for, field, value):
    client = client_for(world.officer)
    response = client.post(CREATE, form_data(buyers=[world.sormland.pk], **{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'value="Tvätt av textilier"' in response.content.decode()
    assert not Procurement.objects.exists()


def test_the_plain_code_works_with_check_digit_and_name(world, client_for):
    client = client_for(world.officer)
    response = client.post(CREATE, form_data(buyers=[world.sormland.pk], cpv_main="98310000-9 Tvätt"))
    assert response.status_code == 302
    assert Procurement.objects.get().cpv_main_id == "98310000"


def test_tier_set_by_hand_needs_a_reason(world, client_for):
    client = client_for(world.officer)
    response = client.post(CREATE, form_data(buyers=[world.sormland.pk], tier_override="A"))
    assert response.status_code == 400
    assert "tier_override_reason" in response.context["form"].errors
    response = client.post(
        CREATE, form_data(buyers=[world.sormland.pk], tier_override="A", tier_override_reason="Patientsäkerhet.")
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.context["tier"] == "A"
    assert "Patientsäkerhet." in page.content.decode()


def test_buyers_are_limited_to_visible_organisations(world, client_for):
    stranger = OrganisationFactory.create(name="Region Gotland")
    client = client_for(world.officer)
    form = client.get(CREATE).context["form"]
    assert stranger not in form.fields["buyers"].queryset
    response = client.post(CREATE, form_data(buyers=[stranger.pk]))
    assert response.status_code == 400 and "buyers" in response.context["form"].errors


def test_missing_buyer_and_duplicate_number_come_from_the_service(world, client_for, procurement):
    client = client_for(world.officer)
    response = client.post(CREATE, form_data(buyers=[world.sormland.pk], registry_number="RS-2026-0142"))
    assert response.status_code == 400
    assert "registry_number" in response.context["form"].errors


def test_concurrent_edit_is_explained(world, client_for, procurement):
    client = client_for(world.officer)
    edit = url("edit", procurement)
    initial = client.get(edit).context["form"].initial
    stale = form_data(
        registry_number=procurement.registry_number,
        buyers=initial["buyers"],
        officer=initial["officer"],
        cpv_main=initial["cpv_main"],
        version=initial["version"],
    )
    assert client.post(edit, stale | {"title": "Städ A"}).status_code == 302
    response = client.post(edit, stale | {"title": "Städ B"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    procurement.refresh_from_db()
    assert procurement.title == "Städ A"


# --- The procurement page -----------------------------------------------------------------


def test_detail_shows_classification_aims_and_what_is_missing(world, client_for, procurement):
    response = client_for(world.officer).get(url("detail", procurement))
    assert response.status_code == 200
    context = response.context
    assert context["tier"] == "B" and context["kraljic"] == "strategic"
    assert len(context["aims"]) == 6
    assert context["missing"] == policy.strategy_gate_missing(procurement)
    assert "10 %" in response.content.decode()  # the help text explains SKR's tiers
    # In planning the only move offered is to advertise, so that the gate can say what is missing.
    assert [target for target, _label in context["transitions"]] == [ProcurementStatus.ADVERTISED]


def test_detail_query_count_does_not_grow_with_requirements(
    world, client_for, procurement, django_assert_max_num_queries
):
    goal = EnvironmentalGoal.objects.create(
        organisation=world.vastmanland,
        programme="Miljöprogram",
        title="Fossilfria transporter",
        valid_from=datetime.date(2024, 1, 1),
    )
    services.goal_assess(actor=world.officer, procurement=procurement, goal=goal, addressed=True, how="Euro VI.")
    assess_all_aims(world.officer, procurement)
    RequirementTemplate.objects.create(title="Uppförandekod", type="social", text="Koden gäller.")
    client = client_for(world.officer)
    detail = url("detail", procurement)

    def add_requirements(count, start):
        for n in range(start, start + count):
            r = requirement_services.requirement_add(
                actor=world.officer, procurement=procurement, title=f"Krav {n}", type="quality", text="Text."
            )
            services.strategy_entry_set(
                change_reason="Passar kravet bättre.",
                actor=world.officer,
                procurement=procurement,
                requirement=r,
                methods=["spot_check"],
                timing="at_start",
            )

    add_requirements(2, 0)
    # Session, user, roles, visible organisations; the procurement and its relations; the
    # gate (with the labour-law needs assessment); the strategy and its entries; the library
    # choices; the history page; the contracted suppliers; the contracts registered from it;
    # the verifications at evaluation.
    with django_assert_max_num_queries(31) as few:
        client.get(detail)
    add_requirements(30, 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(detail)
    assert len(response.context["rows"]) == 32


def test_detail_for_an_empty_procurement(world, client_for):
    p = make(world, "RS-2026-0001")
    response = client_for(world.officer).get(url("detail", p))
    assert response.status_code == 200
    assert response.context["strategy"] is None and response.context["rows"] == []


# --- Aims and goals -----------------------------------------------------------------------


def aims_post(**rows):
    data = {}
    for aim in Aim:
        yes, how = rows.get(f"aim{aim.value}", ("yes", f"Så här tjänar vi syfte {aim.value}."))
        data[f"aim{aim.value}_yes"] = yes
        data[f"aim{aim.value}_how"] = how
    return data


def test_assess_the_six_aims(world, client_for, procurement):
    client = client_for(world.officer)
    page = url("aims", procurement)
    assert len(client.get(page).context["form"].grouped()) == 6
    response = client.post(page, aims_post(aim5=("no", "Inga animaliska produkter.")))
    assert response.status_code == 302
    assert response["Location"].endswith("#aims")
    assessed = {a.aim: a for a in AimAssessment.objects.filter(procurement=procurement)}
    assert len(assessed) == 6 and not assessed[5].relevant
    assert not any("Aim" in m or "Syfte" in m for m in policy.strategy_gate_missing(procurement))


def test_aims_all_or_nothing(world, client_for, procurement):
    client = client_for(world.officer)
    response = client.post(url("aims", procurement), aims_post(aim4=("no", "  ")))
    assert response.status_code == 400
    assert "aim4_how" in response.context["form"].errors
    assert not AimAssessment.objects.filter(procurement=procurement).exists()
    # A text without yes or no is caught by the form.
    response = client.post(url("aims", procurement), aims_post(aim2=("", "Något.")))
    assert "aim2_yes" in response.context["form"].errors


def test_rows_left_empty_stay_unassessed(world, client_for, procurement):
    client = client_for(world.officer)
    data = aims_post(aim6=("", ""))
    assert client.post(url("aims", procurement), data).status_code == 302
    assert AimAssessment.objects.filter(procurement=procurement).count() == 5


def test_consider_the_environmental_goals(world, client_for, procurement):
    goal = EnvironmentalGoal.objects.create(
        organisation=world.vastmanland,
        programme="Miljöprogram",
        title="Fossilfria transporter",
        valid_from=datetime.date(2024, 1, 1),
    )
    client = client_for(world.officer)
    page = url("goals", procurement)
    assert client.get(page).context["goals"] == [goal]
    response = client.post(page, {f"goal{goal.pk}_yes": "no", f"goal{goal.pk}_how": ""})
    assert response.status_code == 400 and f"goal{goal.pk}_how" in response.context["form"].errors
    response = client.post(page, {f"goal{goal.pk}_yes": "yes", f"goal{goal.pk}_how": "Fossilfria fordon."})
    assert response.status_code == 302
    assert procurement.goal_assessments.get().addressed


# --- Requirements -------------------------------------------------------------------------


def requirement_post(**changes):
    data = {
        "title": "Städkvalitet",
        "type": "quality",
        "text": "INSTA 800 nivå 3.",
        "level": "",
        "criterion_ref": "",
        "criterion_version": "",
        "evidence": "",
        "verified_when": "after_contract",
        "aims": ["1"],
    }
    return data | changes


def test_add_edit_and_remove_requirements(world, client_for, procurement):
    client = client_for(world.officer)
    response = client.post(url("requirement_add", procurement), requirement_post())
    assert response.status_code == 302, response.context["form"].errors
    requirement = Requirement.objects.get(procurement=procurement)
    assert requirement.aims == [1]
    edit = url("requirement_edit", procurement, requirement.uuid)
    initial = client.get(edit).context["form"].initial
    response = client.post(edit, requirement_post(text="INSTA 800 nivå 4.", version=initial["version"]))
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert requirement.text == "INSTA 800 nivå 4."
    remove = url("requirement_remove", procurement, requirement.uuid)
    confirm = client.get(remove)
    assert confirm.status_code == 200 and b'class="button danger"' in confirm.content
    requirement.refresh_from_db()
    assert not requirement.removed  # asking first changes nothing
    assert client.post(remove).status_code == 302
    requirement.refresh_from_db()
    assert requirement.removed
    assert client.get(remove).status_code == 404


def test_requirement_errors_are_shown(world, client_for, procurement):
    response = client_for(world.officer).post(url("requirement_add", procurement), requirement_post(text=" "))
    assert response.status_code == 400
    assert "text" in response.context["form"].errors


def test_add_from_the_library(world, client_for, procurement):
    template = RequirementTemplate.objects.create(
        title="Uppförandekod", type="social", text="Regionernas uppförandekod gäller.", aims=[3, 4]
    )
    RequirementTemplate.objects.create(title="Gammal", type="social", text="x", is_active=False)
    client = client_for(world.officer)
    options = client.get(url("detail", procurement)).context["library_form"].fields["template"].queryset
    assert template in options
    assert not options.filter(title="Gammal").exists()
    response = client.post(url("requirement_library", procurement), {"template": template.pk})
    assert response.status_code == 302
    added = Requirement.objects.get(procurement=procurement)
    assert added.template == template and added.aims == [3, 4]
    response = client.post(url("requirement_library", procurement), {"template": ""}, follow=True)
    assert Requirement.objects.filter(procurement=procurement).count() == 1
    assert list(response.context["messages"])


# --- Strategy -----------------------------------------------------------------------------


def test_plan_the_follow_up_with_the_policy_responsible(world, client_for, procurement):
    quality = requirement_services.requirement_add(
        actor=world.officer, procurement=procurement, title="Kvalitet", type="quality", text="Text."
    )
    client = client_for(world.officer)
    page = url("strategy_entry", procurement, quality.uuid)
    form = client.get(page).context["form"]
    assert form.initial["responsible"] == "ordering_unit"  # pre-filled from the policy
    data = {
        "methods": ["spot_check", "survey"],
        "timing": "recurring",
        "interval_months": "6",
        "responsible": "ordering_unit",
        "change_reason": "Stickprov och enkät halvårsvis ger beställaren underlag.",
    }
    assert client.post(page, data).status_code == 302
    entry = policy.current_strategy(procurement).entries.get()
    assert entry.methods == ["spot_check", "survey"] and entry.interval_months == 6
    assert entry.responsible_unit == world.unit_vm


def test_changing_the_responsible_needs_a_reason(world, client_for, procurement):
    quality = requirement_services.requirement_add(
        actor=world.officer, procurement=procurement, title="Kvalitet", type="quality", text="Text."
    )
    client = client_for(world.officer)
    page = url("strategy_entry", procurement, quality.uuid)
    data = {
        "methods": ["supplier_meeting"],
        "timing": "at_start",
        "responsible": "purchasing",
        "change_reason": "Ett startmöte räcker.",
    }
    response = client.post(page, data)
    assert response.status_code == 400
    assert "override_reason" in response.context["form"].errors
    response = client.post(page, data | {"override_reason": "Beställaren saknar resurser."})
    assert response.status_code == 302
    assert policy.current_strategy(procurement).entries.get().override_reason == "Beställaren saknar resurser."


def test_entry_errors_from_form_and_service(world, client_for, procurement):
    quality = requirement_services.requirement_add(
        actor=world.officer, procurement=procurement, title="Kvalitet", type="quality", text="Text."
    )
    client = client_for(world.officer)
    page = url("strategy_entry", procurement, quality.uuid)
    response = client.post(page, {"timing": "at_months", "at_months": "tre", "responsible": "ordering_unit"})
    assert "at_months" in response.context["form"].errors
    response = client.post(page, {"timing": "at_months", "at_months": "", "responsible": "ordering_unit"})
    errors = response.context["form"].errors
    assert "methods" in errors and "at_months" in errors


def test_advertising_too_early_shows_what_is_missing(world, client_for, procurement):
    client = client_for(world.officer)
    response = client.post(url("transition", procurement), {"to": "advertised"})
    assert response.status_code == 409
    refused = response.context["refusal"]["missing"]
    assert [item for item, _step in refused] == policy.strategy_gate_missing(procurement)
    content = response.content.decode()
    assert 'role="alert"' in content
    # Each missing item links to the planning step that fixes it.
    for item, step in refused:
        assert f'<li><a href="#{step}">{escape(item)}</a></li>' in content
    assert {step for _item, step in refused} >= {"aims", "requirements", "strategy"}
    procurement.refresh_from_db()
    assert procurement.status == ProcurementStatus.PLANNING


def test_submitting_an_incomplete_strategy_is_refused(world, client_for, procurement):
    quality = requirement_services.requirement_add(
        actor=world.officer, procurement=procurement, title="Kvalitet", type="quality", text="Text."
    )
    services.strategy_entry_set(
        change_reason="Passar kravet bättre.",
        actor=world.officer,
        procurement=procurement,
        requirement=quality,
        methods=["survey"],
        timing="at_start",
    )
    response = client_for(world.officer).post(url("strategy_submit", procurement))
    assert response.status_code == 409
    assert len(response.context["refusal"]["missing"]) == 6  # the six aims
    assert policy.current_strategy(procurement).status == StrategyStatus.DRAFT


def test_four_eyes_approval_and_advertising(world, client_for, procurement, second_officer):
    plan_fully(world, procurement)
    officer = client_for(world.officer)
    assert officer.post(url("strategy_submit", procurement)).status_code == 302
    page = officer.get(url("detail", procurement))
    assert not page.context["can_approve"]  # not the one who submitted it
    refused = officer.post(url("strategy_approve", procurement))
    assert refused.status_code == 409 and refused.context["refusal"]["message"]
    approver = client_for(second_officer)
    assert approver.get(url("detail", procurement)).context["can_approve"]
    assert approver.post(url("strategy_approve", procurement)).status_code == 302
    procurement.refresh_from_db()
    assert procurement.status == ProcurementStatus.STRATEGY_APPROVED
    officer = client_for(world.officer)
    assert officer.post(url("transition", procurement), {"to": "advertised"}).status_code == 302
    procurement.refresh_from_db()
    assert procurement.status == ProcurementStatus.ADVERTISED


def test_send_back_needs_a_comment(world, client_for, procurement, second_officer):
    plan_fully(world, procurement)
    services.strategy_submit(actor=world.officer, procurement=procurement)
    client = client_for(second_officer)
    response = client.post(url("strategy_return", procurement), {"comment": ""})
    assert response.status_code == 400 and "comment" in response.context["form"].errors
    assert client.post(url("strategy_return", procurement), {"comment": "Lägg till stickprov."}).status_code == 302
    assert policy.current_strategy(procurement).status == StrategyStatus.DRAFT


def test_strategy_general_parts(world, client_for, procurement):
    client = client_for(world.officer)
    data = {"kickoff_meeting": "on", "during_procurement": "Kvalificeringskrav kontrolleras vid utvärdering."}
    assert client.post(url("strategy_edit", procurement), data).status_code == 302
    strategy = policy.current_strategy(procurement)
    assert strategy.kickoff_meeting and not strategy.supplier_must_participate
    assert strategy.during_procurement.startswith("Kvalificeringskrav")


def test_versions_stay_readable_and_print(world, client_for, procurement, second_officer):
    quality, _labour = plan_fully(world, procurement)
    services.strategy_submit(actor=world.officer, procurement=procurement)
    services.strategy_approve(actor=second_officer, procurement=procurement)
    services.strategy_entry_set(
        change_reason="Passar kravet bättre.",
        actor=world.officer,
        procurement=procurement,
        requirement=quality,
        methods=["survey"],
        timing="at_start",
    )
    client = client_for(world.orderer_vm)  # readers see every version too
    detail = client.get(url("detail", procurement))
    assert [v.number for v in detail.context["versions"]] == [1]
    v1 = client.get(url("strategy_version", procurement, 1))
    assert v1.status_code == 200 and v1.context["strategy"].status == StrategyStatus.SUPERSEDED
    assert v1.context["rows"][0].entry.methods == ["spot_check"]  # version 1 as it was approved
    printed = client.get(url("strategy_print", procurement, 1))
    content = printed.content.decode()
    assert "@page" in content and "A4" in content
    assert "232100-0032" in content and "232100-0172" in content
    assert "Städkvalitet" in content and "Arbetsrättsliga villkor" in content
    assert client.get(url("strategy_version", procurement, 9)).status_code == 404


def test_cancel_needs_a_reason(world, client_for, procurement):
    client = client_for(world.officer)
    page = url("cancel", procurement)
    assert client.get(page).status_code == 200
    response = client.post(page, {"reason": ""})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    assert client.post(page, {"reason": "Behovet försvann."}).status_code == 302
    procurement.refresh_from_db()
    assert procurement.status == ProcurementStatus.CANCELLED
    assert procurement.cancel_reason == "Behovet försvann."
    assert not client.get(url("detail", procurement)).context["editable"]


# --- My work ------------------------------------------------------------------------------


def test_my_work(world, client_for, procurement, second_officer, vm_only):
    plan_fully(world, procurement)
    services.strategy_submit(actor=world.officer, procurement=procurement)
    mine = client_for(world.officer).get(MY_WORK)
    assert {p.registry_number for p in mine.context["planning"]} == {"RS-2026-0142", "RV-2026-0007"}
    assert list(mine.context["awaiting"]) == []  # submitted it yourself
    theirs = client_for(second_officer).get(MY_WORK)
    assert list(theirs.context["planning"]) == []
    assert [s.procurement for s in theirs.context["awaiting"]] == [procurement]
    orderer = client_for(world.orderer_vm).get(MY_WORK)
    assert orderer.status_code == 200 and not orderer.context["can_approve"]
    assert MY_WORK.encode() in client_for(world.officer).get(LIST).content


def test_pages_in_english(world, client_for, procurement, second_officer, settings):
    quality, _labour = plan_fully(world, procurement)
    services.strategy_submit(actor=world.officer, procurement=procurement)
    client = client_for(second_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    detail = client.get(url("detail", procurement)).content.decode()
    assert "The purchasing policy's six aims" in detail and "Approve version 1" in detail
    assert "Set by the purchasing policy" in detail
    for page in (
        LIST,
        MY_WORK,
        url("aims", procurement),
        url("strategy_version", procurement, 1),
        url("strategy_print", procurement, 1),
        url("strategy_entry", procurement, quality.uuid),
    ):
        response = client.get(page)
        assert response.status_code == 200, page
        assert '<html lang="en">' in response.content.decode(), page


def test_officer_withdraws_a_submitted_strategy_in_the_ui(world, client_for, procurement):
    from kravspar.procurements import services
    from kravspar.procurements.models import Aim, StrategyStatus
    from kravspar.requirements import services as requirement_services

    for aim in Aim:
        services.aim_assess(actor=world.officer, procurement=procurement, aim=aim.value, relevant=True, how="Så.")
    requirement = requirement_services.requirement_add(
        actor=world.officer, procurement=procurement, title="Kvalitet", type="quality", text="Text."
    )
    services.strategy_entry_set(
        change_reason="Passar kravet bättre.",
        actor=world.officer,
        procurement=procurement,
        requirement=requirement,
        methods=["survey"],
        timing="at_start",
    )
    services.strategy_submit(actor=world.officer, procurement=procurement)
    client = client_for(world.officer)
    page = client.get(reverse("procurements:detail", args=[procurement.uuid]))
    assert reverse("procurements:strategy_withdraw", args=[procurement.uuid]).encode() in page.content
    assert (
        client_for(world.orderer_vm)
        .post(reverse("procurements:strategy_withdraw", args=[procurement.uuid]))
        .status_code
        == 403
    )
    client = client_for(world.officer)
    response = client.post(reverse("procurements:strategy_withdraw", args=[procurement.uuid]))
    assert response.status_code == 302
    assert procurement.strategies.get().status == StrategyStatus.DRAFT
