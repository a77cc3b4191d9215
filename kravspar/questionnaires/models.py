"""Questionnaires and the requests that send them to a supplier.

A template questionnaire (``is_template``) is kept by Inköp. A request gets its own copy,
so that editing the template later never changes what a supplier was asked. The supplier's
working answers are one ``Response`` (optimistic locking through its ``version``); every
submitted set of answers is frozen as a ``Submission``, so that each version stays readable.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kravspar.core.models import TimestampedModel
from kravspar.requirements.models import RequirementType


class QuestionType(models.TextChoices):
    YES_NO = "yes_no", _("Yes or no")
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    TEXT = "text", _("Text")
    NUMBER = "number", pgettext_lazy("answer type", "Number")  # a numeric answer ("Tal"), not a count
    DATE = "date", _("Date")
    FILE = "file", _("File")


CHOICE_TYPES = (QuestionType.YES_NO, QuestionType.SINGLE, QuestionType.MULTIPLE)
YES, NO = "yes", "no"


class Questionnaire(TimestampedModel):
    title = models.CharField(_("title"), max_length=200)
    requirement_type = models.CharField(
        _("requirement type"), max_length=20, choices=RequirementType.choices, blank=True
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Shown to the supplier above the questions.")
    )
    is_template = models.BooleanField(_("template"), default=False)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active templates are offered for new requests.")
    )
    source = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class Question(TimestampedModel):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField(_("question"))
    help_text = models.TextField(_("help text"), blank=True)
    type = models.CharField(_("type of answer"), max_length=10, choices=QuestionType.choices)
    required = models.BooleanField(_("required"), default=False)
    options = models.JSONField(_("options"), default=list, blank=True)
    # A follow-up question: shown (and required) only when the earlier question has this answer.
    show_if_question = models.ForeignKey(
        "self",
        verbose_name=_("shown only if the answer to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    show_if_value = models.CharField(_("is"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def field_name(self) -> str:
        return f"q_{self.uuid.hex}"

    @property
    def key(self) -> str:
        return str(self.uuid)

    def choices(self) -> list[tuple[str, str]]:
        if self.type == QuestionType.YES_NO:
            return [(YES, str(_("Yes"))), (NO, str(_("No")))]
        return [(option, option) for option in self.options]


class RequestKind(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    DOCUMENTS = "documents", _("Documents")
    SUBCONTRACTORS = "subcontractors", _("Subcontractor list")
    ACTION_PLAN = "action_plan", _("Response to an action plan")


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being prepared by the officer; the supplier does not see it
    SENT = "sent", _("Sent")  # the supplier has been asked and may answer
    SUBMITTED = "submitted", _("Submitted")  # the supplier has answered; the officer reviews
    NEEDS_COMPLETION = "needs_completion", _("Needs completion")  # sent back with a comment
    ACCEPTED = "accepted", _("Accepted")  # the answers were accepted; closed
    CANCELLED = "cancelled", _("Cancelled")  # withdrawn by the officer, with a reason


OPEN_REQUEST_STATUSES = (RequestStatus.SENT, RequestStatus.SUBMITTED, RequestStatus.NEEDS_COMPLETION)
# The statuses in which the supplier may change and submit their answers.
ANSWERABLE_STATUSES = (RequestStatus.SENT, RequestStatus.NEEDS_COMPLETION)


class SupplierRequest(TimestampedModel):
    activity = models.ForeignKey(
        "followups.Activity", on_delete=models.PROTECT, related_name="supplier_requests", verbose_name=_("follow-up")
    )
    # The activity's contract, kept here so that lists filter without a join through activities.
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="supplier_requests", verbose_name=_("contract")
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="requests", verbose_name=_("supplier")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RequestKind.choices)
    title = models.CharField(_("title"), max_length=200)
    message = models.TextField(_("message to the supplier"), blank=True)
    questionnaire = models.OneToOneField(Questionnaire, on_delete=models.PROTECT, related_name="request")
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        verbose_name = _("request to the supplier")
        verbose_name_plural = _("requests to suppliers")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"]), models.Index(fields=["supplier", "status"])]

    def __str__(self) -> str:
        return self.title


class Response(TimestampedModel):
    """The supplier's working answers, saved as a draft until submitted.

    ``answers`` maps a question's uuid to its value: "yes"/"no", an option, a list of
    options, text, a number as text, a date as YYYY-MM-DD, or a file as
    ``{"file": <AnswerFile uuid>, "name": <file name>}``."""

    request = models.OneToOneField(SupplierRequest, on_delete=models.CASCADE, related_name="response")
    answers = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    def __str__(self) -> str:
        return f"{self.request}"


class ReviewDecision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    NEEDS_COMPLETION = "needs_completion", _("Asked for completion")


class Submission(models.Model):
    """One submitted version of the answers, frozen, with the officer's review of it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(SupplierRequest, on_delete=models.PROTECT, related_name="submissions")
    number = models.PositiveIntegerField(_("version"))
    answers = models.JSONField(default=dict)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    decision = models.CharField(_("decision"), max_length=20, choices=ReviewDecision.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["request", "number"], name="one_submission_per_number")]

    def __str__(self) -> str:
        return f"{self.request} v{self.number}"


def answer_file_path(instance: AnswerFile, filename: str) -> str:
    # A random stored name: the original name is kept in the row, never on disk.
    return f"requests/{instance.request_id}/{uuid.uuid4().hex}"


class AnswerFile(models.Model):
    """A file a supplier attached to an answer. Never deleted: older versions point at it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(SupplierRequest, on_delete=models.PROTECT, related_name="files")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to=answer_file_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("answer file")
        verbose_name_plural = _("answer files")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    def as_answer(self) -> dict[str, Any]:
        return {"file": str(self.uuid), "name": self.original_name}


class RequestReminderKind(models.TextChoices):
    BEFORE_DEADLINE = "before_deadline", _("Before the deadline")
    OVERDUE = "overdue", _("Overdue")


class RequestReminder(models.Model):
    """One row per reminder e-mailed, so that each is sent once however often cron runs."""

    request = models.ForeignKey(SupplierRequest, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=RequestReminderKind.choices)
    # The deadline reminded of: a new deadline (when answers are sent back) gets new reminders.
    deadline = models.DateField(null=True)
    sent_to = models.TextField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "kind", "deadline"], name="one_request_reminder_per_deadline")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"
