"""Every change to the labour-conditions workflow, one function each (atomic, audited).

Step-2 documents hold personal data: their history events name the kind of document and
the request, never the file name or its content."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.accounts import access as accounts_access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record, snapshot
from kravspar.contracts.models import Contract, Subcontractor
from kravspar.core.errors import DomainError, NotAllowedError
from kravspar.findings import services as finding_services
from kravspar.findings.models import Severity
from kravspar.followups import uploads
from kravspar.labour import access, policy
from kravspar.labour.models import (
    CollectiveAgreement,
    Condition,
    ConditionItem,
    ConditionReview,
    DeclarationStatus,
    DocumentKind,
    DocumentRequest,
    DocumentRequestStatus,
    FollowUpStatus,
    LabourFollowUp,
    NeedDecision,
    NeedsAssessment,
    ProofDocument,
    RequestReason,
    ReviewOutcome,
    SelfDeclaration,
    UnionConsultation,
    WorkLocation,
)
from kravspar.labour.tables import threshold_set as threshold_set  # kept here for callers; lives in tables
from kravspar.portal import access as portal_access
from kravspar.procurements.models import Aim, Procurement
from kravspar.records.models import Anchor, PeriodUnit, RecordType, RetentionRule
from kravspar.records.services import retention_apply
from kravspar.requirements import services as requirement_services
from kravspar.requirements.models import RequirementType
from kravspar.suppliers.models import Supplier


class LabourStateError(DomainError):
    code = "invalid_transition"
    status = 409


def _today() -> datetime.date:
    return timezone.localdate()


def _org(procurement: Procurement | None) -> Any:
    return procurement.buyers.order_by("id").first() if procurement else None


def _contract_org(contract: Contract) -> Any:
    return contract.buyers.order_by("id").first()


def retention_months(contract: Contract | None = None) -> int:
    """How many months a step-2 document is kept after its follow-up closes: the retention
    schedule's rule of the contract's organisation when it counts from the closing (records
    app), otherwise the setting."""
    organisation = _contract_org(contract) if contract is not None else None
    rule = (
        RetentionRule.objects.filter(
            organisation=organisation, record_type=RecordType.LABOUR_DOCUMENT, anchor=Anchor.FOLLOWUP_CLOSED
        ).first()
        if organisation is not None
        else None
    )
    if rule is not None:
        return rule.period * 12 if rule.unit == PeriodUnit.YEARS else rule.period
    return int(getattr(settings, "KRAVSPAR_LABOUR_DOCUMENT_RETENTION_MONTHS", 24))


# --- Needs assessment and conditions ---------------------------------------------------


ASSESSMENT_FIELDS = [
    "contract_kind",
    "estimated_value",
    "above_threshold",
    "work_location",
    "labour_intensive",
    "signal",
    "decision",
    "reason",
    "agreement",
    "decided_on",
]


@transaction.atomic
def assessment_record(
    *,
    actor: User | None,
    procurement: Procurement,
    decision: str,
    reason: str,
    work_location: str,
    contract_kind: str = "",
    agreement: CollectiveAgreement | None = None,
    decided_on: datetime.date | None = None,
) -> NeedsAssessment:
    """Record (or change) the officer's reasoned decision whether conditions are needed,
    with the threshold and CPV signal as they are now."""
    if actor is not None and not accounts_access.has_perm(actor, Perm.MANAGE_PROCUREMENTS):
        raise NotAllowedError()
    errors: dict[str, list[str]] = {}
    if decision not in NeedDecision.values:
        errors["decision"] = [_("Decision: say whether labour-law conditions are needed.")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [
            _("Reason: say why conditions are not needed.")
            if decision == NeedDecision.NOT_NEEDED
            else _("Reason: say why conditions are needed.")
        ]
    if work_location not in WorkLocation.values:
        errors["work_location"] = [_("Where the work is done: choose Sweden, abroad or both.")]
    kind = contract_kind or policy.contract_kind_for(procurement)
    if kind not in policy.ContractKind.values:
        errors["contract_kind"] = [_("Contract kind: choose works, services, supplies or social services.")]
    if agreement is not None and not agreement.is_active:
        errors["agreement"] = [_("Agreement: choose an agreement in the maintained list.")]
    if errors:
        raise ValidationError(errors)
    facts = policy.facts(procurement, contract_kind=kind)
    assessment = NeedsAssessment.objects.select_for_update().filter(procurement=procurement).first()
    before = snapshot(assessment, ASSESSMENT_FIELDS) if assessment else None
    if assessment is None:
        assessment = NeedsAssessment(procurement=procurement)
    assessment.contract_kind = kind
    assessment.estimated_value = procurement.estimated_value
    assessment.threshold = facts.threshold
    assessment.above_threshold = facts.above_threshold
    assessment.work_location = work_location
    assessment.labour_intensive = bool(facts.signal)
    assessment.signal = ", ".join(facts.signal)[:300]
    assessment.decision = decision
    assessment.reason = reason
    if agreement is not None:
        assessment.agreement = agreement
    assessment.decided_by = actor
    assessment.decided_on = decided_on or _today()
    if before is not None:
        assessment.version += 1
    assessment.save()
    audit_record(
        actor=actor,
        action="labour.assessment_recorded",
        obj=procurement,
        organisation=_org(procurement),
        before=before,
        after=snapshot(assessment, ASSESSMENT_FIELDS),
    )
    return assessment


def condition_text(condition: str, agreement: CollectiveAgreement) -> str:
    texts = {
        Condition.WAGES: _(
            "The supplier shall ensure that employees who carry out the contract in Sweden receive at least the "
            "wage that follows from %(agreement)s (%(parties)s)."
        ),
        Condition.HOLIDAY: _(
            "The supplier shall ensure that employees who carry out the contract in Sweden get at least the holiday "
            "that follows from %(agreement)s (%(parties)s)."
        ),
        Condition.WORKING_HOURS: _(
            "The supplier shall ensure that employees who carry out the contract in Sweden have working hours no "
            "longer than those that follow from %(agreement)s (%(parties)s)."
        ),
    }
    tail = _(" The condition applies to subcontractors, regardless of the number of intermediate links.")
    return str(texts[Condition(condition)] % {"agreement": agreement.name, "parties": agreement.parties}) + str(tail)


@transaction.atomic
def conditions_set(
    *, actor: User | None, procurement: Procurement, agreement: CollectiveAgreement
) -> list[ConditionItem]:
    """Add the three conditions (wages, holiday, working hours) as separate requirements of
    the procurement at the named agreement's level, binding subcontractors. Conditions
    already set are kept; the agreement is recorded on the assessment."""
    assessment = NeedsAssessment.objects.select_for_update().filter(procurement=procurement).first()
    if assessment is None or assessment.decision != NeedDecision.NEEDED:
        raise ValidationError(
            {"agreement": [_("Record the needs assessment with the decision that conditions are needed first.")]}
        )
    if not agreement.is_active:
        raise ValidationError({"agreement": [_("Agreement: choose an agreement in the maintained list.")]})
    have = {c.condition: c for c in assessment.conditions.select_related("requirement")}
    items: list[ConditionItem] = []
    for condition in Condition:
        item = have.get(condition.value)
        if item is None:
            requirement = requirement_services.requirement_add(
                actor=actor,
                procurement=procurement,
                title=_("Labour-law condition: %(condition)s") % {"condition": str(condition.label).lower()},
                type=RequirementType.LABOUR,
                text=condition_text(condition.value, agreement),
                evidence=_(
                    "Step 1: self-declaration by the supplier and each subcontractor. Step 2 on a sample or on "
                    "suspicion: payslips, time reports, employee lists and subcontractor contracts."
                ),
                binds_subcontractors=True,
                aims=[Aim.WORKING_CONDITIONS.value],
            )
            item = ConditionItem.objects.create(
                assessment=assessment, condition=condition.value, requirement=requirement
            )
        items.append(item)
    before = snapshot(assessment, ["agreement"])
    assessment.agreement = agreement
    assessment.version += 1
    assessment.save()
    audit_record(
        actor=actor,
        action="labour.conditions_set",
        obj=procurement,
        organisation=_org(procurement),
        before=before,
        after=snapshot(assessment, ["agreement"]) | {"conditions": [i.condition for i in items]},
    )
    return items


# --- Follow-up -----------------------------------------------------------------------------


def _require_officer(actor: User | None, followup: LabourFollowUp) -> None:
    if actor is not None and not access.is_officer_on(actor, followup):
        raise NotAllowedError(_("Only the Inköp officers on the contract do this."))


def _require_open(followup: LabourFollowUp) -> None:
    # Read afresh: the caller's object may predate the closing.
    if not LabourFollowUp.objects.filter(pk=followup.pk, status=FollowUpStatus.OPEN).exists():
        raise LabourStateError(_("This follow-up is closed."))


@transaction.atomic
def followup_open(
    *,
    actor: User | None,
    contract: Contract,
    officer: User | None = None,
    agreement: CollectiveAgreement | None = None,
    opened_on: datetime.date | None = None,
) -> LabourFollowUp:
    """Open the follow-up of the conditions on a contract and ask for step 1: one
    self-declaration from each supplier and one for each of its active subcontractors."""
    if actor is not None and not access.can_manage(actor):
        raise NotAllowedError()
    procurement = contract.procurement
    assessment = getattr(procurement, "labour_assessment", None) if procurement else None
    agreement = agreement or (assessment.agreement if assessment else None)
    officer = officer or (procurement.officer if procurement else None) or actor
    errors: dict[str, list[str]] = {}
    if agreement is None:
        errors["agreement"] = [_("Agreement: name the central collective agreement the conditions refer to.")]
    if officer is None or not accounts_access.has_perm(officer, Perm.MANAGE_CONTRACTS):
        errors["officer"] = [_("Officer: choose an Inköp officer.")]
    if errors:
        raise ValidationError(errors)
    assert agreement is not None and officer is not None
    followup = LabourFollowUp.objects.create(
        contract=contract, agreement=agreement, officer=officer, opened_on=opened_on or _today()
    )
    for supplier in contract.suppliers.order_by("id"):
        SelfDeclaration.objects.create(followup=followup, supplier=supplier)
        for sub in contract.subcontractors.filter(supplier=supplier, is_active=True).order_by("id"):
            SelfDeclaration.objects.create(followup=followup, supplier=supplier, subcontractor=sub)
    audit_record(
        actor=actor,
        action="labour.followup_opened",
        obj=contract,
        organisation=_contract_org(contract),
        after=snapshot(followup, ["agreement", "officer", "opened_on"])
        | {"declarations": followup.declarations.count()},
    )
    return followup


@transaction.atomic
def declaration_answer(
    *,
    actor: User,
    declaration: SelfDeclaration,
    answers: dict[str, bool],
    employees: int | None,
    comment: str = "",
    today: datetime.date | None = None,
) -> SelfDeclaration:
    """Step 1: the supplier declares, for itself or one subcontractor, whether each
    condition of the named agreement is met. ``today``: the day it happened (the demo's
    story told from another day); by default today."""
    if not portal_access.is_supplier_contact(actor) or actor.supplier_id != declaration.supplier_id:
        raise NotAllowedError()
    locked = SelfDeclaration.objects.select_for_update().select_related("followup").get(pk=declaration.pk)
    _require_open(locked.followup)
    if locked.request_id is not None:
        raise LabourStateError(_("This self-declaration is answered through its questionnaire."))
    errors: dict[str, list[str]] = {}
    missing = [c for c in Condition if c.value not in answers]
    if missing:
        errors["answers"] = [_("Answer for wages, holiday and working hours.")]
    if employees is None or employees < 1:
        errors["employees"] = [_("Employees: say how many work on the contract.")]
    if any(answers.get(c.value) is False for c in Condition) and not (comment or "").strip():
        errors["comment"] = [_("Comment: say what is not met and why.")]
    if errors:
        raise ValidationError(errors)
    locked.answers = {c.value: bool(answers[c.value]) for c in Condition}
    locked.employees = employees
    locked.comment = (comment or "").strip()
    locked.status = DeclarationStatus.ANSWERED
    locked.answered_by = actor
    locked.answered_on = today or _today()
    locked.version += 1
    locked.save()
    audit_record(
        actor=actor,
        action="labour.declaration_answered",
        obj=locked.followup.contract,
        after={"answers": locked.answers, "subcontractor": bool(locked.subcontractor_id)},
    )
    return locked


@transaction.atomic
def document_request_create(
    *,
    actor: User | None,
    followup: LabourFollowUp,
    reason: str,
    employees: int,
    months: Iterable[str],
    kinds: Iterable[str],
    due_on: datetime.date,
    subcontractor: Subcontractor | None = None,
    supplier: Supplier | None = None,
    today: datetime.date | None = None,
) -> DocumentRequest:
    """Step 2: ask, through the portal, for documents proving the conditions for the
    supplier or one subcontractor (the supplier uploads them for its subcontractor)."""
    _require_officer(actor, followup)
    _require_open(followup)
    day = today or _today()
    months, kinds = list(months), list(kinds)
    errors: dict[str, list[str]] = {}
    if subcontractor is not None:
        if subcontractor.contract_id != followup.contract_id:
            errors["subcontractor"] = [_("Subcontractor: choose one of this contract's subcontractors.")]
        supplier = subcontractor.supplier
    if supplier is None:
        supplier = followup.contract.sole_supplier()
    if supplier is None or not followup.contract.suppliers.filter(pk=supplier.pk).exists():
        errors["supplier"] = [_("Supplier: choose one of the contract's suppliers.")]
    if reason not in RequestReason.values:
        errors["reason"] = [_("Reason: choose sample or suspicion.")]
    if not employees or employees < 1:
        errors["employees"] = [_("Employees: ask for at least one employee.")]
    if not months or any(not _is_month(m) for m in months):
        errors["months"] = [_("Months: give at least one month as YYYY-MM.")]
    if not kinds or any(k not in DocumentKind.values for k in kinds):
        errors["kinds"] = [_("Documents: choose at least one kind of document.")]
    if due_on is None or due_on < day:
        errors["due_on"] = [_("Due: choose a day from today on.")]
    if errors:
        raise ValidationError(errors)
    assert supplier is not None
    request = DocumentRequest.objects.create(
        followup=followup,
        supplier=supplier,
        subcontractor=subcontractor,
        reason=reason,
        employees=employees,
        months=sorted(set(months)),
        kinds=list(dict.fromkeys(kinds)),
        requested_by=actor,
        requested_on=day,
        due_on=due_on,
    )
    audit_record(
        actor=actor,
        action="labour.documents_requested",
        obj=followup.contract,
        organisation=_contract_org(followup.contract),
        after=snapshot(request, ["reason", "employees", "months", "kinds", "due_on"])
        | {"subcontractor": bool(subcontractor)},
    )
    return request


def _is_month(value: str) -> bool:
    try:
        datetime.datetime.strptime(value, "%Y-%m")
    except (TypeError, ValueError):
        return False
    return len(value) == 7


def proof_upload(*, actor: User, request: DocumentRequest, kind: str, upload: UploadedFile | None) -> ProofDocument:
    """The supplier uploads one step-2 document. It is marked as personal data; its
    deletion day is set when the follow-up is closed."""
    if not portal_access.is_supplier_contact(actor) or actor.supplier_id != request.supplier_id:
        raise NotAllowedError()
    _require_open(request.followup)
    errors: dict[str, list[str]] = {}
    if kind not in request.kinds:
        errors["kind"] = [_("Document: choose one of the documents asked for.")]
    content_type = ""
    if upload is None:
        errors["file"] = [_("File: choose the file to upload.")]
    else:
        try:
            content_type = uploads.validate_evidence(upload)
        except ValidationError as exc:
            errors["file"] = exc.messages
    if errors:
        raise ValidationError(errors)
    assert upload is not None
    document = ProofDocument(
        request=request,
        kind=kind,
        content_type=content_type,
        size=upload.size or 0,
        sha256=uploads.sha256_of(upload),
        original_name=(upload.name or "file").replace("/", "_").replace("\\", "_")[:255],
        uploaded_by=actor,
    )
    with transaction.atomic():
        document.file.save(document.original_name, upload, save=False)
        document.save()
        DocumentRequest.objects.filter(pk=request.pk, status=DocumentRequestStatus.REQUESTED).update(
            status=DocumentRequestStatus.SUBMITTED
        )
        # Personal data: the history names the kind of document only.
        audit_record(
            actor=actor,
            action="labour.document_uploaded",
            obj=request.followup.contract,
            after={"kind": kind, "request": str(request.uuid)},
        )
    return document


@transaction.atomic
def condition_review(
    *,
    actor: User | None,
    request: DocumentRequest,
    condition: str,
    outcome: str,
    checklist: Iterable[str] = (),
    note: str = "",
    severity: str = Severity.MAJOR,
    today: datetime.date | None = None,
) -> ConditionReview:
    """Review one condition against the documents; below the agreement's level raises a
    deviation for the supplier (and the subcontractor it concerns)."""
    followup = request.followup
    _require_officer(actor, followup)
    _require_open(followup)
    checked = list(dict.fromkeys(checklist))
    errors: dict[str, list[str]] = {}
    if condition not in Condition.values:
        errors["condition"] = [_("Condition: choose wages, holiday or working hours.")]
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = [_("Outcome: choose meets, deviation or cannot be assessed.")]
    elif outcome != ReviewOutcome.MEETS and not (note or "").strip():
        errors["note"] = [_("Note: say what the documents show.")]
    if condition in Condition.values and any(c not in policy.CHECKLIST[condition] for c in checked):
        errors["checklist"] = [_("Checklist: tick only the points of this condition.")]
    if not request.documents.exists():
        errors["outcome"] = [_("No documents have been uploaded for this request yet.")]
    if ConditionReview.objects.filter(request=request, condition=condition).exists():
        errors["condition"] = [_("This condition is already reviewed for this request.")]
    if errors:
        raise ValidationError(errors)
    deviation = None
    if outcome == ReviewOutcome.DEVIATION:
        label = str(Condition(condition).label).lower()
        party = request.subcontractor.name if request.subcontractor else request.supplier.name
        deviation = finding_services.deviation_raise_on_contract(
            actor=actor,
            contract=followup.contract,
            kind=RequirementType.LABOUR,
            severity=severity,
            title=_("Labour-law condition on %(condition)s not met by %(party)s")
            % {"condition": label, "party": party},
            description=note.strip(),
            supplier=request.supplier,
            subcontractor=request.subcontractor,
            raised_on=today,
        )
    review = ConditionReview.objects.create(
        request=request,
        condition=condition,
        outcome=outcome,
        checklist=checked,
        note=(note or "").strip(),
        reviewed_by=actor,
        reviewed_on=today or _today(),
        deviation=deviation,
    )
    if request.reviews.count() == len(Condition):
        DocumentRequest.objects.filter(pk=request.pk).update(status=DocumentRequestStatus.REVIEWED)
    audit_record(
        actor=actor,
        action="labour.condition_reviewed",
        obj=followup.contract,
        organisation=_contract_org(followup.contract),
        after={"condition": condition, "outcome": outcome, "checklist": checked},
    )
    return review


@transaction.atomic
def consultation_record(
    *,
    actor: User | None,
    followup: LabourFollowUp,
    union: str,
    contact: str,
    held_on: datetime.date | None,
    summary: str,
    today: datetime.date | None = None,
) -> UnionConsultation:
    """Record a consultation with the sector's trade union as evidence on the follow-up."""
    _require_officer(actor, followup)
    errors: dict[str, list[str]] = {}
    if not (union or "").strip():
        errors["union"] = [_("Trade union: name the union.")]
    if not (contact or "").strip():
        errors["contact"] = [_("Who: name the person you spoke with.")]
    if held_on is None or held_on > (today or _today()):
        errors["held_on"] = [_("When: give the day, not in the future.")]
    if not (summary or "").strip():
        errors["summary"] = [_("What was said: summarise the consultation.")]
    if errors:
        raise ValidationError(errors)
    assert held_on is not None
    consultation = UnionConsultation.objects.create(
        followup=followup,
        union=union.strip(),
        contact=contact.strip(),
        held_on=held_on,
        summary=summary.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="labour.union_consulted",
        obj=followup.contract,
        organisation=_contract_org(followup.contract),
        after=snapshot(consultation, ["union", "held_on"]),
    )
    return consultation


