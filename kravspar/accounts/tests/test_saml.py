"""SAML 2.0 single sign-on against a real identity provider: pysaml2's IdP in its own
process on loopback (kravspar/testing/saml_idp.py), with its own keys and metadata.

The test client plays the browser: it follows Kravspår's redirect to the IdP, takes the
form the IdP answers with and posts it to Kravspår's assertion consumer service."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from kravspar.accounts.models import SsoRefusal, User
from kravspar.audit.models import AuditEvent
from kravspar.testing import saml_idp

HSA = "employeeHsaId"


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Keys for both sides, metadata exchanged as a region would, and the IdP running."""
    with saml_idp.running(tmp_path_factory.mktemp("saml"), "http://testserver") as running:
        yield running


@pytest.fixture
def saml_on(idp: dict[str, Any], settings: Any) -> dict[str, Any]:
    settings.KRAVSPAR_SAML_ENABLED = True
    settings.SAML_CONFIG = idp["sp_config"]
    return idp


def next_login(idp: dict[str, Any], *, scenario: str = "ok", **attributes: str) -> None:
    saml_idp.next_login(idp["base"], name_id=attributes.get(HSA, "x"), attributes=attributes, scenario=scenario)


def through_idp(client: Any, next_url: str = "") -> tuple[str, dict[str, str]]:
    """Start at Kravspår, follow to the IdP; returns the ACS address and the form the IdP
    would have the browser post."""
    start = client.get(reverse("saml2_login") + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.content
    with urllib.request.urlopen(start["Location"], timeout=5) as answer:  # noqa: S310 - the test IdP
        page = answer.read().decode()
    action = unescape(re.search(r'action="([^"]+)"', page).group(1))
    fields = {unescape(n): unescape(v) for n, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page)}
    return action, fields


def post_to_acs(client: Any, action: str, fields: dict[str, str]) -> Any:
    assert action.startswith("http://testserver/saml2/acs/")
    return client.post(reverse("saml2_acs"), fields)


def anna(world: Any) -> User:
    person = world.orderer_vm
    User.objects.filter(pk=person.pk).update(hsa_id="SE2321000172-ANNA1")
    return person


# --- Logging in ----------------------------------------------------------------------------


def test_metadata_is_published(saml_on, client):
    response = client.get("/saml2/metadata/")
    assert response.status_code == 200
    assert b"AssertionConsumerService" in response.content
    assert b'WantAssertionsSigned="true"' in response.content


def test_a_known_hsa_id_logs_in_as_that_person(saml_on, world, client):
    person = anna(world)
    next_login(saml_on, **{HSA: "SE2321000172-ANNA1", "mail": "annat@example.se"})
    response = post_to_acs(client, *through_idp(client))
    assert response.status_code == 302, response.content
    assert client.session["_auth_user_id"] == str(person.pk)
    assert client.get(reverse("core:home")).status_code == 200


def test_an_email_address_matches_when_no_hsa_id_is_stored(saml_on, world, client):
    next_login(saml_on, mail="ORDERER_SL@example.se")
    post_to_acs(client, *through_idp(client))
    assert client.session["_auth_user_id"] == str(world.orderer_sl.pk)


def test_an_administrator_is_not_asked_for_a_second_factor_after_sso(saml_on, world, client, settings):
    settings.KRAVSPAR_2FA_REQUIRED_ROLES = ["administrator"]
    next_login(saml_on, mail="admin@example.se")
    post_to_acs(client, *through_idp(client))
    assert client.get(reverse("accounts:person_list")).status_code == 200


# --- Refusals --------------------------------------------------------------------------------


def test_an_unknown_person_gets_the_swedish_page_and_a_history_entry(saml_on, world, client):
    next_login(saml_on, **{HSA: "SE2321000172-OKAND", "mail": "okand@example.se", "givenName": "Okänd"})
    response = post_to_acs(client, *through_idp(client))
    assert response.status_code == 403
    assert "Ditt konto finns inte i Kravspår — kontakta din administratör" in response.content.decode()
    assert "_auth_user_id" not in client.session
    refusal = SsoRefusal.objects.get()
    assert refusal.identifier == "SE2321000172-OKAND"
    assert AuditEvent.objects.filter(action="sso.refused", object_id=str(refusal.uuid)).exists()
    assert not User.objects.filter(email="okand@example.se").exists()


def test_a_deactivated_person_is_refused(saml_on, world, client):
    User.objects.filter(pk=world.orderer_sl.pk).update(is_active=False)
    next_login(saml_on, mail="orderer_sl@example.se")
    assert post_to_acs(client, *through_idp(client)).status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("scenario", ["expired", "wrong_audience", "unsigned"])
