"""An organisation that requires single sign-on refuses its staff's passwords before looking
at them: the answer must not tell a right password from a wrong one (issue 13)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from kravspar.accounts.models import LoginFailure
from kravspar.testing.factories import PASSWORD


@pytest.fixture
def sso_only(world: Any, settings: Any) -> Any:
    settings.KRAVSPAR_OIDC_ENABLED = True  # one button is enough; no provider is contacted here
    world.vastmanland.sso_required = True
    world.vastmanland.save(update_fields=["sso_required"])
    return world


def _page(response: Any) -> str:
    """The page without what differs between any two answers (the CSRF token)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", page)


def test_right_and_wrong_password_get_the_same_page(sso_only, client):
    right = client.post(reverse("accounts:login"), {"username": "orderer_vm", "password": PASSWORD})
    wrong = client.post(reverse("accounts:login"), {"username": "orderer_vm", "password": "not-the-password"})
    assert right.status_code == wrong.status_code == 200
    assert _page(right) == _page(wrong)
    assert "Logga in med Freja eID" in " ".join(right.context["form"].non_field_errors())
    assert "_auth_user_id" not in client.session
    # By e-mail address too.
    by_email = client.post(reverse("accounts:login"), {"username": sso_only.orderer_vm.email, "password": "x"})
    assert "Logga in med Freja eID" in " ".join(by_email.context["form"].non_field_errors())


def test_refusals_count_against_the_address_not_the_account(sso_only, client, settings):
    settings.KRAVSPAR_LOGIN_MAX_FAILURES = 2
    settings.KRAVSPAR_LOGIN_MAX_FAILURES_PER_ADDRESS = 4
    for _ in range(3):
        response = client.post(reverse("accounts:login"), {"username": "orderer_vm", "password": "guess"})
        assert "Logga in med Freja eID" in " ".join(response.context["form"].non_field_errors())
    # The account is not locked (no password was tried), but the address counted each refusal.
    assert not LoginFailure.objects.exclude(username_key="sso-required").exists()
    assert LoginFailure.objects.filter(username_key="sso-required").count() == 3
    client.post(reverse("accounts:login"), {"username": "orderer_vm", "password": "guess"})
    locked = client.post(reverse("accounts:login"), {"username": "orderer_sl", "password": PASSWORD})
    assert "nätverksadress" in " ".join(locked.context["form"].non_field_errors())


def test_staff_of_other_organisations_and_the_deactivated_are_not_told(sso_only, client):
    client.post(reverse("accounts:login"), {"username": "orderer_sl", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(sso_only.orderer_sl.pk)
    client.logout()
    sso_only.orderer_vm.is_active = False
    sso_only.orderer_vm.save(update_fields=["is_active"])
    response = client.post(reverse("accounts:login"), {"username": "orderer_vm", "password": PASSWORD})
    assert "Freja" not in " ".join(response.context["form"].non_field_errors())


def test_without_a_provider_nobody_is_refused(world, client, settings):
    settings.KRAVSPAR_OIDC_ENABLED = False
    settings.KRAVSPAR_SAML_ENABLED = False
    world.vastmanland.sso_required = True
    world.vastmanland.save(update_fields=["sso_required"])
    client.post(reverse("accounts:login"), {"username": "orderer_vm", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(world.orderer_vm.pk)
