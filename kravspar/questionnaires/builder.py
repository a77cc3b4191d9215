"""Building questionnaires: templates and their questions (add, change, move, delete) and
the copy a request gets. One function per change, each atomic where it writes, checking who
may do it and writing a history event in the same transaction. Moved out of ``services.py``,
which re-exports every name here."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record
from kravspar.core.errors import DomainError, NotAllowedError
from kravspar.core.services import lock, update_fields
from kravspar.questionnaires.models import (
    CHOICE_TYPES,
    NO,
    YES,
    Question,
    Questionnaire,
    QuestionType,
    RequestStatus,
    SupplierRequest,
)
from kravspar.questionnaires.selectors import can_handle_request
from kravspar.requirements.models import RequirementType


class RequestStateError(DomainError):
    """A change the request's state does not allow (409)."""

    code = "invalid_transition"
    status = 409


def can_edit_questionnaire(user: access.AnyUser, questionnaire: Questionnaire) -> bool:
    """Templates are kept by Inköp. A request's own copy may be adjusted by whoever handles
    the request, until it is sent."""
    if questionnaire.is_template:
        return access.has_perm(user, Perm.MANAGE_CONTRACTS)
    supplier_request = SupplierRequest.objects.select_related("activity").filter(questionnaire=questionnaire).first()
    return (
        supplier_request is not None
        and supplier_request.status == RequestStatus.DRAFT
        and can_handle_request(user, supplier_request)
    )


def _require_editable(actor: User, questionnaire: Questionnaire) -> None:
    if not can_edit_questionnaire(actor, questionnaire):
        if not questionnaire.is_template:
            raise RequestStateError(_("The questions cannot be changed once the request has been sent."))
        raise NotAllowedError()


def _clean_questionnaire(title: str, requirement_type: str) -> dict[str, str]:
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the questionnaire a title.")
    if requirement_type and requirement_type not in RequirementType.values:
        errors["requirement_type"] = _("Choose a requirement type from the list.")
    return errors


def questionnaire_create(
    *, actor: User, title: str, requirement_type: str = "", description: str = "", active: bool = True
) -> Questionnaire:
    if not access.has_perm(actor, Perm.MANAGE_CONTRACTS):
        raise NotAllowedError()
    errors = _clean_questionnaire(title, requirement_type)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            title=title.strip(),
            requirement_type=requirement_type,
            description=description.strip(),
            is_template=True,
            active=active,
        )
        audit_record(
            actor=actor,
            action="questionnaire.created",
            obj=questionnaire,
            after={"title": questionnaire.title, "requirement_type": requirement_type},
        )
    return questionnaire


def questionnaire_update(
    *, actor: User, questionnaire: Questionnaire, expected_version: int | None = None, **changes: Any
) -> Questionnaire:
    fields = ["title", "requirement_type", "description", "active"]
    with transaction.atomic():
        locked = lock(Questionnaire.objects.all(), questionnaire.pk, expected_version)
        _require_editable(actor, locked)
        if "title" in changes:
            changes["title"] = (changes["title"] or "").strip()

        def clean(obj: Questionnaire) -> None:
            errors = _clean_questionnaire(obj.title, obj.requirement_type)
            if errors:
                raise ValidationError(errors)

        update_fields(
            actor=actor, obj=locked, fields=fields, changes=changes, clean=clean, action="questionnaire.updated"
        )
    return locked


