"""Deviations found in follow-up, the corrective action plans agreed with the supplier,
the sanctions Inköp decides, and the evaluation at the end of a contract.

Domain § 4: "record deviations (avvikelser) → action plan with deadline (åtgärdsplan,
CAP) → sanction if needed → evaluate and close. Each step leaves a record."
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kravspar.core.models import TimestampedModel
from kravspar.procurements.models import Aim
from kravspar.requirements.models import RequirementType


class Severity(models.TextChoices):
    OBSERVATION = "observation", _("Observation")  # worth noting; no action plan is asked for
    MINOR = "minor", _("Minor")  # a shortcoming the supplier corrects under an action plan
    MAJOR = "major", _("Major")  # a breach of a contract term; a missed deadline demands a sanction decision
    CRITICAL = "critical", _("Critical")  # a grave breach (e.g. forced or child labour); a plan at once


SANCTIONABLE = (Severity.MAJOR, Severity.CRITICAL)


class DeviationStatus(models.TextChoices):
    OPEN = "open", _("Open")  # raised; no action plan agreed yet
    ACTION_PLAN_AGREED = "action_plan_agreed", _("Action plan agreed")  # the supplier works to a deadline
    FIXED = "fixed", _("Fixed")  # the responsible unit verified the correction
    NOT_FIXED = "not_fixed", _("Not fixed")  # verification found the correction missing or not enough
    CLOSED = "closed", _("Closed")  # the matter is finished
    REOPENED = "reopened", _("Reopened")  # found again after it was fixed or closed; a new plan is needed


class Deviation(TimestampedModel):
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="deviations"
    )
    # Raised from a follow-up activity; empty for deviations found elsewhere (e.g. invoices).
    activity = models.ForeignKey(
        "followups.Activity",
        verbose_name=_("follow-up activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deviations",
    )
    requirement = models.ForeignKey(
        "contracts.ContractRequirement",
        verbose_name=_("requirement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deviations",
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deviations",
    )
    subcontractor = models.ForeignKey(
        "contracts.Subcontractor",
        verbose_name=_("subcontractor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deviations",
    )
    # What area the deviation concerns: the requirement's type when there is one, "economy"
    # for what invoices reveal. Reports count deviations by it.
    kind = models.CharField(_("type"), max_length=20, choices=RequirementType.choices, blank=True)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The deviation's own case in the case management system, when it is registered there.
    diary_number = models.CharField(_("diary number"), max_length=60, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=DeviationStatus.choices, default=DeviationStatus.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_on = models.DateField(_("raised"))
    # Reported by whoever carried out the follow-up (an orderer) rather than by Inköp: the
    # severity is then only proposed, and the deviation waits in Inköp's queue until Inköp
    # assesses it. Until then it asks for no action plan and no sanction decision.
    awaiting_assessment = models.BooleanField(_("awaiting Inköp's assessment"), default=False)
    proposed_severity = models.CharField(_("proposed severity"), max_length=20, choices=Severity.choices, blank=True)
    # Copied from the current action plan by the services, so that lists, the status and
    # the "decision needed" rule are one query: the plan's deadline and the day the
    # correction was verified as fixed.
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    fixed_on = models.DateField(_("fixed"), null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")
        ordering = ["-raised_on", "-id"]
        indexes = [models.Index(fields=["contract", "status"]), models.Index(fields=["severity", "deadline"])]

    def __str__(self) -> str:
        return self.title

    @property
    def fixed_in_time(self) -> bool:
        return self.fixed_on is not None and self.deadline is not None and self.fixed_on <= self.deadline

    def current_plan(self) -> ActionPlan | None:
        plans = list(self.action_plans.all())  # prefetched on the deviation page
        return plans[-1] if plans else None


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # proposed (e.g. by the supplier in the portal), not yet agreed
    AGREED = "agreed", _("Agreed")  # agreed with the supplier, with a deadline
    VERIFIED = "verified", _("Verified")  # the responsible unit checked it and found it fixed
    NOT_ENOUGH = "not_enough", _("Not enough")  # checked and found not done, or not enough
    CLOSED = "closed", _("Closed")  # superseded by a later plan or ended with the deviation


class ActionPlan(TimestampedModel):
    """A corrective action plan (åtgärdsplan): time-bound actions, the supplier's
    response and the verification."""

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="action_plans")
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.AGREED)
    agreed_on = models.DateField(_("agreed"))
    deadline = models.DateField(_("deadline"))
    supplier_response = models.TextField(_("the supplier's response"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_on = models.DateField(_("verified"), null=True, blank=True)
    verification_note = models.TextField(_("verification"), blank=True)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["deviation", "id"]

    def __str__(self) -> str:
        return f"{self.deviation} – {self.deadline:%Y-%m-%d}"


class ActionItem(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("action"), max_length=500)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    done_on = models.DateField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["plan", "deadline", "id"]

    def __str__(self) -> str:
        return self.text


class SanctionKind(models.TextChoices):
    """Domain § 4: "remark → fine (vite) → price reduction / set-off against payment →
    termination (hävning) for grave breaches"."""

    REMARK = "remark", _("Remark")  # a written remark (anmärkning)
    FINE = "fine", _("Fine")  # vite: the contract's amount per started week, up to the cap
    PRICE_REDUCTION = "price_reduction", _("Price reduction")  # prisavdrag
    SET_OFF = "set_off", _("Set-off against payment")  # kvittning
    TERMINATION = "termination", _("Termination")  # hävning, for grave breaches


