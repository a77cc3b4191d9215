"""Contract fixtures: a Sörmland-only contract, an awarded procurement with an approved
strategy, and an API client that authenticates with the person's token."""

import datetime

import pytest

from kravspar.accounts.services import api_token_create
from kravspar.contracts import services
from kravspar.procurements import services as procurement_services
from kravspar.procurements.tests.test_gate import plan_fully
from kravspar.suppliers.models import Supplier
from kravspar.suppliers.services import supplier_create

D = datetime.date


@pytest.fixture
def cleaner(world) -> Supplier:
    return supplier_create(actor=world.officer, name="Städbolaget AB", org_number="556054-1889", county="19")


@pytest.fixture
def other_supplier(world) -> Supplier:
    return supplier_create(actor=world.officer, name="Fönsterputs Nord AB", org_number="5560160680")


def contract_fields(**overrides):
    fields = {
        "contract_number": "AVT-2026-001",
        "title": "Städtjänster",
        "signed_on": D(2026, 1, 15),
        "starts_on": D(2026, 2, 1),
        "ends_on": D(2028, 1, 31),
        "extension_options": 2,
        "extension_months": 12,
        "value": 12_000_000,
        "fine_per_week": 5_000,
        "fine_cap_weeks": 10,
        "termination_grounds": "14.2 a–f",
    }
    return fields | overrides


@pytest.fixture
def sormland_contract(world, cleaner):
    """A contract only Region Sörmland may call off from."""
    return services.contract_register_direct(
        actor=world.officer,
        suppliers=[cleaner],
        buyers=[world.sormland],
        **contract_fields(contract_number="SL-2020-17", title="Tvätt"),
    )


@pytest.fixture
def joint_contract(world, cleaner):
    return services.contract_register_direct(
        actor=world.officer, suppliers=[cleaner], buyers=[world.sormland, world.vastmanland], **contract_fields()
    )


@pytest.fixture
def awarded(world, procurement, second_officer):
    """The joint cleaning procurement, planned with an approved strategy and awarded."""
    quality, labour = plan_fully(world, procurement)
    procurement_services.strategy_submit(actor=world.officer, procurement=procurement)
    procurement_services.strategy_approve(actor=second_officer, procurement=procurement)
    for status in ("advertised", "evaluation", "awarded"):
        procurement_services.procurement_transition(actor=world.officer, procurement=procurement, to=status)
    procurement.refresh_from_db()
    procurement.planned = (quality, labour)
    return procurement


@pytest.fixture
def api_as(client):
    """api_as(person)(method, url, body) -> the response, authenticated with the person's token."""
    tokens = {}

    def as_person(person):
        if person.pk not in tokens:
            tokens[person.pk] = api_token_create(actor=None, user=person, name="test")[1]

        def call(method, url, data=None):
            kwargs = {"HTTP_AUTHORIZATION": f"Bearer {tokens[person.pk]}"}
            if data is not None:
                kwargs.update(data=data, content_type="application/json")
            return getattr(client, method)(f"/api/v1{url}", **kwargs)

        return call

    return as_person