def _clean_question(
    questionnaire: Questionnaire,
    *,
    text: str,
    type: str,
    options: list[str],
    show_if_question: Question | None,
    show_if_value: str,
    position: int | None,
    question: Question | None = None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = _("Write the question.")
    if type not in QuestionType.values:
        errors["type"] = _("Choose the type of answer.")
    if type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        if len(options) < 2:
            errors["options"] = _("Give at least two options, one per line.")
        elif len(set(options)) != len(options):
            errors["options"] = _("Each option may appear only once.")
    elif options:
        errors["options"] = _("Only questions with choices have options. Clear the options or change the type.")
    if show_if_question is not None:
        earlier = position is None or show_if_question.position < position
        if show_if_question.questionnaire_id != questionnaire.pk or (question and show_if_question.pk == question.pk):
            errors["show_if_question"] = _("Choose another question of this questionnaire.")
        elif not earlier:
            errors["show_if_question"] = _("A follow-up question must come after the question it depends on.")
        elif show_if_question.type not in CHOICE_TYPES:
            errors["show_if_question"] = _("Only a yes/no or choice question can show a follow-up question.")
        elif show_if_value not in {v for v, _label in show_if_question.choices()}:
            errors["show_if_value"] = _("Choose one of the answers of that question.")
    elif show_if_value:
        errors["show_if_question"] = _("Choose the question whose answer shows this one.")
    return errors


def _normalise_options(options: Any) -> list[str]:
    if isinstance(options, str):
        options = options.splitlines()
    return [str(o).strip() for o in options or [] if str(o).strip()]


def question_add(
    *,
    actor: User,
    questionnaire: Questionnaire,
    text: str,
    type: str,
    required: bool = False,
    help_text: str = "",
    options: Any = None,
    show_if_question: Question | None = None,
    show_if_value: str = "",
) -> Question:
    options = _normalise_options(options)
    show_if_value = (show_if_value or "").strip()
    with transaction.atomic():
        locked = lock(Questionnaire.objects.all(), questionnaire.pk, None)
        _require_editable(actor, locked)
        errors = _clean_question(
            locked,
            text=text,
            type=type,
            options=options,
            show_if_question=show_if_question,
            show_if_value=show_if_value,
            position=None,
        )
        if errors:
            raise ValidationError(errors)
        last = locked.questions.aggregate(m=Max("position"))["m"]
        question = Question.objects.create(
            questionnaire=locked,
            position=0 if last is None else last + 1,
            text=text.strip(),
            help_text=(help_text or "").strip(),
            type=type,
            required=required,
            options=options,
            show_if_question=show_if_question,
            show_if_value=show_if_value,
        )
        audit_record(
            actor=actor,
            action="questionnaire.question_added",
            obj=locked,
            after={"question": question.text, "type": type, "required": required},
        )
    return question


def question_update(
    *, actor: User, question: Question, expected_version: int | None = None, **changes: Any
) -> Question:
    fields = ["text", "help_text", "type", "required", "options", "show_if_question", "show_if_value"]
    if "options" in changes:
        changes["options"] = _normalise_options(changes["options"])
    for name in ("text", "help_text", "show_if_value"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()
    with transaction.atomic():
        locked = lock(Question.objects.select_related("questionnaire"), question.pk, expected_version)
        _require_editable(actor, locked.questionnaire)

        def clean(obj: Question) -> None:
            values = {v for v, _label in obj.choices()} if obj.type in CHOICE_TYPES else set()
            for child in obj.follow_ups.all():
                if child.show_if_value not in values:
                    raise ValidationError(
                        {
                            "type": _(
                                "The follow-up question “%(text)s” is shown for the answer “%(value)s”. "
                                "Keep that answer possible, or change the follow-up question first."
                            )
                            % {"text": child.text[:60], "value": _answer_label(child.show_if_value)}
                        }
                    )
            errors = _clean_question(
                obj.questionnaire,
                text=obj.text,
                type=obj.type,
                options=obj.options,
                show_if_question=obj.show_if_question,
                show_if_value=obj.show_if_value,
                position=obj.position,
                question=obj,
            )
            if errors:
                raise ValidationError(errors)

        update_fields(
            actor=actor,
            obj=locked,
            fields=fields,
            changes=changes,
            clean=clean,
            action="questionnaire.question_changed",
        )
    return locked


def _answer_label(value: str) -> str:
    return _("Yes") if value == YES else _("No") if value == NO else value


def question_delete(*, actor: User, question: Question) -> None:
    """Delete a question. Follow-up questions that depended on it are shown always from then on."""
    with transaction.atomic():
        locked = lock(Question.objects.select_related("questionnaire"), question.pk, None)
        _require_editable(actor, locked.questionnaire)
        if locked.files.exists():
            raise RequestStateError(_("This question has answers with files and cannot be deleted."))
        text = locked.text
        locked.follow_ups.update(show_if_question=None, show_if_value="")
        locked.delete()
        audit_record(
            actor=actor, action="questionnaire.question_deleted", obj=locked.questionnaire, before={"question": text}
        )


def question_move(*, actor: User, question: Question, direction: str) -> None:
    """Move a question one place up or down. A follow-up question cannot move above the
    question it depends on, nor that question below its follow-ups."""
    with transaction.atomic():
        questionnaire = lock(Questionnaire.objects.all(), question.questionnaire_id, None)
        _require_editable(actor, questionnaire)
        questions = list(questionnaire.questions.order_by("position", "id"))
        index = next((i for i, q in enumerate(questions) if q.pk == question.pk), None)
        if index is None:
            return
        other = index - 1 if direction == "up" else index + 1
        if other < 0 or other >= len(questions):
            return
        first, second = sorted((index, other))
        if questions[second].show_if_question_id == questions[first].pk:
            raise ValidationError({"position": _("A follow-up question must come after the question it depends on.")})
        questions[first], questions[second] = questions[second], questions[first]
        for position, q in enumerate(questions):
            if q.position != position:
                Question.objects.filter(pk=q.pk).update(position=position)
        audit_record(
            actor=actor,
            action="questionnaire.question_moved",
            obj=questionnaire,
            after={"question": question.text, "direction": direction},
        )


def questionnaire_copy(source: Questionnaire, *, title: str = "") -> Questionnaire:
    """A request's own copy: later edits of the template do not change it."""
    copy = Questionnaire.objects.create(
        title=title or source.title,
        requirement_type=source.requirement_type,
        description=source.description,
        is_template=False,
        active=True,
        source=source,
    )
    mapping: dict[int, Question] = {}
    for question in source.questions.order_by("position", "id"):
        mapping[question.pk] = Question.objects.create(
            questionnaire=copy,
            position=question.position,
            text=question.text,
            help_text=question.help_text,
            type=question.type,
            required=question.required,
            options=list(question.options),
            show_if_question=mapping.get(question.show_if_question_id) if question.show_if_question_id else None,
            show_if_value=question.show_if_value,
        )
    return copy
