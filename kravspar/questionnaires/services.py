"""Questionnaires and requests to suppliers. One function per change, each atomic, checking
who may do it and writing a history event in the same transaction; e-mail goes out on commit.

A request's lifecycle:

    draft ──send──> sent ──submit──> submitted ──accept──> accepted
                     ^                    │
                     │                    └──ask_completion──> needs completion ──submit──> submitted
    draft / sent / submitted / needs completion ──cancel──> cancelled (with a reason)

The follow-up activity follows: sending moves it to "awaiting the supplier", a submission
to "under review", a request for completion back to "awaiting the supplier", and accepting
records the answers on the activity (a note, the files as evidence and, if the officer says
so, the activity done as compliant).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.audit.services import audit_record
from kravspar.core.errors import NotAllowedError
from kravspar.core.services import lock, update_fields
from kravspar.followups import services as followup_services
from kravspar.followups import uploads
from kravspar.followups.models import OPEN_STATUSES, ActivityStatus, Outcome
from kravspar.questionnaires import answers as answer_rules
from kravspar.questionnaires.builder import (  # noqa: F401  (re-exported: callers import them from here)
    RequestStateError,
    can_edit_questionnaire,
    question_add,
    question_delete,
    question_move,
    question_update,
    questionnaire_copy,
    questionnaire_create,
    questionnaire_update,
)
from kravspar.questionnaires.models import (
    ANSWERABLE_STATUSES,
    AnswerFile,
    Question,
    Questionnaire,
    QuestionType,
    RequestKind,
    RequestStatus,
    Response,
    ReviewDecision,
    Submission,
    SupplierRequest,
)
from kravspar.questionnaires.selectors import can_handle_request, is_supplier_contact
from kravspar.questionnaires.signals import request_submitted

if TYPE_CHECKING:
    from kravspar.followups.models import Activity
    from kravspar.suppliers.models import Supplier

logger = logging.getLogger(__name__)
R = RequestStatus


# --- requests -----------------------------------------------------------------------------


def supplier_contacts(supplier: Supplier) -> list[str]:
    return sorted(
        set(User.objects.filter(supplier=supplier, is_active=True).exclude(email="").values_list("email", flat=True))
    )


def _url(name: str, supplier_request: SupplierRequest) -> str:
    return settings.KRAVSPAR_BASE_URL.rstrip("/") + reverse(name, args=[supplier_request.uuid])


def mail_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    if not recipients:
        return

    def send() -> None:
        try:
            send_mail(subject, body, None, recipients)
        except Exception:  # a refused message must not undo the change that was committed
            logger.exception("Request e-mail could not be sent to %s", recipients)

    transaction.on_commit(send)


def mail_facts(supplier_request: SupplierRequest) -> dict[str, Any]:
    return {
        "title": supplier_request.title,
        "contract": f"{supplier_request.contract.contract_number} {supplier_request.contract.title}",
        "supplier": supplier_request.supplier.name,
        "deadline": supplier_request.deadline.isoformat(),
        "url": _url("questionnaires:answer", supplier_request),
        "officer_url": _url("questionnaires:detail", supplier_request),
    }


def _mail_supplier(supplier_request: SupplierRequest, build: Callable[[dict[str, Any]], tuple[str, str]]) -> int:
    """E-mail the supplier's contacts, in Swedish whatever language the officer uses."""
    recipients = supplier_contacts(supplier_request.supplier)
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = build(mail_facts(supplier_request))
    mail_on_commit(subject, body, recipients)
    return len(recipients)


def _clean_request(
    *, activity: Activity, supplier: Supplier | None, kind: str, title: str, deadline: datetime.date | None
) -> dict[str, str]:
    errors = {}
    if kind not in RequestKind.values:
        errors["kind"] = _("Choose what you ask the supplier for.")
    if not title.strip():
        errors["title"] = _("Give the request a title the supplier will recognise.")
    if supplier is None or not activity.contract.suppliers.filter(pk=supplier.pk).exists():
        errors["supplier"] = _("Choose one of the contract's suppliers.")
    if deadline is None:
        errors["deadline"] = _("Give the deadline for the answer.")
    elif deadline < timezone.localdate():
        errors["deadline"] = _("The deadline cannot be in the past.")
    return errors


