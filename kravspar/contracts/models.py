"""Signed contracts and what they carry from planning: a snapshot of the requirements and
of the approved follow-up strategy, so that changing the procurement later never rewrites
a signed contract."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kravspar.core.models import TimestampedModel
from kravspar.procurements.models import Responsible, Timing
from kravspar.requirements.models import RequirementFields

if TYPE_CHECKING:
    from kravspar.suppliers.models import Supplier


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("In force")  # signed; follow-up runs
    EXPIRED = "expired", _("Expired")  # the period (with extensions used) has ended
    TERMINATED = "terminated", _("Terminated")  # ended early, e.g. by hävning


class Contract(TimestampedModel):
    procurement = models.ForeignKey(
        "procurements.Procurement",
        verbose_name=_("procurement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
        help_text=_("Empty for contracts registered directly, e.g. signed before Kravspår."),
    )
    contract_number = models.CharField(_("contract number"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    # The case's number in the region's case management system (diarienummer), in the form
    # of a buyer's rule (secrecy/diary.py); empty until registered.
    diary_number = models.CharField(_("diary number"), max_length=60, blank=True, db_index=True)
    suppliers = models.ManyToManyField("suppliers.Supplier", verbose_name=_("suppliers"), related_name="contracts")
    buyers = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("organisations that may call off"),
        related_name="contracts",
    )
    # The operational units that use the contract (beställaren, domain § 3): a register's
    # "Beställare" column names them; quality requirements are theirs to follow up.
    ordering_units = models.ManyToManyField(
        "organisations.Unit", verbose_name=_("ordering units"), blank=True, related_name="contracts"
    )
    signed_on = models.DateField(_("signed"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), help_text=_("The end of the initial period, before extensions."))
    extension_options = models.PositiveSmallIntegerField(_("extension options"), default=0)
    extension_months = models.PositiveSmallIntegerField(_("months per extension"), default=0)
    value = models.DecimalField(_("value (SEK)"), max_digits=15, decimal_places=0, null=True, blank=True)
    fine_per_week = models.DecimalField(
        _("fine per started week (SEK)"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    fine_cap_weeks = models.PositiveSmallIntegerField(_("fine for at most (weeks)"), null=True, blank=True)
    termination_grounds = models.TextField(_("termination grounds"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.ACTIVE)
    ended_on = models.DateField(_("ended"), null=True, blank=True, help_text=_("When a terminated contract ended."))
    end_reason = models.TextField(_("reason"), blank=True, help_text=_("Why the contract was terminated or expired."))
    # True when the contract has no approved follow-up strategy behind it (registered
    # directly, or its procurement predates the rule); cleared when a strategy is approved.
    strategy_missing = models.BooleanField(_("strategy missing"), default=True)
    strategy_version = models.PositiveIntegerField(_("strategy version"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_on", "contract_number"]

    def __str__(self) -> str:
        return f"{self.contract_number} {self.title}"

    def sole_supplier(self) -> Supplier | None:
        """The supplier when the contract has exactly one, else None (the caller must name it).
        Reads at most two rows, or the prefetched suppliers."""
        suppliers = list(self.suppliers.all()[:2])
        return suppliers[0] if len(suppliers) == 1 else None


class ContractExtension(models.Model):
    """An extension option that was used."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="extensions")
    number = models.PositiveSmallIntegerField(_("option"))
    months = models.PositiveSmallIntegerField(_("months"))
    decided_on = models.DateField(_("decided"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["contract", "number"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="one_use_per_option")]

    def __str__(self) -> str:
        return f"{self.contract_id} +{self.months}"


class ContractRequirement(RequirementFields, TimestampedModel):
    """A requirement as it was when the contract was signed, with how it is followed up."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="requirements")
    source_requirement = models.ForeignKey(
        "requirements.Requirement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveIntegerField(default=0)
    methods = models.JSONField(_("methods"), default=list)
    timing = models.CharField(_("timing"), max_length=20, choices=Timing.choices, blank=True)
    interval_months = models.PositiveSmallIntegerField(_("every N months"), null=True, blank=True)
    at_months = models.JSONField(_("months after signing"), default=list, blank=True)
    responsible = models.CharField(_("responsible"), max_length=20, choices=Responsible.choices, blank=True)
    responsible_unit = models.ForeignKey(
        "organisations.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    environment_specialist = models.BooleanField(_("environment specialist takes part"), default=False)

    class Meta:
        verbose_name = _("contract requirement")
        ordering = ["contract", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Subcontractor(TimestampedModel):
    """A third-party supplier in the chain; aim 4 covers them too. Names stay confidential."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="subcontractors")
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("for supplier"),
        on_delete=models.PROTECT,
        related_name="subcontracting",
    )
    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(_("organisation number"), max_length=10, blank=True)
    country = models.CharField(_("country"), max_length=2, default="SE")
    role = models.CharField(_("what they do"), max_length=300)
    collective_agreement = models.CharField(_("collective agreement"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("subcontractor")
        verbose_name_plural = _("subcontractors")
        ordering = ["contract", "name"]

    def __str__(self) -> str:
        return self.name
