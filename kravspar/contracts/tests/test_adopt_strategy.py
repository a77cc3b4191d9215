"""A contract signed without a follow-up strategy ("strategy missing") gets one: the
strategy is written on its procurement, a second person approves it, and the contract
adopts it and gets its plan. Also through the page and the API, with outsiders refused."""

import pytest
from django.core.exceptions import ValidationError

from kravspar.audit.models import AuditEvent
from kravspar.contracts import services
from kravspar.contracts.tests.conftest import contract_fields
from kravspar.core.errors import NotAllowedError
from kravspar.followups.models import Activity
from kravspar.procurements import services as procurement_services
from kravspar.procurements.models import Procurement, ProcurementStatus
from kravspar.procurements.tests.test_gate import plan_fully
from kravspar.requirements import services as requirement_services

pytestmark = pytest.mark.django_db


def _conclude(procurement: Procurement) -> Procurement:
    """As the statistics import leaves a historical procurement: concluded, no strategy."""
    Procurement.objects.filter(pk=procurement.pk).update(status=ProcurementStatus.CONCLUDED)
    procurement.refresh_from_db()
    return procurement


@pytest.fixture
def imported(world, procurement, cleaner):
    """A concluded procurement without a strategy and the contract signed after it."""
    _conclude(procurement)
    contract = services.contract_register_direct(
        actor=world.officer,
        procurement=procurement,
        suppliers=[cleaner],
        buyers=[world.sormland, world.vastmanland],
        **contract_fields(),
    )
    return procurement, contract


def _approve(world, second_officer, procurement):
    plan_fully(world, procurement)
    procurement_services.strategy_submit(actor=world.officer, procurement=procurement)
    procurement_services.strategy_approve(actor=second_officer, procurement=procurement)


def test_approving_a_retrofitted_strategy_makes_the_contract_adopt_it_and_plans_it(world, imported, second_officer):
    procurement, contract = imported
    assert contract.strategy_missing
    _approve(world, second_officer, procurement)

    contract.refresh_from_db()
    assert not contract.strategy_missing
    assert contract.strategy_version == 1
    requirements = {r.type: r for r in contract.requirements.all()}
    assert set(requirements) == {"quality", "labour"}
    assert requirements["quality"].methods == ["spot_check"]
    assert requirements["labour"].at_months == [3, 12]
    assert Activity.objects.filter(contract=contract, requirement=requirements["labour"]).count() >= 2
    event = AuditEvent.objects.get(action="contract.strategy_adopted")
    assert event.after["strategy_version"] == 1
    assert event.actor == second_officer


def test_once_adopted_the_concluded_procurement_is_closed_again(world, imported, second_officer):
    procurement, _contract = imported
    _approve(world, second_officer, procurement)
    with pytest.raises(ValidationError):
        requirement_services.requirement_add(
            actor=world.officer, procurement=procurement, title="Nytt", type="quality", text="Något nytt."
        )


def test_a_concluded_procurement_without_a_flagged_contract_stays_closed(world, procurement):
    _conclude(procurement)
    with pytest.raises(ValidationError, match="avslutad"):
        requirement_services.requirement_add(
            actor=world.officer, procurement=procurement, title="Nytt", type="quality", text="Något nytt."
        )


def test_requirements_copied_before_approval_keep_their_rows_and_get_the_follow_up(world, imported, second_officer):
    procurement, contract = imported
    quality, _labour = plan_fully(world, procurement)
    # Copied without follow-up, as a contract registered before the strategy exists.
    services.ContractRequirement.objects.create(
        contract=contract,
        source_requirement=quality,
        **{f: getattr(quality, f) for f in services.REQUIREMENT_COPY},
    )
    before = contract.requirements.get().pk
    procurement_services.strategy_submit(actor=world.officer, procurement=procurement)
    procurement_services.strategy_approve(actor=second_officer, procurement=procurement)
    rows = {r.source_requirement_id: r for r in contract.requirements.all()}
    assert rows[quality.pk].pk == before
    assert rows[quality.pk].methods == ["spot_check"]
    assert len(rows) == 2


def test_adopting_without_an_approved_strategy_says_what_to_do(world, imported):
    _procurement, contract = imported
    with pytest.raises(services.ContractError, match="strategi"):
        services.contract_adopt_strategy(actor=world.officer, contract=contract)


def test_a_contract_that_follows_a_strategy_cannot_adopt_again(world, imported, second_officer):
    procurement, contract = imported
    _approve(world, second_officer, procurement)
    contract.refresh_from_db()
    with pytest.raises(services.ContractError):
        services.contract_adopt_strategy(actor=world.officer, contract=contract)


