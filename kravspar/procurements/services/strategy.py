"""The follow-up strategy: its entries, and its way from draft through submission to approval (four eyes)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record, snapshot
from kravspar.core.errors import NotAllowedError
from kravspar.organisations.models import Unit, UnitKind
from kravspar.procurements import policy
from kravspar.procurements.models import (
    Method,
    Procurement,
    ProcurementStatus,
    Responsible,
    Strategy,
    StrategyEntry,
    StrategyStatus,
    Timing,
)
from kravspar.procurements.services.common import _lock, _org, _require, _touch
from kravspar.procurements.services.errors import StrategyIncompleteError, TransitionError
from kravspar.requirements.models import Requirement

if TYPE_CHECKING:
    from kravspar.accounts.models import User


def _draft(procurement: Procurement, actor: User | None) -> Strategy:
    """The current draft; a frozen (submitted or approved) current version is copied into
    a new draft, so that approved versions never change."""
    current = policy.current_strategy(procurement)
    if current is not None and current.status == StrategyStatus.DRAFT:
        return current
    if current is not None and current.status == StrategyStatus.SUBMITTED:
        # The approver is reading this version: it must not change under their eyes.
        raise TransitionError(
            _(
                "Strategy version %(number)d is waiting for approval and cannot change. Withdraw it first, "
                "or ask the approver to send it back."
            )
            % {"number": current.number}
        )
    number = (current.number + 1) if current else 1
    draft = Strategy.objects.create(
        procurement=procurement,
        number=number,
        created_by=actor,
        kickoff_meeting=current.kickoff_meeting if current else True,
        supplier_must_participate=current.supplier_must_participate if current else True,
        during_procurement=current.during_procurement if current else "",
        notes=current.notes if current else "",
    )
    if current is not None:
        entries = list(current.entries.all())
        for entry in entries:
            entry.pk = None
            entry.strategy = draft
        StrategyEntry.objects.bulk_create(entries)
        if current.status == StrategyStatus.APPROVED:
            current.status = StrategyStatus.SUPERSEDED
            current.save(update_fields=["status", "updated_at"])
    before_status = procurement.status
    if procurement.status == ProcurementStatus.STRATEGY_APPROVED:
        # A changed strategy must be approved again before the procurement may be advertised.
        Procurement.objects.filter(pk=procurement.pk).update(status=ProcurementStatus.PLANNING)
        procurement.status = ProcurementStatus.PLANNING
    audit_record(
        actor=actor,
        action="strategy.version_created",
        obj=procurement,
        organisation=_org(procurement),
        before={"status": before_status},
        after={"strategy_version": number, "status": procurement.status},
    )
    return draft


def default_responsible_unit(procurement: Procurement, responsible: str) -> Unit | None:
    """The unit the policy points at: the (first) ordering unit for quality, the Inköp
    unit serving the buyers for everything else."""
    if responsible == Responsible.ORDERING_UNIT:
        return procurement.ordering_units.order_by("name").first()
    buyers = list(procurement.buyers.all())
    regions = {b.parent_id or b.id for b in buyers} | {b.id for b in buyers}
    return (
        Unit.objects.filter(kind=UnitKind.PURCHASING, is_active=True)
        .filter(models_q_serves_or_own(regions))
        .order_by("name")
        .first()
    )


def models_q_serves_or_own(org_ids: set[int]) -> Any:
    from django.db.models import Q

    return Q(organisation_id__in=org_ids) | Q(serves__id__in=org_ids)


@transaction.atomic
def strategy_entry_set(
    *,
    actor: User | None,
    procurement: Procurement,
    requirement: Requirement,
    methods: Iterable[str],
    timing: str,
    interval_months: int | None = None,
    at_months: Iterable[int] = (),
    responsible: str | None = None,
    responsible_unit: Unit | None = None,
    environment_specialist: bool | None = None,
    override_reason: str = "",
    change_reason: str = "",
) -> StrategyEntry:
    """Say how, when and by whom a requirement is followed up. The responsible is the
    policy's unless the actor gives another with a written reason; the methods and
    frequency are what the risk tier proposes unless the actor gives a reason too."""
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    locked = _lock(procurement)
    if requirement.procurement_id != locked.pk:
        raise ValidationError(_("The requirement belongs to another procurement."))
    methods = policy.ordered_methods(methods)
    errors: dict[str, list[str]] = {}
    if not methods:
        errors["methods"] = [_("Methods: choose at least one.")]
    elif set(methods) - set(Method.values):
        errors["methods"] = [_("Methods: unknown method.")]
    if timing not in Timing.values:
        errors["timing"] = [_("Timing: choose when the requirement is followed up.")]
    at_months = sorted({int(m) for m in at_months})
    if timing == Timing.RECURRING and not (interval_months and interval_months > 0):
        errors["interval_months"] = [_("Every N months: write a number of months.")]
    if timing == Timing.AT_MONTHS and (not at_months or min(at_months) < 0):
        errors["at_months"] = [_("Months after signing: write one or more months, e.g. 3, 12.")]
    policy_responsible = policy.responsible_for(requirement.type)
    responsible = responsible or policy_responsible
    if responsible not in Responsible.values:
        errors["responsible"] = [_("Responsible: choose the ordering unit or Inköp.")]
    override_reason = override_reason.strip()
    if responsible != policy_responsible and not override_reason:
        errors["override_reason"] = [
            _("Reason: the purchasing policy gives this requirement to %(unit)s; say why someone else is responsible.")
            % {"unit": Responsible(policy_responsible).label}
        ]
    if responsible_unit is not None and responsible_unit.organisation_id not in access_org_ids(locked):
        errors["responsible_unit"] = [_("Responsible unit: must belong to or serve a buying organisation.")]
    proposal = policy.proposed_follow_up(locked, requirement)
    changed = proposal is not None and not proposal.matches(methods, timing, interval_months)
    change_reason = change_reason.strip()
    if changed and not change_reason and not errors:
        assert proposal is not None
        errors["change_reason"] = [
            _("Reason: the risk tier proposes %(proposal)s; say why this requirement is followed up differently.")
            % {"proposal": proposal_text(proposal)}
        ]
    if errors:
        raise ValidationError(errors)
    draft = _draft(locked, actor)
    if environment_specialist is None:
        environment_specialist = requirement.type == "environment" and policy.needs_environment_specialist(locked)
    values = {
        "methods": methods,
        "timing": timing,
        "interval_months": interval_months if timing == Timing.RECURRING else None,
        "at_months": at_months if timing == Timing.AT_MONTHS else [],
        "responsible": responsible,
        "responsible_unit": responsible_unit or default_responsible_unit(locked, responsible),
        "environment_specialist": environment_specialist,
        "override_reason": override_reason if responsible != policy_responsible else "",
        "proposed_methods": list(proposal.methods) if proposal else [],
        "proposed_timing": proposal.timing if proposal else "",
        "proposed_interval_months": proposal.interval_months if proposal else None,
        "method_change_reason": change_reason if changed else "",
    }
    existing = StrategyEntry.objects.filter(strategy=draft, requirement=requirement).first()
    fields = list(values)
    before = snapshot(existing, fields) if existing else None
    # The procurement is locked, so the entry read above is still the one to change.
    if existing is None:
        entry = StrategyEntry.objects.create(strategy=draft, requirement=requirement, **values)
    else:
        for key, value in values.items():
            setattr(existing, key, value)
        existing.save(update_fields=fields)
        entry = existing
    after = snapshot(entry, fields)
    if before != after:
        _touch(locked)
        audit_record(
            actor=actor,
            action="strategy.entry_set",
            obj=locked,
            organisation=_org(locked),
            before={requirement.title: before} if before else None,
            after={requirement.title: after},
        )
    return entry


def proposal_text(proposal: policy.FollowUpProposal) -> str:
    """e.g. "supplier meeting, desk audit, every 4 months after signing"."""
    from kravspar.procurements.selectors import schedule_text

    methods = ", ".join(policy.method_labels(proposal.methods)).lower()
    return f"{methods} ({schedule_text(proposal.timing, proposal.interval_months, []).lower()})"


def access_org_ids(procurement: Procurement) -> set[int]:
    buyers = list(procurement.buyers.all())
    ids = {b.id for b in buyers} | {b.parent_id for b in buyers if b.parent_id}
    ids |= set(Unit.objects.filter(serves__id__in=ids).values_list("organisation_id", flat=True))
    return ids


@transaction.atomic
def strategy_update(
    *,
    actor: User | None,
    procurement: Procurement,
    kickoff_meeting: bool,
    supplier_must_participate: bool,
    during_procurement: str,
    notes: str = "",
) -> Strategy:
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    locked = _lock(procurement)
    draft = _draft(locked, actor)
    fields = ["kickoff_meeting", "supplier_must_participate", "during_procurement", "notes"]
    before = snapshot(draft, fields)
    draft.kickoff_meeting = kickoff_meeting
    draft.supplier_must_participate = supplier_must_participate
    draft.during_procurement = during_procurement.strip()
    draft.notes = notes.strip()
    draft.save()
    after = snapshot(draft, fields)
    if before != after:
        _touch(locked)
        audit_record(
            actor=actor, action="strategy.updated", obj=locked, organisation=_org(locked), before=before, after=after
        )
    return draft


@transaction.atomic
def strategy_submit(*, actor: User | None, procurement: Procurement) -> Strategy:
    """Send the draft for approval. Everything but the approval itself must be in place."""
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    locked = _lock(procurement)
    strategy = policy.current_strategy(locked)
    if strategy is None or strategy.status != StrategyStatus.DRAFT:
        raise TransitionError(_("There is no draft strategy to submit."))
    missing = policy.strategy_gate_missing(locked, require_approval=False, current=strategy)
    if missing:
        raise StrategyIncompleteError(missing)
    strategy.status = StrategyStatus.SUBMITTED
    strategy.submitted_by = actor
    strategy.submitted_at = timezone.now()
    strategy.save()
    _touch(locked)
    audit_record(
        actor=actor,
        action="strategy.submitted",
        obj=locked,
        organisation=_org(locked),
        after={"strategy_version": strategy.number},
    )
    return strategy


@transaction.atomic
def strategy_withdraw(*, actor: User | None, procurement: Procurement) -> Strategy:
    """The planner takes a submitted strategy back to draft, e.g. to add a requirement."""
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    return _submitted_back_to_draft(actor=actor, procurement=procurement, action="strategy.withdrawn")


@transaction.atomic
def strategy_return(*, actor: User | None, procurement: Procurement, comment: str) -> Strategy:
    """The approver sends a submitted strategy back to draft, with a comment."""
    _require(actor, Perm.APPROVE_STRATEGY)
    return _submitted_back_to_draft(actor=actor, procurement=procurement, action="strategy.returned", comment=comment)


def _submitted_back_to_draft(
    *, actor: User | None, procurement: Procurement, action: str, comment: str | None = None
) -> Strategy:
    """A submitted strategy becomes a draft again: withdrawn by the planner, or sent back by
    the approver with a comment (required). The step is recorded with its version."""
    locked = _lock(procurement)
    strategy = policy.current_strategy(locked)
    if strategy is None or strategy.status != StrategyStatus.SUBMITTED:
        raise TransitionError(_("There is no strategy waiting for approval."))
    extra = {}
    if comment is not None:
        if not comment.strip():
            raise ValidationError({"comment": [_("Comment: say what needs to change.")]})
        extra = {"comment": comment.strip()}
    strategy.status = StrategyStatus.DRAFT
    strategy.save(update_fields=["status", "updated_at"])
    _touch(locked)
    audit_record(
        actor=actor,
        action=action,
        obj=locked,
        organisation=_org(locked),
        after={"strategy_version": strategy.number} | extra,
    )
    return strategy


@transaction.atomic
def strategy_approve(*, actor: User, procurement: Procurement) -> Strategy:
    """Approve the submitted strategy. Four eyes: the approver is not the person who
    submitted it. Approval freezes the version and opens the gate out of planning."""
    _require(actor, Perm.APPROVE_STRATEGY)
    locked = _lock(procurement)
    strategy = policy.current_strategy(locked)
    if strategy is None or strategy.status != StrategyStatus.SUBMITTED:
        raise TransitionError(_("There is no strategy waiting for approval."))
    if strategy.submitted_by_id == actor.pk:
        raise NotAllowedError(_("A second person must approve the strategy: you submitted it yourself."))
    strategy.status = StrategyStatus.APPROVED
    strategy.approved_by = actor
    strategy.approved_at = timezone.now()
    strategy.save()
    missing = policy.strategy_gate_missing(locked, current=strategy)
    if missing:
        # Something changed after submission (e.g. a requirement was added): refuse.
        raise StrategyIncompleteError(missing)
    before_status = locked.status
    if locked.status == ProcurementStatus.PLANNING:
        locked.status = ProcurementStatus.STRATEGY_APPROVED
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="strategy.approved",
        obj=locked,
        organisation=_org(locked),
        before={"status": before_status},
        after={"status": locked.status, "strategy_version": strategy.number},
    )
    # Contracts signed before this strategy existed ("strategy missing") adopt it now.
    from kravspar.contracts.services import adopt_strategy_for_procurement

    adopt_strategy_for_procurement(actor=actor, procurement=locked)
    return strategy
