"""The cast of the request stories.

The cleaning contract of Region Västmanland (from the follow-up tests) has one supplier,
"supplier A", whose contact is the world's ``supplier_contact``. ``outsider`` is a contact of
supplier B, who has nothing to do with the contract. The labour-conditions follow-up is
Inköp's; the officer sends the requests."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kravspar.accounts.roles import Role
from kravspar.followups.models import Activity
from kravspar.followups.tests import conftest as followup_fixtures
from kravspar.questionnaires import services
from kravspar.questionnaires.models import Questionnaire, SupplierRequest
from kravspar.testing.factories import SupplierFactory, UserFactory

# The follow-up stories' contract fixtures (make_contract, contract, planned), shared.
make_contract = followup_fixtures.make_contract
contract = followup_fixtures.contract
planned = followup_fixtures.planned

TODAY = datetime.date.today()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "policy.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def supplier_a(world: Any, planned: Any) -> Any:
    planned.suppliers.set([world.supplier_contact.supplier])
    return world.supplier_contact.supplier


@pytest.fixture
def outsider(world: Any) -> Any:
    """A contact of supplier B, who has no part in the contract."""
    return UserFactory.create(username="supplier_b", supplier=SupplierFactory.create(), roles=[Role.SUPPLIER_CONTACT])


@pytest.fixture
def labour_activity(planned: Any, supplier_a: Any) -> Activity:
    return Activity.objects.select_related("contract", "requirement").get(
        contract=planned, requirement__title="Arbetsrättsliga villkor"
    )


@pytest.fixture
def template(world: Any) -> Questionnaire:
    """A small template: a yes/no question, a file shown on "yes", a reason shown on "no",
    an optional number."""
    t = services.questionnaire_create(actor=world.officer, title="Kollektivavtal", requirement_type="labour")
    has = services.question_add(
        actor=world.officer, questionnaire=t, text="Tillämpar ni kollektivavtal?", type="yes_no", required=True
    )
    services.question_add(
        actor=world.officer,
        questionnaire=t,
        text="Bifoga avtalet",
        type="file",
        required=True,
        show_if_question=has,
        show_if_value="yes",
    )
    services.question_add(
        actor=world.officer,
        questionnaire=t,
        text="Varför inte?",
        type="text",
        required=True,
        show_if_question=has,
        show_if_value="no",
    )
    services.question_add(actor=world.officer, questionnaire=t, text="Lägsta timlön", type="number")
    return t


def questions_by_text(request: SupplierRequest) -> dict[str, Any]:
    return {q.text: q for q in request.questionnaire.questions.all()}


@pytest.fixture
def draft(world: Any, labour_activity: Activity, template: Questionnaire) -> SupplierRequest:
    return services.request_create(
        actor=world.officer,
        activity=labour_activity,
        kind="self_assessment",
        title="Självdeklaration arbetsvillkor",
        deadline=TODAY + datetime.timedelta(days=14),
        template=template,
    )


@pytest.fixture
def sent(world: Any, draft: SupplierRequest) -> SupplierRequest:
    services.request_send(actor=world.officer, supplier_request=draft)
    draft.refresh_from_db()
    return draft


def answer_yes_with_file(world: Any, request: SupplierRequest) -> None:
    q = questions_by_text(request)
    response = services.response_save(
        actor=world.supplier_contact,
        supplier_request=request,
        answers={q["Tillämpar ni kollektivavtal?"].key: "yes", q["Lägsta timlön"].key: "152,50"},
        files={q["Bifoga avtalet"].key: pdf()},
    )
    services.request_submit(actor=world.supplier_contact, supplier_request=request, expected_version=response.version)
    request.refresh_from_db()


@pytest.fixture
def submitted(world: Any, sent: SupplierRequest) -> SupplierRequest:
    answer_yes_with_file(world, sent)
    return sent
