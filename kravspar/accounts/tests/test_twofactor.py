"""Two-factor login: who must give a code after the password, enrolment, recovery codes,
resets, and that API tokens and single sign-on are not asked."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kravspar.accounts import twofactor
from kravspar.accounts.services import api_token_create
from kravspar.audit.models import AuditEvent
from kravspar.testing.factories import PASSWORD

LOGIN = reverse("accounts:login")
HOME = reverse("core:home")
VERIFY = reverse("accounts:twofactor_verify")
ENROL = reverse("accounts:twofactor_enrol")
REQUIRED = ["administrator", "leverantor"]


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or the next one: a code works once)."""
    counter = int((time.time() - device.t0) // device.step) + device.drift + steps_ahead
    return str(hotp(device.bin_key, counter, device.digits)).zfill(device.digits)


def password_login(client, user, next_url=""):
    url = LOGIN + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.username, "password": PASSWORD})


def enrol(client, user) -> list[str]:
    """Set up the app for the person whose session this is; returns the recovery codes."""
    assert client.get(ENROL).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": code_for(device)})
    assert response.status_code == 200, response.content
    return list(response.context["codes"])


def reaches_home(client) -> bool:
    return client.get(HOME).status_code == 200


# --- Who must give a code (per role) --------------------------------------------------------


@override_settings(KRAVSPAR_2FA_REQUIRED_ROLES=REQUIRED)
@pytest.mark.parametrize("persona", ["admin", "supplier_contact"])
def test_administrators_and_supplier_contacts_must_set_up_a_second_factor(world, client, persona):
    user = getattr(world, persona)
    response = password_login(client, user)
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)
    # Every other page sends them back, the API says so in its error shape.
    assert client.get(HOME)["Location"].startswith(ENROL)
    assert client.get(reverse("accounts:account"))["Location"].startswith(ENROL)
    api = client.get("/api/v1/organisations")
    assert (api.status_code, api.json()["code"]) == (401, "two_factor_required")
    enrol(client, user)
    assert client.get(reverse("accounts:account")).status_code == 200


@override_settings(KRAVSPAR_2FA_REQUIRED_ROLES=REQUIRED)
@pytest.mark.parametrize("persona", ["officer", "orderer_vm", "env_vm", "reader"])
def test_other_roles_log_in_with_the_password_alone(world, client, persona):
    response = password_login(client, getattr(world, persona))
    assert response["Location"] == HOME
    assert reaches_home(client)


@override_settings(KRAVSPAR_2FA_REQUIRED_ROLES=[])
def test_the_requirement_is_a_setting(world, client):
    assert password_login(client, world.admin)["Location"] == HOME


@override_settings(KRAVSPAR_2FA_REQUIRED_ROLES=REQUIRED)
def test_a_pending_session_cannot_create_an_api_token(world, client):
    password_login(client, world.admin)
    response = client.post(reverse("accounts:account"), {"name": "stolen"})
    assert response.status_code == 302
    assert not world.admin.api_tokens.exists()


# --- Logging in with the code ------------------------------------------------------------------


@override_settings(KRAVSPAR_2FA_REQUIRED_ROLES=REQUIRED)
def test_after_enrolment_the_next_login_asks_for_the_code(world, client):
    password_login(client, world.admin)
    enrol(client, world.admin)
    client.post(reverse("accounts:logout"))
    response = password_login(client, world.admin, next_url=reverse("accounts:person_list"))
    assert response["Location"].startswith(VERIFY)
    assert not reaches_home(client)
    wrong = client.post(VERIFY, {"code": "000000", "next": reverse("accounts:person_list")})
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["code"]
    device = TOTPDevice.objects.get(user=world.admin, confirmed=True)
    device.throttle_reset()
    ok = client.post(VERIFY, {"code": code_for(device, steps_ahead=1), "next": reverse("accounts:person_list")})
    assert ok["Location"] == reverse("accounts:person_list")
    assert reaches_home(client)


@override_settings(KRAVSPAR_2FA_REQUIRED_ROLES=REQUIRED)
def test_a_recovery_code_works_once(world, client):
    password_login(client, world.supplier_contact)
    codes = enrol(client, world.supplier_contact)
    assert len(codes) == 10
    client.post(reverse("accounts:logout"))
    password_login(client, world.supplier_contact)
    assert client.post(VERIFY, {"code": codes[0].upper()})["Location"] == HOME
    client.post(reverse("accounts:logout"))
    password_login(client, world.supplier_contact)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 400
    assert twofactor.recovery_codes_left(world.supplier_contact) == 9


