"""Supplier A can never reach supplier B's data, through the UI or the API: every
supplier-facing view and endpoint, tried by Anna (supplier A) on Bertil's (supplier B)
objects. Supplier contacts are kept out of the buyers' pages; anonymous users log in first."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kravspar.accounts.services import api_token_create
from kravspar.findings.models import ActionPlan
from kravspar.portal import services
from kravspar.portal.models import SubcontractorDeclaration, SupplierDocument
from kravspar.portal.tests.conftest import make_document

FOREIGN = {"name": "Främling AB", "org_number": "5560360793", "country": "SE", "role": "Städ"}


@pytest.fixture
def b_objects(world: Any, contact_b: Any, contract_b: Any, deviation_b: Any, pdf_bytes: bytes) -> dict[str, Any]:
    """Everything supplier B has: a contract, a deviation with a plan, a document, a declaration, an invitation."""
    invitation, _raw = services.invitation_create(
        actor=world.officer, supplier=contact_b.supplier, name="Berit", email="berit@tvatt.se"
    )
    return {
        "contract": contract_b,
        "deviation": deviation_b,
        "document": make_document(contact_b, pdf_bytes),
        "declaration": services.declaration_submit(actor=contact_b, contract=contract_b, **FOREIGN),
        "invitation": invitation,
        "supplier": contact_b.supplier,
    }


UI_GETS = [
    ("portal:contract_detail", "contract"),
    ("portal:declaration_create", "contract"),
    ("portal:deviation_detail", "deviation"),
    ("portal:deviation_respond", "deviation"),
    ("portal:document_file", "document"),
    ("portal:document_withdraw", "document"),
    ("portal:invitation_revoke", "invitation"),
    ("portal:invitation_list", "supplier"),
    ("portal:supplier_documents", "supplier"),
    ("portal:contract_declarations", "contract"),
    ("portal:declaration_review", "declaration"),
]


@pytest.mark.parametrize(("name", "obj"), UI_GETS)
def test_supplier_a_gets_404_for_supplier_bs_objects_in_the_ui(
    contact_a: Any, contract_a: Any, b_objects: dict[str, Any], client_for: Any, name: str, obj: str
) -> None:
    client = client_for(contact_a)
    url = reverse(name, args=[b_objects[obj].uuid])
    assert client.get(url).status_code == 404
    # Read-only pages answer a POST with 405 before looking anything up; the others with 404.
    assert client.post(url, {"supplier_response": "x", "decision": "accepted", "name": "x"}).status_code in (404, 405)


def test_nothing_of_supplier_b_changed_after_supplier_as_attempts(
    contact_a: Any, b_objects: dict[str, Any], client_for: Any
) -> None:
    client = client_for(contact_a)
    for name, obj in UI_GETS:
        client.post(reverse(name, args=[b_objects[obj].uuid]), {"supplier_response": "hack", "decision": "accepted"})
    assert ActionPlan.objects.get(deviation=b_objects["deviation"]).supplier_response == ""
    assert SupplierDocument.objects.get(pk=b_objects["document"].pk).withdrawn_at is None
    assert SubcontractorDeclaration.objects.get(pk=b_objects["declaration"].pk).status == "submitted"
    assert SubcontractorDeclaration.objects.filter(contract=b_objects["contract"]).count() == 1


@pytest.mark.parametrize(
    "name", ["portal:contracts", "portal:deviations", "portal:documents", "portal:declarations", "portal:home"]
)
def test_supplier_a_lists_nothing_of_supplier_b(
    contact_a: Any, contract_a: Any, b_objects: dict[str, Any], client_for: Any, name: str
) -> None:
    body = client_for(contact_a).get(reverse(name)).content.decode()
    assert "RS-2025-0002" not in body
    assert "Saknade skyddskläder" not in body
    assert "Främling AB" not in body
    assert str(b_objects["document"].uuid) not in body


SUPPLIER_PAGES = [
    "portal:home",
    "portal:contracts",
    "portal:deviations",
    "portal:documents",
    "portal:document_upload",
    "portal:declarations",
]


@pytest.mark.parametrize("name", SUPPLIER_PAGES)
def test_buyers_get_403_on_the_supplier_pages(world: Any, client_for: Any, name: str) -> None:
    assert client_for(world.officer).get(reverse(name)).status_code == 403


SUPPLIER_OBJECT_PAGES = [
    ("portal:contract_detail", "contract"),
    ("portal:declaration_create", "contract"),
    ("portal:deviation_detail", "deviation"),
    ("portal:deviation_respond", "deviation"),
    ("portal:document_withdraw", "document"),
]


@pytest.mark.parametrize(("name", "obj"), SUPPLIER_OBJECT_PAGES)
def test_buyers_get_403_on_the_supplier_facing_object_pages(
    world: Any, b_objects: dict[str, Any], client_for: Any, name: str, obj: str
) -> None:
    assert client_for(world.officer).get(reverse(name, args=[b_objects[obj].uuid])).status_code == 403


@pytest.mark.parametrize("name", SUPPLIER_PAGES)
def test_anonymous_users_are_sent_to_login(client: Any, world: Any, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith("/logga-in/")


@pytest.mark.parametrize(("name", "obj"), UI_GETS)
def test_anonymous_users_are_sent_to_login_from_object_pages(
    client: Any, b_objects: dict[str, Any], name: str, obj: str
) -> None:
    response = client.get(reverse(name, args=[b_objects[obj].uuid]))
    assert response.status_code == 302 and response["Location"].startswith("/logga-in/")


BUYER_PAGES = [
    "contracts:list",
    "procurements:list",
    "findings:list",
    "followups:work_list",
    "followups:calendar",
    "accounts:person_list",
    "organisations:list",
    "audit:search",
    "suppliers:list",
    "requirements:library",
]


@pytest.mark.parametrize("name", BUYER_PAGES)
def test_a_supplier_contact_gets_403_on_the_buyers_pages(contact_a: Any, client_for: Any, name: str) -> None:
    assert client_for(contact_a).get(reverse(name)).status_code == 403


def test_a_supplier_contact_gets_404_on_the_buyers_object_pages(
    contact_a: Any, contract_a: Any, deviation_a: Any, client_for: Any
) -> None:
    """Even their own contract and deviation: the buyer's pages carry internal notes."""
    client = client_for(contact_a)
    assert client.get(reverse("contracts:detail", args=[contract_a.uuid])).status_code == 404
    assert client.get(reverse("findings:detail", args=[deviation_a.uuid])).status_code == 404
    assert client.get(reverse("suppliers:detail", args=[contact_a.supplier.uuid])).status_code == 404


