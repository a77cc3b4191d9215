"""The portal API from the supplier contact's side: read contracts and deviations, answer
an action plan (with optimistic locking), declare a subcontractor, upload and list documents."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kravspar.accounts.models import ApiToken
from kravspar.accounts.services import TOKEN_PREFIX, _hash_token
from kravspar.findings import services as findings_services
from kravspar.findings.models import ActionPlan
from kravspar.portal.models import SubcontractorDeclaration


@pytest.fixture
def headers(contact_a: Any) -> dict[str, str]:
    raw = TOKEN_PREFIX + "anna-" + "y" * 30
    ApiToken.objects.create(user=contact_a, name="ERP", prefix=raw[:12], token_hash=_hash_token(raw))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_contracts_list_names_the_buyers(contract_a: Any, client: Any, headers: dict[str, str]) -> None:
    data = client.get("/api/v1/portal/contracts", **headers).json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["contract_number"] == "RS-2025-0001"
    assert sorted(item["buyers"]) == ["Region Sörmland", "Region Västmanland"]


def test_deviation_carries_its_action_plan(deviation_a: Any, client: Any, headers: dict[str, str]) -> None:
    item = client.get(f"/api/v1/portal/deviations/{deviation_a.uuid}", **headers).json()
    assert item["action_plan"]["actions"] == ["Betala ut mellanskillnaden"]
    assert item["action_plan"]["supplier_response"] == ""


def test_response_is_recorded_and_a_stale_version_is_409(
    world: Any, deviation_a: Any, client: Any, headers: dict[str, str]
) -> None:
    url = f"/api/v1/portal/deviations/{deviation_a.uuid}/response"
    version = client.get(f"/api/v1/portal/deviations/{deviation_a.uuid}", **headers).json()["version"]
    findings_services.action_plan_record_response(
        actor=world.officer, deviation=deviation_a, expected_version=None, supplier_response="Inköps anteckning"
    )
    stale = client.post(
        url, {"version": version, "supplier_response": "Vårt svar"}, content_type="application/json", **headers
    )
    assert stale.status_code == 409 and stale.json()["code"] == "concurrent_edit"
    fresh = client.get(f"/api/v1/portal/deviations/{deviation_a.uuid}", **headers).json()["version"]
    ok = client.post(
        url, {"version": fresh, "supplier_response": "Vårt svar"}, content_type="application/json", **headers
    )
    assert ok.status_code == 200 and ok.json()["action_plan"]["supplier_response"] == "Vårt svar"
    assert ActionPlan.objects.get(deviation=deviation_a).supplier_response == "Vårt svar"


def test_an_empty_response_is_400_with_the_field(deviation_a: Any, client: Any, headers: dict[str, str]) -> None:
    response = client.post(
        f"/api/v1/portal/deviations/{deviation_a.uuid}/response",
        {"supplier_response": " "},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400 and "supplier_response" in response.json()["details"]["fields"]


def test_declare_a_subcontractor(contract_a: Any, client: Any, headers: dict[str, str]) -> None:
    body = {"contract": str(contract_a.uuid), "name": "UE AB", "org_number": "556036-0793", "role": "Fönster"}
    response = client.post(
        "/api/v1/portal/subcontractor-declarations", body, content_type="application/json", **headers
    )
    assert response.status_code == 201 and response.json()["status"] == "submitted"
    assert SubcontractorDeclaration.objects.get().org_number == "5560360793"
    bad = client.post(
        "/api/v1/portal/subcontractor-declarations",
        body | {"org_number": "123"},
        content_type="application/json",
        **headers,
    )
    assert bad.status_code == 400 and "org_number" in bad.json()["details"]["fields"]


def test_an_upload_of_the_wrong_type_is_refused(contact_a: Any, client: Any, headers: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/portal/documents",
        {
            "kind": "certificate",
            "title": "Fel fil",
            "valid_from": "2025-01-01",
            "file": SimpleUploadedFile("x.pdf", b"\x00\x01\x02binary", content_type="application/pdf"),
        },
        **headers,
    )
    assert response.status_code == 400 and "file" in response.json()["details"]["fields"]
    assert client.get("/api/v1/portal/documents", **headers).json() == []