@transaction.atomic
def followup_close(
    *, actor: User | None, followup: LabourFollowUp, conclusion: str, closed_on: datetime.date | None = None
) -> LabourFollowUp:
    """Close the follow-up; every step-2 document is then due for deletion on the closing
    day plus the retention period."""
    _require_officer(actor, followup)
    locked = LabourFollowUp.objects.select_for_update().get(pk=followup.pk)
    _require_open(locked)
    if not (conclusion or "").strip():
        raise ValidationError({"conclusion": [_("Conclusion: say what the follow-up showed.")]})
    locked.status = FollowUpStatus.CLOSED
    locked.closed_on = closed_on or _today()
    locked.conclusion = conclusion.strip()
    locked.version += 1
    locked.save()
    delete_after = policy.retention_end(locked.closed_on, retention_months(locked.contract))
    scheduled = ProofDocument.objects.filter(request__followup=locked).update(delete_after=delete_after)
    audit_record(
        actor=actor,
        action="labour.followup_closed",
        obj=locked.contract,
        organisation=_contract_org(locked.contract),
        after={"closed_on": str(locked.closed_on), "documents_deleted_on": str(delete_after), "documents": scheduled},
    )
    return locked


def proof_documents_purge(*, today: datetime.date | None = None) -> int:
    """Dispose of every step-2 document whose day has come, the file and its row, through the
    retention schedule (``records.services.retention_apply``, one history event each).
    Returns how many went. Run daily (`apply_retention`, or `purge_labour_documents`)."""
    return len(retention_apply(today=today, record_types=[RecordType.LABOUR_DOCUMENT]))


