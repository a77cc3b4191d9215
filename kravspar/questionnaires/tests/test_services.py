"""Requests to a supplier, from the officer's draft to the accepted answers."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kravspar.audit.models import AuditEvent
from kravspar.core.errors import ConcurrentEditError, NotAllowedError
from kravspar.followups import services as followup_services
from kravspar.followups.models import ActivityStatus, Evidence, Outcome
from kravspar.questionnaires import services
from kravspar.questionnaires.models import RequestStatus, Submission
from kravspar.questionnaires.services import RequestStateError

from .conftest import TODAY, answer_yes_with_file, pdf, questions_by_text


def test_a_request_keeps_its_own_copy_of_the_questions(world, draft, template):
    # When the template is edited after the request was made
    first = template.questions.get(text="Tillämpar ni kollektivavtal?")
    services.question_update(actor=world.officer, question=first, text="Ändrad fråga")
    services.question_add(actor=world.officer, questionnaire=template, text="Ny fråga", type="text")
    # Then the request still asks what it asked
    texts = list(draft.questionnaire.questions.values_list("text", flat=True))
    assert texts == ["Tillämpar ni kollektivavtal?", "Bifoga avtalet", "Varför inte?", "Lägsta timlön"]
    # And the follow-up question points at the copy's question, not the template's
    follow_up = draft.questionnaire.questions.get(text="Bifoga avtalet")
    assert follow_up.show_if_question.questionnaire_id == draft.questionnaire_id


def test_sending_emails_the_contacts_in_swedish_and_the_activity_waits(
    world, draft, labour_activity, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _sent, mailed = services.request_send(actor=world.officer, supplier_request=draft)
    assert mailed == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.supplier_contact.email]
    # The supplier hears from the buyer's purchasing function, never "beställaren" (the ordering unit).
    assert "Förfrågan från Inköp" in message.subject
    assert "beställare" not in (message.subject + message.body).lower()
    assert f"/forfragningar/{draft.uuid}/svara/" in message.body
    draft.refresh_from_db()
    labour_activity.refresh_from_db()
    assert draft.status == RequestStatus.SENT
    assert labour_activity.status == ActivityStatus.AWAITING_SUPPLIER
    assert AuditEvent.objects.filter(action="request.sent", object_id=str(draft.uuid)).exists()


def test_an_empty_request_cannot_be_sent(world, labour_activity):
    empty = services.request_create(
        actor=world.officer,
        activity=labour_activity,
        kind="documents",
        title="Dokument",
        deadline=TODAY + datetime.timedelta(days=3),
    )
    with pytest.raises(ValidationError) as exc:
        services.request_send(actor=world.officer, supplier_request=empty)
    assert "questions" in exc.value.message_dict


def test_create_validates_in_swedish(world, labour_activity):
    with pytest.raises(ValidationError) as exc:
        services.request_create(
            actor=world.officer,
            activity=labour_activity,
            kind="nonsense",
            title=" ",
            deadline=TODAY - datetime.timedelta(days=1),
        )
    errors = exc.value.message_dict
    assert set(errors) == {"kind", "title", "deadline"}
    assert errors["deadline"] == ["Tidsfristen kan inte ligga i det förflutna."]


def test_only_who_may_record_the_activity_creates_requests(world, labour_activity, template):
    # The beställare's unit is not responsible for the labour follow-up
    with pytest.raises(NotAllowedError):
        services.request_create(
            actor=world.orderer_vm,
            activity=labour_activity,
            kind="self_assessment",
            title="X",
            deadline=TODAY,
            template=template,
        )
    with pytest.raises(NotAllowedError):
        services.request_create(
            actor=world.supplier_contact, activity=labour_activity, kind="self_assessment", title="X", deadline=TODAY
        )


def test_the_whole_round_versions_are_kept_and_the_activity_records_it(world, submitted, labour_activity):
    labour_activity.refresh_from_db()
    assert labour_activity.status == ActivityStatus.UNDER_REVIEW
    # The officer asks for completion
    services.request_ask_completion(
        actor=world.officer, supplier_request=submitted, comment="Bifoga även underleverantörens avtal."
    )
    submitted.refresh_from_db()
    labour_activity.refresh_from_db()
    assert submitted.status == RequestStatus.NEEDS_COMPLETION
    assert labour_activity.status == ActivityStatus.AWAITING_SUPPLIER
    # The supplier revises: a new file and a new wage
    q = questions_by_text(submitted)
    response = services.response_save(
        actor=world.supplier_contact,
        supplier_request=submitted,
        answers={q["Tillämpar ni kollektivavtal?"].key: "yes", q["Lägsta timlön"].key: "160"},
        files={q["Bifoga avtalet"].key: pdf("avtal-v2.pdf")},
    )
    services.request_submit(actor=world.supplier_contact, supplier_request=submitted, expected_version=response.version)
    submitted.refresh_from_db()
    # The officer accepts
    services.request_accept(actor=world.officer, supplier_request=submitted, comment="Bra.")
    submitted.refresh_from_db()
    labour_activity.refresh_from_db()
    assert submitted.status == RequestStatus.ACCEPTED
    versions = list(Submission.objects.filter(request=submitted).order_by("number"))
    assert [(v.number, v.decision) for v in versions] == [(1, "needs_completion"), (2, "accepted")]
    assert versions[0].answers[q["Lägsta timlön"].key] == "152.50"
    assert versions[1].answers[q["Lägsta timlön"].key] == "160"
    assert versions[0].answers[q["Bifoga avtalet"].key]["name"] == "policy.pdf"
    assert versions[1].answers[q["Bifoga avtalet"].key]["name"] == "avtal-v2.pdf"
    assert versions[0].comment == "Bifoga även underleverantörens avtal."
    # The follow-up records it: done, compliant, a note, and the accepted file as evidence
    assert labour_activity.status == ActivityStatus.DONE
    assert labour_activity.outcome == Outcome.COMPLIANT
    assert "Självdeklaration arbetsvillkor" in labour_activity.notes
    assert list(Evidence.objects.filter(activity=labour_activity).values_list("original_name", flat=True)) == [
        "avtal-v2.pdf"
    ]


def test_accepting_without_completing_leaves_the_activity_open_with_a_note(world, submitted, labour_activity):
    services.request_accept(actor=world.officer, supplier_request=submitted, complete_activity=False)
    labour_activity.refresh_from_db()
    assert labour_activity.status == ActivityStatus.UNDER_REVIEW
    assert "version 1" in labour_activity.notes


def test_required_and_conditional_questions_on_submit(world, sent):
    q = questions_by_text(sent)
    # Nothing answered: the required question is named
    with pytest.raises(ValidationError) as exc:
        services.request_submit(actor=world.supplier_contact, supplier_request=sent)
    assert exc.value.message_dict == {
        q["Tillämpar ni kollektivavtal?"].field_name: ["Svara på frågan: den är obligatorisk."]
    }
    # "No" shows the reason question, which is then required; the file question is not
    services.response_save(
        actor=world.supplier_contact, supplier_request=sent, answers={q["Tillämpar ni kollektivavtal?"].key: "no"}
    )
    with pytest.raises(ValidationError) as exc:
        services.request_submit(actor=world.supplier_contact, supplier_request=sent)
    assert set(exc.value.message_dict) == {q["Varför inte?"].field_name}
    # A hidden follow-up's answer is dropped on submit
    services.response_save(
        actor=world.supplier_contact,
        supplier_request=sent,
        answers={
            q["Tillämpar ni kollektivavtal?"].key: "no",
            q["Varför inte?"].key: "Vi är ett litet företag.",
        },
    )
    submission = services.request_submit(actor=world.supplier_contact, supplier_request=sent)
    assert set(submission.answers) == {q["Tillämpar ni kollektivavtal?"].key, q["Varför inte?"].key}


def test_bad_answers_are_refused_and_nothing_is_saved(world, sent):
    q = questions_by_text(sent)
    with pytest.raises(ValidationError) as exc:
        services.response_save(
            actor=world.supplier_contact,
            supplier_request=sent,
            answers={q["Tillämpar ni kollektivavtal?"].key: "kanske", q["Lägsta timlön"].key: "mycket"},
            files={q["Bifoga avtalet"].key: SimpleUploadedFile("virus.exe", b"MZ\x90\x00\x03", "application/pdf")},
        )
    errors = exc.value.message_dict
    assert errors[q["Tillämpar ni kollektivavtal?"].field_name] == ["Svara ja eller nej."]
    assert errors[q["Lägsta timlön"].field_name] == ["Skriv ett tal, t.ex. 38 eller 12,5."]
    assert "filtypen godtas inte" in errors[q["Bifoga avtalet"].field_name][0]
    sent.response.refresh_from_db()
    assert sent.response.answers == {}


def test_a_stale_draft_is_a_conflict(world, sent):
    q = questions_by_text(sent)
    version = sent.response.version
    services.response_save(
        actor=world.supplier_contact,
        supplier_request=sent,
        answers={q["Lägsta timlön"].key: "150"},
        expected_version=version,
    )
    with pytest.raises(ConcurrentEditError):
        services.response_save(
            actor=world.supplier_contact,
            supplier_request=sent,
            answers={q["Lägsta timlön"].key: "151"},
            expected_version=version,
        )


def test_supplier_b_cannot_answer_supplier_as_request(world, sent, outsider):
    with pytest.raises(NotAllowedError):
        services.response_save(actor=outsider, supplier_request=sent, answers={})
    with pytest.raises(NotAllowedError):
        services.request_submit(actor=outsider, supplier_request=sent)


def test_no_answers_after_submission_until_sent_back(world, submitted):
    with pytest.raises(RequestStateError):
        services.response_save(actor=world.supplier_contact, supplier_request=submitted, answers={})
    with pytest.raises(ValidationError) as exc:
        services.request_ask_completion(actor=world.officer, supplier_request=submitted, comment=" ")
    assert "comment" in exc.value.message_dict


def test_cancel_needs_a_reason_and_tells_the_supplier(world, sent, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError):
        services.request_cancel(actor=world.officer, supplier_request=sent, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_cancel(actor=world.officer, supplier_request=sent, reason="Fel leverantör.")
    sent.refresh_from_db()
    assert sent.status == RequestStatus.CANCELLED
    assert "Fel leverantör." in mail.outbox[-1].body
    with pytest.raises(RequestStateError):
        services.request_send(actor=world.officer, supplier_request=sent)


def test_questions_of_a_sent_request_cannot_change(world, sent):
    question = sent.questionnaire.questions.first()
    with pytest.raises(RequestStateError):
        services.question_update(actor=world.officer, question=question, text="Ny")


def test_builder_rules(world, template):
    first = template.questions.get(text="Tillämpar ni kollektivavtal?")
    number = template.questions.get(text="Lägsta timlön")
    with pytest.raises(ValidationError) as exc:
        services.question_add(actor=world.officer, questionnaire=template, text="Val", type="single", options="bara en")
    assert exc.value.message_dict == {"options": ["Ange minst två alternativ, ett per rad."]}
    with pytest.raises(ValidationError) as exc:
        services.question_add(
            actor=world.officer,
            questionnaire=template,
            text="Följd",
            type="text",
            show_if_question=number,
            show_if_value="3",
        )
    assert "show_if_question" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.question_add(
            actor=world.officer,
            questionnaire=template,
            text="Följd",
            type="text",
            show_if_question=first,
            show_if_value="kanske",
        )
    # A follow-up cannot move above the question it depends on
    follow_up = template.questions.get(text="Bifoga avtalet")
    with pytest.raises(ValidationError):
        services.question_move(actor=world.officer, question=follow_up, direction="up")
    services.question_move(actor=world.officer, question=number, direction="up")
    assert list(template.questions.order_by("position").values_list("text", flat=True))[2:] == [
        "Lägsta timlön",
        "Varför inte?",
    ]
    # Deleting a question frees its follow-ups
    services.question_delete(actor=world.officer, question=first)
    follow_up.refresh_from_db()
    assert follow_up.show_if_question is None
    # Only Inköp keeps templates
    with pytest.raises(NotAllowedError):
        services.question_add(actor=world.orderer_vm, questionnaire=template, text="X", type="text")


def test_supplier_answered_moves_only_an_awaiting_activity(world, labour_activity, outsider, supplier_a):
    followup_services.activity_start(actor=world.officer, activity=labour_activity)
    labour_activity.refresh_from_db()
    # Not awaiting: left as it is
    followup_services.activity_supplier_answered(actor=world.supplier_contact, activity=labour_activity)
    labour_activity.refresh_from_db()
    assert labour_activity.status == ActivityStatus.IN_PROGRESS
    followup_services.activity_await_supplier(actor=world.officer, activity=labour_activity)
    with pytest.raises(NotAllowedError):
        followup_services.activity_supplier_answered(actor=outsider, activity=labour_activity)
    with pytest.raises(NotAllowedError):
        followup_services.activity_supplier_answered(actor=world.officer, activity=labour_activity)
    followup_services.activity_supplier_answered(actor=world.supplier_contact, activity=labour_activity)
    labour_activity.refresh_from_db()
    assert labour_activity.status == ActivityStatus.UNDER_REVIEW


def test_submitting_tells_the_officer(world, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer_yes_with_file(world, sent)
    assert mail.outbox[-1].to == [world.officer.email]
    assert f"/forfragningar/{sent.uuid}/" in mail.outbox[-1].body


def test_a_question_keeps_the_answer_its_follow_up_depends_on(world, template):
    parent = template.questions.get(text="Tillämpar ni kollektivavtal?")
    with pytest.raises(ValidationError) as exc:
        services.question_update(actor=world.officer, question=parent, type="text")
    assert "Bifoga avtalet" in exc.value.message_dict["type"][0]
