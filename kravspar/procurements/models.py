"""Procurements in planning and beyond: the policy's aims, the regions' environmental
goals, classification, and the follow-up strategy that must be approved before a
procurement may leave planning."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kravspar.core.models import TimestampedModel


class Aim(models.IntegerChoices):
    """The six aims of the purchasing policy ("Varje inköp och upphandling ska syfta till att ...")."""

    ECONOMY = 1, _("Good economic management")
    BUSINESS_CLIMATE = 2, _("A good business climate")
    SUSTAINABILITY = 3, _("Sustainable development")
    WORKING_CONDITIONS = 4, _("Good working conditions")
    ANIMAL_WELFARE = 5, _("Animal welfare")
    LOCAL_BUSINESS = 6, _("Local business")


class ProcurementKind(models.TextChoices):
    GOODS = "goods", _("Goods")
    SERVICES = "services", _("Services")
    WORKS = "works", _("Works")


class DataQuality(models.TextChoices):
    """What is wrong with an imported procurement's source row. Such rows are imported all
    the same (the national totals must add up) and carry their problems in ``data_quality``."""

    BUYER_ORG_NUMBER = "buyer_org_number", _("Buyer's organisation number fails the check")  # no buyer linked
    KIND_MISSING = "kind_missing", _("Neither kind nor CPV code given")  # kind left empty
    REPEATED_ID = "repeated_id", _("Upphandlings-ID repeated for the same buyer")  # imported as its own procurement


DATA_QUALITY_ANY = "any"  # the list filter's choice for "any of the problems"


class Procedure(models.TextChoices):
    """Procedures of LOU (2016:1145), plus direct award."""

    OPEN = "open", _("Open procedure")
    RESTRICTED = "restricted", _("Restricted procedure")
    NEGOTIATED_WITH_NOTICE = "negotiated_with_notice", _("Negotiated procedure with prior publication")
    NEGOTIATED_WITHOUT_NOTICE = "negotiated_without_notice", _("Negotiated procedure without prior publication")
    COMPETITIVE_DIALOGUE = "competitive_dialogue", _("Competitive dialogue")
    INNOVATION_PARTNERSHIP = "innovation_partnership", _("Innovation partnership")
    SIMPLIFIED = "simplified", _("Simplified procedure")
    SELECTIVE = "selective", _("Selective procedure")
    DIRECT_AWARD = "direct_award", _("Direct award")


class AgreementType(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    FRAMEWORK = "framework", _("Framework agreement")


class ProcurementStatus(models.TextChoices):
    PLANNING = "planning", _("Planning")  # aims, requirements and strategy are being worked out
    STRATEGY_APPROVED = "strategy_approved", _("Strategy approved")  # the gate passed; may be advertised
    ADVERTISED = "advertised", _("Advertised")  # the notice is published; tenders come in
    EVALUATION = "evaluation", _("Evaluation")  # tenders are evaluated; requirements verified
    AWARDED = "awarded", _("Awarded")  # award decision made; contract follows
    CONCLUDED = "concluded", _("Concluded")  # contract signed; follow-up continues on the contract
    CANCELLED = "cancelled", _("Cancelled")  # stopped, with a reason


class Tier(models.TextChoices):
    """SKR's tiering: the top 10 % of contracts (A), the next 30 % (B), the remaining 60 % (C)."""

    A = "A", _("A – statistics and three meetings a year")
    B = "B", _("B – statistics and one meeting a year")
    C = "C", _("C – statistics and follow-up every second year")


class Kraljic(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic (high importance, high risk)")
    LEVERAGE = "leverage", _("Leverage (high importance, low risk)")
    BOTTLENECK = "bottleneck", _("Bottleneck (low importance, high risk)")
    NON_CRITICAL = "non_critical", _("Non-critical (low importance, low risk)")


LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(3)]


