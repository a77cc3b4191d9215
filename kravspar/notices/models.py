"""eForms notices imported from the tender system, what they awarded, and the contract
modifications they announced. A notice is kept with its original bytes, never twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kravspar.core.models import TimestampedModel


class NoticeKind(models.TextChoices):
    CONTRACT_NOTICE = "cn", _("Contract notice")  # the call for competition
    AWARD = "can", _("Contract award notice")  # winners and contracts per lot
    MODIFICATION = "can-modif", _("Contract modification notice")  # a change to a signed contract


# What the eForms non-publication identifiers name, for the "withheld" labels.
WITHHELD_LABELS = {
    "not-val": _("Total value of the notice"),
    "win-cho": _("How the winner was chosen"),
    "win-ten-var": _("Variant tender"),
    "ten-ran": _("Tender rank"),
    "ten-val": _("Tender value"),
    "sub-con": _("Subcontracting"),
    "cou-ori": _("Country of origin"),
    "rec-sub-cou": _("Number of tenders received"),
    "rec-sub-typ": _("Kind of tenders received"),
    "buy-rev-cou": _("Number of review requests"),
    "buy-rev-typ": _("Kind of review requests"),
    "awa-cri-nam": _("Award criterion"),
    "awa-cri-num": _("Award criterion weight"),
    "awa-cri-typ": _("Award criterion type"),
    "awa-cri-wei": _("Award criterion weighting"),
    "pro-fea": _("Procedure features"),
    "pro-typ": _("Procedure type"),
    "cro-bor-law": _("Cross-border law"),
}


class Notice(TimestampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    notice_id = models.CharField(_("notice identifier"), max_length=100)
    version_id = models.CharField(_("notice version"), max_length=20)
    folder_id = models.CharField(_("procedure identifier"), max_length=100, db_index=True)
    internal_id = models.CharField(_("buyer's reference"), max_length=100, blank=True)
    issue_date = models.DateField(_("issued"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=500)
    procurement = models.ForeignKey(
        "procurements.Procurement", on_delete=models.PROTECT, related_name="notices", verbose_name=_("procurement")
    )
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, unique=True)
    original = models.BinaryField()
    summary = models.JSONField(default=dict)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-issue_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["notice_id", "version_id"], name="one_notice_per_version")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.notice_id}"


class NoticeAward(models.Model):
    """One contract a contract award notice announced, on one or more lots, with its winners."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="awards")
    contract_key = models.CharField(_("contract in the notice"), max_length=50)
    lots = models.JSONField(_("lots"), default=list)
    contract_reference = models.CharField(_("contract number"), max_length=100, blank=True)
    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="notice_awards"
    )
    # [{"name", "company_id", "country", "size", "sme", "supplier": uuid|None}]
    winners = models.JSONField(_("winners"), default=list)
    value = models.DecimalField(_("value"), max_digits=17, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    withheld = models.JSONField(_("withheld from publication"), default=list)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["notice", "contract_key"]
        constraints = [models.UniqueConstraint(fields=["notice", "contract_key"], name="one_award_per_contract_key")]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.contract_key}"


class ContractModification(TimestampedModel):
    """A change to a signed contract announced in a modification notice (can-modif)."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="modifications")
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="modifications")
    description = models.TextField(_("change"), blank=True)
    reason_code = models.CharField(_("reason code"), max_length=50, blank=True)
    reason_description = models.TextField(_("reason"), blank=True)
    value_before = models.DecimalField(_("value before (SEK)"), max_digits=15, decimal_places=0, null=True)
    value_after = models.DecimalField(_("value after (SEK)"), max_digits=15, decimal_places=0, null=True)
    ends_before = models.DateField(_("ended before"), null=True)
    ends_after = models.DateField(_("ends after"), null=True)

    class Meta:
        verbose_name = _("contract modification")
        verbose_name_plural = _("contract modifications")
        ordering = ["contract", "created_at"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.reason_code}"
