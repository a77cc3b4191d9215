"""The upload page and the API: an officer uploads an award notice and lands on the new
contract with its plan; an orderer (the outsider here) may neither upload nor post."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kravspar.accounts.services import api_token_create
from kravspar.contracts.models import Contract
from kravspar.notices.models import Notice
from kravspar.notices.tests.conftest import CORPUS, award_for, for_buyer


def test_upload_lands_on_the_new_contract_with_its_plan(world: Any, approved: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    upload = SimpleUploadedFile("can.xml", award_for(approved), content_type="application/xml")
    response = client.post(reverse("notices:upload"), {"notice_files": [upload]})
    contract = Contract.objects.get(contract_number="EF-2026-001")
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:detail", args=[contract.uuid])
    page = client.get(response["Location"]).content.decode()
    assert "EF-2026-001" in page
    assert contract.activities.exists()


def test_upload_of_a_refused_notice_names_the_reason(world: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    upload = SimpleUploadedFile("cn.xml", (CORPUS / "cn_24_FRA_comments.xml").read_bytes())
    response = client.post(reverse("notices:upload"), {"notice_files": [upload]})
    assert response.status_code == 200
    assert "unknown_buyer" in response.content.decode()
    assert "123 456 789" in response.content.decode()


def test_an_orderer_may_not_upload(world: Any, client_for: Any) -> None:
    client = client_for(world.orderer_vm)
    assert client.get(reverse("notices:upload")).status_code == 403
    upload = SimpleUploadedFile("cn.xml", b"<x/>")
    assert client.post(reverse("notices:upload"), {"notice_files": [upload]}).status_code == 403


def test_notice_pages_show_withheld_fields(world: Any, client_for: Any, django_assert_max_num_queries: Any) -> None:
    from kravspar.notices.services import import_one

    data = for_buyer((CORPUS / "can_25_withheld.xml").read_bytes(), world.vastmanland.org_number)
    notice = import_one("can.xml", data, actor=world.officer).notice
    assert notice is not None
    client = client_for(world.officer)
    page = client.get(reverse("notices:detail", args=[notice.uuid])).content.decode()
    assert "Undanhållet" in page or "Withheld" in page
    with django_assert_max_num_queries(12):
        assert client.get(reverse("notices:list")).status_code == 200


def test_a_supplier_contact_sees_no_notice(world: Any, client_for: Any) -> None:
    from kravspar.notices.services import import_one

    data = for_buyer((CORPUS / "cn_24_minimal.xml").read_bytes(), world.vastmanland.org_number)
    notice = import_one("cn.xml", data, actor=world.officer).notice
    assert notice is not None
    client = client_for(world.supplier_contact)
    assert client.get(reverse("notices:detail", args=[notice.uuid])).status_code in (403, 404)
    client = client_for(world.orderer_sl)  # Sörmland only: the notice is Västmanland's
    assert client.get(reverse("notices:detail", args=[notice.uuid])).status_code == 404


def _api(client: Any, user: Any) -> Any:
    token = api_token_create(actor=user, user=user, name="test")[1]

    def post(data: bytes, content_type: str = "application/xml") -> Any:
        return client.post(
            "/api/v1/notices", data=data, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {token}"
        )

    return post


def test_api_imports_an_award_notice(world: Any, approved: Any, client: Any) -> None:
    post = _api(client, world.officer)
    data = award_for(approved)
    response = post(data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "can"
    assert body["contracts"][0]["contract_number"] == "EF-2026-001"
    assert body["contracts"][0]["strategy_missing"] is False
    again = post(data)
    assert (again.status_code, again.json()["code"]) == (409, "duplicate_notice")


def test_api_refuses_with_named_reasons(world: Any, client: Any) -> None:
    post = _api(client, world.officer)
    unknown = post((CORPUS / "cn_24_FRA_comments.xml").read_bytes())
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_buyer")
    assert unknown.json()["details"]["org_number"] == "123 456 789"
    invalid = post((CORPUS / "INVALID_cn_24_empty.xml").read_bytes())
    assert (invalid.status_code, invalid.json()["code"]) == (400, "missing_notice_id")
    assert post(b"{}", "application/json").status_code == 415
    assert not Notice.objects.exists()


def test_api_outsider_is_forbidden(world: Any, client: Any) -> None:
    post = _api(client, world.orderer_vm)
    assert post((CORPUS / "cn_24_minimal.xml").read_bytes()).status_code == 403