# --- Step 1 through the questionnaires -----------------------------------------------------

# The seeded template (questionnaires migration 0002); another active labour template is
# used when an administrator has retired it.
STEP1_TEMPLATE_TITLE = "Självdeklaration: arbetsrättsliga villkor"
# Activities the labour follow-up opens outside the requirement's schedule are numbered from
# here, so that re-planning (which keys on the schedule's occurrences 0, 1, …) never claims them.
ADHOC_OCCURRENCE = 1000


def step1_template() -> Any:
    from kravspar.questionnaires.models import Questionnaire
    from kravspar.requirements.models import RequirementType as RType

    templates = Questionnaire.objects.filter(is_template=True, active=True, requirement_type=RType.LABOUR)
    return templates.filter(title=STEP1_TEMPLATE_TITLE).first() or templates.order_by("id").first()


def _step1_activity(followup: LabourFollowUp, deadline: datetime.date) -> Any:
    """The open follow-up activity step 1's requests hang on: the follow-up's own, or a new one
    on the contract's labour-law condition (method: self-assessment questionnaire)."""
    from django.db.models import Max

    from kravspar.contracts.models import ContractRequirement
    from kravspar.followups.models import OPEN_STATUSES, Activity
    from kravspar.procurements.models import Method, Responsible

    if followup.activity_id is not None:
        activity = Activity.objects.filter(pk=followup.activity_id, status__in=OPEN_STATUSES).first()
        if activity is not None:
            return activity
    labour = ContractRequirement.objects.filter(contract=followup.contract, type=RequirementType.LABOUR)
    condition_ids = ConditionItem.objects.filter(
        assessment__procurement_id=followup.contract.procurement_id or 0
    ).values_list("requirement_id", flat=True)
    requirement = (
        labour.filter(source_requirement_id__in=condition_ids).order_by("position", "id").first()
        or labour.order_by("position", "id").first()
    )
    if requirement is None:
        requirement = _contract_condition(followup)
    last = Activity.objects.filter(requirement=requirement).aggregate(m=Max("occurrence"))["m"] or 0
    activity = Activity.objects.create(
        contract=followup.contract,
        requirement=requirement,
        occurrence=max(ADHOC_OCCURRENCE, last + 1),
        method=Method.SELF_ASSESSMENT,
        due_on=deadline,
        responsible=Responsible.PURCHASING,
        responsible_person=followup.officer,
    )
    LabourFollowUp.objects.filter(pk=followup.pk).update(activity=activity)
    followup.activity = activity
    return activity