def request_create(
    *,
    actor: User,
    activity: Activity,
    kind: str,
    title: str,
    deadline: datetime.date | None,
    supplier: Supplier | None = None,
    template: Questionnaire | None = None,
    message: str = "",
) -> SupplierRequest:
    """A draft request with its own copy of the template's questions (or none, to build)."""
    if is_supplier_contact(actor) or not access.can_record_activity(actor, activity):
        raise NotAllowedError()
    if activity.status not in OPEN_STATUSES:
        raise RequestStateError(_("The follow-up is closed; a request can only be made from an open follow-up."))
    if supplier is None:
        suppliers = list(activity.contract.suppliers.all()[:2])
        supplier = suppliers[0] if len(suppliers) == 1 else None
    errors = _clean_request(activity=activity, supplier=supplier, kind=kind, title=title, deadline=deadline)
    if template is not None and not (template.is_template and template.active):
        errors["template"] = _("Choose an active template.")
    if errors:
        raise ValidationError(errors)
    assert supplier is not None and deadline is not None
    with transaction.atomic():
        if template is not None:
            questionnaire = questionnaire_copy(template, title=title.strip())
        else:
            questionnaire = Questionnaire.objects.create(
                title=title.strip(), requirement_type=activity.requirement.type, is_template=False
            )
        supplier_request = SupplierRequest.objects.create(
            activity=activity,
            contract=activity.contract,
            supplier=supplier,
            kind=kind,
            title=title.strip(),
            message=(message or "").strip(),
            questionnaire=questionnaire,
            deadline=deadline,
            created_by=actor,
        )
        Response.objects.create(request=supplier_request)
        audit_record(
            actor=actor,
            action="request.created",
            obj=supplier_request,
            after={
                "title": supplier_request.title,
                "kind": kind,
                "supplier": supplier.name,
                "deadline": deadline.isoformat(),
                "template": template.title if template else None,
            },
        )
        audit_record(
            actor=actor, action="activity.request_created", obj=activity, after={"request": supplier_request.title}
        )
    return supplier_request


def _locked_request(
    *, actor: User, supplier_request: SupplierRequest, expected_version: int | None, allowed: tuple[str, ...]
) -> SupplierRequest:
    if not can_handle_request(actor, supplier_request):
        raise NotAllowedError()
    locked = lock(
        SupplierRequest.objects.select_related("activity", "contract", "supplier", "questionnaire"),
        supplier_request.pk,
        expected_version,
    )
    if locked.status not in allowed:
        raise RequestStateError(
            _("A request that is “%(status)s” cannot be changed this way.") % {"status": locked.get_status_display()}
        )
    return locked


def _set_status(actor: User, locked: SupplierRequest, action: str, **changes: Any) -> None:
    update_fields(actor=actor, obj=locked, fields=list(changes), changes=changes, clean=lambda obj: None, action=action)


def request_update(
    *, actor: User, supplier_request: SupplierRequest, expected_version: int | None = None, **changes: Any
) -> SupplierRequest:
    """Change the title, message or deadline while the request is open."""
    with transaction.atomic():
        locked = _locked_request(
            actor=actor,
            supplier_request=supplier_request,
            expected_version=expected_version,
            allowed=(R.DRAFT, R.SENT, R.NEEDS_COMPLETION),
        )
        for name in ("title", "message"):
            if name in changes:
                changes[name] = (changes[name] or "").strip()

        def clean(obj: SupplierRequest) -> None:
            errors = {}
            if not obj.title:
                errors["title"] = _("Give the request a title the supplier will recognise.")
            if obj.deadline is None:
                errors["deadline"] = _("Give the deadline for the answer.")
            elif "deadline" in changes and obj.deadline < timezone.localdate():
                errors["deadline"] = _("The deadline cannot be in the past.")
            if errors:
                raise ValidationError(errors)

        update_fields(
            actor=actor,
            obj=locked,
            fields=["title", "message", "deadline"],
            changes=changes,
            clean=clean,
            action="request.updated",
        )
    return locked


