"""OpenID Connect single sign-on (Freja eID+ and similar) against a real provider: a small Django
site with django-oauth-toolkit's OIDC provider in its own process on loopback
(kravspar/testing/oidc_provider.py), with its own signing key published as JWKS.

The test client plays the browser at Kravspår; a requests session plays it at the provider.
Kravspår itself talks to the provider's token, userinfo and JWKS endpoints over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.urls import reverse

from kravspar.accounts.models import SsoRefusal, User
from kravspar.audit.models import AuditEvent
from kravspar.testing import oidc_provider
from kravspar.testing.factories import PASSWORD

CLIENT_ID = "kravspar-test"
CLIENT_SECRET = "test-secret-0123456789"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider.running(CLIENT_ID, CLIENT_SECRET, ["http://testserver/oidc/callback/"]) as base:
        yield base


@pytest.fixture
def oidc_on(provider: str, settings: Any) -> str:
    for name, value in oidc_provider.relying_party_settings(provider, CLIENT_ID, CLIENT_SECRET).items():
        setattr(settings, name, value)
    settings.KRAVSPAR_SAML_ENABLED = False
    return provider


def through_provider(client: Any, next_url: str = "") -> str:
    """Start at Kravspår, go to the provider; returns the callback address it sends the browser to."""
    start = client.get(reverse("oidc_authentication_init") + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.content
    answer = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    callback = answer.headers["Location"]
    assert callback.startswith("http://testserver/oidc/callback/?"), callback
    return callback.removeprefix("http://testserver")


def log_in(client: Any, provider: str, *, scenario: str = "ok", username: str = "p1", **claims: Any) -> Any:
    oidc_provider.next_login(provider, username, claims, scenario)
    return client.get(through_provider(client))


# --- Logging in ----------------------------------------------------------------------------


def test_the_request_uses_pkce_state_and_nonce(oidc_on, db, client):
    start = client.get(reverse("oidc_authentication_init"))
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["client_id"] == [CLIENT_ID]


def test_a_known_email_address_logs_in_as_that_person(oidc_on, world, client):
    response = log_in(client, oidc_on, email="ORDERER_SL@example.se", email_verified=True)
    assert response.status_code == 302, response.content
    assert client.session["_auth_user_id"] == str(world.orderer_sl.pk)
    assert client.get(reverse("core:home")).status_code == 200


def test_an_hsa_id_claim_matches_first(oidc_on, world, client, settings):
    settings.KRAVSPAR_OIDC_CLAIMS = {**settings.KRAVSPAR_OIDC_CLAIMS, "hsa_id": "hsa_id"}
    User.objects.filter(pk=world.orderer_vm.pk).update(hsa_id="SE2321000172-ANNA1")
    log_in(client, oidc_on, hsa_id="se2321000172-anna1", email="orderer_sl@example.se")
    assert client.session["_auth_user_id"] == str(world.orderer_vm.pk)


def test_an_unverified_email_address_is_not_matched(oidc_on, world, client):
    response = log_in(client, oidc_on, email="orderer_sl@example.se", email_verified=False)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_login_page_shows_both_buttons(oidc_on, db, client, settings):
    settings.KRAVSPAR_SAML_ENABLED = True
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Logga in med Freja eID" in page
    assert "Logga in med SITHS-kort" in page
    assert page.index("Logga in med SITHS-kort") < page.index('name="password"')
    assert reverse("oidc_authentication_init") in page


def test_without_a_provider_there_is_no_button_and_no_endpoint(db, client, settings):
    settings.KRAVSPAR_OIDC_ENABLED = False
    assert "Freja" not in client.get(reverse("accounts:login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback") + "?code=x&state=y").status_code == 404


def test_sso_required_names_the_freja_button(oidc_on, world, client):
    world.sormland.sso_required = True
    world.sormland.save(update_fields=["sso_required"])
    response = client.post(reverse("accounts:login"), {"username": "orderer_sl", "password": PASSWORD})
    assert "Logga in med Freja eID" in " ".join(response.context["form"].non_field_errors())
    assert "_auth_user_id" not in client.session
    # ... and the button still lets them in.
    log_in(client, oidc_on, email="orderer_sl@example.se")
    assert client.session["_auth_user_id"] == str(world.orderer_sl.pk)


# --- Refusals --------------------------------------------------------------------------------


def test_an_unknown_person_gets_the_swedish_page_and_a_history_entry(oidc_on, world, client):
    response = log_in(client, oidc_on, email="okand@example.se", given_name="Okänd", family_name="Person")
    assert response.status_code == 403
    assert "Ditt konto finns inte i Kravspår — kontakta din administratör" in response.content.decode()
    assert "_auth_user_id" not in client.session
    refusal = SsoRefusal.objects.get()
    assert (refusal.provider, refusal.email, refusal.identifier) == ("oidc", "okand@example.se", "p1")
    assert AuditEvent.objects.filter(action="sso.refused", object_id=str(refusal.uuid)).exists()
    assert not User.objects.filter(email="okand@example.se").exists()


def test_a_deactivated_person_is_refused(oidc_on, world, client):
    User.objects.filter(pk=world.orderer_sl.pk).update(is_active=False)
    assert log_in(client, oidc_on, email="orderer_sl@example.se").status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("scenario", "reason"),
    [
        ("wrong_audience", "Audience doesn't match"),
        ("wrong_issuer", "Invalid issuer"),
        ("bad_signature", "Signature verification failed"),
        ("expired", "Signature has expired"),
    ],
)
def test_a_bad_id_token_is_refused(oidc_on, world, client, caplog, scenario, reason):
    response = log_in(client, oidc_on, scenario=scenario, email="orderer_sl@example.se")
    assert response.status_code == 403
    assert reason in caplog.text
    assert "Ditt konto finns inte" not in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not SsoRefusal.objects.exists()


def test_a_replayed_state_is_refused(oidc_on, world, client, caplog):
    oidc_provider.next_login(oidc_on, "p1", {"email": "orderer_sl@example.se"})
    callback = through_provider(client)
    assert client.get(callback).status_code == 302
    # The same answer again, in the same session: its state was used up.
    assert client.get(callback).status_code == 403
    assert "state not found" in caplog.text
    # ... and after logging out.
    client.post(reverse("accounts:logout"))
    again = client.get(callback)
    assert again.status_code == 403
    assert "_auth_user_id" not in client.session


def test_an_id_token_with_an_earlier_logins_nonce_is_refused(oidc_on, world, client, caplog):
    assert log_in(client, oidc_on, email="orderer_sl@example.se").status_code == 302
    client.post(reverse("accounts:logout"))
    response = log_in(client, oidc_on, scenario="replayed_nonce", email="orderer_sl@example.se")
    assert response.status_code == 403
    assert "Nonce verification failed" in caplog.text
    assert "_auth_user_id" not in client.session


def test_a_callback_for_another_browsers_login_is_refused(oidc_on, world, client):
    """A code and state taken from someone else's login do not work in this session."""
    from django.test import Client

    oidc_provider.next_login(oidc_on, "p1", {"email": "orderer_sl@example.se"})
    callback = through_provider(Client())
    assert client.get(callback).status_code == 403
    assert "_auth_user_id" not in client.session