def _contract_condition(followup: LabourFollowUp) -> Any:
    """A contract registered without its procurement's requirements (registered directly)
    holds no labour-law condition to hang the follow-up on: the condition the follow-up
    checks is added to it, copied from the procurement's wage condition when there is one,
    else written from the follow-up's agreement."""
    from kravspar.contracts.models import ContractRequirement
    from kravspar.contracts.services import REQUIREMENT_COPY
    from kravspar.procurements.models import Method, Responsible

    item = (
        ConditionItem.objects.filter(
            assessment__procurement_id=followup.contract.procurement_id or 0, condition=Condition.WAGES
        )
        .select_related("requirement")
        .first()
    )
    common = {
        "contract": followup.contract,
        "methods": [Method.SELF_ASSESSMENT.value, Method.DOCUMENT_REVIEW.value],
        "responsible": Responsible.PURCHASING,
        "position": 1000,
    }
    if item is not None:
        source = item.requirement
        row = ContractRequirement(
            source_requirement=source, **({f: getattr(source, f) for f in REQUIREMENT_COPY} | common)
        )
    else:
        row = ContractRequirement(
            title=_("Labour-law conditions (LOU 17 kap.)"),
            type=RequirementType.LABOUR,
            text=" ".join(condition_text(c.value, followup.agreement) for c in Condition),
            binds_subcontractors=True,
            **common,
        )
    row.save()
    return row


