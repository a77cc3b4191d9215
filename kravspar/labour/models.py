"""Labour-law conditions (arbetsrättsliga villkor, LOU 17 kap. 2–5 §§) from the needs
assessment to the proof: the EU thresholds, the central collective agreements, the
conditions as requirement items, and the two-step follow-up with its personal data."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kravspar.core.models import TimestampedModel


class ContractKind(models.TextChoices):
    """The contract kinds the EU thresholds are set for."""

    WORKS = "works", _("Works")
    SERVICES = "services", _("Services")
    SUPPLIES = "supplies", _("Supplies")
    SOCIAL_SERVICES = "social_services", _("Social and other specific services")


class BuyerCategory(models.TextChoices):
    # Directive 2014/24/EU art. 4: central government authorities have lower thresholds for
    # supplies and services; regions, municipalities and their companies are "sub-central".
    CENTRAL = "central", _("Central government authority")
    SUB_CENTRAL = "sub_central", _("Sub-central contracting authority (regions, municipalities)")


class EUThreshold(TimestampedModel):
    """One row of the maintained threshold table: the value in kronor that applies to one
    buyer category and contract kind during one two-year period."""

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    buyer_category = models.CharField(_("buyer category"), max_length=20, choices=BuyerCategory.choices)
    contract_kind = models.CharField(_("contract kind"), max_length=20, choices=ContractKind.choices)
    amount_eur = models.DecimalField(_("threshold (EUR)"), max_digits=12, decimal_places=0)
    amount_sek = models.DecimalField(_("threshold (SEK)"), max_digits=12, decimal_places=0)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("EU threshold")
        verbose_name_plural = _("EU thresholds")
        ordering = ["-valid_from", "buyer_category", "contract_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["valid_from", "buyer_category", "contract_kind"], name="one_threshold_per_period_and_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.valid_from:%Y}–{self.valid_to:%Y} {self.buyer_category} {self.contract_kind}: {self.amount_sek}"


class CollectiveAgreement(TimestampedModel):
    """A central collective agreement whose lowest levels the conditions refer to."""

    name = models.CharField(_("agreement"), max_length=200)
    parties = models.CharField(_("parties"), max_length=300)
    sector = models.CharField(_("sector"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # CPV prefixes of the sector, to propose the agreement from the procurement's codes.
    cpv_prefixes = models.JSONField(_("CPV prefixes"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("central collective agreement")
        verbose_name_plural = _("central collective agreements")
        ordering = ["sector", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "valid_from"], name="one_agreement_per_period")]

    def __str__(self) -> str:
        return self.name


class WorkLocation(models.TextChoices):
    SWEDEN = "sweden", _("In Sweden")
    ABROAD = "abroad", _("Abroad")
    BOTH = "both", _("In Sweden and abroad")


class NeedDecision(models.TextChoices):
    NEEDED = "needed", _("Conditions are needed")
    NOT_NEEDED = "not_needed", _("Conditions are not needed")


class NeedsAssessment(TimestampedModel):
    """The officer's reasoned decision whether labour-law conditions are needed
    (behövlighetsbedömning), with the facts it rests on as they were when decided."""

    procurement = models.OneToOneField(
        "procurements.Procurement", on_delete=models.CASCADE, related_name="labour_assessment"
    )
    contract_kind = models.CharField(_("contract kind"), max_length=20, choices=ContractKind.choices)
    buyer_category = models.CharField(
        _("buyer category"), max_length=20, choices=BuyerCategory.choices, default=BuyerCategory.SUB_CENTRAL
    )
    estimated_value = models.DecimalField(_("estimated value (SEK)"), max_digits=15, decimal_places=0, null=True)
    threshold = models.ForeignKey(
        EUThreshold, verbose_name=_("EU threshold"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    above_threshold = models.BooleanField(_("at or above the EU threshold"), default=False)
    work_location = models.CharField(_("where the work is done"), max_length=10, choices=WorkLocation.choices)
    labour_intensive = models.BooleanField(_("labour-intensive area (CPV)"), default=False)
    signal = models.CharField(_("areas found from the CPV codes"), max_length=300, blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=NeedDecision.choices)
    reason = models.TextField(_("reason"))
    agreement = models.ForeignKey(
        CollectiveAgreement,
        verbose_name=_("central collective agreement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("decided on"))

    class Meta:
        verbose_name = _("needs assessment for labour-law conditions")
        verbose_name_plural = _("needs assessments for labour-law conditions")
        ordering = ["-decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.procurement_id}: {self.decision}"


class Condition(models.TextChoices):
    """The three levels LOU 17 kap. 2 § names."""

    WAGES = "wages", _("Wages")
    HOLIDAY = "holiday", _("Holiday")
    WORKING_HOURS = "working_hours", _("Working hours")


class ConditionItem(models.Model):
    """One of the three conditions, kept as its own requirement of the procurement."""

    assessment = models.ForeignKey(NeedsAssessment, on_delete=models.CASCADE, related_name="conditions")
    condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices)
    requirement = models.ForeignKey("requirements.Requirement", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("labour-law condition")
        ordering = ["assessment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "condition"], name="one_item_per_condition"),
        ]

    def __str__(self) -> str:
        return self.condition


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")  # step 1 and step 2 may be requested and answered
    CLOSED = "closed", _("Closed")  # done; step-2 documents wait for their deletion day


class LabourFollowUp(TimestampedModel):
    """The follow-up of the conditions on one contract, for the supplier and its chain."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="labour_followups")
    agreement = models.ForeignKey(
        CollectiveAgreement, verbose_name=_("central collective agreement"), on_delete=models.PROTECT, related_name="+"
    )
    # The Inköp officer who follows it up; with the procurement's officer, the only buyer
    # staff who may open the step-2 documents.
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    # The follow-up activity (method: self-assessment questionnaire) that step 1's requests
    # to the supplier hang on (questionnaires app); made when step 1 is first sent.
    activity = models.ForeignKey(
        "followups.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="labour_followups"
    )
    opened_on = models.DateField(_("opened"))
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)

    class Meta:
        verbose_name = _("labour-conditions follow-up")
        verbose_name_plural = _("labour-conditions follow-ups")
        ordering = ["-opened_on", "id"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.opened_on:%Y-%m-%d}"


class DeclarationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")  # waits for the supplier
    ANSWERED = "answered", _("Answered")  # the supplier declared for itself or the subcontractor


class SelfDeclaration(TimestampedModel):
    """Step 1: the supplier's self-declaration, for itself or for one subcontractor, that the
    conditions of the named agreement are met."""

    followup = models.ForeignKey(LabourFollowUp, on_delete=models.CASCADE, related_name="declarations")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="+")
    subcontractor = models.ForeignKey(
        "contracts.Subcontractor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DeclarationStatus.choices, default=DeclarationStatus.REQUESTED
    )
    # {"wages": true, "holiday": true, "working_hours": false}
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    employees = models.PositiveIntegerField(_("employees working on the contract"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_on = models.DateField(_("answered"), null=True, blank=True)
    # Step 1 through the questionnaires: the request made from the labour self-declaration
    # template, and which of its questions carry the three conditions and the workforce
    # ({"wages": <question uuid>, ..., "employees": <question uuid>}).
    request = models.OneToOneField(
        "questionnaires.SupplierRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="labour_declaration",
    )
    questions = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("self-declaration (step 1)")
        verbose_name_plural = _("self-declarations (step 1)")
        ordering = ["followup", "id"]

    def __str__(self) -> str:
        return f"{self.followup_id}: {self.subcontractor_id or 'supplier'}"


class RequestReason(models.TextChoices):
    SAMPLE = "sample", _("Sample")
    SUSPICION = "suspicion", _("Suspicion")


class DocumentKind(models.TextChoices):
    PAYSLIP = "payslip", _("Payslips")
    TIME_REPORT = "time_report", _("Time reports")
    EMPLOYEE_LIST = "employee_list", _("Employee list")
    SUBCONTRACT = "subcontract", _("Subcontractor contract")


class DocumentRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")  # the supplier is asked for the documents
    SUBMITTED = "submitted", _("Submitted")  # documents uploaded, waiting for review
    REVIEWED = "reviewed", _("Reviewed")  # each condition reviewed


class DocumentRequest(TimestampedModel):
    """Step 2: documents asked for through the portal, for the supplier or one subcontractor,
    on a sample (how many employees, which months) or on suspicion."""

    followup = models.ForeignKey(LabourFollowUp, on_delete=models.CASCADE, related_name="document_requests")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="+")
    subcontractor = models.ForeignKey(
        "contracts.Subcontractor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=RequestReason.choices)
    employees = models.PositiveIntegerField(_("employees in the sample"))
    months = models.JSONField(_("months"), default=list)  # ["2026-03", "2026-07"]
    kinds = models.JSONField(_("documents"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentRequestStatus.choices, default=DocumentRequestStatus.REQUESTED
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField(_("requested"))
    due_on = models.DateField(_("due"))

    class Meta:
        verbose_name = _("document request (step 2)")
        verbose_name_plural = _("document requests (step 2)")
        ordering = ["followup", "id"]

    def __str__(self) -> str:
        return f"{self.followup_id}: {self.subcontractor_id or 'supplier'} {self.requested_on:%Y-%m-%d}"


def proof_path(instance: ProofDocument, filename: str) -> str:
    # Random stored name: the original name (often a person's) is kept only in the row.
    return f"labour/{instance.request.followup_id}/{uuid.uuid4().hex}"


class ProofDocument(models.Model):
    """A step-2 document. It holds personal data (names, wages, hours): only the Inköp
    officers on the contract and the uploading supplier may open it, it is never exported,
    and it is deleted on ``delete_after`` (the follow-up's closing day plus the retention
    period, setting ``KRAVSPAR_LABOUR_DOCUMENT_RETENTION_MONTHS``)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(DocumentRequest, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(upload_to=proof_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    personal_data = models.BooleanField(_("holds personal data"), default=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    delete_after = models.DateField(_("deleted on"), null=True, blank=True)

    class Meta:
        verbose_name = _("step-2 document")
        verbose_name_plural = _("step-2 documents")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["delete_after"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.uuid})"


class ReviewOutcome(models.TextChoices):
    MEETS = "meets", _("Meets the agreement's level")
    DEVIATION = "deviation", _("Below the agreement's level: deviation")
    NOT_ASSESSABLE = "not_assessable", _("Cannot be assessed from the documents")


class ConditionReview(TimestampedModel):
    """The officer's review of one condition against the step-2 documents (the checklist)."""

    request = models.ForeignKey(DocumentRequest, on_delete=models.CASCADE, related_name="reviews")
    condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices)
    checklist = models.JSONField(_("checked"), default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ReviewOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField(_("reviewed"))
    deviation = models.ForeignKey(
        "findings.Deviation", null=True, blank=True, on_delete=models.PROTECT, related_name="labour_reviews"
    )

    class Meta:
        verbose_name = _("condition review")
        ordering = ["request", "id"]
        constraints = [models.UniqueConstraint(fields=["request", "condition"], name="one_review_per_condition")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.condition}: {self.outcome}"


class UnionConsultation(TimestampedModel):
    """A consultation with the trade union of the sector, kept as evidence on the follow-up."""

    followup = models.ForeignKey(LabourFollowUp, on_delete=models.CASCADE, related_name="consultations")
    union = models.CharField(_("trade union"), max_length=200)
    contact = models.CharField(_("who"), max_length=200)
    held_on = models.DateField(_("when"))
    summary = models.TextField(_("what was said"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("union consultation")
        verbose_name_plural = _("union consultations")
        ordering = ["followup", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.union} {self.held_on:%Y-%m-%d}"