def test_provisioning_gives_an_unknown_person_of_the_organisation_an_account(oidc_on, world, client, settings):
    from kravspar.organisations import services as organisation_services

    settings.KRAVSPAR_OIDC_CLAIMS = {**settings.KRAVSPAR_OIDC_CLAIMS, "organisation": "org_number"}
    organisation_services.organisation_update(
        actor=None, organisation=world.vastmanland, expected_version=None, sso_provisioning=True
    )
    response = log_in(
        client, oidc_on, email="ny@example.se", org_number="232100-0172", given_name="Ny", family_name="Person"
    )
    assert response.status_code == 302, response.content
    person = User.objects.get(email="ny@example.se")
    assert client.session["_auth_user_id"] == str(person.pk)
    assert (person.organisation, person.get_full_name()) == (world.vastmanland, "Ny Person")
    assert not person.groups.exists()
    assert AuditEvent.objects.filter(action="sso.provisioned", object_id=str(person.uuid)).exists()


def test_sso_required_with_both_providers_names_both_buttons(oidc_on, world, client, settings):
    settings.KRAVSPAR_SAML_ENABLED = True
    world.sormland.sso_required = True
    world.sormland.save(update_fields=["sso_required"])
    response = client.post(reverse("accounts:login"), {"username": "orderer_sl@example.se", "password": PASSWORD})
    errors = " ".join(response.context["form"].non_field_errors())
    assert "“Logga in med SITHS-kort” eller “Logga in med Freja eID”" in errors
    assert "_auth_user_id" not in client.session


def test_sso_required_holds_after_a_password_reset(oidc_on, world, client):
    """Choosing a new password by e-mail does not open the password login again."""
    from kravspar.accounts import services

    world.sormland.sso_required = True
    world.sormland.save(update_fields=["sso_required"])
    world.orderer_sl.set_password("a-fresh-password-2026")
    world.orderer_sl.save()
    services.login_failures_clear(user=world.orderer_sl)
    response = client.post(reverse("accounts:login"), {"username": "orderer_sl", "password": "a-fresh-password-2026"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("persona", ["admin", "supplier_contact"])
def test_roles_that_need_a_second_factor_after_a_password_are_not_asked_after_freja(
    oidc_on, world, client, settings, persona
):
    """Freja eID+ is itself a strong login; the password path still asks (test_twofactor.py)."""
    settings.KRAVSPAR_2FA_REQUIRED_ROLES = ["administrator", "leverantor"]
    person = getattr(world, persona)
    response = log_in(client, oidc_on, email=person.email)
    assert response.status_code == 302, response.content
    assert client.session["_auth_user_id"] == str(person.pk)
    assert "tvastegs" not in response["Location"]
    assert client.get(reverse("accounts:account")).status_code == 200
