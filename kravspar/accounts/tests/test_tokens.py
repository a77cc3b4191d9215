"""Personal API tokens: shown once, stored hashed, revocable."""

import hashlib

from django.core.management import call_command
from django.urls import reverse

from kravspar.accounts import services
from kravspar.accounts.models import ApiToken


def test_token_created_in_the_ui_is_shown_once_and_stored_hashed(world, client_for):
    client = client_for(world.officer)
    response = client.post(reverse("accounts:account"), {"name": "Power BI"})
    raw = response.context["new_token"]
    assert raw.startswith("kvs_") and raw.encode() in response.content
    token = ApiToken.objects.get(user=world.officer)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in token.token_hash
    again = client.get(reverse("accounts:account"))
    assert raw.encode() not in again.content


def test_command_prints_a_working_token(world, client, capsys):
    call_command("create_api_token", "orderer_vm")
    raw = capsys.readouterr().out.strip()
    response = client.get("/api/v1/organisations", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_revoked_token_and_deactivated_person_are_refused(world, client):
    token, raw = services.api_token_create(actor=None, user=world.orderer_vm, name="x")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/organisations", **headers).status_code == 200
    services.api_token_revoke(actor=world.orderer_vm, token=token)
    response = client.get("/api/v1/organisations", **headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_token_of_a_deactivated_person_stops_working(world, client):
    _token, raw = services.api_token_create(actor=None, user=world.orderer_vm, name="x")
    services.person_set_active(actor=world.admin, person=world.orderer_vm, active=False)
    assert client.get("/api/v1/organisations", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_people_cannot_revoke_each_others_tokens(world, client_for):
    token, _raw = services.api_token_create(actor=None, user=world.orderer_vm, name="x")
    client = client_for(world.orderer_sl)
    url = reverse("accounts:api_token_revoke", args=[token.uuid])
    assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_asks_first(world, client_for):
    token, _raw = services.api_token_create(actor=None, user=world.orderer_vm, name="x")
    client = client_for(world.orderer_vm)
    url = reverse("accounts:api_token_revoke", args=[token.uuid])
    assert client.get(url).status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_supplier_contacts_token_reaches_their_portal_and_nothing_of_the_buyers(world, client_for, client):
    """Supplier contacts use the API for their own supplier's matters (/api/v1/portal/);
    the buyer endpoints stay closed or empty to them."""
    client_for(world.supplier_contact).post(reverse("accounts:account"), {"name": "Affärssystem"})
    token = ApiToken.objects.get(user=world.supplier_contact)
    raw = services.api_token_create(actor=None, user=world.supplier_contact, name="test")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert token.name == "Affärssystem"
    assert client.get("/api/v1/portal/contracts", **auth).status_code == 200
    assert client.get("/api/v1/organisations", **auth).json()["items"] == []
    assert client.get("/api/v1/suppliers", **auth).status_code == 403


def test_wrong_token_formats_are_refused(world, client):
    for header in ("Bearer nonsense", "Bearer kvs_nonsense", "Token abc", ""):
        response = client.get("/api/v1/organisations", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401
