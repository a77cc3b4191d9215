"""apply_retention on the two record types added last: files attached to questionnaire
answers (counted from their request's contract's end) and supplier library documents
(counted from the end of the supplier's last contract, under the longest of its owners'
rules). For each: the due item is disposed of (file gone, name "gallrad" in the row, the
answers and the history), the not-due item is kept, and a second run changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.base import ContentFile

from kravspar.audit.models import AuditEvent
from kravspar.audit.services import audit_record
from kravspar.contracts.models import Contract
from kravspar.findings.tests.conftest import make_activity
from kravspar.portal.models import DocumentKind, SupplierDocument
from kravspar.questionnaires.models import AnswerFile, Question, Questionnaire, Response, Submission, SupplierRequest
from kravspar.records import services
from kravspar.records.models import DISPOSED, RecordType
from kravspar.records.tests.conftest import make_contract, stored
from kravspar.testing.factories import SupplierFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

TODAY = datetime.date(2030, 6, 30)
ENDED = datetime.date(2027, 1, 31)  # + 2 years = 2029-01-31: due
RUNNING = datetime.date(2029, 12, 31)  # + 2 years = 2031-12-31: not due


def apply(capture: Any) -> list[Any]:
    with capture(execute=True):
        return services.retention_apply(today=TODAY)


def answer_file(world: Any, contract: Contract, name: str) -> AnswerFile:
    questionnaire = Questionnaire.objects.create(title=f"Frågor {contract.contract_number}")
    question = Question.objects.create(questionnaire=questionnaire, text="Bifoga personallistan", type="file")
    request = SupplierRequest.objects.create(
        activity=make_activity(contract),
        contract=contract,
        supplier=contract.suppliers.get(),
        kind="questionnaire",
        title="Personal",
        questionnaire=questionnaire,
        deadline=datetime.date(2026, 3, 1),
    )
    stored_file = AnswerFile(
        request=request,
        question=question,
        original_name=name,
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
        uploaded_by=world.admin,
    )
    stored_file.file.save(name, ContentFile(b"%PDF"), save=False)
    stored_file.save()
    answers = {str(question.uuid): stored_file.as_answer(), "other": "ja"}
    Response.objects.create(request=request, answers=answers)
    Submission.objects.create(request=request, number=1, answers=answers, submitted_by=world.admin)
    audit_record(actor=world.admin, action="request.file_uploaded", obj=request, after={"file": name, "size": 4})
    return stored_file


def test_answer_files_due_are_disposed_of_the_rest_kept_and_twice_is_once(
    world: Any, settings: Any, django_capture_on_commit_callbacks: Any, make_rule: Any
) -> None:
    supplier = SupplierFactory.create()
    due = answer_file(world, make_contract("AF-1", ENDED, world.sormland, supplier), "lista-anna.pdf")
    running = answer_file(world, make_contract("AF-2", RUNNING, world.sormland, supplier), "lista-bo.pdf")
    no_rule = answer_file(world, make_contract("AF-3", ENDED, world.vastmanland, supplier), "lista-cy.pdf")
    make_rule(RecordType.ANSWER_FILE)
    kept_files = {running.file.name, no_rule.file.name}

    done = apply(django_capture_on_commit_callbacks)
    assert [(d.record_type, d.contract_number) for d in done] == [(RecordType.ANSWER_FILE, "AF-1")]
    assert set(AnswerFile.objects.filter(original_name=DISPOSED).values_list("pk", flat=True)) == {due.pk}
    assert AnswerFile.objects.get(pk=due.pk).file.name == DISPOSED
    assert stored(settings) == kept_files
    for model in (Response, Submission):
        names = {
            r.request.contract.contract_number: r.answers for r in model.objects.select_related("request__contract")
        }
        assert names["AF-1"][str(due.question.uuid)] == {"file": str(due.uuid), "name": DISPOSED}
        assert names["AF-1"]["other"] == "ja"
        assert names["AF-2"][str(running.question.uuid)]["name"] == "lista-bo.pdf"
    uploaded = [e.after["file"] for e in AuditEvent.objects.filter(action="request.file_uploaded")]
    assert sorted(uploaded) == sorted([DISPOSED, "lista-bo.pdf", "lista-cy.pdf"])
    disposed = AuditEvent.objects.get(action="records.disposed")
    assert (
        disposed.after["record_type"] == RecordType.ANSWER_FILE and disposed.after["decision"] == "RS-2024-0456 DHP 4.6"
    )

    history = AuditEvent.objects.count()
    assert apply(django_capture_on_commit_callbacks) == []
    assert AuditEvent.objects.count() == history
    assert stored(settings) == kept_files


def library_document(world: Any, supplier: Any, title: str) -> SupplierDocument:
    document = SupplierDocument(
        supplier=supplier,
        kind=DocumentKind.CERTIFICATE,
        title=title,
        valid_from=datetime.date(2025, 1, 1),
        original_name=f"{title}-signerad-anna.pdf",
        content_type="application/pdf",
        size=4,
        sha256="1" * 64,
    )
    document.file.save("x.pdf", ContentFile(b"%PDF"), save=False)
    document.save()
    audit_record(
        actor=world.admin, action="supplier_document.added", obj=document, after={"file": document.original_name}
    )
    return document


def test_supplier_documents_go_after_the_suppliers_last_contract_and_twice_is_once(
    world: Any, settings: Any, django_capture_on_commit_callbacks: Any, make_rule: Any
) -> None:
    gone, still, other = SupplierFactory.create(), SupplierFactory.create(), SupplierFactory.create()
    make_contract("SD-1", ENDED, world.sormland, gone)
    make_contract("SD-2", ENDED, world.sormland, still)
    make_contract("SD-3", RUNNING, world.sormland, still)  # its last contract is not yet due
    make_contract("SD-4", ENDED, world.sormland, other)
    make_contract("SD-5", ENDED, world.vastmanland, other)  # an owner without a rule keeps it
    due = library_document(world, gone, "iso")
    kept = [library_document(world, still, "iso"), library_document(world, other, "iso")]
    make_rule(RecordType.SUPPLIER_DOCUMENT)

    done = apply(django_capture_on_commit_callbacks)
    assert [(d.record_type, d.contract_number) for d in done] == [(RecordType.SUPPLIER_DOCUMENT, "SD-1")]
    assert set(SupplierDocument.objects.filter(original_name=DISPOSED).values_list("pk", flat=True)) == {due.pk}
    assert stored(settings) == {d.file.name for d in kept}
    added = AuditEvent.objects.filter(action="supplier_document.added")
    assert sorted(e.after["file"] for e in added) == sorted([DISPOSED, *(d.original_name for d in kept)])

    history = AuditEvent.objects.count()
    assert apply(django_capture_on_commit_callbacks) == []
    assert AuditEvent.objects.count() == history
    assert stored(settings) == {d.file.name for d in kept}