class Procurement(TimestampedModel):
    registry_number = models.CharField(
        _("registry number"), max_length=60, unique=True, help_text=_("The case's diarienummer, e.g. RS-2026-0142.")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    buyers = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("buying organisations"),
        related_name="procurements",
        help_text=_("One organisation, or several for a joint procurement."),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible procurement officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procurements",
    )
    ordering_units = models.ManyToManyField(
        "organisations.Unit", verbose_name=_("ordering units"), blank=True, related_name="procurements"
    )
    cpv_main = models.ForeignKey(
        "cpv.CpvCode",
        verbose_name=_("main CPV code"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cpv_additional = models.ManyToManyField(
        "cpv.CpvCode", verbose_name=_("additional CPV codes"), blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ProcurementKind.choices)
    procedure = models.CharField(_("procedure"), max_length=40, choices=Procedure.choices, blank=True)
    agreement_type = models.CharField(
        _("contract or framework agreement"),
        max_length=20,
        choices=AgreementType.choices,
        default=AgreementType.CONTRACT,
    )
    estimated_value = models.DecimalField(
        _("estimated value (SEK)"), max_digits=15, decimal_places=0, null=True, blank=True
    )
    duration_months = models.PositiveIntegerField(_("duration (months)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProcurementStatus.choices, default=ProcurementStatus.PLANNING
    )
    advertised_on = models.DateField(
        _("advertised on"),
        null=True,
        blank=True,
        help_text=_("The day the notice was published. The strategy gate is measured against it."),
    )
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)
    criticality = models.PositiveSmallIntegerField(
        _("business criticality"),
        null=True,
        blank=True,
        validators=LEVEL_VALIDATORS,
        help_text=_("1 low, 2 medium, 3 high: how badly the operations suffer if deliveries fail."),
    )
    supply_risk = models.PositiveSmallIntegerField(
        _("supply risk"),
        null=True,
        blank=True,
        validators=LEVEL_VALIDATORS,
        help_text=_(
            "1 low, 2 medium, 3 high: market availability, effort to change supplier, social and "
            "environmental risk in the supply chain."
        ),
    )
    tier_override = models.CharField(_("follow-up tier (set by hand)"), max_length=1, choices=Tier.choices, blank=True)
    tier_override_reason = models.TextField(_("reason for the tier set by hand"), blank=True)
    # Where an imported procurement came from (e.g. Upphandlingsmyndigheten's statistics).
    source = models.CharField(_("source"), max_length=100, blank=True)
    # The ``DataQuality`` codes of the source row, separated by spaces (no code is part of
    # another, so ``data_quality__contains=code`` filters by one); empty when none.
    data_quality = models.CharField(_("data quality problems"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("procurement")
        verbose_name_plural = _("procurements")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.registry_number} {self.title}"

    @property
    def data_quality_labels(self) -> list[str]:
        return [str(DataQuality(code).label) for code in self.data_quality.split() if code in DataQuality.values]

    @property
    def value_band(self) -> int | None:
        if self.estimated_value is None:
            return None
        from kravspar.procurements.policy import value_band

        return value_band(self.estimated_value)


class AimAssessment(models.Model):
    """How a procurement serves one of the six aims, or why the aim is not relevant."""

    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="aim_assessments")
    aim = models.PositiveSmallIntegerField(_("aim"), choices=Aim.choices)
    relevant = models.BooleanField(_("relevant"))
    how = models.TextField(
        _("how / why not"), help_text=_("How the procurement serves the aim, or why the aim is not relevant.")
    )

    class Meta:
        verbose_name = _("aim assessment")
        ordering = ["aim"]
        constraints = [models.UniqueConstraint(fields=["procurement", "aim"], name="one_assessment_per_aim")]

    def __str__(self) -> str:
        return f"{self.get_aim_display()}: {'+' if self.relevant else '-'}"


class EnvironmentalGoal(TimestampedModel):
    """A goal of a region's environmental programme (miljöprogram), maintained by administrators."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="environmental_goals",
    )
    programme = models.CharField(_("programme"), max_length=200, help_text=_("e.g. Miljöprogram 2024–2027"))
    code = models.CharField(_("code"), max_length=20, blank=True)
    title = models.CharField(_("goal"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("environmental goal")
        verbose_name_plural = _("environmental goals")
        ordering = ["organisation__name", "code", "title"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()


class GoalAssessment(models.Model):
    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="goal_assessments")
    goal = models.ForeignKey(EnvironmentalGoal, on_delete=models.PROTECT, related_name="assessments")
    addressed = models.BooleanField(_("addressed"))
    how = models.TextField(_("how / why not"))

    class Meta:
        verbose_name = _("environmental goal assessment")
        constraints = [models.UniqueConstraint(fields=["procurement", "goal"], name="one_assessment_per_goal")]

    def __str__(self) -> str:
        return f"{self.goal}: {'+' if self.addressed else '-'}"


class CategoryRuleKind(models.TextChoices):
    HIGH_RISK_SOCIAL = "high_risk_social", _("High-risk category for social follow-up")
    ENVIRONMENT_PRIORITY = "environment_priority", _("Environment-priority area")
    ANIMAL_PRODUCTS = "animal_products", _("Animal products")
    LABOUR_CONDITIONS = "labour_conditions", _("Labour-law conditions need a needs assessment (LOU 17)")


class CategoryRule(TimestampedModel):
    """A maintained table row: CPV codes starting with ``cpv_prefix`` fall in a category
    that triggers a suggestion during planning. Each row names its source."""

    kind = models.CharField(_("kind"), max_length=30, choices=CategoryRuleKind.choices)
    cpv_prefix = models.CharField(_("CPV prefix"), max_length=8, help_text=_("e.g. 15 for all food, 9091 for cleaning"))
    label = models.CharField(_("category"), max_length=200)
    source = models.CharField(_("source"), max_length=300)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category rule")
        verbose_name_plural = _("category rules")
        ordering = ["kind", "cpv_prefix"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.cpv_prefix} {self.label}"


class StrategyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being written; entries can change
    SUBMITTED = "submitted", _("Waiting for approval")  # frozen until approved or sent back
    APPROVED = "approved", _("Approved")  # frozen for good; a change makes a new version
    SUPERSEDED = "superseded", _("Superseded")  # an older version, kept readable


class Strategy(TimestampedModel):
    """One version of a procurement's follow-up strategy. Versions are never deleted."""

    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="strategies")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=StrategyStatus.choices, default=StrategyStatus.DRAFT)
    kickoff_meeting = models.BooleanField(
        _("kick-off meeting"), default=True, help_text=_("A start meeting with the supplier after signing.")
    )
    supplier_must_participate = models.BooleanField(
        _("the supplier must take part in follow-up"),
        default=True,
        help_text=_("The contract obliges the supplier to take part and to provide what is asked for."),
    )
    during_procurement = models.TextField(
        _("follow-up during the procurement"),
        blank=True,
        help_text=_("e.g. how qualification requirements are verified at evaluation."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up strategy")
        verbose_name_plural = _("follow-up strategies")
        ordering = ["procurement", "-number"]
        constraints = [models.UniqueConstraint(fields=["procurement", "number"], name="unique_strategy_version")]

    def __str__(self) -> str:
        return f"{self.procurement.registry_number} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.status != StrategyStatus.DRAFT


class Method(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment questionnaire")
    DOCUMENT_REVIEW = "document_review", _("Document review")
    DESK_AUDIT = "desk_audit", _("Desk audit")
    ON_SITE_AUDIT = "on_site_audit", _("On-site audit")
    SPOT_CHECK = "spot_check", _("Spot check")
    SUPPLIER_MEETING = "supplier_meeting", _("Supplier meeting")
    SURVEY = "survey", _("Survey")
    INVOICE_CHECK = "invoice_check", _("Invoice and price check")
    CERTIFICATE_CHECK = "certificate_check", _("Certificate check")
    LAB_TEST = "lab_test", _("Lab test")


class Timing(models.TextChoices):
    AT_EVALUATION = "at_evaluation", _("At evaluation")
    AT_START = "at_start", _("At contract start")
    RECURRING = "recurring", _("Recurring every N months")
    AT_MONTHS = "at_months", _("At given months after signing")


class Responsible(models.TextChoices):
    ORDERING_UNIT = "ordering_unit", _("The ordering unit (beställaren)")
    PURCHASING = "purchasing", _("Inköp")


class StrategyEntry(models.Model):
    """How, when and by whom one requirement is followed up."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="entries")
    requirement = models.ForeignKey("requirements.Requirement", on_delete=models.PROTECT, related_name="entries")
    methods = models.JSONField(_("methods"), default=list)
    timing = models.CharField(_("timing"), max_length=20, choices=Timing.choices, blank=True)
    interval_months = models.PositiveSmallIntegerField(_("every N months"), null=True, blank=True)
    at_months = models.JSONField(_("months after signing"), default=list, blank=True)
    responsible = models.CharField(_("responsible"), max_length=20, choices=Responsible.choices)
    responsible_unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    environment_specialist = models.BooleanField(
        _("environment specialist takes part"),
        default=False,
        help_text=_("Required in environment-priority areas."),
    )
    override_reason = models.TextField(
        _("reason for changing the responsible"),
        blank=True,
        help_text=_("Needed when the responsible differs from what the purchasing policy assigns."),
    )
    # What the risk tier proposed when the entry was set (policy.proposed_follow_up), kept
    # beside what was chosen so that a change from it, and its reason, stay visible.
    proposed_methods = models.JSONField(_("proposed methods"), default=list, blank=True)
    proposed_timing = models.CharField(_("proposed timing"), max_length=20, choices=Timing.choices, blank=True)
    proposed_interval_months = models.PositiveSmallIntegerField(_("proposed every N months"), null=True, blank=True)
    method_change_reason = models.TextField(
        _("reason for changing the proposed follow-up"),
        blank=True,
        help_text=_("Needed when the methods or frequency differ from what the risk tier proposes."),
    )

    class Meta:
        verbose_name = _("strategy entry")
        constraints = [
            models.UniqueConstraint(fields=["strategy", "requirement"], name="one_entry_per_requirement"),
        ]

    def __str__(self) -> str:
        return f"{self.strategy} – {self.requirement_id}"

    @property
    def has_proposal(self) -> bool:
        return bool(self.proposed_timing)

    @property
    def differs_from_proposal(self) -> bool:
        if not self.has_proposal:
            return False
        if set(self.methods) != set(self.proposed_methods) or self.timing != self.proposed_timing:
            return True
        return self.timing == Timing.RECURRING and self.interval_months != self.proposed_interval_months


class VerificationOutcome(models.TextChoices):
    OPEN = "open", _("Not yet verified")  # opened when the evaluation starts; blocks the award
    VERIFIED = "verified", pgettext_lazy("verification outcome", "Verified")  # the tender shows it is met
    NOT_VERIFIED = "not_verified", pgettext_lazy("verification outcome", "Not verified")  # with the reason


class Verification(TimestampedModel):
    """The dated record that a requirement verified at evaluation was checked before award:
    who checked, on what evidence, and with what outcome ("follow-up during the procurement,
    e.g. verifying qualification requirements at evaluation", domain § 3)."""

    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="verifications")
    requirement = models.ForeignKey(
        "requirements.Requirement", verbose_name=_("requirement"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=VerificationOutcome.choices, default=VerificationOutcome.OPEN
    )
    evidence = models.TextField(_("evidence examined"), blank=True)
    reason = models.TextField(_("reason it is not verified"), blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("verification at evaluation")
        verbose_name_plural = _("verifications at evaluation")
        ordering = ["procurement", "requirement__position", "requirement_id"]
        constraints = [
            models.UniqueConstraint(fields=["procurement", "requirement"], name="one_verification_per_requirement")
        ]

    def __str__(self) -> str:
        return f"{self.procurement.registry_number}: {self.requirement_id} ({self.outcome})"