# --- API ----------------------------------------------------------------------------------


def _api(contact: Any) -> dict[str, str]:
    """A token for a supplier contact. Made directly: api_token_create() asks for the USE_API
    permission, which the supplier-contact role does not have (yet)."""
    from kravspar.accounts.models import ApiToken
    from kravspar.accounts.services import TOKEN_PREFIX, _hash_token

    raw = TOKEN_PREFIX + f"test-{contact.username}-" + "x" * 20
    ApiToken.objects.create(user=contact, name="test", prefix=raw[:12], token_hash=_hash_token(raw))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_lists_only_the_callers_supplier(
    contact_a: Any, contract_a: Any, deviation_a: Any, b_objects: dict[str, Any], client: Any, pdf_bytes: bytes
) -> None:
    headers = _api(contact_a)
    make_document(contact_a, pdf_bytes, title="A:s certifikat")
    services.declaration_submit(actor=contact_a, contract=contract_a, **(FOREIGN | {"name": "A:s UE AB"}))
    for path, own, foreign in [
        ("/api/v1/portal/contracts", "RS-2025-0001", "RS-2025-0002"),
        ("/api/v1/portal/deviations", "Lön under kollektivavtalets nivå", "Saknade skyddskläder"),
        ("/api/v1/portal/documents", "A:s certifikat", str(b_objects["document"].uuid)),
        ("/api/v1/portal/subcontractor-declarations", "A:s UE AB", "Främling AB"),
    ]:
        response = client.get(path, **headers)
        assert response.status_code == 200, path
        text = json.dumps(response.json(), ensure_ascii=False)
        assert own in text and foreign not in text, path