class Decision(models.TextChoices):
    APPLY = "apply", _("Apply")  # the sanction is claimed
    WAIVE = "waive", _("Waive")  # deliberately not claimed, with the reason recorded


class Sanction(TimestampedModel):
    """A decision by Inköp to apply or waive a sanction for one or more deviations."""

    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="sanctions"
    )
    deviations = models.ManyToManyField(Deviation, verbose_name=_("deviations"), related_name="sanctions")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    kind = models.CharField(_("sanction"), max_length=20, choices=SanctionKind.choices, blank=True)
    clause = models.CharField(_("contract clause"), max_length=200, blank=True)
    weeks = models.PositiveSmallIntegerField(_("started weeks"), null=True, blank=True)
    amount = models.DecimalField(_("amount (SEK)"), max_digits=12, decimal_places=0, null=True, blank=True)
    reason = models.TextField(_("reasoning"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("decided"))

    class Meta:
        verbose_name = _("sanction decision")
        verbose_name_plural = _("sanction decisions")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.get_kind_display()} {self.decided_on:%Y-%m-%d}"


class Fulfilment(models.TextChoices):
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")
    NOT_RELEVANT = "not_relevant", _("Not relevant")


class ContractEvaluation(TimestampedModel):
    """The evaluation at the end of a contract: how it served the aims, how the supplier
    relationship worked, and what the next procurement should do differently."""

    contract = models.OneToOneField(
        "contracts.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="evaluation"
    )
    supplier_relationship = models.TextField(_("supplier relationship"), blank=True)
    lessons = models.TextField(_("lessons for the next procurement"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("evaluated by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    evaluated_on = models.DateField(_("evaluated"), default=timezone.localdate)

    class Meta:
        verbose_name = _("contract evaluation")
        verbose_name_plural = _("contract evaluations")

    def __str__(self) -> str:
        return f"{self.contract} – {self.evaluated_on:%Y-%m-%d}"


class AimFulfilment(models.Model):
    evaluation = models.ForeignKey(ContractEvaluation, on_delete=models.CASCADE, related_name="aims")
    aim = models.PositiveSmallIntegerField(_("aim"), choices=Aim.choices)
    fulfilment = models.CharField(_("goal fulfilment"), max_length=20, choices=Fulfilment.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["evaluation", "aim"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "aim"], name="one_fulfilment_per_aim")]

    def __str__(self) -> str:
        return f"{self.get_aim_display()}: {self.get_fulfilment_display()}"