def _step1_questions(questionnaire: Any, agreement: CollectiveAgreement) -> dict[str, str]:
    """Put the agreement's three conditions and the workforce first in the request's own copy
    of the template; returns which question carries what."""
    from django.db.models import F

    from kravspar.questionnaires.models import Question, QuestionType

    facts = {"agreement": agreement.name, "parties": agreement.parties}
    texts = {
        Condition.WAGES: _(
            "Do all employees who carry out the contract receive at least the wage that follows from "
            "%(agreement)s (%(parties)s)?"
        ),
        Condition.HOLIDAY: _(
            "Do all employees who carry out the contract get at least the holiday that follows from "
            "%(agreement)s (%(parties)s)?"
        ),
        Condition.WORKING_HOURS: _(
            "Are the working hours of the employees who carry out the contract no longer than those that follow "
            "from %(agreement)s (%(parties)s)?"
        ),
    }
    questionnaire.questions.update(position=F("position") + len(texts) + 1)
    keys: dict[str, str] = {}
    for position, (condition, text) in enumerate(texts.items()):
        question = Question.objects.create(
            questionnaire=questionnaire,
            position=position,
            text=str(text) % facts,
            type=QuestionType.YES_NO,
            required=True,
        )
        keys[condition.value] = str(question.uuid)
    employees = Question.objects.create(
        questionnaire=questionnaire,
        position=len(texts),
        text=_("How many employees carry out the contract?"),
        type=QuestionType.NUMBER,
        required=True,
    )
    keys["employees"] = str(employees.uuid)
    return keys


