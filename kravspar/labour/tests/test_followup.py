"""The two-step follow-up from the officer's and the supplier's side, who may open a step-2
document (every persona), that the documents never leave through exports, open data or
the history, and that they are deleted when due."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from kravspar.audit.models import AuditEvent
from kravspar.core.errors import NotAllowedError
from kravspar.findings.models import Deviation
from kravspar.labour import services
from kravspar.labour.models import (
    Condition,
    DeclarationStatus,
    DocumentRequestStatus,
    ProofDocument,
    ReviewOutcome,
)
from kravspar.labour.tests.conftest import pdf
from kravspar.secrecy.models import DownloadLog, DownloadReason
from kravspar.testing.factories import UserFactory

FILE_NAME = "lonebesked-anna-andersson-maj.pdf"


def _answer_all(cast: Any, followup: Any) -> None:
    for declaration in followup.declarations.all():
        services.declaration_answer(
            actor=cast.contact,
            declaration=declaration,
            answers={c.value: True for c in Condition},
            employees=8,
        )


@pytest.fixture
def doc_request(world: Any, cast: Any, followup: Any) -> Any:
    return services.document_request_create(
        actor=world.officer,
        followup=followup,
        subcontractor=cast.subcontractor,
        reason="suspicion",
        employees=3,
        months=["2026-03", "2026-09"],
        kinds=["payslip", "time_report"],
        due_on=datetime.date.today() + datetime.timedelta(days=10),
    )


@pytest.fixture
def document(cast: Any, doc_request: Any) -> ProofDocument:
    return services.proof_upload(actor=cast.contact, request=doc_request, kind="payslip", upload=pdf(FILE_NAME))


class TestStepOne:
    def test_opening_asks_the_supplier_and_each_subcontractor(self, cast: Any, followup: Any) -> None:
        parties = [(d.supplier_id, d.subcontractor_id) for d in followup.declarations.all()]
        assert parties == [(cast.supplier.pk, None), (cast.supplier.pk, cast.subcontractor.pk)]
        assert followup.agreement == cast.agreement and followup.officer == cast.procurement.officer

    def test_the_supplier_answers_for_itself_and_its_subcontractor_in_the_portal(
        self, cast: Any, followup: Any, client_for: Any
    ) -> None:
        client = client_for(cast.contact)
        home = client.get(reverse("labour_portal:home")).content.decode()
        assert "Fönsterputsarna AB" in home
        for declaration in followup.declarations.all():
            page = client.get(reverse("labour_portal:declaration", args=[declaration.uuid])).content.decode()
            assert "Serviceentreprenadavtalet" in page
            response = client.post(
                reverse("labour_portal:declaration", args=[declaration.uuid]),
                {"wages": "yes", "holiday": "yes", "working_hours": "yes", "employees": "6"},
            )
            assert response.status_code == 302
        assert set(followup.declarations.values_list("status", flat=True)) == {DeclarationStatus.ANSWERED}

    def test_a_no_needs_a_comment(self, cast: Any, followup: Any) -> None:
        declaration = followup.declarations.first()
        with pytest.raises(ValidationError) as exc:
            services.declaration_answer(
                actor=cast.contact,
                declaration=declaration,
                answers={"wages": False, "holiday": True, "working_hours": True},
                employees=4,
            )
        assert exc.value.message_dict["comment"] == ["Kommentar: ange vad som inte uppfylls och varför."]

    def test_another_supplier_cannot_see_or_answer(self, cast: Any, followup: Any, client_for: Any) -> None:
        declaration = followup.declarations.first()
        client = client_for(cast.outsider)
        assert client.get(reverse("labour_portal:declaration", args=[declaration.uuid])).status_code == 404
        with pytest.raises(NotAllowedError):
            services.declaration_answer(
                actor=cast.outsider, declaration=declaration, answers={c.value: True for c in Condition}, employees=2
            )

    def test_buyer_staff_do_not_use_the_supplier_pages(self, world: Any, client_for: Any) -> None:
        assert client_for(world.officer).get(reverse("labour_portal:home")).status_code == 403


class TestStepTwo:
    def test_the_supplier_uploads_and_the_officer_reviews_each_condition(
        self, world: Any, cast: Any, doc_request: Any, client_for: Any
    ) -> None:
        client = client_for(cast.contact)
        response = client.post(
            reverse("labour_portal:request", args=[doc_request.uuid]), {"kind": "payslip", "file": pdf(FILE_NAME)}
        )
        assert response.status_code == 302
        document = ProofDocument.objects.get()
        assert document.personal_data and document.delete_after is None
        doc_request.refresh_from_db()
        assert doc_request.status == DocumentRequestStatus.SUBMITTED

        client = client_for(world.officer)
        url = reverse("labour:followup", args=[doc_request.followup.uuid])
        for condition, outcome, note in (
            ("wages", "deviation", "Två anställda under minimilönen."),
            ("holiday", "meets", ""),
            ("working_hours", "meets", ""),
        ):
            response = client.post(
                url,
                {
                    "action": "review",
                    "request": str(doc_request.uuid),
                    "condition": condition,
                    f"{condition}-condition": condition,
                    f"{condition}-outcome": outcome,
                    f"{condition}-note": note,
                    f"{condition}-checklist": ["payslips_cover_sample"] if condition == "wages" else [],
                },
            )
            assert response.status_code == 302, response.content.decode()[:2000]
        deviation = Deviation.objects.get()
        assert deviation.subcontractor == cast.subcontractor and deviation.supplier == cast.supplier
        assert deviation.kind == "labour" and "lön" in deviation.title
        doc_request.refresh_from_db()
        assert doc_request.status == DocumentRequestStatus.REVIEWED

    def test_a_review_needs_documents_and_a_note_when_not_met(self, world: Any, doc_request: Any) -> None:
        with pytest.raises(ValidationError) as exc:
            services.condition_review(
                actor=world.officer, request=doc_request, condition="wages", outcome=ReviewOutcome.DEVIATION
            )
        assert "Inga handlingar har laddats upp för denna begäran än." in exc.value.message_dict["outcome"]
        assert exc.value.message_dict["note"] == ["Anteckning: ange vad handlingarna visar."]

    def test_only_the_officers_on_the_contract_request_and_review(
        self, world: Any, cast: Any, followup: Any, document: Any
    ) -> None:
        for person in (cast.other_officer, world.admin, world.reader):
            with pytest.raises(NotAllowedError):
                services.condition_review(
                    actor=person, request=document.request, condition="wages", outcome=ReviewOutcome.MEETS
                )
            with pytest.raises(NotAllowedError):
                services.consultation_record(
                    actor=person, followup=followup, union="Fastighets", contact="X", held_on=None, summary="x"
                )

    def test_a_wrong_file_is_refused(self, cast: Any, doc_request: Any) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        with pytest.raises(ValidationError):
            services.proof_upload(
                actor=cast.contact,
                request=doc_request,
                kind="payslip",
                upload=SimpleUploadedFile("x.exe", b"MZ\x90\x00binary", content_type="application/octet-stream"),
            )
        with pytest.raises(ValidationError) as exc:
            services.proof_upload(actor=cast.contact, request=doc_request, kind="subcontract", upload=pdf())
        assert exc.value.message_dict["kind"] == ["Handling: välj en av de begärda handlingarna."]


class TestWhoOpensAStepTwoDocument:
    """Only the Inköp officers on the contract and the uploading supplier; 404 for all others."""

    @pytest.mark.parametrize(
        ("persona", "status"),
        [
            ("officer", 200),  # the procurement's and follow-up's officer
            ("contact", 200),  # the uploading supplier
            ("other_officer", 404),  # Inköp, but not on this contract
            ("admin", 404),
            ("reader", 404),
            ("orderer_vm", 404),
            ("orderer_sl", 404),
            ("env_vm", 404),
            ("outsider", 404),  # another supplier
            ("supplier_contact", 404),  # the shared world's supplier
        ],
    )
    def test_persona(self, world: Any, cast: Any, document: Any, client_for: Any, persona: str, status: int) -> None:
        person = getattr(cast, persona, None) or getattr(world, persona)
        response = client_for(person).get(reverse("labour:proof_file", args=[document.uuid]))
        assert response.status_code == status
        if status == 200:
            assert b"".join(response.streaming_content) == document.file.open("rb").read()  # type: ignore[attr-defined]
            assert response["Cache-Control"] == "private, no-store"
        # Personal data: every download is logged for the DPO (issue 14), refusals are not.
        logged = DownloadLog.objects.filter(object_uuid=document.uuid, reason=DownloadReason.PERSONAL_DATA)
        assert list(logged.values_list("user_id", "file_name")) == ([(person.pk, FILE_NAME)] if status == 200 else [])

    def test_anonymous_is_sent_to_log_in(self, client: Any, document: Any) -> None:
        response = client.get(reverse("labour:proof_file", args=[document.uuid]))
        assert response.status_code == 302 and response["Location"].startswith("/logga-in/")

    def test_a_contact_of_the_same_supplier_who_did_not_upload_may_open_it(
        self, cast: Any, document: Any, client_for: Any
    ) -> None:
        from kravspar.accounts.roles import Role

        colleague = UserFactory.create(username="ada", supplier=cast.supplier, roles=[Role.SUPPLIER_CONTACT])
        assert client_for(colleague).get(reverse("labour:proof_file", args=[document.uuid])).status_code == 200

    def test_a_reader_sees_the_follow_up_but_no_link_to_the_documents(
        self, world: Any, cast: Any, document: Any, client_for: Any
    ) -> None:
        page = client_for(world.reader).get(reverse("labour:followup", args=[document.request.followup.uuid]))
        body = page.content.decode()
        assert page.status_code == 200 and "Lönebesked" in body and "Personuppgifter" in body
        assert FILE_NAME not in body and str(document.uuid) not in body
        officer_page = client_for(world.officer).get(reverse("labour:followup", args=[document.request.followup.uuid]))
        assert FILE_NAME in officer_page.content.decode()

    def test_a_reader_cannot_change_the_follow_up(self, world: Any, followup: Any, client_for: Any) -> None:
        response = client_for(world.reader).post(
            reverse("labour:followup", args=[followup.uuid]), {"action": "close", "conclusion": "x"}
        )
        assert response.status_code == 403

    def test_never_in_exports_open_data_or_history(self, world: Any, cast: Any, document: Any, client_for: Any) -> None:
        needles = (FILE_NAME, document.sha256, str(document.uuid), document.file.name)
        client = client_for(world.admin)
        for name in ("avtal", "upphandlingar", "avvikelser", "uppfoljningar", "leverantorer"):
            response = client.get(reverse("reports:export", args=[name, "csv"]))
            assert response.status_code == 200, name
            body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
            text = body.decode("utf-8-sig", errors="replace")
            assert not any(n in text for n in needles), name
        releases = client.get("/api/v1/ocds/releases")
        body = b"".join(releases.streaming_content) if releases.streaming else releases.content  # type: ignore[attr-defined]
        assert releases.status_code == 200 and not any(n in body.decode() for n in needles)
        for event in AuditEvent.objects.all():
            assert not any(n in str(event.before) + str(event.after) + event.object_repr for n in needles)
        history = client.get(reverse("audit:search")).content.decode()
        assert not any(n in history for n in needles)


class TestDeletion:
    def test_closing_schedules_deletion_after_the_retention_period(
        self, world: Any, document: Any, settings: Any
    ) -> None:
        services.followup_close(
            actor=world.officer,
            followup=document.request.followup,
            conclusion="Brister åtgärdade.",
            closed_on=datetime.date(2026, 3, 31),
        )
        document.refresh_from_db()
        assert document.delete_after == datetime.date(2028, 3, 31)  # default 24 months, month end kept
        settings.KRAVSPAR_LABOUR_DOCUMENT_RETENTION_MONTHS = 6
        assert services.retention_months() == 6

    def test_the_setting_decides_the_period(self, world: Any, document: Any, settings: Any) -> None:
        settings.KRAVSPAR_LABOUR_DOCUMENT_RETENTION_MONTHS = 6
        services.followup_close(
            actor=world.officer,
            followup=document.request.followup,
            conclusion="Ok.",
            closed_on=datetime.date(2026, 2, 10),
        )
        document.refresh_from_db()
        assert document.delete_after == datetime.date(2026, 8, 10)

    def test_the_retention_schedule_decides_the_period_when_it_has_a_rule(
        self, world: Any, document: Any, settings: Any
    ) -> None:
        from kravspar.records.models import RetentionRule

        settings.KRAVSPAR_LABOUR_DOCUMENT_RETENTION_MONTHS = 6
        RetentionRule.objects.create(
            organisation=world.vastmanland,
            record_type="labour_document",
            anchor="followup_closed",
            period=1,
            unit="years",
            decision="RV-2024-0231 4.4",
        )
        services.followup_close(
            actor=world.officer,
            followup=document.request.followup,
            conclusion="Ok.",
            closed_on=datetime.date(2026, 2, 10),
        )
        document.refresh_from_db()
        assert document.delete_after == datetime.date(2027, 2, 10)
        assert services.proof_documents_purge(today=datetime.date(2027, 2, 9)) == 0
        assert services.proof_documents_purge(today=datetime.date(2027, 2, 10)) == 1
        assert AuditEvent.objects.get(action="records.disposed").after["decision"] == "RV-2024-0231 4.4"

    def test_nothing_is_deleted_before_the_day_and_everything_due_on_it(
        self, world: Any, cast: Any, document: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        storage, name = document.file.storage, document.file.name
        services.followup_close(
            actor=world.officer,
            followup=document.request.followup,
            conclusion="Ok.",
            closed_on=datetime.date(2026, 1, 15),
        )
        assert services.proof_documents_purge(today=datetime.date(2028, 1, 14)) == 0
        assert ProofDocument.objects.filter(pk=document.pk).exists() and storage.exists(name)
        with pytest.raises(services.LabourStateError):
            services.proof_upload(actor=cast.contact, request=document.request, kind="payslip", upload=pdf())
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):  # the file goes once the row's deletion commits
            call_command("purge_labour_documents", "--today", "2028-01-15", stdout=out)
        assert out.getvalue().startswith("1 ")
        assert not ProofDocument.objects.filter(pk=document.pk).exists()
        assert not storage.exists(name)
        assert (
            AuditEvent.objects.get(action="records.disposed").after["decision"]
            == "KRAVSPAR_LABOUR_DOCUMENT_RETENTION_MONTHS"
        )

    def test_open_follow_ups_keep_their_documents(self, document: Any) -> None:
        assert services.proof_documents_purge(today=datetime.date(2100, 1, 1)) == 0
        assert ProofDocument.objects.filter(pk=document.pk).exists()


class TestUnionConsultation:
    def test_recorded_as_evidence_on_the_follow_up(self, world: Any, followup: Any, client_for: Any) -> None:
        response = client_for(world.officer).post(
            reverse("labour:followup", args=[followup.uuid]),
            {
                "action": "consult",
                "union": "Fastighetsanställdas Förbund",
                "contact": "Ombudsman Eva",
                "held_on": "2026-02-01",
                "summary": "Minimilönen i avtalet bekräftades.",
            },
        )
        assert response.status_code == 302
        page = client_for(world.reader).get(reverse("labour:followup", args=[followup.uuid])).content.decode()
        assert "Fastighetsanställdas Förbund" in page and "Minimilönen i avtalet bekräftades." in page

    def test_a_future_day_is_refused(self, world: Any, followup: Any) -> None:
        with pytest.raises(ValidationError) as exc:
            services.consultation_record(
                actor=world.officer,
                followup=followup,
                union="Fastighets",
                contact="Eva",
                held_on=datetime.date.today() + datetime.timedelta(days=1),
                summary="x",
            )
        assert exc.value.message_dict["held_on"] == ["När: ange dagen, inte i framtiden."]
