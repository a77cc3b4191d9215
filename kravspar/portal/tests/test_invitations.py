"""An Inköp officer invites a contact person at a supplier; the person chooses a password
with the e-mailed link, once, within the time limit."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kravspar.accounts import access as accounts_access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.audit.models import AuditEvent
from kravspar.portal import services
from kravspar.portal.models import Invitation, InvitationRenewalRequest, InvitationState

STRONG = "Sommaräng-Kaffe-42"


def _invite(client: Any, supplier: Any, name: str = "Anna Andersson", email: str = "anna@stad.se") -> Any:
    return client.post(reverse("portal:invitation_list", args=[supplier.uuid]), {"name": name, "email": email})


def _link_from_mail() -> str:
    match = re.search(r"http\S+/leverantor/inbjudan/(\S+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return f"/leverantor/inbjudan/{match.group(1)}/"


@pytest.fixture
def invited(world: Any, supplier_a: Any, django_capture_on_commit_callbacks: Any) -> tuple[Invitation, str]:
    with django_capture_on_commit_callbacks(execute=True):
        return services.invitation_create(
            actor=world.officer, supplier=supplier_a, name="Anna Andersson", email="anna@stad.se"
        )


class TestInvite:
    def test_officer_invites_and_the_swedish_mail_carries_the_link(
        self, world: Any, supplier_a: Any, client_for: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        client = client_for(world.officer)
        with django_capture_on_commit_callbacks(execute=True):
            response = _invite(client, supplier_a)
        assert response.status_code == 302
        invitation = Invitation.objects.get()
        assert invitation.supplier == supplier_a and invitation.invited_by == world.officer
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["anna@stad.se"]
        assert "Välj ditt lösenord" in mail.outbox[0].body or "lösenord" in mail.outbox[0].body
        link = _link_from_mail()
        raw = link.rstrip("/").rsplit("/", 1)[1]
        # Only the hash is stored, never the token itself.
        assert invitation.token_hash == services.hash_token(raw) and raw not in invitation.token_hash
        assert AuditEvent.objects.filter(action="invitation.created", object_id=str(supplier_a.uuid)).exists()
        page = client.get(reverse("portal:invitation_list", args=[supplier_a.uuid]))
        assert "anna@stad.se" in page.content.decode() and "Väntar" in page.content.decode()

    def test_expiry_follows_the_setting(self, world: Any, supplier_a: Any, settings: Any) -> None:
        settings.KRAVSPAR_INVITATION_DAYS = 3
        invitation, _raw = services.invitation_create(
            actor=world.officer, supplier=supplier_a, name="A B", email="a@b.se"
        )
        delta = invitation.expires_at - timezone.now()
        assert datetime.timedelta(days=2, hours=23) < delta <= datetime.timedelta(days=3)

    def test_bad_input_gets_swedish_errors_and_keeps_what_was_typed(
        self, world: Any, supplier_a: Any, client_for: Any
    ) -> None:
        client = client_for(world.officer)
        response = _invite(client, supplier_a, name="", email="inte-en-adress")
        assert response.status_code == 400
        body = response.content.decode()
        assert "Namn: skriv kontaktpersonens namn." in body
        assert "inte-en-adress är inte en e-postadress" in body
        assert 'value="inte-en-adress"' in body
        assert not Invitation.objects.exists()

    def test_an_existing_address_is_refused_clearly(self, world: Any, supplier_a: Any, client_for: Any) -> None:
        response = _invite(client_for(world.officer), supplier_a, email=world.orderer_vm.email.upper())
        assert response.status_code == 400
        assert "har redan ett konto i Kravspår" in response.content.decode()
        assert not Invitation.objects.exists()

    def test_a_second_pending_invitation_to_the_same_address_is_refused(
        self, world: Any, supplier_a: Any, invited: Any
    ) -> None:
        with pytest.raises(Exception) as exc:
            services.invitation_create(actor=world.officer, supplier=supplier_a, name="Anna", email="ANNA@stad.se")
        assert "väntande inbjudan" in str(exc.value)

    @pytest.mark.parametrize("persona", ["orderer_vm", "reader", "env_vm"])
    def test_only_inkop_invites(self, world: Any, supplier_a: Any, client_for: Any, persona: str) -> None:
        client = client_for(getattr(world, persona))
        assert client.get(reverse("portal:invitation_list", args=[supplier_a.uuid])).status_code == 403
        assert _invite(client, supplier_a).status_code == 403
        assert not Invitation.objects.exists()

    def test_a_supplier_contact_cannot_reach_the_invitation_pages(
        self, contact_a: Any, supplier_a: Any, client_for: Any, invited: Any
    ) -> None:
        client = client_for(contact_a)
        # The supplier registry does not exist for a supplier contact, not even their own supplier.
        assert client.get(reverse("portal:invitation_list", args=[supplier_a.uuid])).status_code == 404
        invitation, _raw = invited
        assert client.get(reverse("portal:invitation_revoke", args=[invitation.uuid])).status_code == 404
        assert client.post(reverse("portal:invitation_revoke", args=[invitation.uuid])).status_code == 404
        assert Invitation.objects.get().revoked_at is None

    def test_anonymous_is_sent_to_login(self, client: Any, supplier_a: Any) -> None:
        response = client.get(reverse("portal:invitation_list", args=[supplier_a.uuid]))
        assert response.status_code == 302 and "/logga-in/" in response["Location"]

    def test_the_officer_is_rate_limited_per_hour(
        self, world: Any, supplier_a: Any, client_for: Any, settings: Any
    ) -> None:
        settings.KRAVSPAR_INVITATIONS_PER_HOUR = 2
        client = client_for(world.officer)
        assert _invite(client, supplier_a, email="a1@stad.se").status_code == 302
        assert _invite(client, supplier_a, email="a2@stad.se").status_code == 302
        response = _invite(client, supplier_a, email="a3@stad.se")
        assert response.status_code == 429
        assert "2 inbjudningar" in response.content.decode()
        assert Invitation.objects.count() == 2
        # Another officer has their own limit.
        other = User.objects.create_user(username="o2", email="o2@x.se", organisation=world.sormland, unit=world.inkop)
        other.groups.set(world.officer.groups.all())
        assert _invite(client_for(other), supplier_a, email="a3@stad.se").status_code == 302

    def test_the_list_filters_by_status_with_bounded_queries(
        self, world: Any, supplier_a: Any, client_for: Any, django_assert_max_num_queries: Any
    ) -> None:
        for n in range(5):
            services.invitation_create(actor=world.officer, supplier=supplier_a, name=f"P {n}", email=f"p{n}@stad.se")
        expired = Invitation.objects.get(email="p0@stad.se")
        Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
        client = client_for(world.officer)
        with django_assert_max_num_queries(14):
            response = client.get(reverse("portal:invitation_list", args=[supplier_a.uuid]), {"status": "expired"})
        body = response.content.decode()
        assert "p0@stad.se" in body and "p1@stad.se" not in body


class TestRevoke:
    def test_revoking_asks_first_then_kills_the_link(self, world: Any, client_for: Any, invited: Any) -> None:
        invitation, raw = invited
        client = client_for(world.officer)
        url = reverse("portal:invitation_revoke", args=[invitation.uuid])
        confirm = client.get(url)
        assert confirm.status_code == 200 and "Återkalla inbjudan" in confirm.content.decode()
        assert Invitation.objects.get().revoked_at is None
        assert client.post(url).status_code == 302
        assert Invitation.objects.get().state() == InvitationState.REVOKED
        client.logout()
        page = client.get(reverse("portal:invitation_accept", args=[raw]))
        assert page.status_code == 410 and "dragits tillbaka" in page.content.decode()

    def test_an_orderer_cannot_revoke(self, world: Any, client_for: Any, invited: Any) -> None:
        invitation, _raw = invited
        assert (
            client_for(world.orderer_vm).post(reverse("portal:invitation_revoke", args=[invitation.uuid])).status_code
            == 404
        )
        assert Invitation.objects.get().revoked_at is None


class TestAccept:
    def test_the_link_sets_a_password_creates_a_supplier_contact_and_logs_in(
        self, client: Any, supplier_a: Any, invited: Any
    ) -> None:
        invitation, raw = invited
        url = reverse("portal:invitation_accept", args=[raw])
        page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert "Lösenord" in body and "Upprepa lösenord" in body and "Spara lösenord" in body
        response = client.post(url, {"password": STRONG, "password_again": STRONG})
        assert response.status_code == 302 and response["Location"] == reverse("portal:home")
        person = User.objects.get(email="anna@stad.se")
        assert person.supplier == supplier_a and person.organisation is None
        assert person.first_name == "Anna" and person.last_name == "Andersson"
        assert accounts_access.roles_of(person) == {Role.SUPPLIER_CONTACT}
        assert person.check_password(STRONG)
        # Logged in, and (supplier contacts must use two factors) sent to set up the app first.
        home = client.get(reverse("portal:home"))
        assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:twofactor_enrol"))
        invitation.refresh_from_db()
        assert invitation.state() == InvitationState.USED and invitation.person == person
        assert AuditEvent.objects.filter(action="person.created", object_id=str(person.uuid)).exists()

    def test_the_link_works_once(self, client: Any, invited: Any) -> None:
        _invitation, raw = invited
        url = reverse("portal:invitation_accept", args=[raw])
        client.post(url, {"password": STRONG, "password_again": STRONG})
        client.logout()
        again = client.get(url)
        assert again.status_code == 410
        body = again.content.decode()
        assert "redan använts" in body and "Be om en ny länk" in body
        assert client.post(url, {"password": "Annat-Lösen-77", "password_again": "Annat-Lösen-77"}).status_code == 410
        assert User.objects.filter(email="anna@stad.se").count() == 1
        assert User.objects.get(email="anna@stad.se").check_password(STRONG)

    def test_an_expired_link_explains_and_offers_a_new_one(self, client: Any, invited: Any) -> None:
        invitation, raw = invited
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
        page = client.get(reverse("portal:invitation_accept", args=[raw]))
        assert page.status_code == 410
        assert "Länken har gått ut" in page.content.decode()
        assert (
            client.post(
                reverse("portal:invitation_accept", args=[raw]), {"password": STRONG, "password_again": STRONG}
            ).status_code
            == 410
        )
        assert not User.objects.filter(email="anna@stad.se").exists()

    def test_an_unknown_link_says_so(self, client: Any, world: Any) -> None:
        page = client.get(reverse("portal:invitation_accept", args=["nonsense"]))
        assert page.status_code == 404 and "Länken är inte giltig" in page.content.decode()

    def test_weak_or_mismatched_passwords_are_refused_in_swedish(self, client: Any, invited: Any) -> None:
        _invitation, raw = invited
        url = reverse("portal:invitation_accept", args=[raw])
        weak = client.post(url, {"password": "12345", "password_again": "12345"})
        assert weak.status_code == 400
        assert "för kort" in weak.content.decode()
        mismatch = client.post(url, {"password": STRONG, "password_again": STRONG + "x"})
        assert "inte samma" in mismatch.content.decode()
        assert not User.objects.filter(email="anna@stad.se").exists()
        assert Invitation.objects.get().used_at is None

    def test_an_address_taken_meanwhile_is_reported(self, client: Any, world: Any, invited: Any) -> None:
        _invitation, raw = invited
        User.objects.create_user(username="anna2", email="ANNA@stad.se", organisation=world.sormland)
        response = client.post(
            reverse("portal:invitation_accept", args=[raw]), {"password": STRONG, "password_again": STRONG}
        )
        assert response.status_code == 400
        assert "anna@stad.se" in response.content.decode()
        assert Invitation.objects.get().used_at is None


class TestRenewal:
    def _expire(self, invitation: Invitation) -> None:
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    def test_asking_for_a_new_link_tells_the_officer(
        self, client: Any, world: Any, invited: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        invitation, raw = invited
        self._expire(invitation)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("portal:invitation_renew", args=[raw]))
        assert response.status_code == 200
        assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.officer.email]
        assert "anna@stad.se" in mail.outbox[0].body
        assert f"/leverantor/leverantorer/{invitation.supplier.uuid}/kontaktpersoner/" in mail.outbox[0].body

    def test_renewal_is_rate_limited_per_invitation(self, client: Any, invited: Any, settings: Any) -> None:
        settings.KRAVSPAR_INVITATION_RENEWALS_PER_DAY = 2
        invitation, raw = invited
        self._expire(invitation)
        url = reverse("portal:invitation_renew", args=[raw])
        assert client.post(url).status_code == 200
        assert client.post(url).status_code == 200
        third = client.post(url)
        assert third.status_code == 429 and "redan bett om en ny länk" in third.content.decode()
        assert InvitationRenewalRequest.objects.count() == 2

    def test_renewal_is_rate_limited_per_address(self, client: Any, world: Any, supplier_a: Any, settings: Any) -> None:
        settings.KRAVSPAR_INVITATION_RENEWALS_PER_IP_HOUR = 2
        raws = []
        for n in range(3):
            invitation, raw = services.invitation_create(
                actor=world.officer, supplier=supplier_a, name="X", email=f"x{n}@stad.se"
            )
            self._expire(invitation)
            raws.append(raw)
        assert client.post(reverse("portal:invitation_renew", args=[raws[0]])).status_code == 200
        assert client.post(reverse("portal:invitation_renew", args=[raws[1]])).status_code == 200
        assert client.post(reverse("portal:invitation_renew", args=[raws[2]])).status_code == 429

    def test_a_pending_invitation_cannot_be_renewed(self, client: Any, invited: Any) -> None:
        _invitation, raw = invited
        assert client.post(reverse("portal:invitation_renew", args=[raw])).status_code == 400
        assert not InvitationRenewalRequest.objects.exists()

    def test_renewal_of_an_unknown_link_is_404(self, client: Any, world: Any) -> None:
        assert client.post(reverse("portal:invitation_renew", args=["nonsense"])).status_code == 404


def test_the_supplier_page_links_to_contact_people_for_inkop_only(world: Any, supplier_a: Any, client_for: Any) -> None:
    link = reverse("portal:invitation_list", args=[supplier_a.uuid])
    officer_page = client_for(world.officer).get(reverse("suppliers:detail", args=[supplier_a.uuid]))
    assert link in officer_page.content.decode()
    orderer_page = client_for(world.orderer_vm).get(reverse("suppliers:detail", args=[supplier_a.uuid]))
    assert orderer_page.status_code == 200 and link not in orderer_page.content.decode()