def test_a_bad_answer_is_refused(saml_on, world, client, scenario):
    anna(world)
    next_login(saml_on, scenario=scenario, **{HSA: "SE2321000172-ANNA1"})
    response = post_to_acs(client, *through_idp(client))
    assert response.status_code in (400, 403)
    assert "_auth_user_id" not in client.session
    assert not SsoRefusal.objects.exists()


def test_a_replayed_answer_is_refused(saml_on, world, client):
    anna(world)
    next_login(saml_on, **{HSA: "SE2321000172-ANNA1"})
    action, fields = through_idp(client)
    assert post_to_acs(client, action, fields).status_code == 302
    client.post(reverse("accounts:logout"))
    again = post_to_acs(client, action, fields)
    assert again.status_code in (400, 403)
    assert "_auth_user_id" not in client.session


# --- The login page and organisations that require single sign-on --------------------------


def test_the_login_page_shows_the_siths_button(saml_on, db, client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Logga in med SITHS-kort" in page
    assert reverse("saml2_login") in page


def test_without_an_idp_there_is_no_button_and_no_endpoint(db, client, settings):
    settings.KRAVSPAR_SAML_ENABLED = False
    assert "SITHS" not in client.get(reverse("accounts:login")).content.decode()
    assert client.get("/saml2/metadata/").status_code == 404


def test_an_organisation_that_requires_sso_refuses_its_staffs_passwords(saml_on, world, client):
    world.vastmanland.sso_required = True
    world.vastmanland.save(update_fields=["sso_required"])
    from kravspar.testing.factories import PASSWORD

    response = client.post(reverse("accounts:login"), {"username": "orderer_vm", "password": PASSWORD})
    assert response.status_code == 200
    assert "Logga in med SITHS-kort" in " ".join(response.context["form"].non_field_errors())
    assert "_auth_user_id" not in client.session
    # Staff of other organisations still log in with a password.
    client.post(reverse("accounts:login"), {"username": "orderer_sl", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(world.orderer_sl.pk)


def test_an_administrator_stores_a_persons_hsa_id(world, client_for):
    from kravspar.accounts.forms import person_initial

    data = {**person_initial(world.orderer_vm), "hsa_id": "se2321000172-anna1"}
    data = {k: v for k, v in data.items() if v is not None}
    response = client_for(world.admin).post(reverse("accounts:person_edit", args=[world.orderer_vm.uuid]), data)
    assert response.status_code == 302, response.content
    world.orderer_vm.refresh_from_db()
    assert world.orderer_vm.hsa_id == "SE2321000172-ANNA1"


def test_an_administrator_makes_an_organisation_require_sso(world, client_for):
    from kravspar.audit.models import AuditEvent

    form = client_for(world.admin).get(reverse("organisations:edit", args=[world.vastmanland.uuid]))
    assert 'name="sso_required"' in form.content.decode()
    from kravspar.organisations import services

    services.organisation_update(
        actor=world.admin, organisation=world.vastmanland, expected_version=None, sso_required=True
    )
    world.vastmanland.refresh_from_db()
    assert world.vastmanland.sso_required
    assert AuditEvent.objects.filter(action="organisation.updated", object_id=str(world.vastmanland.uuid)).exists()


# --- Single logout ---------------------------------------------------------------------------


def test_single_logout_through_the_idp(saml_on, world, client):
    """Kravspår ends its session, tells the IdP with a signed LogoutRequest, and accepts the
    IdP's LogoutResponse at /saml2/ls/."""
    import requests

    anna(world)
    next_login(saml_on, **{HSA: "SE2321000172-ANNA1"})
    assert post_to_acs(client, *through_idp(client)).status_code == 302
    start = client.get(reverse("saml2_logout"))
    assert start.status_code == 302
    assert start["Location"].startswith(f"{saml_on['base']}/slo/redirect?SAMLRequest=")
    assert "_auth_user_id" not in client.session
    answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = answer.headers["Location"]
    assert back.startswith("http://testserver/saml2/ls/?SAMLResponse=")
    with urllib.request.urlopen(f"{saml_on['base']}/last-logout", timeout=5) as seen:  # noqa: S310 - the test IdP
        request = json.loads(seen.read())
    assert request == {"name_id": "SE2321000172-ANNA1", "issuer": "http://testserver/saml2/metadata/", "signed": True}
    done = client.get(back.removeprefix("http://testserver"))
    assert done.status_code == 302, done.content
    assert done["Location"] == reverse("accounts:login")
    assert client.get(reverse("core:home")).status_code == 302  # back to the login page


def test_a_forged_logout_response_is_refused(saml_on, world, client):
    anna(world)
    next_login(saml_on, **{HSA: "SE2321000172-ANNA1"})
    post_to_acs(client, *through_idp(client))
    client.get(reverse("saml2_logout"))
    response = client.get(reverse("saml2_ls") + "?SAMLResponse=bm90IGEgcmVzcG9uc2U%3D")
    assert response.status_code in (400, 403)


def test_single_logout_started_by_the_idp(saml_on, world, client):
    """The IdP sends a signed LogoutRequest through the browser: Kravspår ends the session and
    answers the IdP with a signed LogoutResponse saying Success."""
    import requests

    anna(world)
    next_login(saml_on, **{HSA: "SE2321000172-ANNA1"})
    assert post_to_acs(client, *through_idp(client)).status_code == 302
    sp_entity = saml_on["sp_config"]["entityid"]
    start = requests.get(
        f"{saml_on['base']}/idp-logout",
        params={"name_id": "SE2321000172-ANNA1", "sp": sp_entity},
        allow_redirects=False,
        timeout=5,
    )
    assert start.status_code == 302, start.text
    assert start.headers["Location"].startswith("http://testserver/saml2/ls/?SAMLRequest=")
    assert "Signature=" in start.headers["Location"]
    answer = client.get(start.headers["Location"].removeprefix("http://testserver"))
    assert answer.status_code == 302, answer.content
    assert answer["Location"].startswith(f"{saml_on['base']}/slo/redirect?SAMLResponse=")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("core:home")).status_code == 302  # back to the login page
    back = requests.get(answer["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 200, back.text
    with urllib.request.urlopen(f"{saml_on['base']}/last-logout-response", timeout=5) as seen:  # noqa: S310
        response = json.loads(seen.read())
    assert response == {"status": "urn:oasis:names:tc:SAML:2.0:status:Success", "issuer": sp_entity, "signed": True}


# --- Logout requests the IdP did not send, or for someone else --------------------------------


def idp_logout_location(idp: dict[str, Any], name_id: str, **extra: str) -> str:
    """The IdP's own single logout redirect (a signed LogoutRequest), as a path on Kravspår."""
    import requests

    params = {"name_id": name_id, "sp": idp["sp_config"]["entityid"], **extra}
    start = requests.get(f"{idp['base']}/idp-logout", params=params, allow_redirects=False, timeout=5)
    assert start.status_code == 302, start.text
    return start.headers["Location"].removeprefix("http://testserver")


def logged_in_anna(idp: dict[str, Any], world: Any, client: Any) -> User:
    person = anna(world)
    next_login(idp, **{HSA: "SE2321000172-ANNA1"})
    assert post_to_acs(client, *through_idp(client)).status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
    return person


def query_of(location: str) -> dict[str, str]:
    from urllib.parse import parse_qs, urlsplit

    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def assert_refused_and_still_logged_in(response: Any, client: Any, person: User) -> None:
    assert response.status_code == 403, response.content
    assert "Begäran om utloggning avvisad" in response.content.decode()
    assert client.session["_auth_user_id"] == str(person.pk)
    assert client.get(reverse("core:home")).status_code == 200
    assert AuditEvent.objects.filter(action="sso.logout_refused", object_id=str(person.uuid)).exists()


def test_an_unsigned_logout_request_is_refused_and_the_session_kept(saml_on, world, client):
    from urllib.parse import urlencode

    person = logged_in_anna(saml_on, world, client)
    query = query_of(idp_logout_location(saml_on, "SE2321000172-ANNA1"))
    unsigned = reverse("saml2_ls") + "?" + urlencode({"SAMLRequest": query["SAMLRequest"]})
    assert_refused_and_still_logged_in(client.get(unsigned), client, person)


def test_a_logout_request_signed_by_another_key_is_refused(saml_on, world, client):
    person = logged_in_anna(saml_on, world, client)
    location = idp_logout_location(saml_on, "SE2321000172-ANNA1", key="other")
    assert "Signature=" in location
    assert_refused_and_still_logged_in(client.get(location), client, person)


def test_a_logout_request_signed_with_sha1_is_refused(saml_on, world, client):
    """A genuine signature by the IdP's own key, but with RSA-SHA1: refused, session kept."""
    person = logged_in_anna(saml_on, world, client)
    location = idp_logout_location(saml_on, "SE2321000172-ANNA1", alg="sha1")
    assert "rsa-sha1" in location
    assert_refused_and_still_logged_in(client.get(location), client, person)


def test_an_altered_logout_request_is_refused(saml_on, world, client):
    """The IdP's signature of one request, put on another request (the message altered)."""
    from urllib.parse import urlencode

    person = logged_in_anna(saml_on, world, client)
    signed = query_of(idp_logout_location(saml_on, "SE2321000172-OTHER"))
    other = query_of(idp_logout_location(saml_on, "SE2321000172-ANNA1"))
    altered = {**signed, "SAMLRequest": other["SAMLRequest"]}
    assert_refused_and_still_logged_in(client.get(reverse("saml2_ls") + "?" + urlencode(altered)), client, person)
    # An added RelayState is outside what the IdP signed, too.
    with_relay = {**other, "RelayState": "https://evil.example/"}
    assert_refused_and_still_logged_in(client.get(reverse("saml2_ls") + "?" + urlencode(with_relay)), client, person)


def test_a_signed_logout_request_for_another_person_keeps_the_session(saml_on, world, client):
    """A genuine, signed request naming someone else: UnknownPrincipal to the IdP, session kept."""
    import requests

    person = logged_in_anna(saml_on, world, client)
    answer = client.get(idp_logout_location(saml_on, "SE2321000172-OTHER"))
    assert answer.status_code == 302, answer.content
    assert answer["Location"].startswith(f"{saml_on['base']}/slo/redirect?SAMLResponse=")
    assert client.session["_auth_user_id"] == str(person.pk)
    assert client.get(reverse("core:home")).status_code == 200
    assert AuditEvent.objects.filter(action="sso.logout_other_subject", object_id=str(person.uuid)).exists()
    assert requests.get(answer["Location"], allow_redirects=False, timeout=5).status_code == 200
    with urllib.request.urlopen(f"{saml_on['base']}/last-logout-response", timeout=5) as seen:  # noqa: S310
        response = json.loads(seen.read())
    assert response["status"] == "urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal"
    assert response["signed"] is True
    # The genuine request for this person still ends the session.
    assert client.get(idp_logout_location(saml_on, "SE2321000172-ANNA1")).status_code == 302
    assert "_auth_user_id" not in client.session


# --- The endpoints are imported at the first SAML request -------------------------------------


def test_the_idps_posts_need_no_csrf_token_and_other_posts_do(saml_on, world):
    """The URLs hold stand-ins that import djangosaml2's views at the first request
    (accounts/sso_urls.py); the IdP's POSTs to the assertion consumer and the single logout
    service still pass without a CSRF token (the IdP cannot have one), other POSTs do not."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    person = anna(world)
    next_login(saml_on, **{HSA: "SE2321000172-ANNA1"})
    action, fields = through_idp(browser)
    assert "csrfmiddlewaretoken" not in fields
    assert post_to_acs(browser, action, fields).status_code == 302
    assert browser.session["_auth_user_id"] == str(person.pk)
    # An unsigned LogoutRequest posted without a token reaches the view, which refuses it.
    unsigned = browser.post(reverse("saml2_ls_post"), {"SAMLRequest": "bm90IHNhbWw="})
    assert "Begäran om utloggning avvisad" in unsigned.content.decode()
    for path in (reverse("saml2_login"), reverse("saml2_logout"), reverse("saml2_metadata"), reverse("accounts:login")):
        refused = browser.post(path, {})
        assert refused.status_code == 403 and b"CSRF" in refused.content, path
    assert browser.session["_auth_user_id"] == str(person.pk)


def test_each_stand_in_carries_the_csrf_mark_of_its_view():
    from django.urls import get_resolver

    from kravspar.accounts import sso_urls, sso_views

    names = {"saml2_login", "saml2_acs", "saml2_logout", "saml2_ls", "saml2_ls_post", "saml2_metadata"}
    assert {pattern.name for pattern in sso_urls.urlpatterns} == names
    real = {
        "saml2_login": sso_views.login,
        "saml2_acs": sso_views.acs,
        "saml2_logout": sso_views.logout_init,
        "saml2_ls": sso_views.logout_service,
        "saml2_ls_post": sso_views.logout_service,
        "saml2_metadata": sso_views.metadata,
    }
    for pattern in sso_urls.urlpatterns:
        resolved = get_resolver().resolve(reverse(pattern.name))
        assert resolved.func is pattern.callback
        marked = getattr(pattern.callback, "csrf_exempt", False)
        assert marked == getattr(real[pattern.name], "csrf_exempt", False), pattern.name
    assert getattr(sso_views.acs, "csrf_exempt", False) and getattr(sso_views.logout_service, "csrf_exempt", False)


def test_loading_the_urls_and_backends_leaves_the_saml_endpoints_unimported():
    """What every app server, worker and manage.py pays: the URLs and the authentication
    backends without djangosaml2's views and pysaml2's signature module (about a second of CPU
    each process)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import sys, django; django.setup();"
        "from django.urls import resolve; resolve('/saml2/acs/'); resolve('/');"
        "from django.contrib.auth import get_backends; get_backends();"
        "print(sorted(m for m in ('djangosaml2.views', 'saml2.sigver', 'saml2.response') if m in sys.modules))"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="kravspar.settings")
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
