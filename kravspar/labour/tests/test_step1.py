"""Step 1 through the questionnaires: the officer sends the labour self-declaration template,
naming the follow-up's collective agreement, once for the supplier and once for each
subcontractor; the supplier answers in the portal; the answers show on the follow-up and
count in the report. Outsiders (another region, another supplier, an officer not on the
contract) reach none of it."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kravspar.audit.models import AuditEvent
from kravspar.core.errors import DomainError, NotAllowedError
from kravspar.followups.models import ActivityStatus
from kravspar.labour import services
from kravspar.labour.models import Condition, DeclarationStatus, SelfDeclaration
from kravspar.labour.report import labour_report
from kravspar.procurements.models import Method
from kravspar.questionnaires.models import QuestionType, RequestStatus, SupplierRequest

pytestmark = pytest.mark.django_db


def _deadline() -> datetime.date:
    return datetime.date.today() + datetime.timedelta(days=20)


def _post_step1(client: Any, followup: Any) -> Any:
    return client.post(
        reverse("labour:followup", args=[followup.uuid]),
        {"action": "step1", "deadline": _deadline().isoformat(), "message": "Svara senast på fredag."},
    )


def _answer_in_portal(client: Any, supplier_request: SupplierRequest, *, wages: str = "yes") -> Any:
    """Fill in every shown required question of the copy the way a supplier would, and submit."""
    questions = list(supplier_request.questionnaire.questions.order_by("position", "id"))
    declaration = supplier_request.labour_declaration
    data: dict[str, str] = {"version": str(supplier_request.response.version), "submit": "1"}
    values = {
        QuestionType.YES_NO: "no",
        QuestionType.NUMBER: "40",
        QuestionType.TEXT: "Serviceentreprenadavtalet",
        QuestionType.DATE: datetime.date.today().isoformat(),
    }
    for question in questions:
        if question.show_if_question_id is not None or question.type not in values:
            continue
        data[question.field_name] = values[QuestionType(question.type)]
    by_key = {q.key: q for q in questions}
    for condition in Condition:
        data[by_key[declaration.questions[condition.value]].field_name] = "yes"
    data[by_key[declaration.questions[Condition.WAGES.value]].field_name] = wages
    data[by_key[declaration.questions["employees"]].field_name] = "12"
    # The template's first question (a central collective agreement applied?) is "yes".
    data[questions[4].field_name] = "yes"
    follow = [q for q in questions if q.show_if_question_id == questions[4].pk]
    for question in follow:
        data[question.field_name] = values[QuestionType(question.type)]
    return client.post(reverse("questionnaires:answer", args=[supplier_request.uuid]), data)


def test_officer_sends_step1_supplier_answers_in_the_portal_officer_sees_it(
    world: Any, cast: Any, followup: Any, client_for: Any
) -> None:
    officer = client_for(world.officer)
    response = _post_step1(officer, followup)
    assert response.status_code == 302, re.findall(
        r"<li>(?:<a[^>]*>)?([^<]*)<", response.content.decode().split("error-summary")[-1]
    )[:5]
    declarations = list(followup.declarations.select_related("request__questionnaire").order_by("id"))
    assert len(declarations) == 2 and all(d.request is not None for d in declarations)
    requests = [d.request for d in declarations]
    assert {r.status for r in requests} == {RequestStatus.SENT}
    assert {r.supplier_id for r in requests} == {cast.supplier.pk}
    # One activity of the right method on the labour-law condition carries both requests.
    followup.refresh_from_db()
    activity = followup.activity
    assert activity.method == Method.SELF_ASSESSMENT
    assert activity.status == ActivityStatus.AWAITING_SUPPLIER
    assert activity.requirement.type == "labour"
    assert {r.activity_id for r in requests} == {activity.pk}
    # The requests are copies of the labour template, tied to the named agreement.
    for supplier_request in requests:
        questionnaire = supplier_request.questionnaire
        assert questionnaire.source == services.step1_template()
        assert cast.agreement.name in questionnaire.description
        first = list(questionnaire.questions.order_by("position")[:3])
        assert all(cast.agreement.name in q.text for q in first)
        assert questionnaire.questions.count() == questionnaire.source.questions.count() + 4
    sub_request = declarations[1].request
    assert cast.subcontractor.name in sub_request.title and cast.subcontractor.name in sub_request.message
    assert AuditEvent.objects.filter(action="labour.step1_sent").count() == 1

    supplier = client_for(cast.contact)
    home = supplier.get(reverse("labour_portal:home")).content.decode()
    assert reverse("questionnaires:answer", args=[sub_request.uuid]) in home
    # The old form sends the supplier to the questionnaire.
    old = supplier.get(reverse("labour_portal:declaration", args=[declarations[1].uuid]))
    assert old.status_code == 302 and old.url == reverse("questionnaires:answer", args=[sub_request.uuid])
    page = supplier.get(reverse("questionnaires:answer", args=[sub_request.uuid])).content.decode()
    assert cast.agreement.name in page
    answered = _answer_in_portal(supplier, sub_request, wages="no")
    assert answered.status_code == 302, answered.content.decode()[:3000]

    declaration = SelfDeclaration.objects.get(pk=declarations[1].pk)
    assert declaration.status == DeclarationStatus.ANSWERED
    assert declaration.answers == {"wages": False, "holiday": True, "working_hours": True}
    assert declaration.employees == 12 and declaration.answered_by == cast.contact
    assert "lön" in declaration.comment.lower()
    assert SelfDeclaration.objects.get(pk=declarations[0].pk).status == DeclarationStatus.REQUESTED

    officer = client_for(world.officer)  # one test client: log the officer in again
    page = officer.get(reverse("labour:followup", args=[followup.uuid])).content.decode()
    assert reverse("questionnaires:detail", args=[sub_request.uuid]) in page
    assert "Inskickad" in page  # the request's status
    row = page[page.index(cast.subcontractor.name) :]
    row = row[: row.index("</tr>")]
    assert "Nej" in row and "12" in row
    # Step 1 is done for the procurement: the report counts it.
    [figures] = labour_report(year=datetime.date.today().year, organisation_ids=[world.vastmanland.pk])
    assert figures.count("followed_up_step1") == 1


def test_step1_is_sent_once_and_not_after_closing(world: Any, cast: Any, followup: Any) -> None:
    services.step1_send(actor=world.officer, followup=followup, deadline=_deadline())
    with pytest.raises(ValidationError) as exc:
        services.step1_send(actor=world.officer, followup=followup, deadline=_deadline())
    assert "redan" in str(exc.value.message_dict["deadline"]) or "already" in str(exc.value.message_dict)
    assert SupplierRequest.objects.count() == 2
    declaration = followup.declarations.order_by("id").first()
    with pytest.raises(DomainError):  # answered through its questionnaire, not the old form
        services.declaration_answer(
            actor=cast.contact, declaration=declaration, answers={c.value: True for c in Condition}, employees=3
        )


def test_step1_deadline_must_not_be_past(world: Any, followup: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.step1_send(
            actor=world.officer, followup=followup, deadline=datetime.date.today() - datetime.timedelta(days=1)
        )
    assert "deadline" in exc.value.message_dict
    assert SupplierRequest.objects.count() == 0


def test_outsiders_cannot_send_step1(world: Any, cast: Any, followup: Any, client_for: Any) -> None:
    # Another region's orderer does not see the follow-up; an Inköp officer not on the
    # contract sees it but may not act; supplier contacts are not buyers.
    assert _post_step1(client_for(world.orderer_sl), followup).status_code == 404
    assert _post_step1(client_for(cast.other_officer), followup).status_code == 403
    assert _post_step1(client_for(cast.outsider), followup).status_code == 404
    assert _post_step1(client_for(cast.contact), followup).status_code == 404
    assert _post_step1(client_for(world.reader), followup).status_code == 403
    with pytest.raises(NotAllowedError):
        services.step1_send(actor=cast.other_officer, followup=followup, deadline=_deadline())
    assert SupplierRequest.objects.count() == 0


def test_another_supplier_cannot_see_or_answer_step1(world: Any, cast: Any, followup: Any, client_for: Any) -> None:
    [request, _sub] = services.step1_send(actor=world.officer, followup=followup, deadline=_deadline())
    outsider = client_for(cast.outsider)
    assert outsider.get(reverse("questionnaires:answer", args=[request.uuid])).status_code == 404
    assert (
        reverse("questionnaires:answer", args=[request.uuid])
        not in outsider.get(reverse("labour_portal:home")).content.decode()
    )
    assert outsider.post(reverse("questionnaires:answer", args=[request.uuid]), {"submit": "1"}).status_code == 404
    # Another region's orderer does not reach the request from the buyer's side either.
    assert client_for(world.orderer_sl).get(reverse("questionnaires:detail", args=[request.uuid])).status_code == 404
    assert followup.declarations.filter(status=DeclarationStatus.ANSWERED).count() == 0