def request_send(
    *, actor: User, supplier_request: SupplierRequest, expected_version: int | None = None
) -> tuple[SupplierRequest, int]:
    """Send the request: the supplier's contacts get an e-mail with the link and the follow-up
    waits for the supplier. Returns the request and how many contacts were e-mailed."""
    with transaction.atomic():
        locked = _locked_request(
            actor=actor, supplier_request=supplier_request, expected_version=expected_version, allowed=(R.DRAFT,)
        )
        errors = {}
        if not locked.questionnaire.questions.exists():
            errors["questions"] = _("Add at least one question before sending the request.")
        if locked.deadline < timezone.localdate():
            errors["deadline"] = _("The deadline has passed. Give a new deadline before sending.")
        if locked.activity.status not in OPEN_STATUSES:
            errors["activity"] = _("The follow-up is closed; the request cannot be sent.")
        if errors:
            raise ValidationError(errors)
        _set_status(actor, locked, "request.sent", status=R.SENT, sent_at=timezone.now())
        _activity_waits(actor, locked.activity)

        def build(facts: dict[str, Any]) -> tuple[str, str]:
            subject = _("Request from the buyer: %(title)s (answer by %(deadline)s)") % facts
            body = (
                _(
                    "Hello,\n\nThe buyer asks %(supplier)s to answer “%(title)s” for contract %(contract)s "
                    "by %(deadline)s.\n\nOpen the request and answer here:\n%(url)s\n\n"
                    "You can save a draft and submit when you are done.\n"
                )
                % facts
            )
            if locked.message:
                body += "\n" + _("Message from the buyer:") + "\n" + locked.message + "\n"
            return subject, body

        mailed = _mail_supplier(locked, build)
    return locked, mailed


def _activity_waits(actor: User, activity: Activity) -> None:
    activity.refresh_from_db()
    if activity.status == ActivityStatus.PLANNED:
        activity = followup_services.activity_start(actor=actor, activity=activity)
    if activity.status in (ActivityStatus.IN_PROGRESS, ActivityStatus.UNDER_REVIEW):
        followup_services.activity_await_supplier(actor=actor, activity=activity)


def request_cancel(
    *, actor: User, supplier_request: SupplierRequest, reason: str, expected_version: int | None = None
) -> SupplierRequest:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is cancelled; the supplier sees it.")})
    with transaction.atomic():
        locked = _locked_request(
            actor=actor,
            supplier_request=supplier_request,
            expected_version=expected_version,
            allowed=(R.DRAFT, R.SENT, R.SUBMITTED, R.NEEDS_COMPLETION),
        )
        was_sent = locked.status != R.DRAFT
        _set_status(
            actor, locked, "request.cancelled", status=R.CANCELLED, cancel_reason=reason, closed_at=timezone.now()
        )
        if was_sent:

            def build(facts: dict[str, Any]) -> tuple[str, str]:
                subject = _("Request cancelled: %(title)s") % facts
                body = (
                    _("The buyer has cancelled the request “%(title)s” for contract %(contract)s.") % facts
                    + "\n\n"
                    + _("Reason:")
                    + " "
                    + reason
                    + "\n"
                )
                return subject, body

            _mail_supplier(locked, build)
    return locked


# --- the supplier's answers ------------------------------------------------------------------


def _supplier_locked(
    *, actor: User, supplier_request: SupplierRequest, expected_version: int | None
) -> tuple[SupplierRequest, Response]:
    if not is_supplier_contact(actor) or actor.supplier_id != supplier_request.supplier_id:
        raise NotAllowedError()
    locked_request = (
        SupplierRequest.objects.select_for_update(of=("self",))
        .select_related("activity", "contract", "supplier", "questionnaire", "created_by")
        .get(pk=supplier_request.pk)
    )
    response = lock(Response.objects.all(), locked_request.response.pk, expected_version)
    if locked_request.status not in ANSWERABLE_STATUSES:
        raise RequestStateError(
            _("The answers cannot be changed now: the request is “%(status)s”.")
            % {"status": locked_request.get_status_display()}
        )
    return locked_request, response


def _questions(supplier_request: SupplierRequest) -> list[Question]:
    return list(supplier_request.questionnaire.questions.select_related("show_if_question").order_by("position", "id"))


