"""GET /api/v1/contracts serialises rows, not model instances (issue 15): the JSON and the
OpenAPI document must stay exactly what they were, because other tools read them."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from ninja.renderers import JSONRenderer

from kravspar.contracts import selectors, services
from kravspar.contracts.api import PagedContractOut
from kravspar.contracts.tests.conftest import contract_fields
from kravspar.contracts.tests.test_views import make_contracts
from kravspar.suppliers.models import Supplier

pytestmark = pytest.mark.django_db

# The list's operation and schemas as ninja's @paginate(LimitOffsetPagination) declared them
# before the list serialised rows (taken from /api/v1/openapi.json at that commit).
SNAPSHOT = Path(__file__).with_name("openapi_contract_list.json")


def test_the_openapi_document_of_the_list_is_unchanged(client):
    doc = client.get("/api/v1/openapi.json").json()
    before = json.loads(SNAPSHOT.read_text())
    assert doc["paths"]["/api/v1/contracts"]["get"] == before["operation"]
    for name, schema in before["schemas"].items():
        assert doc["components"]["schemas"][name] == schema


@pytest.fixture
def varied(world, awarded, cleaner, other_supplier):
    """Contracts that differ in every way the list shows: from a procurement or direct, one or
    two suppliers and buyers, extensions used or not, values and fines set or empty, ended."""
    from_procurement = services.contract_create_from_procurement(
        actor=world.officer,
        procurement=awarded,
        suppliers=[cleaner, other_supplier],
        buyers=[world.sormland, world.vastmanland],
        **contract_fields(contract_number="AVT-P-1", value=Decimal("1234567.50"), fine_per_week=Decimal(5000)),
    )
    services.contract_use_extension(
        actor=world.officer, contract=from_procurement, decided_on=from_procurement.signed_on
    )
    direct = services.contract_register_direct(
        actor=world.officer,
        suppliers=[Supplier.objects.create(name="Åkeri Ö AB", org_number="")],
        buyers=[world.vastmanland],
        **contract_fields(contract_number="AVT-D-1", value=None, extension_options=0, extension_months=0),
    )
    services.contract_set_status(actor=world.officer, contract=direct, to="terminated", reason="Grovt avtalsbrott")
    make_contracts(world, 3, 10)


def reference(user, limit, offset=0):
    """What the list answered before: ninja validating ContractOut from the model instances."""
    qs = selectors.contract_list(user)
    page = {"items": list(qs[offset : offset + limit]), "count": qs.count()}
    dumped = PagedContractOut.model_validate(page).model_dump()
    return json.loads(JSONRenderer().render(None, dumped, response_status=200))


def test_the_list_answers_exactly_what_the_model_serialisation_answers(world, api_as, varied):
    officer = api_as(world.officer)
    for limit, offset in ((100, 0), (2, 1), (2, 4), (5, 50)):
        answer = officer("get", f"/contracts?limit={limit}&offset={offset}")
        assert answer.status_code == 200
        expected = reference(world.officer, limit, offset)
        assert answer.json() == expected
        # the same keys in the same order, in the page and in every contract and party
        body = answer.json()
        assert list(body) == list(expected)
        for got, want in zip(body["items"], expected["items"], strict=True):
            assert list(got) == list(want)
            assert [list(p) for p in got["suppliers"] + got["buyers"]] == [
                list(p) for p in want["suppliers"] + want["buyers"]
            ]
    every = officer("get", "/contracts").json()
    assert every["count"] == 5 and len(every["items"]) == 5
    two = next(c for c in every["items"] if c["contract_number"] == "AVT-P-1")
    assert [s["name"] for s in two["suppliers"]] == ["Fönsterputs Nord AB", "Städbolaget AB"]
    assert two["extensions_used"] == 1 and two["effective_end"] == "2029-01-31"


def test_filters_and_limits_still_apply(world, api_as, varied):
    officer = api_as(world.officer)
    assert officer("get", "/contracts?status=terminated").json()["count"] == 1
    assert officer("get", "/contracts?q=AVT-P").json()["items"][0]["contract_number"] == "AVT-P-1"
    assert officer("get", "/contracts?limit=501").status_code == 422
    assert officer("get", "/contracts?offset=-1").status_code == 422


def test_each_person_still_sees_only_their_contracts(world, api_as, client_for, varied):
    orderer = api_as(world.orderer_vm)
    visible = orderer("get", "/contracts").json()
    assert visible == reference(world.orderer_vm, 100)
    assert visible["count"] == 5  # every contract here has Region Västmanland among its buyers
    assert all(world.vastmanland.name in [b["name"] for b in c["buyers"]] for c in visible["items"])
    contact = client_for(world.supplier_contact)  # the outsider: no token, a session at most
    assert contact.get("/api/v1/contracts").json() == {"items": [], "count": 0}
    assert Client().get("/api/v1/contracts").status_code == 401


def test_pages_of_the_same_query_with_other_values_answer_their_own_rows(world, api_as, varied):
    """The page's SQL is reused for the same filters with other values (``api_json._page_sql``):
    each answer still has its own rows."""
    officer = api_as(world.officer)
    terminated = officer("get", "/contracts?status=terminated").json()
    active = officer("get", "/contracts?status=active").json()
    assert [c["contract_number"] for c in terminated["items"]] == ["AVT-D-1"]
    assert terminated["count"] == 1
    assert active["items"] and {c["status"] for c in active["items"]} == {"active"}
    assert active["count"] == len(active["items"]) and "AVT-D-1" not in {c["contract_number"] for c in active["items"]}
    for status, answer in (("terminated", terminated), ("active", active)):
        assert officer("get", f"/contracts?status={status}").json() == answer
