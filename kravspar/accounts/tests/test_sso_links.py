"""Stored single sign-on links per (provider, issuer, subject): the first matching login
stores one, later logins match on it first (issue 13). Logins go through the real test IdP."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kravspar.accounts.models import ExternalIdentityLink, SsoRefusal, User
from kravspar.accounts.sso import OIDC, SAML, ExternalIdentity, person_for_identity, person_or_refusal
from kravspar.accounts.tests import test_saml
from kravspar.accounts.tests.test_saml import HSA, next_login, post_to_acs, through_idp
from kravspar.audit.models import AuditEvent

ISSUER = "https://idp.example.se/oidc"
# The real test IdP, started once for this module (fixtures shared with test_saml.py).
idp = test_saml.idp
saml_on = test_saml.saml_on


def test_the_first_login_stores_a_link_and_a_changed_email_still_matches(saml_on, world, client):
    next_login(saml_on, **{HSA: "persistent-anna", "mail": "orderer_sl@example.se"})
    post_to_acs(client, *through_idp(client))
    assert client.session["_auth_user_id"] == str(world.orderer_sl.pk)
    link = ExternalIdentityLink.objects.get()
    assert (link.user, link.provider, link.subject) == (world.orderer_sl, SAML, "persistent-anna")
    assert link.issuer.startswith(saml_on["base"])  # the IdP's entity id
    assert AuditEvent.objects.filter(action="sso.linked", object_id=str(world.orderer_sl.uuid)).exists()
    client.post(reverse("accounts:logout"))
    # The provider now sends another e-mail address (e.g. after a marriage): the link decides.
    next_login(saml_on, **{HSA: "persistent-anna", "mail": "anna.nytt.namn@example.se"})
    post_to_acs(client, *through_idp(client))
    assert client.session["_auth_user_id"] == str(world.orderer_sl.pk)
    assert ExternalIdentityLink.objects.count() == 1
    assert not SsoRefusal.objects.exists()


def test_a_subject_linked_to_another_person_never_matches_by_email(world):
    issuer = "https://idp.example.se/saml"
    ExternalIdentityLink.objects.create(user=world.orderer_vm, provider=SAML, issuer=issuer, subject="taken")
    # The same subject arrives with orderer_sl's e-mail address: still orderer_vm, by the link.
    identity = ExternalIdentity(provider=SAML, subject="taken", issuer=issuer, email="orderer_sl@example.se")
    assert person_for_identity(identity) == world.orderer_vm
    # While orderer_vm is deactivated the link refuses; it does not fall through to orderer_sl.
    User.objects.filter(pk=world.orderer_vm.pk).update(is_active=False)
    assert person_for_identity(identity) is None
    assert person_or_refusal(None, identity) is None
    assert SsoRefusal.objects.count() == 1
    # The same subject at another issuer or provider is another identity.
    other = ExternalIdentity(provider=OIDC, subject="taken", issuer=ISSUER, email="orderer_sl@example.se")
    assert person_for_identity(other) == world.orderer_sl


def test_no_link_without_a_stable_subject(world):
    person_or_refusal(None, ExternalIdentity(provider=SAML, subject="", issuer="x", email="orderer_sl@example.se"))
    person_or_refusal(None, ExternalIdentity(provider=OIDC, subject="s1", issuer="", email="orderer_sl@example.se"))
    assert not ExternalIdentityLink.objects.exists()


def test_an_administrator_sees_and_removes_a_link(world, client_for):
    link = ExternalIdentityLink.objects.create(user=world.orderer_sl, provider=OIDC, issuer=ISSUER, subject="sub-123")
    admin = client_for(world.admin)
    page = admin.get(reverse("accounts:person_detail", args=[world.orderer_sl.uuid])).content.decode()
    assert "sub-123" in page
    url = reverse("accounts:person_identity_remove", args=[world.orderer_sl.uuid, link.uuid])
    assert admin.get(url).status_code == 200
    assert admin.post(url).status_code == 302
    assert not ExternalIdentityLink.objects.exists()
    event = AuditEvent.objects.get(action="sso.unlinked")
    assert event.actor == world.admin and event.object_id == str(world.orderer_sl.uuid)
    # The next login with that subject is matched by e-mail again and linked anew.
    identity = ExternalIdentity(provider=OIDC, subject="sub-123", issuer=ISSUER, email="orderer_sl@example.se")
    assert person_or_refusal(None, identity) == world.orderer_sl
    assert ExternalIdentityLink.objects.get().user == world.orderer_sl


@pytest.mark.parametrize("who", ["orderer_sl", "orderer_vm"])
def test_people_who_may_not_manage_people_neither_see_nor_remove_links(world, client_for, who):
    link = ExternalIdentityLink.objects.create(user=world.orderer_sl, provider=OIDC, issuer=ISSUER, subject="sub-9")
    outsider = client_for(getattr(world, who))
    url = reverse("accounts:person_identity_remove", args=[world.orderer_sl.uuid, link.uuid])
    assert outsider.get(url).status_code in (403, 404)
    assert outsider.post(url).status_code in (403, 404)
    assert ExternalIdentityLink.objects.exists()


def test_a_link_of_another_person_cannot_be_removed_through_this_person(world, client_for):
    link = ExternalIdentityLink.objects.create(user=world.orderer_vm, provider=OIDC, issuer=ISSUER, subject="sub-7")
    url = reverse("accounts:person_identity_remove", args=[world.orderer_sl.uuid, link.uuid])
    assert client_for(world.admin).post(url).status_code == 404
    assert ExternalIdentityLink.objects.exists()