def test_api_gives_404_for_supplier_bs_objects(contact_a: Any, b_objects: dict[str, Any], client: Any) -> None:
    headers = _api(contact_a)
    deviation = b_objects["deviation"]
    assert client.get(f"/api/v1/portal/deviations/{deviation.uuid}", **headers).status_code == 404
    response = client.post(
        f"/api/v1/portal/deviations/{deviation.uuid}/response",
        {"supplier_response": "hack"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
    assert client.get(f"/api/v1/portal/documents/{b_objects['document'].uuid}/file", **headers).status_code == 404
    declare = client.post(
        "/api/v1/portal/subcontractor-declarations",
        FOREIGN | {"contract": str(b_objects["contract"].uuid)},
        content_type="application/json",
        **headers,
    )
    assert declare.status_code == 404
    assert ActionPlan.objects.get(deviation=deviation).supplier_response == ""


API_PATHS = [
    ("get", "/api/v1/portal/contracts"),
    ("get", "/api/v1/portal/deviations"),
    ("get", "/api/v1/portal/documents"),
    ("post", "/api/v1/portal/documents"),
    ("get", "/api/v1/portal/subcontractor-declarations"),
    ("post", "/api/v1/portal/subcontractor-declarations"),
]


def _valid_body(path: str, contract: Any, pdf: bytes) -> dict[str, Any]:
    if path.endswith("/documents"):
        return {
            "data": {
                "kind": "certificate",
                "title": "T",
                "valid_from": "2025-01-01",
                "file": SimpleUploadedFile("a.pdf", pdf, content_type="application/pdf"),
            }
        }
    return {"data": FOREIGN | {"contract": str(contract.uuid)}, "content_type": "application/json"}


@pytest.mark.parametrize(("method", "path"), API_PATHS)
def test_api_refuses_buyers_with_403(
    world: Any, contract_a: Any, pdf_bytes: bytes, client: Any, method: str, path: str
) -> None:
    _token, raw = api_token_create(actor=world.officer, user=world.officer, name="t")
    kwargs = _valid_body(path, contract_a, pdf_bytes) if method == "post" else {}
    response = getattr(client, method)(path, HTTP_AUTHORIZATION=f"Bearer {raw}", **kwargs)
    assert response.status_code == 403, response.content
    assert not SupplierDocument.objects.exists() and not SubcontractorDeclaration.objects.exists()


def test_api_response_endpoint_refuses_buyers(world: Any, deviation_a: Any, client: Any) -> None:
    _token, raw = api_token_create(actor=world.officer, user=world.officer, name="t")
    response = client.post(
        f"/api/v1/portal/deviations/{deviation_a.uuid}/response",
        {"supplier_response": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "path"), API_PATHS)
def test_api_refuses_anonymous_callers(client: Any, world: Any, method: str, path: str) -> None:
    assert getattr(client, method)(path).status_code == 401


def test_buyer_api_lists_are_empty_for_a_supplier_contact(
    contact_a: Any, contract_a: Any, deviation_a: Any, client: Any
) -> None:
    headers = _api(contact_a)
    for path in (
        "/api/v1/contracts",
        "/api/v1/deviations",
        "/api/v1/activities",
        "/api/v1/procurements",
        "/api/v1/organisations",
    ):
        response = client.get(path, **headers)
        assert response.status_code == 200 and response.json()["count"] == 0, path
    assert client.get("/api/v1/suppliers", **headers).status_code == 403


def test_upload_through_the_api_goes_to_the_callers_library(contact_a: Any, client: Any, pdf_bytes: bytes) -> None:
    headers = _api(contact_a)
    response = client.post(
        "/api/v1/portal/documents",
        {
            "kind": "certificate",
            "title": "API-certifikat",
            "valid_from": "2025-01-01",
            "file": SimpleUploadedFile("a.pdf", pdf_bytes, content_type="application/pdf"),
        },
        **headers,
    )
    assert response.status_code == 201, response.content
    assert SupplierDocument.objects.get().supplier == contact_a.supplier
    download = client.get(response.json()["download_url"], **headers)
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes
