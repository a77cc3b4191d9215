"""Every change to deviations, action plans, sanction decisions and evaluations. Views,
the API, the admin and commands call these functions; none of them saves these objects.

Every change on a deviation — including its action plan — bumps the deviation's version,
so two people working on the same deviation cannot overwrite each other.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.accounts import access
from kravspar.audit.models import AuditEvent
from kravspar.audit.services import audit_event, audit_record, audit_record_many, snapshot
from kravspar.contracts.models import Contract, ContractRequirement, Subcontractor
from kravspar.core import numbers
from kravspar.core import services as core_services
from kravspar.core.errors import NotAllowedError
from kravspar.findings import notifications, policy
from kravspar.findings.errors import StateConflictError
from kravspar.findings.models import (
    ActionItem,
    ActionPlan,
    AimFulfilment,
    ContractEvaluation,
    Decision,
    Deviation,
    DeviationStatus,
    Fulfilment,
    PlanStatus,
    Sanction,
    SanctionKind,
    Severity,
)
from kravspar.procurements.models import Aim
from kravspar.secrecy.diary import diary_number_error

if TYPE_CHECKING:
    from kravspar.accounts.models import User
    from kravspar.followups.models import Activity
    from kravspar.suppliers.models import Supplier

DEVIATION_FIELDS = ["severity", "title", "description", "requirement", "subcontractor", "supplier", "diary_number"]
_STATE_FIELDS = ["status", "deadline", "fixed_on", "closed_on"]


def _require_manage(actor: User | None) -> None:
    # actor=None is the system itself (imports, the demo).
    if actor is not None and not access.can_manage_findings(actor):
        raise NotAllowedError()


def _today() -> datetime.date:
    return timezone.localdate()


def _clean_deviation(deviation: Deviation, *, supplier_checked: bool = False) -> None:
    """``supplier_checked``: the supplier was taken from the contract's own suppliers (the
    bulk path), so asking the database whether it is one of them is left out."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    deviation.title = (deviation.title or "").strip()
    if not deviation.title:
        add("title", _("Title: say in a few words what is wrong."))
    if deviation.severity not in Severity.values:
        add("severity", _("Severity: choose observation, minor, major or critical."))
    if deviation.requirement is not None and deviation.requirement.contract_id != deviation.contract_id:
        add("requirement", _("Requirement: choose one of this contract's requirements."))
    if deviation.subcontractor is not None and deviation.subcontractor.contract_id != deviation.contract_id:
        add("subcontractor", _("Subcontractor: choose one of this contract's subcontractors."))
    if (
        deviation.supplier is not None
        and not supplier_checked
        and not deviation.contract.suppliers.filter(pk=deviation.supplier.pk).exists()
    ):
        add("supplier", _("Supplier: choose one of the contract's suppliers."))
    if deviation.raised_on is not None and deviation.raised_on > _today():
        add("raised_on", _("Found: the day cannot be in the future."))
    deviation.diary_number = " ".join((deviation.diary_number or "").split())
    if deviation.diary_number and (
        error := diary_number_error(deviation.diary_number, deviation.contract.buyers.all())
    ):
        add("diary_number", error)
    if errors:
        raise ValidationError(errors)


def _lock_deviation(deviation: Deviation, expected_version: int | None) -> Deviation:
    return core_services.lock(Deviation.objects.select_related("contract"), deviation.pk, expected_version)


def _set_state(
    *, actor: User | None, deviation: Deviation, action: str, extra: dict[str, Any] | None = None, **state: Any
) -> None:
    before = snapshot(deviation, _STATE_FIELDS)
    for key, value in state.items():
        setattr(deviation, key, value)
    deviation.version += 1
    deviation.save()
    after = snapshot(deviation, _STATE_FIELDS) | (extra or {})
    audit_record(actor=actor, action=action, obj=deviation, before=before, after=after)


def _require_no_pending_decision(deviation: Deviation, *, plan_agreed_on: datetime.date | None = None) -> None:
    decided = deviation.sanctions.exists()
    if deviation.deadline is None and plan_agreed_on is not None:
        # No plan in force: the plan now agreed came in time if it was agreed within the set
        # number of days of the deviation being raised.
        if policy.needs_decision(deviation, plan_agreed_on, decided=decided):
            raise StateConflictError(
                _(
                    "No action plan was agreed within %(days)s days of the deviation being raised. Inköp must first "
                    "record a sanction decision (apply or waive, with a reason)."
                )
                % {"days": policy.action_plan_days()}
            )
        return
    if policy.needs_decision(deviation, _today(), decided=decided):
        raise StateConflictError(
            _(
                "The deadline %(deadline)s has passed without a verified correction. Inköp must first record a "
                "sanction decision (apply or waive, with a reason)."
            )
            % {"deadline": deviation.deadline}
        )


@transaction.atomic
def deviation_raise(
    *,
    actor: User | None,
    activity: Activity,
    severity: str,
    title: str,
    description: str = "",
    diary_number: str = "",
    requirement: ContractRequirement | None = None,
    subcontractor: Subcontractor | None = None,
    supplier: Supplier | None = None,
    raised_on: datetime.date | None = None,
) -> Deviation:
    """Record a deviation found in a follow-up activity. The requirement defaults to the
    activity's, and the supplier to the contract's only supplier.

    Inköp raises deviations on any follow-up it sees. Whoever carries out the follow-up
    (a beställare on their own or their unit's follow-up) may report one too: its severity
    is then only proposed, it waits in Inköp's queue for assessment, and Inköp is told by
    e-mail. Inköp decides the severity, the action plan and any sanction."""
    reported = actor is not None and not access.can_manage_findings(actor)
    if actor is not None and reported and not _may_report(actor, activity):
        raise NotAllowedError()
    contract = activity.contract
    if supplier is None:
        supplier = contract.sole_supplier()
    requirement = requirement or activity.requirement
    deviation = Deviation(
        contract=contract,
        activity=activity,
        kind=requirement.type if requirement is not None else "",
        requirement=requirement,
        subcontractor=subcontractor,
        supplier=supplier,
        severity=severity,
        title=title,
        description=description,
        diary_number=diary_number,
        raised_by=actor,
        raised_on=raised_on or _today(),
        awaiting_assessment=reported,
        proposed_severity=severity if reported else "",
    )
    _clean_deviation(deviation)
    deviation.save()
    fields = [*DEVIATION_FIELDS, "raised_on", *(["awaiting_assessment", "proposed_severity"] if reported else [])]
    audit_record(
        actor=actor,
        action="deviation.reported" if reported else "deviation.raised",
        obj=deviation,
        after=snapshot(deviation, fields) | {"contract": contract.contract_number},
    )
    if reported:
        recipients = notifications.deviation_reported(deviation)
        audit_record(actor=actor, action="deviation.inkop_notified", obj=deviation, after={"recipients": recipients})
    return deviation


def _may_report(actor: User, activity: Activity) -> bool:
    """The person who may record this follow-up, and sees its contract."""
    return access.activities_visible_to(actor).filter(pk=activity.pk).exists() and access.can_record_activity(
        actor, activity
    )


@transaction.atomic
def deviation_assess(
    *, actor: User | None, deviation: Deviation, expected_version: int | None, severity: str, note: str = ""
) -> Deviation:
    """Inköp assesses a deviation an orderer reported: it decides the severity (the
    orderer's proposal stays on record) and the deviation leaves the queue. From here on
    it follows the ordinary action-plan and sanction flow."""
    _require_manage(actor)
    locked = _lock_deviation(deviation, expected_version)
    if not locked.awaiting_assessment:
        raise StateConflictError(_("This deviation has already been assessed."))
    if severity not in Severity.values:
        raise ValidationError({"severity": [_("Severity: choose observation, minor, major or critical.")]})
    before = snapshot(locked, ["severity", "awaiting_assessment"])
    locked.severity = severity
    locked.awaiting_assessment = False
    locked.version += 1
    locked.save()
    audit_record(
        actor=actor,
        action="deviation.assessed",
        obj=locked,
        before=before,
        after=snapshot(locked, ["severity", "awaiting_assessment", "proposed_severity"]) | {"note": note.strip()},
    )
    return locked


@transaction.atomic
def deviation_raise_on_contract(
    *,
    actor: User | None,
    contract: Contract,
    kind: str,
    severity: str,
    title: str,
    description: str = "",
    supplier: Supplier | None = None,
    requirement: ContractRequirement | None = None,
    raised_on: datetime.date | None = None,
    subcontractor: Subcontractor | None = None,
) -> Deviation:
    """Record a deviation found outside a follow-up activity, e.g. by the invoice checks
    (kind "economy") or a labour-conditions review of a subcontractor's documents. It then
    follows the same action-plan and sanction flow."""
    _require_manage(actor)
    if supplier is None:
        supplier = contract.sole_supplier()
    deviation = _contract_deviation(
        actor=actor,
        contract=contract,
        kind=kind,
        severity=severity,
        title=title,
        description=description,
        requirement=requirement,
        supplier=supplier,
        subcontractor=subcontractor,
        raised_on=raised_on or _today(),
    )
    _clean_deviation(deviation)
    deviation.save()
    audit_record(actor=actor, action="deviation.raised", obj=deviation, after=_raised_snapshot(deviation))
    return deviation


def _contract_deviation(
    *,
    actor: User | None,
    contract: Contract,
    kind: str,
    severity: str,
    title: str,
    description: str,
    requirement: ContractRequirement | None,
    supplier: Supplier | None,
    subcontractor: Subcontractor | None,
    raised_on: datetime.date,
) -> Deviation:
    """A deviation raised on a contract outside a follow-up activity, not yet validated or saved
    (the one-by-one and the bulk raising build it alike)."""
    return Deviation(
        contract=contract,
        activity=None,
        kind=kind or (requirement.type if requirement is not None else ""),
        requirement=requirement,
        supplier=supplier,
        subcontractor=subcontractor,
        severity=severity,
        title=title,
        description=description,
        raised_by=actor,
        raised_on=raised_on,
    )


def _raised_snapshot(deviation: Deviation) -> dict[str, Any]:
    """What the "deviation.raised" event records of a deviation raised on a contract."""
    return snapshot(deviation, [*DEVIATION_FIELDS, "kind", "raised_on"]) | {
        "contract": deviation.contract.contract_number
    }


@dataclass(frozen=True)
class ContractDeviation:
    """One deviation for ``deviations_raise_on_contracts``: what ``deviation_raise_on_contract``
    takes, the supplier always the contract's only one (or none)."""

    contract: Contract
    kind: str
    severity: str
    title: str
    description: str = ""
    requirement: ContractRequirement | None = None
    raised_on: datetime.date | None = None


@transaction.atomic
def deviations_raise_on_contracts(
    *, actor: User | None, items: Sequence[ContractDeviation], history: list[AuditEvent] | None = None
) -> list[Deviation]:
    """``deviation_raise_on_contract`` for many deviations at once (the invoice checks raise
    dozens per import): the same deviations, validated alike, numbered in the order of
    ``items`` and with the same history events, in a fixed number of queries. With
    ``history``, the events are appended there, not written, for a caller that writes them
    with its own (``audit_record_many``) in the order the one-by-one calls would have."""
    _require_manage(actor)
    if not items:
        return []
    contract_ids = {item.contract.pk for item in items}
    # Each contract's only supplier, or none (``contract.suppliers.all()[:2]`` there).
    theirs: dict[int, list[Supplier]] = {}
    for link in Contract.suppliers.through.objects.filter(contract_id__in=contract_ids).select_related("supplier"):
        theirs.setdefault(link.contract_id, []).append(link.supplier)
    only = {c: found[0] for c, found in theirs.items() if len(found) == 1}
    today = _today()
    deviations = []
    for item in items:
        deviation = _contract_deviation(
            actor=actor,
            contract=item.contract,
            kind=item.kind,
            severity=item.severity,
            title=item.title,
            description=item.description,
            requirement=item.requirement,
            supplier=only.get(item.contract.pk),
            subcontractor=None,
            raised_on=item.raised_on or today,
        )
        _clean_deviation(deviation, supplier_checked=True)
        deviations.append(deviation)
    Deviation.objects.bulk_create(deviations)
    events = [
        audit_event(actor=actor, action="deviation.raised", obj=deviation, after=_raised_snapshot(deviation))
        for deviation in deviations
    ]
    if history is not None:
        history.extend(events)
    else:
        audit_record_many(events)
    return deviations


@transaction.atomic
def deviation_update(
    *, actor: User | None, deviation: Deviation, expected_version: int | None, **changes: Any
) -> Deviation:
    _require_manage(actor)
    locked = _lock_deviation(deviation, expected_version)
    core_services.update_fields(
        actor=actor,
        obj=locked,
        fields=DEVIATION_FIELDS,
        changes=changes,
        clean=_clean_deviation,
        action="deviation.updated",
    )
    return locked


@transaction.atomic
def action_plan_agree(
    *,
    actor: User | None,
    deviation: Deviation,
    expected_version: int | None,
    deadline: datetime.date,
    items: Sequence[tuple[str, datetime.date | None]] = (),
    agreed_on: datetime.date | None = None,
    supplier_response: str = "",
) -> ActionPlan:
    """Agree a time-bound corrective action plan with the supplier. A later plan (after a
    reopening or a failed verification) supersedes the earlier one, which is kept."""
    _require_manage(actor)
    locked = _lock_deviation(deviation, expected_version)
    allowed = (DeviationStatus.OPEN, DeviationStatus.REOPENED, DeviationStatus.NOT_FIXED)
    if locked.status not in allowed:
        raise StateConflictError(_("An action plan can be agreed only for an open, reopened or not fixed deviation."))
    if locked.awaiting_assessment:
        raise StateConflictError(
            _("Assess the reported deviation (decide its severity) before agreeing an action plan.")
        )
    agreed_on = agreed_on or _today()
    _require_no_pending_decision(locked, plan_agreed_on=agreed_on)
    errors: dict[str, list[str]] = {}
    if agreed_on < locked.raised_on:
        errors["agreed_on"] = [
            _("Agreed: a plan cannot be agreed before the deviation was found (%(date)s).")
            % {"date": locked.raised_on.isoformat()}
        ]
    if deadline < agreed_on:
        errors["deadline"] = [_("Deadline: must be on or after the day the plan is agreed.")]
    clean_items = [(text.strip(), day) for text, day in items if text and text.strip()]
    if not clean_items:
        errors["items"] = [_("Actions: write at least one action the supplier will take.")]
    for _text, day in clean_items:
        if day is not None and day > deadline:
            errors.setdefault("items", []).append(_("Actions: an action's deadline cannot be after the plan's."))
            break
    if errors:
        raise ValidationError(errors)
    locked.action_plans.exclude(status__in=[PlanStatus.CLOSED]).update(status=PlanStatus.CLOSED)
    plan = ActionPlan.objects.create(
        deviation=locked,
        agreed_on=agreed_on,
        deadline=deadline,
        supplier_response=supplier_response.strip(),
        status=PlanStatus.AGREED,
    )
    ActionItem.objects.bulk_create([ActionItem(plan=plan, text=t, deadline=d) for t, d in clean_items])
    _set_state(
        actor=actor,
        deviation=locked,
        action="deviation.action_plan_agreed",
        extra={"actions": [t for t, _d in clean_items]},
        status=DeviationStatus.ACTION_PLAN_AGREED,
        deadline=deadline,
        fixed_on=None,
    )
    return plan


def _current_plan(deviation: Deviation) -> ActionPlan:
    plan = deviation.action_plans.order_by("-id").first()
    if plan is None or plan.status != PlanStatus.AGREED:
        raise StateConflictError(_("There is no agreed action plan waiting for this."))
    return plan


@transaction.atomic
def action_plan_record_response(
    *, actor: User | None, deviation: Deviation, expected_version: int | None, supplier_response: str
) -> ActionPlan:
    """Record what the supplier answers or reports about the plan: Inköp on the supplier's
    behalf, or a contact person of the supplier the deviation concerns (the portal)."""
    from kravspar.portal.access import deviation_concerns

    if actor is not None and not access.can_manage_findings(actor) and not deviation_concerns(actor, deviation):
        raise NotAllowedError()
    locked = _lock_deviation(deviation, expected_version)
    plan = _current_plan(locked)
    text = supplier_response.strip()
    if not text:
        raise ValidationError({"supplier_response": [_("The supplier's response: write what the supplier said.")]})
    before = plan.supplier_response
    plan.supplier_response = text
    plan.version += 1
    plan.save()
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor,
        action="deviation.supplier_response_recorded",
        obj=locked,
        before={"supplier_response": before},
        after={"supplier_response": text},
    )
    return plan


@transaction.atomic
def action_item_mark_done(
    *, actor: User | None, item: ActionItem, expected_version: int | None, done_on: datetime.date | None
) -> ActionItem:
    _require_manage(actor)
    locked = _lock_deviation(item.plan.deviation, expected_version)
    if _current_plan(locked).pk != item.plan_id:
        raise StateConflictError(_("This action belongs to an earlier action plan."))
    before = item.done_on
    item.done_on = done_on
    item.save()
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor,
        action="deviation.action_done" if done_on else "deviation.action_undone",
        obj=locked,
        before={item.text: str(before) if before else None},
        after={item.text: str(done_on) if done_on else None},
    )
    return item


@transaction.atomic
def action_plan_verify(
    *,
    actor: User | None,
    deviation: Deviation,
    expected_version: int | None,
    fixed: bool,
    verified_on: datetime.date | None = None,
    note: str = "",
) -> ActionPlan:
    """The responsible unit checks the correction: fixed (in time or late, by the date
    it was verified) or not fixed / not enough."""
    _require_manage(actor)
    locked = _lock_deviation(deviation, expected_version)
    plan = _current_plan(locked)
    verified_on = verified_on or _today()
    if verified_on < plan.agreed_on:
        raise ValidationError({"verified_on": [_("Verified: cannot be before the plan was agreed.")]})
    if not fixed and not note.strip():
        raise ValidationError({"note": [_("Verification: say what is missing or not enough.")]})
    plan.status = PlanStatus.VERIFIED if fixed else PlanStatus.NOT_ENOUGH
    plan.verified_by = actor
    plan.verified_on = verified_on
    plan.verification_note = note.strip()
    plan.version += 1
    plan.save()
    _set_state(
        actor=actor,
        deviation=locked,
        action="deviation.verified_fixed" if fixed else "deviation.verified_not_fixed",
        extra={"verification": plan.verification_note, "verified_on": str(verified_on)},
        status=DeviationStatus.FIXED if fixed else DeviationStatus.NOT_FIXED,
        fixed_on=verified_on if fixed else None,
    )
    return plan


@transaction.atomic
def deviation_close(
    *, actor: User | None, deviation: Deviation, expected_version: int | None, note: str = ""
) -> Deviation:
    """Close a fixed deviation, or an observation. A missed deadline needs its sanction decision first."""
    _require_manage(actor)
    locked = _lock_deviation(deviation, expected_version)
    if locked.status == DeviationStatus.CLOSED:
        raise StateConflictError(_("The deviation is already closed."))
    if locked.status != DeviationStatus.FIXED and locked.severity != Severity.OBSERVATION and not note.strip():
        raise ValidationError({"note": [_("Reason: say why a deviation that is not fixed is closed.")]})
    _require_no_pending_decision(locked)
    locked.action_plans.filter(status=PlanStatus.AGREED).update(status=PlanStatus.CLOSED)
    _set_state(
        actor=actor,
        deviation=locked,
        action="deviation.closed",
        extra={"note": note.strip()} | ({"closed_unassessed": True} if locked.awaiting_assessment else {}),
        status=DeviationStatus.CLOSED,
        closed_on=_today(),
        # Closing a reported deviation is Inköp's assessment of it: it leaves the queue.
        awaiting_assessment=False,
    )
    return locked


@transaction.atomic
def deviation_reopen(
    *, actor: User | None, deviation: Deviation, expected_version: int | None, reason: str
) -> Deviation:
    """Reopen a fixed or closed deviation that turned out not to be over. The reason and
    the earlier state stay in the history; a new action plan is needed."""
    _require_manage(actor)
    locked = _lock_deviation(deviation, expected_version)
    if locked.status not in (DeviationStatus.FIXED, DeviationStatus.CLOSED, DeviationStatus.NOT_FIXED):
        raise StateConflictError(_("Only a fixed, not fixed or closed deviation can be reopened."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Reason: say why the deviation is reopened.")]})
    _require_no_pending_decision(locked)
    _set_state(
        actor=actor,
        deviation=locked,
        action="deviation.reopened",
        extra={"reason": reason.strip()},
        status=DeviationStatus.REOPENED,
        deadline=None,
        fixed_on=None,
        closed_on=None,
    )
    return locked


def _money(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        # At most the 12 whole digits of the sanction's DecimalField(max_digits=12, decimal_places=0).
        amount = numbers.parse_decimal(value, places=2, digits=14)
    except numbers.NumberRefused as exc:
        if exc.reason == numbers.Reason.NOT_A_NUMBER:
            raise ValidationError({"amount": [_("Amount: write a number of kronor.")]}) from None
        raise ValidationError({"amount": [_("Amount: %(error)s") % {"error": numbers.refusal_text(exc)}]}) from None
    if amount < 0:
        raise ValidationError({"amount": [_("Amount: cannot be negative.")]})
    return amount


@transaction.atomic
def sanction_decide(
    *,
    actor: User | None,
    contract: Contract,
    deviations: Iterable[Deviation],
    decision: str,
    kind: str = "",
    clause: str = "",
    reason: str = "",
    amount: Any = None,
    decided_on: datetime.date | None = None,
) -> Sanction:
    """Inköp decides to apply a sanction, or to waive it with a reason. A decision on a
    deviation ends the demand for one. A fine's amount is computed from the contract:
    per started week after the deadline, up to the cap, for each deviation on its own, and
    summed; as of the decision day, so the amount stated is the fine of that day."""
    _require_manage(actor)
    deviations = list(Deviation.objects.select_for_update().filter(pk__in=[d.pk for d in deviations]))
    decided_on = decided_on or _today()
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not deviations:
        add("deviations", _("Deviations: choose the deviations the decision is about."))
    if any(d.contract_id != contract.pk for d in deviations):
        add("deviations", _("Deviations: all must belong to this contract."))
    reason = reason.strip()
    weeks = None
    money = _money(amount)
    if decision == Decision.WAIVE:
        if nothing := [d.title for d in deviations if not policy.can_be_waived(d, decided_on)]:
            add(
                "decision",
                _(
                    "Decision: there is nothing to waive for %(deviations)s. A sanction can be waived only once a "
                    "deadline has been missed or for a major or critical deviation."
                )
                % {"deviations": ", ".join(f"“{title}”" for title in nothing)},
            )
        if not reason:
            add(
                "reason",
                _("Reasoning: say why the sanction is waived; not claiming an agreed sanction must be explained."),
            )
    elif decision == Decision.APPLY:
        if kind not in SanctionKind.values:
            add("kind", _("Sanction: choose which sanction is applied."))
        if kind == SanctionKind.FINE:
            fine = policy.fine_for_deviations(contract, deviations, decided_on)
            if contract.fine_per_week is None:
                add("kind", _("Sanction: the contract sets no fine per week; choose another sanction."))
            elif fine is None or fine.weeks == 0:
                add("kind", _("Sanction: no deadline has been missed, so there is no fine to apply."))
            else:
                weeks, money = fine.weeks, fine.amount
        elif kind in (SanctionKind.PRICE_REDUCTION, SanctionKind.SET_OFF) and money is None:
            add("amount", _("Amount: write the amount to reduce or set off."))
        if kind == SanctionKind.TERMINATION and not reason:
            add("reason", _("Reasoning: give the grounds for termination."))
    else:
        add("decision", _("Decision: choose apply or waive."))
    if errors:
        raise ValidationError(errors)
    sanction = Sanction.objects.create(
        contract=contract,
        decision=decision,
        kind=kind if kind in SanctionKind.values else "",
        clause=clause.strip(),
        weeks=weeks,
        amount=money,
        reason=reason,
        decided_by=actor,
        decided_on=decided_on,
    )
    sanction.deviations.set(deviations)
    after = snapshot(sanction, ["decision", "kind", "clause", "weeks", "amount", "reason", "decided_on"])
    audit_record(actor=actor, action="sanction.decided", obj=sanction, after=after | {"contract": str(contract)})
    for deviation in deviations:
        deviation.version += 1
        deviation.save(update_fields=["version", "updated_at"])
        audit_record(
            actor=actor,
            action="deviation.sanction_decided",
            obj=deviation,
            after={"decision": decision, "kind": kind, "amount": str(money) if money is not None else None},
        )
    return sanction


@transaction.atomic
def evaluation_record(
    *,
    actor: User | None,
    contract: Contract,
    expected_version: int | None,
    aims: dict[int, tuple[str, str]],
    supplier_relationship: str = "",
    lessons: str = "",
    evaluated_on: datetime.date | None = None,
) -> ContractEvaluation:
    """Record (or revise) the evaluation at the end of the contract. ``aims`` maps each
    aim to its goal fulfilment and a comment."""
    _require_manage(actor)
    errors: dict[str, list[str]] = {}
    for aim, (fulfilment, _comment) in aims.items():
        if aim not in Aim.values or fulfilment not in Fulfilment.values:
            errors.setdefault("aims", []).append(_("Goal fulfilment: choose a level for each aim."))
            break
    if errors:
        raise ValidationError(errors)
    existing = ContractEvaluation.objects.filter(contract=contract).first()
    if existing is None:
        evaluation = ContractEvaluation(contract=contract)
        before: dict[str, Any] | None = None
    else:
        evaluation = core_services.lock(ContractEvaluation.objects.all(), existing.pk, expected_version)
        before = snapshot(evaluation, ["supplier_relationship", "lessons", "evaluated_on"]) | {
            f"aim {a.aim}": f"{a.fulfilment} {a.comment}".strip() for a in evaluation.aims.all()
        }
        evaluation.version += 1
    evaluation.supplier_relationship = supplier_relationship.strip()
    evaluation.lessons = lessons.strip()
    evaluation.evaluated_by = actor
    evaluation.evaluated_on = evaluated_on or _today()
    evaluation.save()
    evaluation.aims.all().delete()
    AimFulfilment.objects.bulk_create(
        [AimFulfilment(evaluation=evaluation, aim=a, fulfilment=f, comment=c.strip()) for a, (f, c) in aims.items()]
    )
    after = snapshot(evaluation, ["supplier_relationship", "lessons", "evaluated_on"]) | {
        f"aim {a}": f"{f} {c.strip()}".strip() for a, (f, c) in aims.items()
    }
    audit_record(
        actor=actor,
        action="contract.evaluated" if before is None else "contract.evaluation_updated",
        obj=evaluation,
        before=before,
        after=after,
    )
    return evaluation
