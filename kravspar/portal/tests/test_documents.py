"""The evidence library: the supplier uploads once; every buyer with a contract reads it."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from kravspar.audit.models import AuditEvent
from kravspar.portal.models import DocumentWarningSent, SupplierDocument
from kravspar.portal.tests.conftest import make_contract, make_document

TODAY = datetime.date.today()


def _post(client: Any, pdf: bytes, **overrides: Any) -> Any:
    data = {
        "kind": "certificate",
        "title": "ISO 14001-certifikat",
        "issuer": "Intertek",
        "valid_from": "2025-01-01",
        "valid_until": "2028-01-01",
        "upload": SimpleUploadedFile("iso.pdf", pdf, content_type="application/pdf"),
    } | overrides
    return client.post(reverse("portal:document_upload"), data)


class TestUpload:
    def test_upload_is_checked_fingerprinted_and_stored_outside_the_web_root(
        self, contact_a: Any, pdf_bytes: bytes, client_for: Any, settings: Any
    ) -> None:
        response = _post(client_for(contact_a), pdf_bytes)
        assert response.status_code == 302
        document = SupplierDocument.objects.get()
        assert document.supplier == contact_a.supplier and document.uploaded_by == contact_a
        assert document.sha256 == hashlib.sha256(pdf_bytes).hexdigest()
        assert document.content_type == "application/pdf" and document.original_name == "iso.pdf"
        assert "iso" not in document.file.name  # a random stored name
        assert str(settings.MEDIA_ROOT) in document.file.path
        assert AuditEvent.objects.filter(action="supplier_document.added", object_id=str(document.uuid)).exists()

    def test_a_disguised_file_is_refused_and_the_form_keeps_the_rest(self, contact_a: Any, client_for: Any) -> None:
        fake = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256))
        response = _post(client_for(contact_a), fake, title="Mitt certifikat")
        assert response.status_code == 400
        body = response.content.decode()
        assert "Den här filtypen godtas inte" in body
        assert 'value="Mitt certifikat"' in body
        assert not SupplierDocument.objects.exists()

    def test_an_oversized_file_is_refused(
        self, contact_a: Any, pdf_bytes: bytes, client_for: Any, settings: Any
    ) -> None:
        settings.KRAVSPAR_MAX_EVIDENCE_BYTES = 20
        response = _post(client_for(contact_a), pdf_bytes)
        assert response.status_code == 400 and "större än" in response.content.decode()
        assert not SupplierDocument.objects.exists()

    def test_missing_fields_get_swedish_messages(self, contact_a: Any, pdf_bytes: bytes, client_for: Any) -> None:
        response = _post(client_for(contact_a), pdf_bytes, title="", kind="", valid_from="", valid_until="2020-01-01")
        body = response.content.decode()
        assert response.status_code == 400
        assert "Titel: skriv vad dokumentet är" in body
        assert "Typ: välj certifikat" in body
        assert "Giltigt från: ange datumet" in body

    def test_valid_until_before_valid_from_is_refused(self, contact_a: Any, pdf_bytes: bytes, client_for: Any) -> None:
        response = _post(client_for(contact_a), pdf_bytes, valid_from="2025-01-01", valid_until="2024-01-01")
        assert "får inte vara före" in response.content.decode()

    def test_buyers_cannot_upload(self, world: Any, pdf_bytes: bytes, client_for: Any) -> None:
        assert _post(client_for(world.officer), pdf_bytes).status_code == 403
        assert not SupplierDocument.objects.exists()


class TestReading:
    def test_the_own_contact_and_buyers_with_a_contract_download(
        self, world: Any, contact_a: Any, contract_a: Any, pdf_bytes: bytes, client_for: Any
    ) -> None:
        document = make_document(contact_a, pdf_bytes)
        url = reverse("portal:document_file", args=[document.uuid])
        for person in (contact_a, world.officer, world.orderer_vm, world.orderer_sl):
            response = client_for(person).get(url)
            assert response.status_code == 200, person
            assert b"".join(response.streaming_content) == pdf_bytes
            assert response["Content-Disposition"].startswith("attachment")
            assert response["X-Content-Type-Options"] == "nosniff"

    def test_a_buyer_without_a_contract_with_the_supplier_gets_404(
        self, world: Any, contact_a: Any, supplier_a: Any, pdf_bytes: bytes, client_for: Any
    ) -> None:
        make_contract(world, supplier_a, "RS-2025-0009", "Bara Sörmland", buyers=[world.sormland])
        document = make_document(contact_a, pdf_bytes)
        url = reverse("portal:document_file", args=[document.uuid])
        assert client_for(world.orderer_sl).get(url).status_code == 200
        assert client_for(world.orderer_vm).get(url).status_code == 404

    def test_the_buyer_sees_the_library_on_the_supplier_page(
        self, world: Any, contact_a: Any, supplier_a: Any, contract_a: Any, pdf_bytes: bytes, client_for: Any
    ) -> None:
        make_document(contact_a, pdf_bytes, title="Svanen-licens", valid_until=TODAY + datetime.timedelta(days=20))
        client = client_for(world.orderer_vm)
        page = client.get(reverse("suppliers:detail", args=[supplier_a.uuid])).content.decode()
        assert reverse("portal:supplier_documents", args=[supplier_a.uuid]) in page
        assert "Svanen-licens" in page and "Går ut om 20 dagar" in page
        library = client.get(reverse("portal:supplier_documents", args=[supplier_a.uuid])).content.decode()
        assert "Svanen-licens" in library and "Intertek" in library

    def test_the_library_reuses_across_contracts_and_buyer_organisations(
        self, world: Any, contact_a: Any, supplier_a: Any, pdf_bytes: bytes, client_for: Any
    ) -> None:
        make_contract(world, supplier_a, "RS-2025-0010", "Sörmland", buyers=[world.sormland])
        make_contract(world, supplier_a, "VM-2025-0011", "Västmanland", buyers=[world.vastmanland])
        document = make_document(contact_a, pdf_bytes)
        for person in (world.orderer_sl, world.orderer_vm):
            assert client_for(person).get(reverse("portal:document_file", args=[document.uuid])).status_code == 200

    def test_stale_governing_documents_and_expiry_are_flagged(
        self, contact_a: Any, pdf_bytes: bytes, client_for: Any
    ) -> None:
        make_document(
            contact_a,
            pdf_bytes,
            title="Uppförandekod",
            kind="governing",
            valid_from=TODAY - datetime.timedelta(days=800),
        )
        make_document(contact_a, pdf_bytes, title="Gammal licens", valid_until=TODAY - datetime.timedelta(days=1))
        make_document(
            contact_a, pdf_bytes, title="Ny policy", kind="governing", valid_from=TODAY - datetime.timedelta(days=30)
        )
        body = client_for(contact_a).get(reverse("portal:documents")).content.decode()
        assert body.count("Inaktuellt") == 1 and "Utgånget" in body

    def test_withdrawing_asks_first_and_keeps_the_history(
        self, contact_a: Any, pdf_bytes: bytes, client_for: Any
    ) -> None:
        document = make_document(contact_a, pdf_bytes)
        client = client_for(contact_a)
        url = reverse("portal:document_withdraw", args=[document.uuid])
        assert "Ta bort" in client.get(url).content.decode()
        assert SupplierDocument.objects.get().withdrawn_at is None
        assert client.post(url).status_code == 302
        assert SupplierDocument.objects.get().withdrawn_at is not None
        assert "certifikat.pdf" not in client.get(reverse("portal:documents")).content.decode()
        assert "certifikat.pdf" in client.get(reverse("portal:documents"), {"withdrawn": "1"}).content.decode()

    def test_a_buyer_cannot_withdraw(
        self, world: Any, contact_a: Any, contract_a: Any, pdf_bytes: bytes, client_for: Any
    ) -> None:
        document = make_document(contact_a, pdf_bytes)
        assert (
            client_for(world.officer).post(reverse("portal:document_withdraw", args=[document.uuid])).status_code == 403
        )
        assert SupplierDocument.objects.get().withdrawn_at is None

    def test_the_list_has_bounded_queries(
        self, contact_a: Any, pdf_bytes: bytes, client_for: Any, django_assert_max_num_queries: Any
    ) -> None:
        for n in range(8):
            make_document(contact_a, pdf_bytes, title=f"Dok {n}")
        client = client_for(contact_a)
        with django_assert_max_num_queries(10):
            response = client.get(reverse("portal:documents"))
        assert response.content.decode().count("<td>Dok ") == 8


class TestWarnings:
    @pytest.fixture
    def expiring(self, contact_a: Any, pdf_bytes: bytes) -> Any:
        return make_document(
            contact_a, pdf_bytes, title="Svanen-licens", valid_until=TODAY + datetime.timedelta(days=25)
        )

    @pytest.fixture(autouse=True)
    def _run(self, django_capture_on_commit_callbacks: Any) -> None:
        # The command sends after each warning's row commits; run those callbacks as it returns.
        def run(**options: Any) -> None:
            with django_capture_on_commit_callbacks(execute=True):
                call_command("send_document_warnings", **options)

        self.run = run  # type: ignore[method-assign,assignment]

    def test_the_command_warns_once_per_threshold(self, contact_a: Any, expiring: Any, settings: Any) -> None:
        settings.KRAVSPAR_DOCUMENT_WARNING_DAYS = [60, 30, 7]
        self.run()
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [contact_a.email]
        assert "Svanen-licens" in mail.outbox[0].body and "om 25 dagar" in mail.outbox[0].body
        # Running again the same day sends nothing.
        self.run()
        assert len(mail.outbox) == 1
        assert DocumentWarningSent.objects.get().days_before == 30
        # Three weeks later the 7-day warning goes out, once.
        later = TODAY + datetime.timedelta(days=20)
        self.run(today=later)
        self.run(today=later)
        assert len(mail.outbox) == 2
        assert sorted(DocumentWarningSent.objects.values_list("days_before", flat=True)) == [7, 30]

    def test_a_renewed_date_earns_new_warnings(self, contact_a: Any, expiring: Any, settings: Any) -> None:
        settings.KRAVSPAR_DOCUMENT_WARNING_DAYS = [30]
        self.run()
        SupplierDocument.objects.filter(pk=expiring.pk).update(valid_until=TODAY + datetime.timedelta(days=20))
        self.run()
        assert len(mail.outbox) == 2

    def test_withdrawn_and_far_off_documents_are_not_warned(
        self, contact_a: Any, pdf_bytes: bytes, expiring: Any, settings: Any
    ) -> None:
        from kravspar.portal import services

        settings.KRAVSPAR_DOCUMENT_WARNING_DAYS = [30]
        services.document_withdraw(actor=contact_a, document=expiring)
        make_document(contact_a, pdf_bytes, title="Långt borta", valid_until=TODAY + datetime.timedelta(days=300))
        self.run()
        assert mail.outbox == []

    def test_other_suppliers_contacts_are_not_told(
        self, contact_a: Any, contact_b: Any, expiring: Any, settings: Any
    ) -> None:
        self.run()
        assert all(contact_b.email not in m.to for m in mail.outbox)