@transaction.atomic
def step1_send(
    *, actor: User, followup: LabourFollowUp, deadline: datetime.date | None, message: str = ""
) -> list[Any]:
    """Step 1 through the questionnaires: for every self-declaration not yet asked for, a
    request from the labour self-declaration template, naming the follow-up's collective
    agreement in its description and its first questions, sent to the supplier through the
    portal. The requests hang on one follow-up activity (self-assessment questionnaire).
    The supplier's submission answers the declaration (``declaration_from_submission``)."""
    from django.conf import settings as django_settings
    from django.utils import translation

    from kravspar.questionnaires import services as questionnaire_services
    from kravspar.questionnaires.models import RequestKind

    _require_officer(actor, followup)
    _require_open(followup)
    pending = list(
        SelfDeclaration.objects.select_for_update(of=("self",))
        .filter(followup=followup, request__isnull=True, status=DeclarationStatus.REQUESTED)
        .select_related("supplier", "subcontractor")
        .order_by("id")
    )
    errors: dict[str, list[str]] = {}
    template = step1_template()
    if template is None:
        errors["deadline"] = [_("There is no active questionnaire template for labour-law conditions.")]
    if not pending:
        errors["deadline"] = [_("Step 1 has already been sent for every self-declaration.")]
    if deadline is None or deadline < _today():
        errors["deadline"] = [_("Deadline: choose a day from today on.")]
    if errors:
        raise ValidationError(errors)
    assert deadline is not None
    activity = _step1_activity(followup, deadline)
    agreement = followup.agreement
    sent = []
    # The supplier reads Swedish whatever language the officer uses (as the request's e-mail).
    with translation.override(django_settings.LANGUAGE_CODE):
        for declaration in pending:
            if declaration.subcontractor is not None:
                party = _("subcontractor %(name)s") % {"name": declaration.subcontractor.name}
                answer_for = _("Answer for your subcontractor %(name)s, who works on the contract.") % {
                    "name": declaration.subcontractor.name
                }
            else:
                party = declaration.supplier.name
                answer_for = _("Answer for your own company.")
            title = _("Labour-law conditions, self-declaration: %(party)s") % {"party": party}
            named = _("The conditions refer to the central collective agreement %(agreement)s (%(parties)s).") % {
                "agreement": agreement.name,
                "parties": agreement.parties,
            }
            supplier_request = questionnaire_services.request_create(
                actor=actor,
                activity=activity,
                kind=RequestKind.SELF_ASSESSMENT,
                title=title,
                deadline=deadline,
                supplier=declaration.supplier,
                template=template,
                message=f"{named} {answer_for}\n\n{(message or '').strip()}".strip(),
            )
            questionnaire = supplier_request.questionnaire
            questionnaire.description = f"{named} {answer_for}\n\n{questionnaire.description}".strip()
            questionnaire.save(update_fields=["description", "updated_at"])
            declaration.questions = _step1_questions(questionnaire, agreement)
            declaration.request = supplier_request
            declaration.version += 1
            declaration.save(update_fields=["questions", "request", "version", "updated_at"])
            questionnaire_services.request_send(actor=actor, supplier_request=supplier_request)
            sent.append(supplier_request)
    audit_record(
        actor=actor,
        action="labour.step1_sent",
        obj=followup.contract,
        organisation=_contract_org(followup.contract),
        after={
            "requests": [r.title for r in sent],
            "agreement": agreement.name,
            "deadline": deadline.isoformat(),
        },
    )
    return sent


