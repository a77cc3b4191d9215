"""Anna at Städbolaget AB reads her contracts and deviations and answers the action plan."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kravspar.contracts.models import Subcontractor
from kravspar.findings import services as findings_services
from kravspar.findings.models import ActionPlan
from kravspar.portal.tests.conftest import make_activity, make_contract


class TestContracts:
    def test_list_searches_and_shows_only_own_contracts(
        self, world: Any, contact_a: Any, supplier_a: Any, contract_a: Any, contract_b: Any, client_for: Any
    ) -> None:
        make_contract(world, supplier_a, "RS-2025-0003", "Fönsterputs")
        client = client_for(contact_a)
        body = client.get(reverse("portal:contracts")).content.decode()
        assert "RS-2025-0001" in body and "RS-2025-0003" in body and "RS-2025-0002" not in body
        found = client.get(reverse("portal:contracts"), {"q": "fönster"}).content.decode()
        assert "RS-2025-0003" in found and "RS-2025-0001" not in found
        empty = client.get(reverse("portal:contracts"), {"q": "finns-inte"}).content.decode()
        assert "Inga avtal matchar" in empty

    def test_list_paginates_with_bounded_queries(
        self, world: Any, contact_a: Any, supplier_a: Any, client_for: Any, django_assert_max_num_queries: Any
    ) -> None:
        for n in range(30):
            make_contract(world, supplier_a, f"RS-2024-{n:04d}", f"Avtal {n}")
        client = client_for(contact_a)
        with django_assert_max_num_queries(12):
            first = client.get(reverse("portal:contracts"))
        assert "Sida 1 av 2" in first.content.decode()
        assert "RS-2024-" in client.get(reverse("portal:contracts"), {"sida": 2}).content.decode()

    def test_detail_shows_dates_and_status_but_not_internal_notes_or_others_subcontractors(
        self, world: Any, contact_a: Any, supplier_a: Any, supplier_b: Any, contract_a: Any, client_for: Any
    ) -> None:
        contract_a.suppliers.add(supplier_b)  # a contract shared by two suppliers
        make_activity(contract_a)
        Subcontractor.objects.create(contract=contract_a, supplier=supplier_a, name="Egen UE AB", role="Fönster")
        Subcontractor.objects.create(contract=contract_a, supplier=supplier_b, name="Hemlig UE AB", role="Tvätt")
        body = client_for(contact_a).get(reverse("portal:contract_detail", args=[contract_a.uuid])).content.decode()
        assert "Städtjänster" in body and "Region Sörmland" in body and "2026-01-15" in body
        assert "Arbetsvillkor enligt kollektivavtal" in body
        assert "Intern anteckning" not in body
        assert "Egen UE AB" in body and "Hemlig UE AB" not in body


class TestDeviations:
    def test_list_and_detail(self, contact_a: Any, deviation_a: Any, deviation_b: Any, client_for: Any) -> None:
        client = client_for(contact_a)
        body = client.get(reverse("portal:deviations")).content.decode()
        assert "Lön under kollektivavtalets nivå" in body and "Saknade skyddskläder" not in body
        detail = client.get(reverse("portal:deviation_detail", args=[deviation_a.uuid])).content.decode()
        assert "Betala ut mellanskillnaden" in detail and "Svara på åtgärdsplanen" in detail

    def test_a_deviation_raised_on_another_supplier_of_a_shared_contract_is_hidden(
        self, world: Any, contact_a: Any, supplier_b: Any, contract_a: Any, client_for: Any
    ) -> None:
        contract_a.suppliers.add(supplier_b)
        other = findings_services.deviation_raise_on_contract(
            actor=world.officer,
            contract=contract_a,
            supplier=supplier_b,
            kind="labour",
            severity="minor",
            title="B:s brist",
        )
        client = client_for(contact_a)
        assert "B:s brist" not in client.get(reverse("portal:deviations")).content.decode()
        assert client.get(reverse("portal:deviation_detail", args=[other.uuid])).status_code == 404

    def test_list_filters_with_bounded_queries(
        self, world: Any, contact_a: Any, contract_a: Any, client_for: Any, django_assert_max_num_queries: Any
    ) -> None:
        for n in range(8):
            findings_services.deviation_raise_on_contract(
                actor=world.officer, contract=contract_a, kind="labour", severity="minor", title=f"Brist {n}"
            )
        client = client_for(contact_a)
        with django_assert_max_num_queries(10):
            response = client.get(reverse("portal:deviations"), {"status": "open", "q": "Brist"})
        assert response.content.decode().count("Brist ") == 8


class TestRespond:
    def test_the_supplier_answers_the_action_plan(self, contact_a: Any, deviation_a: Any, client_for: Any) -> None:
        client = client_for(contact_a)
        url = reverse("portal:deviation_respond", args=[deviation_a.uuid])
        assert client.get(url).status_code == 200
        response = client.post(
            url, {"supplier_response": "Vi betalar ut mellanskillnaden 15 mars.", "version": deviation_a.version}
        )
        assert response.status_code == 302
        plan = ActionPlan.objects.get(deviation=deviation_a)
        assert plan.supplier_response == "Vi betalar ut mellanskillnaden 15 mars."

    def test_an_empty_response_is_refused(self, contact_a: Any, deviation_a: Any, client_for: Any) -> None:
        response = client_for(contact_a).post(
            reverse("portal:deviation_respond", args=[deviation_a.uuid]),
            {"supplier_response": "  ", "version": deviation_a.version},
        )
        assert response.status_code == 400
        assert ActionPlan.objects.get(deviation=deviation_a).supplier_response == ""

    def test_a_concurrent_edit_gives_a_conflict_and_keeps_the_text(
        self, world: Any, contact_a: Any, deviation_a: Any, client_for: Any
    ) -> None:
        # Given Anna opened the form, then Inköp recorded a response on the supplier's behalf,
        client = client_for(contact_a)
        url = reverse("portal:deviation_respond", args=[deviation_a.uuid])
        opened_version = deviation_a.version
        findings_services.action_plan_record_response(
            actor=world.officer,
            deviation=deviation_a,
            expected_version=None,
            supplier_response="Enligt telefon: klart i april.",
        )
        # when Anna sends hers on the old version,
        response = client.post(
            url, {"supplier_response": "Mitt eget svar, långt och genomtänkt.", "version": opened_version}
        )
        # then nothing is overwritten, she sees the conflict, the saved text and keeps her own.
        assert response.status_code == 409
        body = response.content.decode()
        assert "Någon annan har ändrat" in body
        assert "Enligt telefon: klart i april." in body
        assert "Mitt eget svar, långt och genomtänkt." in body
        assert ActionPlan.objects.get(deviation=deviation_a).supplier_response == "Enligt telefon: klart i april."
        # Saving again replaces it deliberately.
        form_version = body.split('name="version" value="')[1].split('"')[0]
        again = client.post(
            url, {"supplier_response": "Mitt eget svar, långt och genomtänkt.", "version": form_version}
        )
        assert again.status_code == 302
        assert (
            ActionPlan.objects.get(deviation=deviation_a).supplier_response == "Mitt eget svar, långt och genomtänkt."
        )

    def test_without_an_agreed_plan_there_is_nothing_to_answer(
        self, world: Any, contact_a: Any, contract_a: Any, client_for: Any
    ) -> None:
        deviation = findings_services.deviation_raise_on_contract(
            actor=world.officer, contract=contract_a, kind="labour", severity="minor", title="Ingen plan än"
        )
        client = client_for(contact_a)
        response = client.post(
            reverse("portal:deviation_respond", args=[deviation.uuid]),
            {"supplier_response": "x", "version": deviation.version},
        )
        assert response.status_code == 302 and response["Location"] == reverse(
            "portal:deviation_detail", args=[deviation.uuid]
        )

    def test_buyers_other_than_inkop_still_cannot_record_a_response(self, world: Any, deviation_a: Any) -> None:
        import pytest

        from kravspar.core.errors import NotAllowedError

        with pytest.raises(NotAllowedError):
            findings_services.action_plan_record_response(
                actor=world.orderer_vm, deviation=deviation_a, expected_version=None, supplier_response="x"
            )

    def test_another_suppliers_contact_cannot_record_a_response_through_the_service(
        self, contact_b: Any, deviation_a: Any
    ) -> None:
        import pytest

        from kravspar.core.errors import NotAllowedError

        with pytest.raises(NotAllowedError):
            findings_services.action_plan_record_response(
                actor=contact_b, deviation=deviation_a, expected_version=None, supplier_response="x"
            )