def response_save(
    *,
    actor: User,
    supplier_request: SupplierRequest,
    answers: Mapping[str, Any],
    files: Mapping[str, UploadedFile] | None = None,
    expected_version: int | None = None,
) -> Response:
    """Save the supplier's answers as a draft. ``answers`` (by question uuid) replace the
    saved ones; a file question keeps its saved file unless a new one is uploaded in
    ``files`` (by question uuid) or its answer is given as empty. Type errors are raised
    together, keyed by the question's field name; nothing is saved then."""
    files = files or {}
    questions = _questions(supplier_request)
    by_key = {q.key: q for q in questions}
    raw = {k: v for k, v in answers.items() if k in by_key and by_key[k].type != QuestionType.FILE}
    cleaned, errors = answer_rules.clean_answers(questions, raw)
    checked_files: dict[str, tuple[UploadedFile, str]] = {}
    for key, upload in files.items():
        question = by_key.get(key)
        if question is None or question.type != QuestionType.FILE:
            continue
        try:
            checked_files[key] = (upload, uploads.validate_evidence(upload))
        except ValidationError as exc:
            errors[question.field_name] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked_request, response = _supplier_locked(
            actor=actor, supplier_request=supplier_request, expected_version=expected_version
        )
        new = dict(cleaned)
        for question in questions:
            if question.type != QuestionType.FILE:
                continue
            if question.key in checked_files:
                upload, content_type = checked_files[question.key]
                new[question.key] = _store_file(actor, locked_request, question, upload, content_type).as_answer()
            elif question.key in answers and answer_rules.is_empty(answers[question.key]):
                continue  # cleared
            elif question.key in response.answers:
                new[question.key] = response.answers[question.key]
        update_fields(
            actor=actor,
            obj=response,
            fields=["answers", "updated_by"],
            changes={"answers": new, "updated_by": actor},
            clean=lambda obj: None,
            action="request.draft_saved",
        )
    return response


def _store_file(
    actor: User, supplier_request: SupplierRequest, question: Question, upload: UploadedFile, content_type: str
) -> AnswerFile:
    sha256 = uploads.sha256_of(upload)
    original_name = (upload.name or "file").replace("/", "_").replace("\\", "_")[:255]
    stored = AnswerFile(
        request=supplier_request,
        question=question,
        original_name=original_name,
        content_type=content_type,
        size=upload.size or 0,
        sha256=sha256,
        uploaded_by=actor,
    )
    stored.file.save(original_name, upload, save=False)
    stored.save()
    audit_record(
        actor=actor,
        action="request.file_uploaded",
        obj=supplier_request,
        after={"file": original_name, "sha256": sha256, "size": stored.size, "content_type": content_type},
    )
    return stored


def request_submit(
    *, actor: User, supplier_request: SupplierRequest, expected_version: int | None = None
) -> Submission:
    """Submit the saved answers as a new version. Required questions that are shown must be
    answered; answers to follow-up questions that are hidden are dropped."""
    with transaction.atomic():
        locked_request, response = _supplier_locked(
            actor=actor, supplier_request=supplier_request, expected_version=expected_version
        )
        questions = _questions(locked_request)
        errors = answer_rules.missing_answers(questions, response.answers)
        if errors:
            raise ValidationError(errors)
        submitted = answer_rules.only_visible(questions, response.answers)
        number = (locked_request.submissions.aggregate(m=Max("number"))["m"] or 0) + 1
        submission = Submission.objects.create(
            request=locked_request, number=number, answers=submitted, submitted_by=actor
        )
        response.version += 1
        response.save(update_fields=["version", "updated_at"])
        _set_status(actor, locked_request, "request.submitted", status=R.SUBMITTED, submitted_at=timezone.now())
        followup_services.activity_supplier_answered(actor=actor, activity=locked_request.activity)
        request_submitted.send(
            sender=SupplierRequest, supplier_request=locked_request, submission=submission, actor=actor
        )
        creator = locked_request.created_by
        if creator is not None and creator.is_active and creator.email:
            facts = mail_facts(locked_request) | {"number": number}
            mail_on_commit(
                _("%(supplier)s has answered: %(title)s") % facts,
                _("%(supplier)s has submitted version %(number)s of “%(title)s” for contract %(contract)s.") % facts
                + "\n\n"
                + _("Review it here:")
                + "\n"
                + facts["officer_url"]
                + "\n",
                [creator.email],
            )
    return submission


# --- the officer's review ---------------------------------------------------------------------


def _latest_submission(supplier_request: SupplierRequest) -> Submission:
    submission = supplier_request.submissions.select_for_update().order_by("-number").first()
    if submission is None:
        raise RequestStateError(_("Nothing has been submitted yet."))
    return submission


def _review(submission: Submission, actor: User, decision: str, comment: str) -> None:
    submission.decision = decision
    submission.comment = comment
    submission.reviewed_by = actor
    submission.reviewed_at = timezone.now()
    submission.save(update_fields=["decision", "comment", "reviewed_by", "reviewed_at"])


