"""Security keys (WebAuthn) as a second factor: who may start which ceremony, removal and
history. The ceremonies themselves, with a real (virtual) authenticator, are the browser
test tests/browser/test_identity.py."""

from __future__ import annotations

from base64 import urlsafe_b64encode

import pytest
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential

from kravspar.accounts import twofactor
from kravspar.accounts.tests.test_twofactor import VERIFY, enrol, password_login
from kravspar.audit.models import AuditEvent

REGISTER = reverse("accounts:webauthn_register_begin")
AUTHENTICATE = reverse("accounts:webauthn_authenticate_begin")
KEYS = reverse("accounts:security_keys")


def a_key(user, name="Blå nyckel") -> WebAuthnCredential:
    return WebAuthnCredential.objects.create(
        user=user, name=name, credential_id=f"id-{name}".encode(), public_key=b"not-used-here", sign_count=0
    )


def post_json(client, url):
    return client.post(url, "", content_type="application/json")


def test_adding_a_key_needs_the_app_first_and_a_verified_session(world, client_for, client):
    person = world.orderer_sl
    bare = client_for(person)
    refused = post_json(bare, REGISTER)
    assert refused.status_code == 403
    assert refused.json()["code"] == "app_first"
    # With the app set up (and the session verified by it) the ceremony starts.
    client.force_login(person)
    enrol(client, person)
    options = post_json(client, REGISTER)
    assert options.status_code == 200, options.content
    data = options.json()
    assert data["rp"] == {"id": "localhost", "name": "Kravspår"}
    assert data["user"]["name"] == person.username


def test_a_pending_login_cannot_add_a_key_but_can_use_one(world, client):
    person = world.orderer_sl
    client.force_login(person)
    enrol(client, person)
    key = a_key(person)
    client.post(reverse("accounts:logout"))
    password_login(client, person)
    # Adding a key would let a stolen password add a second factor: refused (the middleware).
    assert post_json(client, REGISTER).status_code in (302, 401, 403)
    assert not WebAuthnCredential.objects.exclude(pk=key.pk).exists()
    # The second step offers the key and its ceremony starts, for this person's keys only.
    page = client.get(VERIFY).content.decode()
    assert "webauthn.js" in page and 'data-webauthn="authenticate"' in page
    other = a_key(world.orderer_vm, "Annans")
    options = post_json(client, AUTHENTICATE)
    assert options.status_code == 200, options.content
    allowed = [c["id"] for c in options.json()["allowCredentials"]]
    assert allowed == [urlsafe_b64encode(key.credential_id).decode().rstrip("=")]
    assert other.user != person


@pytest.mark.parametrize("who", ["anonymous", "verified"])
def test_a_key_is_never_a_login_on_its_own_nor_asked_twice(world, client, who):
    if who == "verified":
        client.force_login(world.orderer_sl)
    response = post_json(client, AUTHENTICATE)
    assert response.status_code == 403
    assert response.json()["code"] == "no_pending_login"


def test_removing_a_key_is_the_owners_and_in_the_history(world, client_for):
    person, other = world.orderer_sl, world.orderer_vm
    mine, theirs = a_key(person, "Min"), a_key(other, "Deras")
    owner = client_for(person)
    page = owner.get(KEYS).content.decode()
    assert "Min" in page and "Deras" not in page
    assert owner.post(KEYS, {"key": theirs.pk}).status_code == 404
    assert owner.post(KEYS, {"key": "x"}).status_code == 404
    assert owner.post(KEYS, {"key": mine.pk}).status_code == 302
    assert list(WebAuthnCredential.objects.all()) == [theirs]
    event = AuditEvent.objects.get(action="person.security_key_removed")
    assert event.actor == person and event.object_id == str(person.uuid)


def test_a_two_factor_reset_removes_the_keys(world):
    a_key(world.orderer_sl)
    twofactor.two_factor_reset(actor=world.admin, person=world.orderer_sl)
    assert not WebAuthnCredential.objects.exists()


def test_keys_and_sso_links_do_not_stand_in_the_way_of_erasure(world):
    """They are log-in means of the account, not records: erasure removes them (GDPR art. 17)."""
    from django_otp_webauthn.models import WebAuthnUserHandle

    from kravspar.accounts import services as account_services
    from kravspar.accounts.models import ExternalIdentityLink
    from kravspar.records import services as records

    leaver = account_services.person_create(
        actor=world.admin, username="karin", email="karin@example.se", organisation=world.sormland, roles=[]
    )
    a_key(leaver)
    WebAuthnUserHandle.get_handle_for_user(leaver)
    ExternalIdentityLink.objects.create(user=leaver, provider="oidc", issuer="https://idp.example.se", subject="s")
    account_services.person_set_active(actor=world.admin, person=leaver, active=False)
    records.person_erase(actor=world.admin, person=leaver.__class__.objects.get(pk=leaver.pk))
    assert not WebAuthnCredential.objects.exists()
    assert not WebAuthnUserHandle.objects.exists()
    assert not ExternalIdentityLink.objects.exists()
