"""Provisioning at single sign-on, per organisation (off by default): the rules every provider
shares (accounts/sso.py). The providers' own tests log in through them end to end."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kravspar.accounts.models import SsoRefusal, User
from kravspar.accounts.sso import OIDC, SAML, ExternalIdentity, person_or_refusal
from kravspar.audit.models import AuditEvent
from kravspar.organisations import services as organisation_services


def newcomer(**overrides: str) -> ExternalIdentity:
    values = {
        "provider": SAML,
        "subject": "SE2321000172-NY01",
        "hsa_id": "SE2321000172-NY01",
        "email": "ny.person@regionvastmanland.se",
        "first_name": "Ny",
        "last_name": "Person",
    }
    return ExternalIdentity(**(values | overrides))  # type: ignore[arg-type]


def provisioning_on(organisation, role: str = "") -> None:
    organisation_services.organisation_update(
        actor=None, organisation=organisation, expected_version=None, sso_provisioning=True, sso_default_role=role
    )


def test_off_by_default_an_unknown_person_is_refused(world):
    assert not world.vastmanland.sso_provisioning
    assert person_or_refusal(None, newcomer()) is None
    assert SsoRefusal.objects.count() == 1
    assert not User.objects.filter(email="ny.person@regionvastmanland.se").exists()


def test_on_an_hsa_id_of_the_organisation_gets_an_account_with_no_roles(world):
    provisioning_on(world.vastmanland)
    person = person_or_refusal(None, newcomer())
    assert person is not None
    person.refresh_from_db()
    assert person.organisation == world.vastmanland
    assert (person.hsa_id, person.email, person.get_full_name()) == (
        "SE2321000172-NY01",
        "ny.person@regionvastmanland.se",
        "Ny Person",
    )
    assert not person.groups.exists()
    assert not person.has_usable_password()
    event = AuditEvent.objects.get(action="sso.provisioned", object_id=str(person.uuid))
    assert event.organisation == world.vastmanland
    assert event.after["provider"] == SAML
    assert not SsoRefusal.objects.exists()
    # The next login finds the same person, and makes no second account.
    assert person_or_refusal(None, newcomer()) == person
    assert User.objects.filter(email="ny.person@regionvastmanland.se").count() == 1


def test_the_configured_default_role(world):
    provisioning_on(world.vastmanland, role="bestallare")
    person = person_or_refusal(None, newcomer(provider=OIDC, subject="freja-1"))
    assert person is not None
    assert list(person.groups.values_list("name", flat=True)) == ["bestallare"]


def test_an_organisation_attribute_names_the_organisation(world):
    provisioning_on(world.sormland)
    person = person_or_refusal(None, newcomer(hsa_id="", organisation_number="232100-0032"))
    assert person is not None
    assert person.organisation == world.sormland


@pytest.mark.parametrize(
    "identity",
    [
        newcomer(hsa_id="SE2321000032-NY01"),  # Sörmland, which has provisioning off
        newcomer(email=""),  # no e-mail address to give the account
        newcomer(hsa_id="NOT-AN-HSA-ID"),  # names no organisation
        newcomer(email="not an address"),
    ],
)
def test_refused_when_the_organisation_does_not_provision_or_the_identity_is_incomplete(world, identity):
    provisioning_on(world.vastmanland)
    assert person_or_refusal(None, identity) is None
    assert SsoRefusal.objects.count() == 1
    assert not User.objects.filter(hsa_id__iexact=identity.hsa_id or "-").exists()


def test_a_deactivated_person_gets_no_new_account(world):
    provisioning_on(world.vastmanland)
    User.objects.filter(pk=world.orderer_vm.pk).update(is_active=False)
    identity = newcomer(email=world.orderer_vm.email)
    assert person_or_refusal(None, identity) is None
    assert User.objects.filter(email__iexact=world.orderer_vm.email).count() == 1


def test_an_inactive_organisation_provisions_nobody(world):
    provisioning_on(world.vastmanland)
    world.vastmanland.refresh_from_db()
    world.vastmanland.is_active = False
    world.vastmanland.save(update_fields=["is_active"])
    assert person_or_refusal(None, newcomer()) is None


def test_administrator_is_never_a_default_role(world):
    with pytest.raises(ValidationError) as raised:
        provisioning_on(world.vastmanland, role="administrator")
    assert "sso_default_role" in raised.value.message_dict


def test_the_administrator_turns_it_on_in_the_organisation_form(world, client_for):
    page = client_for(world.admin).get(reverse("organisations:edit", args=[world.vastmanland.uuid]))
    content = page.content.decode()
    assert 'name="sso_provisioning"' in content
    assert 'name="sso_default_role"' in content
    assert 'value="administrator"' not in content.split('name="sso_default_role"')[1].split("</select>")[0]


def test_an_orderer_cannot_reach_the_organisation_form(world, client_for):
    response = client_for(world.orderer_vm).get(reverse("organisations:edit", args=[world.vastmanland.uuid]))
    assert response.status_code in (403, 404)
