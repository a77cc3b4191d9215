"""Text holding a NUL character (0x00) is refused with a clear message, never a 500:
PostgreSQL can neither store nor compare such text (SQLite stores it), so without the
checks the same request was a 500 on one database and stored on the other."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kravspar.organisations.models import Organisation
from kravspar.suppliers.models import Supplier

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "Texten innehåller ett NUL-tecken (0x00), som inte kan sparas; ta bort det."


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/api/v1/suppliers", '{"name": "Glans\\u0000 AB", "org_number": "556036-0793"}', ["body", "name"]),
        (
            "/api/v1/organisations",
            '{"name": "Region", "org_number": "212000-2627", "kind": "region", "x": [{"y\\u0000": 1}]}',
            ["body", "x", 0],
        ),
    ],
)
def test_an_api_body_with_a_nul_is_an_invalid_request_and_stores_nothing(
    world: Any, path: str, body: str, loc: list[Any]
) -> None:
    client = Client()
    client.force_login(world.admin)
    suppliers, organisations = Supplier.objects.count(), Organisation.objects.count()
    response = client.post(path, data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "invalid_request"
    assert data["details"]["errors"] == [{"type": "nul_character", "loc": loc, "msg": NUL_MESSAGE}]
    assert (Supplier.objects.count(), Organisation.objects.count()) == (suppliers, organisations)


def test_an_api_query_with_a_nul_is_an_invalid_request(world: Any) -> None:
    client = Client()
    client.force_login(world.officer)
    response = client.get("/api/v1/contracts?q=st%00d", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 422
    assert response.json()["details"]["errors"][0]["loc"] == ["q"]
    assert client.get("/api/v1/contracts?q=st%C3%A4d").status_code == 200  # the same without it


def test_body_text_that_only_looks_like_a_nul_is_accepted(world: Any) -> None:
    """A backslash followed by u0000 is text, not a NUL character."""
    client = Client()
    client.force_login(world.admin)
    response = client.post(
        "/api/v1/suppliers",
        data='{"name": "Glans \\\\u0000 AB", "org_number": "556036-0793"}',
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Supplier.objects.filter(name="Glans \\u0000 AB").exists()


@pytest.mark.parametrize(
    "page", ["/avtal/", "/leverantorer/", "/avvikelser/", "/uppfoljning/", "/personer/", "/leverantor/avtal/"]
)
def test_a_page_address_with_a_nul_is_a_bad_request_on_both_databases(world: Any, page: str) -> None:
    """Some views read a search word or filter straight from the address into a query;
    ``/personer/?q=%00`` was a 500 on PostgreSQL. Now every page answers 400, in Swedish."""
    client = Client()
    client.force_login(world.supplier_contact if page.startswith("/leverantor/") else world.admin)
    response = client.get(page + "?q=a%00b")
    assert response.status_code == 400
    assert "Begäran kunde inte läsas" in response.content.decode()
    assert client.get(page + "?q=ab").status_code == 200  # the same address without it


def test_a_form_field_with_a_nul_is_a_bad_request_and_changes_nothing(world: Any) -> None:
    """The link-a-procurement form reads its field without a Django form: a NUL in it was a
    500 on PostgreSQL."""
    import datetime

    from kravspar.contracts import services as contract_services
    from kravspar.contracts.models import Contract
    from kravspar.testing.factories import SupplierFactory

    contract = contract_services.contract_register_direct(
        actor=world.officer,
        suppliers=[SupplierFactory.create()],
        buyers=[world.vastmanland],
        contract_number="NUL-1",
        title="Nul",
        signed_on=datetime.date(2025, 1, 1),
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2027, 1, 1),
    )
    client = Client()
    client.force_login(world.officer)
    url = f"/avtal/{contract.uuid}/upphandling/"
    response = client.post(url, {"registry_number": "RS-2025\x00-1"})
    assert response.status_code == 400
    assert "Begäran kunde inte läsas" in response.content.decode()
    assert Contract.objects.get(pk=contract.pk).procurement_id is None
    assert client.post(url, {"registry_number": "RS-2025-1"}).status_code == 302  # without it: the view answers