def test_only_inkop_may_adopt(world, imported):
    _procurement, contract = imported
    with pytest.raises(NotAllowedError):
        services.contract_adopt_strategy(actor=world.orderer_vm, contract=contract)


def test_linking_a_direct_contract_to_its_procurement_adopts_an_approved_strategy(
    world, awarded, sormland_contract, second_officer
):
    assert sormland_contract.procurement is None
    services.contract_link_procurement(actor=world.officer, contract=sormland_contract, procurement=awarded)
    sormland_contract.refresh_from_db()
    assert sormland_contract.procurement == awarded
    assert not sormland_contract.strategy_missing
    assert sormland_contract.requirements.count() == 2
    assert Activity.objects.filter(contract=sormland_contract).exists()


def test_linking_refuses_a_procurement_in_planning_and_a_contract_already_tied(
    world, procurement, imported, sormland_contract
):
    planning = procurement_services.procurement_create(
        actor=world.officer,
        buyers=[world.sormland],
        registry_number="RS-2026-0999",
        title="Ny",
        kind="services",
    )
    with pytest.raises(ValidationError, match="pphandling"):
        services.contract_link_procurement(actor=world.officer, contract=sormland_contract, procurement=planning)
    _p, tied = imported
    with pytest.raises(services.ContractError):
        services.contract_link_procurement(actor=world.officer, contract=tied, procurement=procurement)


def test_the_page_says_how_to_fix_a_missing_strategy(world, client_for, imported):
    _procurement, contract = imported
    page = client_for(world.officer).get(f"/avtal/{contract.uuid}/").content.decode()
    assert "Gå till upphandlingen" in page
    assert "/strategi/" not in page


def test_the_page_adopts_an_approved_strategy_for_a_contract_registered_without_it(world, client_for, awarded, cleaner):
    # Registered directly although the procurement's strategy is approved: flagged, and
    # the page offers to adopt it.
    contract = services.contract_register_direct(
        actor=world.officer, procurement=awarded, suppliers=[cleaner], buyers=[world.sormland], **contract_fields()
    )
    assert contract.strategy_missing
    page = client_for(world.officer).get(f"/avtal/{contract.uuid}/").content.decode()
    assert f'action="/avtal/{contract.uuid}/strategi/"' in page
    stale = client_for(world.officer).post(f"/avtal/{contract.uuid}/strategi/", {"version": contract.version - 1})
    assert stale.status_code == 302
    contract.refresh_from_db()
    assert contract.strategy_missing  # a stale page changes nothing
    response = client_for(world.officer).post(f"/avtal/{contract.uuid}/strategi/", {"version": contract.version})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert not contract.strategy_missing
    assert Activity.objects.filter(contract=contract).exists()


def test_outsiders_cannot_adopt_or_link_through_the_page(world, client_for, imported, sormland_contract):
    _procurement, contract = imported
    assert client_for(world.orderer_vm).post(f"/avtal/{contract.uuid}/strategi/").status_code == 403
    # Västmanland's orderer does not see a Sörmland-only contract at all.
    url = f"/avtal/{sormland_contract.uuid}/upphandling/"
    assert client_for(world.orderer_vm).post(url, {"registry_number": "RS-2026-0142"}).status_code == 404
    assert client_for(world.reader).post(f"/avtal/{contract.uuid}/strategi/").status_code in (403, 404)


def test_linking_by_an_unknown_registry_number_says_so(world, client_for, sormland_contract):
    response = client_for(world.officer).post(
        f"/avtal/{sormland_contract.uuid}/upphandling/", {"registry_number": "XX-0000"}, follow=True
    )
    assert "XX-0000" in response.content.decode()
    sormland_contract.refresh_from_db()
    assert sormland_contract.procurement is None


def test_the_api_refuses_to_adopt_without_a_strategy_and_refuses_outsiders(world, api_as, imported):
    _procurement, contract = imported
    refused = api_as(world.officer)("post", f"/contracts/{contract.uuid}/adopt-strategy", {})
    assert refused.status_code == 409
    assert "strategi" in refused.json()["message"]
    assert api_as(world.orderer_vm)("post", f"/contracts/{contract.uuid}/adopt-strategy", {}).status_code == 403


def test_the_api_links_a_contract_to_its_procurement(world, api_as, awarded, sormland_contract):
    linked = api_as(world.officer)(
        "post", f"/contracts/{sormland_contract.uuid}/procurement", {"procurement": str(awarded.uuid)}
    )
    assert linked.status_code == 200, linked.content
    assert linked.json()["strategy_missing"] is False
    again = api_as(world.officer)(
        "post", f"/contracts/{sormland_contract.uuid}/procurement", {"procurement": str(awarded.uuid)}
    )
    assert again.status_code == 409
