"""Follow-up activities: the approved strategy turned into dated work for a named unit
and person, with evidence and reminders."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kravspar.core.models import TimestampedModel
from kravspar.procurements.models import Method, Responsible


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")  # generated from the strategy; nothing done yet
    IN_PROGRESS = "in_progress", _("In progress")  # the responsible has started
    AWAITING_SUPPLIER = "awaiting_supplier", _("Awaiting the supplier")  # a request is out
    UNDER_REVIEW = "under_review", _("Under review")  # answers or evidence are being assessed
    DONE = "done", _("Done")  # finished with an outcome
    CANCELLED = "cancelled", _("Cancelled")  # not carried out, with a reason


OPEN_STATUSES = (
    ActivityStatus.PLANNED,
    ActivityStatus.IN_PROGRESS,
    ActivityStatus.AWAITING_SUPPLIER,
    ActivityStatus.UNDER_REVIEW,
)


class Outcome(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    DEVIATIONS = "deviations", _("Deviations found")
    NOT_ASSESSED = "not_assessed", _("Could not be assessed")


class Activity(TimestampedModel):
    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="activities")
    requirement = models.ForeignKey(
        "contracts.ContractRequirement", on_delete=models.PROTECT, related_name="activities"
    )
    # Which occurrence of the requirement's schedule this is (0 = the first). The plan
    # generator keys on (requirement, occurrence) so that re-planning is idempotent.
    occurrence = models.PositiveIntegerField(default=0)
    method = models.CharField(_("method"), max_length=30, choices=Method.choices)
    due_on = models.DateField(_("due"))
    responsible = models.CharField(_("responsible"), max_length=20, choices=Responsible.choices)
    responsible_unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    # Done with "deviations found" but no deviation recorded on it: why (e.g. Inköp already
    # handles it under another deviation).
    no_deviation_reason = models.TextField(_("why no deviation is recorded"), blank=True)
    completed_on = models.DateField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up activity")
        verbose_name_plural = _("follow-up activities")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["requirement", "occurrence"], name="one_activity_per_occurrence")
        ]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["responsible_person", "due_on"]),
            # The work list's sort, so that its keyset pages read only their own rows.
            models.Index(fields=["due_on", "id"], name="followups_due_on_id"),
        ]

    def __str__(self) -> str:
        return f"{self.requirement} {self.due_on:%Y-%m-%d}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name is random: the original name is kept in the row, never on disk.
    return f"evidence/{instance.activity.contract_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class ReminderKind(models.TextChoices):
    BEFORE_DUE = "before_due", _("Before the due date")
    OVERDUE = "overdue", _("Overdue")
    ESCALATION = "escalation", _("Escalated to the Inköp lead")


class ReminderSent(models.Model):
    """One row per reminder e-mailed, so that each is sent once however often cron runs."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    sent_to = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "kind"], name="one_reminder_per_kind")]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.kind}"


class CalendarFeed(models.Model):
    """A secret-token iCalendar feed of a person's or a contract's activities, for Outlook.
    Only the token's SHA-256 is stored."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"feed {self.user_id} {self.contract_id or ''}"
