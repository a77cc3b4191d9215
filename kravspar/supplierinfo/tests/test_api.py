"""The API: published documents for anyone, acknowledgement for supplier contacts only."""

import pytest

from kravspar.supplierinfo import services
from kravspar.supplierinfo.models import Acknowledgement

DOCS = "/api/v1/supplier-information/documents"


def ack(document):
    return f"{DOCS}/{document.uuid}/acknowledge"


def test_documents_are_public(client, world, policy, code_of_conduct, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(DOCS)
    assert response.status_code == 200
    body = {d["title"]: d for d in response.json()}
    assert set(body) == {"Inköpspolicy", "Uppförandekod för leverantörer"}
    p = body["Inköpspolicy"]
    assert p["kind"] == "policy"
    assert p["current_version"]["label"] == "2024"
    assert p["current_version"]["url"] == "https://regionsormland.se/policy-2024"
    assert p["current_version"]["is_link"] is True
    assert [v["label"] for v in p["earlier_versions"]] == ["2019"]
    c = body["Uppförandekod för leverantörer"]["current_version"]
    assert c["content_type"] == "application/pdf" and c["is_link"] is False
    assert c["url"].startswith("http://testserver/leverantorsinformation/dokument/")
    assert client.get(c["url"]).status_code == 200


def test_withdrawn_documents_are_not_listed(client, world, policy):
    services.document_withdraw(actor=world.admin, document=policy, reason="Ersatt")
    assert client.get(DOCS).json() == []


def test_anonymous_cannot_acknowledge(client, world, policy):
    response = client.post(ack(policy))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.mark.parametrize("persona", ["admin", "officer", "orderer_vm", "reader"])
def test_buyers_cannot_acknowledge(client_for, world, policy, persona):
    response = client_for(getattr(world, persona)).post(ack(policy))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Acknowledgement.objects.exists()


def test_supplier_contact_acknowledges_the_current_version(client_for, world, policy, contact_a, contact_b):
    client = client_for(contact_a)
    response = client.post(ack(policy))
    assert response.status_code == 200
    body = response.json()
    assert body["version_label"] == "2024" and body["created"] is True
    assert client.post(ack(policy)).json()["created"] is False
    # Always for the caller: supplier B has confirmed nothing.
    assert list(Acknowledgement.objects.values_list("user__username", flat=True)) == ["supplier"]


def test_unknown_or_withdrawn_document_is_not_found(client_for, world, policy, contact_a):
    client = client_for(contact_a)
    assert client.post(f"{DOCS}/7b0a4f5e-0000-4000-8000-000000000000/acknowledge").status_code == 404
    services.document_withdraw(actor=world.admin, document=policy, reason="Ersatt")
    response = client.post(ack(policy))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
