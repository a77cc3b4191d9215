"""Städbolaget AB declares its subcontractors on a contract; Inköp reviews each one."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kravspar.audit.models import AuditEvent
from kravspar.contracts.models import Subcontractor
from kravspar.portal import services
from kravspar.portal.models import DeclarationStatus, SubcontractorDeclaration

SWEDISH = {"name": "Fönsterputs i Mälardalen AB", "org_number": "556036-0793", "country": "SE", "role": "Fönsterputs"}


def _declare(client: Any, contract: Any, **overrides: Any) -> Any:
    return client.post(reverse("portal:declaration_create", args=[contract.uuid]), SWEDISH | overrides)


@pytest.fixture
def declaration(contact_a: Any, contract_a: Any) -> SubcontractorDeclaration:
    return services.declaration_submit(actor=contact_a, contract=contract_a, **SWEDISH)


class TestDeclare:
    def test_the_supplier_declares_a_swedish_subcontractor(
        self, contact_a: Any, contract_a: Any, client_for: Any
    ) -> None:
        response = _declare(client_for(contact_a), contract_a)
        assert response.status_code == 302
        declaration = SubcontractorDeclaration.objects.get()
        assert declaration.org_number == "5560360793" and declaration.status == DeclarationStatus.SUBMITTED
        assert declaration.supplier == contact_a.supplier and declaration.submitted_by == contact_a
        assert AuditEvent.objects.filter(action="subcontractor_declaration.submitted").exists()
        page = client_for(contact_a).get(reverse("portal:declarations")).content.decode()
        assert "Fönsterputs i Mälardalen AB" in page and "Inskickad" in page

    def test_a_foreign_subcontractor_gives_a_country_instead(
        self, contact_a: Any, contract_a: Any, client_for: Any
    ) -> None:
        assert (
            _declare(
                client_for(contact_a), contract_a, org_number="", country="pl", name="Czysto Sp. z o.o."
            ).status_code
            == 302
        )
        assert SubcontractorDeclaration.objects.get().country == "PL"

    def test_a_wrong_org_number_is_refused_with_a_swedish_message(
        self, contact_a: Any, contract_a: Any, client_for: Any
    ) -> None:
        response = _declare(client_for(contact_a), contract_a, org_number="556036-0794")
        assert response.status_code == 400
        body = response.content.decode()
        assert "kontrollsiffran" in body
        assert 'value="Fönsterputs i Mälardalen AB"' in body
        assert not SubcontractorDeclaration.objects.exists()

    def test_missing_fields_and_bad_country(self, contact_a: Any, contract_a: Any, client_for: Any) -> None:
        response = _declare(client_for(contact_a), contract_a, name="", role="", org_number="", country="Sverige")
        body = response.content.decode()
        assert "Namn: skriv underleverantörens namn." in body
        assert "beskriv underleverantörens del av leveransen." in body
        assert "Sverige är inte en landskod" in body

    def test_not_on_another_suppliers_contract(self, contact_a: Any, contract_b: Any, client_for: Any) -> None:
        assert _declare(client_for(contact_a), contract_b).status_code == 404
        assert not SubcontractorDeclaration.objects.exists()

    def test_buyers_do_not_declare(self, world: Any, contract_a: Any, client_for: Any) -> None:
        assert _declare(client_for(world.officer), contract_a).status_code == 403


class TestReview:
    def test_accepting_adds_the_contracts_subcontractor(
        self, world: Any, declaration: Any, contract_a: Any, client_for: Any
    ) -> None:
        client = client_for(world.officer)
        listing = client.get(reverse("portal:contract_declarations", args=[contract_a.uuid])).content.decode()
        assert reverse("portal:declaration_review", args=[declaration.uuid]) in listing
        url = reverse("portal:declaration_review", args=[declaration.uuid])
        assert "Fönsterputs i Mälardalen AB" in client.get(url).content.decode()
        response = client.post(url, {"decision": "accepted", "version": declaration.version})
        assert response.status_code == 302
        declaration.refresh_from_db()
        assert declaration.status == DeclarationStatus.ACCEPTED and declaration.reviewed_by == world.officer
        sub = Subcontractor.objects.get(contract=contract_a)
        assert declaration.subcontractor == sub
        assert (sub.name, sub.org_number, sub.role, sub.supplier) == (
            "Fönsterputs i Mälardalen AB",
            "5560360793",
            "Fönsterputs",
            declaration.supplier,
        )
        assert AuditEvent.objects.filter(action="subcontractor.added", object_id=str(sub.uuid)).exists()

    def test_accepting_a_known_subcontractor_updates_it(
        self, world: Any, contact_a: Any, supplier_a: Any, contract_a: Any
    ) -> None:
        existing = Subcontractor.objects.create(
            contract=contract_a,
            supplier=supplier_a,
            name="Fönsterputs AB",
            org_number="5560360793",
            role="Gammalt",
            is_active=False,
        )
        declaration = services.declaration_submit(actor=contact_a, contract=contract_a, **SWEDISH)
        services.declaration_review(actor=world.officer, declaration=declaration, expected_version=None, accept=True)
        existing.refresh_from_db()
        assert Subcontractor.objects.filter(contract=contract_a).count() == 1
        assert existing.role == "Fönsterputs" and existing.name == "Fönsterputs i Mälardalen AB" and existing.is_active

    def test_rejecting_needs_a_comment_which_the_supplier_sees(
        self, world: Any, contact_a: Any, declaration: Any, client_for: Any
    ) -> None:
        client = client_for(world.officer)
        url = reverse("portal:declaration_review", args=[declaration.uuid])
        missing = client.post(url, {"decision": "rejected", "comment": "", "version": declaration.version})
        assert missing.status_code == 400 and "Kommentar: skriv varför" in missing.content.decode()
        assert (
            client.post(
                url, {"decision": "rejected", "comment": "Kollektivavtal saknas.", "version": declaration.version}
            ).status_code
            == 302
        )
        assert not Subcontractor.objects.exists()
        page = client_for(contact_a).get(reverse("portal:declarations")).content.decode()
        assert "Avslagen" in page and "Kollektivavtal saknas." in page

    def test_a_decision_is_required(self, world: Any, declaration: Any, client_for: Any) -> None:
        response = client_for(world.officer).post(
            reverse("portal:declaration_review", args=[declaration.uuid]), {"version": declaration.version}
        )
        assert "Beslut: välj godkänn eller avslå." in response.content.decode()

    def test_a_declaration_is_reviewed_once(self, world: Any, declaration: Any) -> None:
        services.declaration_review(actor=world.officer, declaration=declaration, expected_version=None, accept=True)
        with pytest.raises(Exception, match="redan granskats"):
            services.declaration_review(
                actor=world.officer, declaration=declaration, expected_version=None, accept=False, comment="x"
            )

    def test_a_stale_version_is_a_conflict(self, world: Any, declaration: Any, client_for: Any) -> None:
        response = client_for(world.officer).post(
            reverse("portal:declaration_review", args=[declaration.uuid]),
            {"decision": "accepted", "version": declaration.version - 1},
        )
        assert response.status_code == 400 and "Någon annan har ändrat" in response.content.decode()
        assert SubcontractorDeclaration.objects.get().status == DeclarationStatus.SUBMITTED

    def test_an_orderer_sees_but_may_not_review(
        self, world: Any, declaration: Any, contract_a: Any, client_for: Any
    ) -> None:
        client = client_for(world.orderer_vm)
        assert client.get(reverse("portal:contract_declarations", args=[contract_a.uuid])).status_code == 200
        url = reverse("portal:declaration_review", args=[declaration.uuid])
        assert client.post(url, {"decision": "accepted"}).status_code == 403
        assert SubcontractorDeclaration.objects.get().status == DeclarationStatus.SUBMITTED

    def test_a_buyer_who_does_not_see_the_contract_gets_404(
        self, world: Any, contact_a: Any, supplier_a: Any, client_for: Any
    ) -> None:
        from kravspar.portal.tests.conftest import make_contract

        contract = make_contract(world, supplier_a, "RS-2025-0042", "Sörmland", buyers=[world.sormland])
        declaration = services.declaration_submit(actor=contact_a, contract=contract, **SWEDISH)
        client = client_for(world.orderer_vm)
        assert client.get(reverse("portal:contract_declarations", args=[contract.uuid])).status_code == 404
        assert client.get(reverse("portal:declaration_review", args=[declaration.uuid])).status_code == 404

    def test_the_supplier_page_lists_declarations_waiting(
        self, world: Any, declaration: Any, supplier_a: Any, client_for: Any
    ) -> None:
        page = client_for(world.officer).get(reverse("suppliers:detail", args=[supplier_a.uuid])).content.decode()
        assert reverse("portal:declaration_review", args=[declaration.uuid]) in page