@override_settings(KRAVSPAR_2FA_REQUIRED_ROLES=REQUIRED)
def test_the_verify_page_refuses_an_open_redirect(world, client):
    password_login(client, world.admin)
    enrol(client, world.admin)
    client.post(reverse("accounts:logout"))
    password_login(client, world.admin)
    device = TOTPDevice.objects.get(user=world.admin, confirmed=True)
    response = client.post(VERIFY, {"code": code_for(device, 1), "next": "https://evil.example/"})
    assert response["Location"] == HOME


# --- Optional for others, settings page --------------------------------------------------------


@override_settings(KRAVSPAR_2FA_REQUIRED_ROLES=REQUIRED)
def test_an_orderer_may_turn_it_on_and_off(world, client):
    password_login(client, world.orderer_vm)
    page = client.get(reverse("accounts:twofactor"))
    assert page.status_code == 200 and not page.context["enabled"]
    enrol(client, world.orderer_vm)
    client.post(reverse("accounts:logout"))
    assert password_login(client, world.orderer_vm)["Location"].startswith(VERIFY)
    device = TOTPDevice.objects.get(user=world.orderer_vm, confirmed=True)
    client.post(VERIFY, {"code": code_for(device, 1)})
    client.post(reverse("accounts:twofactor"), {"action": "off"})
    assert not twofactor.is_enabled(world.orderer_vm)
    client.post(reverse("accounts:logout"))
    assert password_login(client, world.orderer_vm)["Location"] == HOME
    actions = set(AuditEvent.objects.filter(object_id=str(world.orderer_vm.uuid)).values_list("action", flat=True))
    assert {"person.two_factor_enabled", "person.two_factor_reset"} <= actions


@override_settings(KRAVSPAR_2FA_REQUIRED_ROLES=REQUIRED)
def test_new_recovery_codes_replace_the_old(world, client):
    password_login(client, world.admin)
    old = enrol(client, world.admin)
    new = client.post(reverse("accounts:twofactor"), {"action": "codes"}).context["codes"]
    assert set(old).isdisjoint(new)
    assert twofactor.recovery_codes_left(world.admin) == 10


# --- Reset by an administrator ------------------------------------------------------------------


@override_settings(KRAVSPAR_2FA_REQUIRED_ROLES=REQUIRED)
def test_an_administrator_resets_a_persons_second_factor(world, client, client_for):
    password_login(client, world.orderer_vm)
    enrol(client, world.orderer_vm)
    client.logout()
    admin = client_for(world.admin)
    url = reverse("accounts:person_twofactor_reset", args=[world.orderer_vm.uuid])
    assert admin.get(url).status_code == 200
    assert admin.post(url).status_code == 302
    assert not twofactor.is_enabled(world.orderer_vm)
    event = AuditEvent.objects.get(action="person.two_factor_reset", object_id=str(world.orderer_vm.uuid))
    assert event.actor == world.admin


@pytest.mark.parametrize("persona", ["officer", "orderer_vm", "reader", "env_vm", "supplier_contact"])
def test_only_administrators_may_reset_someone_elses_second_factor(world, client_for, persona):
    url = reverse("accounts:person_twofactor_reset", args=[world.orderer_sl.uuid])
    client = client_for(getattr(world, persona))
    assert client.post(url).status_code in (403, 404)
    assert AuditEvent.objects.filter(action="person.two_factor_reset").count() == 0


def test_reset_pages_need_login(world, client):
    url = reverse("accounts:person_twofactor_reset", args=[world.orderer_sl.uuid])
    assert client.post(url)["Location"].startswith(LOGIN)
    assert client.get(reverse("accounts:twofactor"))["Location"].startswith(LOGIN)
    assert client.get(ENROL)["Location"].startswith(LOGIN)


# --- Not asked: API tokens -----------------------------------------------------------------------


@override_settings(KRAVSPAR_2FA_REQUIRED_ROLES=REQUIRED)
def test_api_tokens_are_not_asked_for_a_code(world, client):
    _token, raw = api_token_create(actor=world.admin, user=world.admin, name="Power BI")
    response = client.get("/api/v1/organisations", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


@override_settings(KRAVSPAR_2FA_REQUIRED_ROLES=REQUIRED)
def test_pages_are_in_swedish(world, client):
    password_login(client, world.admin)
    page = client.get(ENROL).content.decode()
    assert "Ställ in tvåstegsinloggning" in page
    assert 'alt="QR-kod' in page


@override_settings(KRAVSPAR_2FA_REQUIRED_ROLES=REQUIRED)
def test_the_operator_resets_a_supplier_contact_from_the_command_line(world, client):
    from django.core.management import call_command

    password_login(client, world.supplier_contact)
    enrol(client, world.supplier_contact)
    call_command("reset_two_factor", world.supplier_contact.email)
    assert not twofactor.is_enabled(world.supplier_contact)
    client.post(reverse("accounts:logout"))
    assert password_login(client, world.supplier_contact)["Location"].startswith(ENROL)
