"""POST /api/v1/invoices (raw UBL) and the invoice list and detail over the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kravspar.accounts.models import User
from kravspar.accounts.services import api_token_create
from kravspar.invoices.models import ImportBatch, InvoiceDocument

from .conftest import REGION_SORMLAND

MakeXml = Callable[..., bytes]
pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(client: Client) -> Callable[[User], Callable[..., Any]]:
    def as_person(person: User) -> Callable[..., Any]:
        token = api_token_create(actor=None, user=person, name="test")[1]

        def call(method: str, url: str, body: bytes | None = None, content_type: str = "application/xml") -> Any:
            kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
            if body is not None:
                kwargs.update(data=body, content_type=content_type)
            return getattr(client, method)(f"/api/v1{url}", **kwargs)

        return call

    return as_person


def test_post_stores_and_returns_the_document(world: Any, api_as: Any, make_xml: MakeXml) -> None:
    response = api_as(world.officer)("post", "/invoices", make_xml())
    assert response.status_code == 201, response.content
    body = response.json()
    doc = InvoiceDocument.objects.get()
    assert body["uuid"] == str(doc.uuid)
    assert body["number"] == "F-1001"
    assert body["buyer_organisation"] == str(world.vastmanland.uuid)
    assert body["buyer_endpoint"] == "0007:2321000172"
    assert body["payable_amount"] == "64947.00"
    assert [line["seller_item_id"] for line in body["lines"]] == ["ART-0001", "ART-0007"]
    assert doc.imported_by == world.officer
    assert ImportBatch.objects.get().source == "api"


def test_duplicate_is_409_with_the_stored_document(world: Any, api_as: Any, make_xml: MakeXml) -> None:
    call = api_as(world.officer)
    first = call("post", "/invoices", make_xml()).json()
    response = call("post", "/invoices", make_xml())
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_file"
    assert response.json()["details"]["document"] == first["uuid"]
    response = call("post", "/invoices", make_xml(note="annan fil, samma nummer"))
    assert (response.status_code, response.json()["code"]) == (409, "duplicate_invoice")
    assert InvoiceDocument.objects.count() == 1


def test_refusals_have_a_code_and_a_swedish_message(world: Any, api_as: Any) -> None:
    response = api_as(world.officer)("post", "/invoices", b"<Invoice")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "malformed_xml"
    assert body["message"].startswith("Filen är inte välformad XML")
    assert set(body) == {"code", "message", "details"}


def test_wrong_content_type_and_size(world: Any, api_as: Any, make_xml: MakeXml, settings: Any) -> None:
    call = api_as(world.officer)
    response = call("post", "/invoices", make_xml(), content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")
    settings.KRAVSPAR_INVOICE_MAX_BYTES = 1000
    response = call("post", "/invoices", make_xml())
    assert (response.status_code, response.json()["code"]) == (413, "file_too_large")
    assert not InvoiceDocument.objects.exists()


def test_outsiders_cannot_import_or_probe_another_regions_invoices(
    world: Any, api_as: Any, make_xml: MakeXml, officer_sl: User
) -> None:
    api_as(world.officer)("post", "/invoices", make_xml())
    # A Sörmland officer posting the same Västmanland invoice learns nothing about it.
    response = api_as(officer_sl)("post", "/invoices", make_xml())
    assert (response.status_code, response.json()["code"]) == (403, "buyer_not_allowed")
    # Those without the right to import are refused outright.
    response = api_as(world.orderer_vm)("post", "/invoices", make_xml(number="2"))
    assert response.status_code == 403
    assert InvoiceDocument.objects.count() == 1


def test_list_and_detail_show_only_visible_invoices(
    world: Any, api_as: Any, make_xml: MakeXml, officer_sl: User
) -> None:
    vm = api_as(world.officer)("post", "/invoices", make_xml()).json()
    sl = api_as(world.officer)("post", "/invoices", make_xml(number="S-1", buyer=REGION_SORMLAND)).json()
    call = api_as(officer_sl)
    listing = call("get", "/invoices").json()
    assert [item["uuid"] for item in listing["items"]] == [sl["uuid"]]
    assert call("get", f"/invoices/{vm['uuid']}").status_code == 404
    assert call("get", f"/invoices/{sl['uuid']}").json()["lines"][0]["position"] == 1
    everything = api_as(world.admin)("get", "/invoices?kind=invoice&q=S-1").json()
    assert [item["number"] for item in everything["items"]] == ["S-1"]
    supplier_view = Client()
    supplier_view.force_login(world.supplier_contact)
    assert supplier_view.get("/api/v1/invoices").json()["items"] == []