def _as_employees(value: Any) -> int | None:
    try:
        number = int(float(str(value).replace(",", ".").replace(" ", "")))
    except (TypeError, ValueError):
        return None
    return number if number >= 1 else None


def declaration_from_submission(*, supplier_request: Any, submission: Any, actor: User, **kwargs: Any) -> None:
    """Receiver of ``questionnaires.signals.request_submitted``: a submitted step-1 request
    answers its self-declaration (the latest version counts), so that the follow-up and the
    report see it. Other requests are left alone."""
    declaration = (
        SelfDeclaration.objects.select_for_update(of=("self",))
        .select_related("followup")
        .filter(request=supplier_request)
        .first()
    )
    if declaration is None or declaration.followup.status != FollowUpStatus.OPEN:
        return
    answers = submission.answers
    keys = declaration.questions
    declaration.answers = {c.value: answers.get(keys.get(c.value, "")) == "yes" for c in Condition}
    declaration.employees = _as_employees(answers.get(keys.get("employees", "")))
    missing = [str(c.label).lower() for c in Condition if not declaration.answers[c.value]]
    declaration.comment = (
        _("Not met according to the self-declaration: %(conditions)s.") % {"conditions": ", ".join(missing)}
        if missing
        else ""
    )
    declaration.status = DeclarationStatus.ANSWERED
    declaration.answered_by = actor
    declaration.answered_on = _today()
    declaration.version += 1
    declaration.save()
    audit_record(
        actor=actor,
        action="labour.declaration_answered",
        obj=declaration.followup.contract,
        after={
            "answers": declaration.answers,
            "subcontractor": bool(declaration.subcontractor_id),
            "request": supplier_request.title,
            "version": submission.number,
        },
    )
