"""Secrecy marks (sekretessmarkering), disclosure decisions and the download log.

A mark is a prior signal under the Public Access to Information and Secrecy Act (OSL,
2009:400), not the decision: secrecy is decided per request for a public document, and
that decision is recorded as a ``DisclosureDecision`` of its own."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kravspar.core.models import TimestampedModel


class Provision(TimestampedModel):
    """An OSL provision a mark may cite, with who may see what is marked under it.

    Default (the issue's policy): the Inköp officers on the contract and the supplier the
    item concerns; ``roles`` widens it to every holder of those roles who sees the contract."""

    code = models.CharField(_("provision"), max_length=60, unique=True, help_text=_("For example OSL 31 kap. 16 §."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    officers_on_contract = models.BooleanField(_("Inköp officers on the contract may see"), default=True)
    concerned_supplier = models.BooleanField(_("the supplier it concerns may see"), default=True)
    roles = models.JSONField(_("roles that may see"), default=list, blank=True)
    personal_data = models.BooleanField(_("protects personal data"), default=False)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("secrecy provision")
        verbose_name_plural = _("secrecy provisions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class MarkKind(models.TextChoices):
    EVIDENCE = "evidence", _("Evidence file")  # followups.Evidence
    ANSWERS = "answers", _("Questionnaire answers")  # questionnaires.SupplierRequest: its answers and files
    DEVIATION = "deviation", _("Deviation")  # findings.Deviation
    SUPPLIER_DOCUMENT = "supplier_document", _("Supplier document")  # portal.SupplierDocument


class SecrecyMark(TimestampedModel):
    """One mark on one item; removing it keeps the row (who, when, why) for the history."""

    kind = models.CharField(_("kind"), max_length=20, choices=MarkKind.choices)
    object_id = models.PositiveBigIntegerField()
    # The item's title and date as they were when marked, shown to everyone who sees the
    # parent record so that a request for public documents can be handled.
    title = models.CharField(_("title"), max_length=300)
    item_date = models.DateField(_("date"), null=True, blank=True)
    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provision = models.ForeignKey(
        Provision, verbose_name=_("provision"), on_delete=models.PROTECT, related_name="marks"
    )
    reason = models.TextField(_("reason"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("marked by"), on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked"))
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removal_reason = models.TextField(_("reason for removing"), blank=True)

    class Meta:
        verbose_name = _("secrecy mark")
        verbose_name_plural = _("secrecy marks")
        ordering = ["-marked_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], condition=Q(removed_at__isnull=True), name="one_active_mark_per_item"
            )
        ]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.provision.code})"

    @property
    def active(self) -> bool:
        return self.removed_at is None


class DisclosureOutcome(models.TextChoices):
    DISCLOSED = "disclosed", _("Disclosed")  # lämnas ut
    PARTLY = "partly", _("Partly disclosed")  # lämnas ut med maskeringar
    REFUSED = "refused", pgettext_lazy("disclosure decision", "Refused")  # avslag, with the provision


class DisclosureDecision(TimestampedModel):
    """The decision on one request for a marked item (utlämnande av allmän handling)."""

    mark = models.ForeignKey(SecrecyMark, on_delete=models.PROTECT, related_name="decisions")
    requested_on = models.DateField(_("request received"))
    requester = models.CharField(_("requested by"), max_length=200, blank=True)
    outcome = models.CharField(_("decision"), max_length=20, choices=DisclosureOutcome.choices)
    masked = models.TextField(_("what was masked"), blank=True)
    provision = models.ForeignKey(
        Provision, verbose_name=_("provision"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reasons"), blank=True)
    decided_on = models.DateField(_("decided"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("disclosure decision")
        verbose_name_plural = _("disclosure decisions")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.mark.title}: {self.get_outcome_display()}"


class DownloadKind(models.TextChoices):
    EVIDENCE = "evidence", _("Evidence file")
    ANSWER_FILE = "answer_file", _("Questionnaire answer file")
    SUPPLIER_DOCUMENT = "supplier_document", _("Supplier document")
    LABOUR_PROOF = "labour_proof", _("Labour-conditions document (step 2)")


class DownloadReason(models.TextChoices):
    MARKED = "marked", _("Secrecy-marked")
    PERSONAL_DATA = "personal_data", _("Holds personal data")


class DownloadLog(models.Model):
    """One row per download of a marked file or one holding personal data. Written by the
    download views before the file is sent; never changed."""

    at = models.DateTimeField(_("downloaded"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("downloaded by"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DownloadKind.choices)
    reason = models.CharField(_("why logged"), max_length=20, choices=DownloadReason.choices)
    object_uuid = models.UUIDField()
    file_name = models.CharField(_("file"), max_length=255)
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mark = models.ForeignKey(SecrecyMark, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("download log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.file_name}"


class DiaryNumberRule(TimestampedModel):
    """The form of an organisation's diary numbers (diarienummer) in its case management
    system. Procurements, contracts and deviations of the organisation (or of its region's
    companies, when they have no rule of their own) must carry numbers of this form."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="diary_number_rule",
    )
    pattern = models.CharField(
        _("pattern"), max_length=200, help_text=_("A regular expression the whole number must match.")
    )
    example = models.CharField(
        _("example"), max_length=60, help_text=_("A number of the right form, e.g. RS-2026-0142.")
    )

    class Meta:
        verbose_name = _("diary number rule")
        verbose_name_plural = _("diary number rules")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.example}"