def request_ask_completion(
    *,
    actor: User,
    supplier_request: SupplierRequest,
    comment: str,
    deadline: datetime.date | None = None,
    expected_version: int | None = None,
) -> SupplierRequest:
    """Send the answers back with a comment saying what is missing; optionally a new deadline."""
    comment = (comment or "").strip()
    errors = {}
    if not comment:
        errors["comment"] = _("Say what the supplier must complete.")
    if deadline is not None and deadline < timezone.localdate():
        errors["deadline"] = _("The deadline cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked_request(
            actor=actor, supplier_request=supplier_request, expected_version=expected_version, allowed=(R.SUBMITTED,)
        )
        submission = _latest_submission(locked)
        _review(submission, actor, ReviewDecision.NEEDS_COMPLETION, comment)
        changes: dict[str, Any] = {"status": R.NEEDS_COMPLETION}
        if deadline is not None:
            changes["deadline"] = deadline
        update_fields(
            actor=actor,
            obj=locked,
            fields=list(changes),
            changes=changes,
            clean=lambda obj: None,
            action="request.completion_requested",
        )
        audit_record(
            actor=actor,
            action="request.review_comment",
            obj=locked,
            after={"version": submission.number, "comment": comment},
        )
        _activity_waits(actor, locked.activity)

        def build(facts: dict[str, Any]) -> tuple[str, str]:
            subject = _("Please complete your answers: %(title)s") % facts
            body = (
                _(
                    "The buyer asks you to complete your answers to “%(title)s” for contract %(contract)s "
                    "by %(deadline)s."
                )
                % facts
                + "\n\n"
                + _("The buyer's comment:")
                + "\n"
                + comment
                + "\n\n"
                + facts["url"]
                + "\n"
            )
            return subject, body

        _mail_supplier(locked, build)
    return locked


def request_accept(
    *,
    actor: User,
    supplier_request: SupplierRequest,
    comment: str = "",
    complete_activity: bool = True,
    expected_version: int | None = None,
) -> SupplierRequest:
    """Accept the latest version. The follow-up activity records it: a note saying what was
    accepted, the attached files as the activity's evidence and, with ``complete_activity``,
    the activity done with the outcome "compliant"."""
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = _locked_request(
            actor=actor, supplier_request=supplier_request, expected_version=expected_version, allowed=(R.SUBMITTED,)
        )
        submission = _latest_submission(locked)
        _review(submission, actor, ReviewDecision.ACCEPTED, comment)
        _set_status(actor, locked, "request.accepted", status=R.ACCEPTED, closed_at=timezone.now())
        audit_record(
            actor=actor,
            action="request.review_comment",
            obj=locked,
            after={"version": submission.number, "decision": "accepted", "comment": comment},
        )
        _record_on_activity(actor, locked, submission, comment, complete_activity)

        def build(facts: dict[str, Any]) -> tuple[str, str]:
            subject = _("Your answers were accepted: %(title)s") % facts
            body = _("The buyer has accepted your answers to “%(title)s” for contract %(contract)s.") % facts + "\n"
            if comment:
                body += "\n" + _("The buyer's comment:") + "\n" + comment + "\n"
            return subject, body + "\n" + facts["url"] + "\n"

        _mail_supplier(locked, build)
    return locked


def _record_on_activity(
    actor: User, supplier_request: SupplierRequest, submission: Submission, comment: str, complete: bool
) -> None:
    activity = supplier_request.activity
    activity.refresh_from_db()
    if activity.status == ActivityStatus.CANCELLED:
        return
    for stored in AnswerFile.objects.filter(
        request=supplier_request, uuid__in=[v["file"] for v in submission.answers.values() if isinstance(v, dict)]
    ):
        with stored.file.open("rb") as handle:
            copy = File(handle.file, name=stored.original_name)
            uploads.evidence_add(actor=actor, activity=activity, upload=copy)  # type: ignore[arg-type]
    note = _("The supplier's answers to “%(title)s” (version %(number)s) were accepted on %(date)s.") % {
        "title": supplier_request.title,
        "number": submission.number,
        "date": timezone.localdate().isoformat(),
    }
    if comment:
        note += " " + comment
    activity.refresh_from_db()
    if complete and activity.status in followup_services.ALLOWED_FROM[ActivityStatus.DONE]:
        followup_services.activity_complete(actor=actor, activity=activity, outcome=Outcome.COMPLIANT, note=note)
    else:
        followup_services.activity_update_notes(
            actor=actor, activity=activity, notes=f"{activity.notes}\n\n{note}".strip()
        )
