"""Every change to procurements, their aims, goals and follow-up strategies.

One function per transition of the lifecycle; each checks its preconditions. The gate
(``policy.strategy_gate_missing``) is enforced here, so the UI, the API, the admin and
any import meet the same refusal with the same list of what is missing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record, snapshot
from kravspar.core import services as core_services
from kravspar.core.errors import ConcurrentEditError, DomainError, NotAllowedError
from kravspar.cpv.models import CpvCode
from kravspar.organisations.models import Organisation, Unit, UnitKind
from kravspar.procurements import policy
from kravspar.procurements.models import (
    AgreementType,
    Aim,
    AimAssessment,
    CategoryRule,
    CategoryRuleKind,
    EnvironmentalGoal,
    GoalAssessment,
    Method,
    Procedure,
    Procurement,
    ProcurementKind,
    ProcurementStatus,
    Responsible,
    Strategy,
    StrategyEntry,
    StrategyStatus,
    Tier,
    Timing,
    Verification,
    VerificationOutcome,
)
from kravspar.requirements.models import Requirement, VerifiedWhen
from kravspar.secrecy.diary import diary_number_error

if TYPE_CHECKING:
    from kravspar.accounts.models import User

PROCUREMENT_FIELDS = [
    "registry_number",
    "title",
    "description",
    "officer",
    "cpv_main",
    "kind",
    "procedure",
    "agreement_type",
    "estimated_value",
    "duration_months",
    "criticality",
    "supply_risk",
    "tier_override",
    "tier_override_reason",
]


class StrategyIncompleteError(DomainError):
    """The gate refused: ``details["missing"]`` lists every missing item."""

    code = "strategy_incomplete"
    status = 409

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            gettext_lazy("The procurement cannot move on until the follow-up strategy is complete and approved."),
            details={"missing": missing},
        )
        self.missing = missing


class TransitionError(DomainError):
    code = "invalid_transition"
    status = 409


class VerificationsOpenError(DomainError):
    """The award was refused: ``details["missing"]`` names every requirement still to verify."""

    code = "verifications_open"
    status = 409

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            gettext_lazy(
                "The procurement cannot be awarded while requirements verified at evaluation have no recorded outcome."
            ),
            details={"missing": missing},
        )
        self.missing = missing


def _require(actor: User | None, perm: str) -> None:
    if actor is not None and not access.has_perm(actor, perm):
        raise NotAllowedError()


def _lock(procurement: Procurement, expected_version: int | None = None) -> Procurement:
    locked = Procurement.objects.select_for_update().get(pk=procurement.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError()
    return locked


def _org(procurement: Procurement) -> Organisation | None:
    return procurement.buyers.order_by("name").first()


def _touch(procurement: Procurement) -> None:
    Procurement.objects.filter(pk=procurement.pk).update(version=procurement.version + 1, updated_at=timezone.now())
    procurement.version += 1


def _clean(procurement: Procurement, buyers: list[Organisation]) -> None:
    errors: dict[str, list[str]] = {}
    procurement.registry_number = procurement.registry_number.strip()
    procurement.title = procurement.title.strip()
    if not procurement.registry_number:
        errors["registry_number"] = [_("Registry number: write the case's registry number (diarienummer).")]
    elif (
        Procurement.objects.filter(registry_number__iexact=procurement.registry_number)
        .exclude(pk=procurement.pk)
        .exists()
    ):
        errors["registry_number"] = [
            _("Registry number: %(number)s is already used by another procurement.")
            % {"number": procurement.registry_number}
        ]
    elif error := diary_number_error(procurement.registry_number, buyers, label=_("Registry number")):
        errors["registry_number"] = [error]
    if not procurement.title:
        errors["title"] = [_("Title: write what is being procured.")]
    if procurement.kind not in ProcurementKind.values:
        errors["kind"] = [_("Kind: choose goods, services or works.")]
    if procurement.procedure and procurement.procedure not in Procedure.values:
        errors["procedure"] = [_("Procedure: choose one of the procedures of LOU, or direct award.")]
    if procurement.agreement_type not in AgreementType.values:
        errors["agreement_type"] = [_("Contract or framework agreement: choose one.")]
    if not buyers:
        errors["buyers"] = [_("Buying organisations: choose at least one.")]
    if procurement.estimated_value is not None and procurement.estimated_value < 0:
        errors["estimated_value"] = [_("Estimated value: cannot be negative.")]
    if procurement.tier_override and not procurement.tier_override_reason.strip():
        errors["tier_override_reason"] = [_("Reason: say why the follow-up tier is set by hand.")]
    if procurement.tier_override and procurement.tier_override not in Tier.values:
        errors["tier_override"] = [_("Follow-up tier: choose A, B or C.")]
    for field in ("criticality", "supply_risk"):
        value = getattr(procurement, field)
        if value is not None and value not in (1, 2, 3):
            errors[field] = [_("Choose 1 (low), 2 (medium) or 3 (high).")]
    if errors:
        raise ValidationError(errors)


def _snapshot(
    procurement: Procurement, buyers: Iterable[Organisation], units: Iterable[Unit], cpv: Iterable[Any]
) -> dict[str, Any]:
    return snapshot(procurement, PROCUREMENT_FIELDS) | {
        "buyers": sorted(str(b) for b in buyers),
        "ordering_units": sorted(str(u) for u in units),
        "cpv_additional": sorted(str(c.pk) for c in cpv),
    }


@transaction.atomic
def procurement_create(
    *,
    actor: User | None,
    buyers: Iterable[Organisation],
    ordering_units: Iterable[Unit] = (),
    cpv_additional: Iterable[CpvCode] = (),
    **fields: Any,
) -> Procurement:
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    unknown = set(fields) - set(PROCUREMENT_FIELDS) - {"source", "status"}
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    buyers, ordering_units, cpv_additional = list(buyers), list(ordering_units), list(cpv_additional)
    procurement = Procurement(**fields)
    _clean(procurement, buyers)
    try:
        with transaction.atomic():
            procurement.save()
    except IntegrityError as exc:
        raise ValidationError({"registry_number": [_("Registry number: already used.")]}) from exc
    procurement.buyers.set(buyers)
    procurement.ordering_units.set(ordering_units)
    procurement.cpv_additional.set(cpv_additional)
    audit_record(
        actor=actor,
        action="procurement.created",
        obj=procurement,
        organisation=buyers[0] if buyers else None,
        after=_snapshot(procurement, buyers, ordering_units, cpv_additional),
    )
    return procurement


@transaction.atomic
def procurement_update(
    *,
    actor: User | None,
    procurement: Procurement,
    expected_version: int | None,
    buyers: Iterable[Organisation] | None = None,
    ordering_units: Iterable[Unit] | None = None,
    cpv_additional: Iterable[CpvCode] | None = None,
    **changes: Any,
) -> Procurement:
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    locked = _lock(procurement, expected_version)
    if locked.status in (ProcurementStatus.CONCLUDED, ProcurementStatus.CANCELLED):
        raise TransitionError(_("A concluded or cancelled procurement cannot be changed."))
    old = (list(locked.buyers.all()), list(locked.ordering_units.all()), list(locked.cpv_additional.all()))
    before = _snapshot(locked, *old)
    for key, value in changes.items():
        if key not in PROCUREMENT_FIELDS:
            raise ValueError(f"{key} cannot be changed here")
        setattr(locked, key, value)
    new = (
        list(buyers) if buyers is not None else old[0],
        list(ordering_units) if ordering_units is not None else old[1],
        list(cpv_additional) if cpv_additional is not None else old[2],
    )
    _clean(locked, new[0])
    after = _snapshot(locked, *new)
    if after == before:
        return locked
    locked.version += 1
    locked.save()
    locked.buyers.set(new[0])
    locked.ordering_units.set(new[1])
    locked.cpv_additional.set(new[2])
    audit_record(
        actor=actor, action="procurement.updated", obj=locked, organisation=_org(locked), before=before, after=after
    )
    return locked


# --- Aims and goals -------------------------------------------------------------------


@transaction.atomic
def aim_assess(*, actor: User | None, procurement: Procurement, aim: int, relevant: bool, how: str) -> AimAssessment:
    """Record whether one of the six aims is relevant and how it is served (or why not)."""
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    locked = _lock(procurement)
    if aim not in Aim.values:
        raise ValidationError({"aim": [_("Aim: choose one of the six aims.")]})
    how = how.strip()
    if not how:
        raise ValidationError(
            {
                "how": [
                    _("Say how the procurement serves the aim.") if relevant else _("Say why the aim is not relevant.")
                ]
            }
        )
    existing = AimAssessment.objects.filter(procurement=locked, aim=aim).first()
    before = {"relevant": existing.relevant, "how": existing.how} if existing else None
    assessment, _created = AimAssessment.objects.update_or_create(
        procurement=locked, aim=aim, defaults={"relevant": relevant, "how": how}
    )
    after = {"relevant": relevant, "how": how}
    if before != after:
        _touch(locked)
        audit_record(
            actor=actor,
            action="procurement.aim_assessed",
            obj=locked,
            organisation=_org(locked),
            before={f"aim_{aim}": before} if before else None,
            after={f"aim_{aim}": after},
        )
    return assessment


@transaction.atomic
def goal_assess(
    *, actor: User | None, procurement: Procurement, goal: EnvironmentalGoal, addressed: bool, how: str
) -> GoalAssessment:
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    locked = _lock(procurement)
    if goal not in policy.goals_for(locked):
        raise ValidationError({"goal": [_("Environmental goal: the goal does not belong to a buying region.")]})
    how = how.strip()
    if not how:
        raise ValidationError({"how": [_("Say how the goal is addressed, or why it is not.")]})
    assessment, _created = GoalAssessment.objects.update_or_create(
        procurement=locked, goal=goal, defaults={"addressed": addressed, "how": how}
    )
    _touch(locked)
    audit_record(
        actor=actor,
        action="procurement.goal_assessed",
        obj=locked,
        organisation=_org(locked),
        after={f"goal {goal}": {"addressed": addressed, "how": how}},
    )
    return assessment


# --- Strategy -------------------------------------------------------------------------


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
    entry, _created = StrategyEntry.objects.update_or_create(strategy=draft, requirement=requirement, defaults=values)
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
    missing = policy.strategy_gate_missing(locked, require_approval=False)
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
    missing = policy.strategy_gate_missing(locked)
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


# --- Lifecycle --------------------------------------------------------------------------

# One arrow per allowed transition; the gate guards the two that leave planning.
TRANSITIONS: dict[str, set[str]] = {
    ProcurementStatus.PLANNING: {ProcurementStatus.STRATEGY_APPROVED, ProcurementStatus.CANCELLED},
    ProcurementStatus.STRATEGY_APPROVED: {ProcurementStatus.ADVERTISED, ProcurementStatus.CANCELLED},
    ProcurementStatus.ADVERTISED: {ProcurementStatus.EVALUATION, ProcurementStatus.CANCELLED},
    ProcurementStatus.EVALUATION: {ProcurementStatus.AWARDED, ProcurementStatus.CANCELLED},
    ProcurementStatus.AWARDED: {ProcurementStatus.CONCLUDED, ProcurementStatus.CANCELLED},
    ProcurementStatus.CONCLUDED: set(),
    ProcurementStatus.CANCELLED: set(),
}
GATED = {ProcurementStatus.STRATEGY_APPROVED, ProcurementStatus.ADVERTISED}


def allowed_transitions(procurement: Procurement) -> list[str]:
    return [s for s in ProcurementStatus.values if s in TRANSITIONS[procurement.status]]


@transaction.atomic
def procurement_transition(*, actor: User | None, procurement: Procurement, to: str, reason: str = "") -> Procurement:
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    locked = _lock(procurement)
    if to not in ProcurementStatus.values:
        raise TransitionError(_("Unknown status %(status)s.") % {"status": to})
    if to in GATED and locked.status in (ProcurementStatus.PLANNING, ProcurementStatus.STRATEGY_APPROVED):
        # Asked to leave planning or to advertise: say everything that is missing first.
        missing = policy.strategy_gate_missing(locked)
        if missing:
            raise StrategyIncompleteError(missing)
    if to not in TRANSITIONS[locked.status]:
        raise TransitionError(
            _("A procurement that is %(current)s cannot become %(target)s.")
            % {
                "current": locked.get_status_display().lower(),
                "target": ProcurementStatus(to).label.lower(),
            }
        )
    if to in GATED:
        missing = policy.strategy_gate_missing(locked)
        if missing:
            raise StrategyIncompleteError(missing)
    if to == ProcurementStatus.CANCELLED:
        if not reason.strip():
            raise ValidationError({"reason": [_("Reason: say why the procurement is cancelled.")]})
        locked.cancel_reason = reason.strip()
    if to == ProcurementStatus.AWARDED:
        open_ = verifications_open(locked)
        if open_:
            raise VerificationsOpenError(
                [_("Requirement “%(title)s” is not verified.") % {"title": v.requirement.title} for v in open_]
            )
    opened: list[str] = []
    if to == ProcurementStatus.EVALUATION:
        opened = _open_verifications(locked)
    before = locked.status
    locked.status = to
    if to == ProcurementStatus.ADVERTISED and locked.advertised_on is None:
        # Domain § 3: the strategy precedes the procurement; the KPI compares approval with this day.
        locked.advertised_on = timezone.localdate()
    locked.version += 1
    locked.save(update_fields=["status", "cancel_reason", "advertised_on", "version", "updated_at"])
    audit_record(
        actor=actor,
        action=f"procurement.{to}",
        obj=locked,
        organisation=_org(locked),
        before={"status": before},
        after={"status": to}
        | ({"reason": locked.cancel_reason} if to == ProcurementStatus.CANCELLED else {})
        | ({"verifications_opened": opened} if opened else {}),
    )
    return locked


# --- Verification during the procurement ------------------------------------------------------


def requirements_verified_at_evaluation(procurement: Procurement) -> list[Requirement]:
    """The requirements checked on the tenders: those marked as verified at evaluation (or
    both), and those the strategy follows up "at evaluation"."""
    strategy = policy.current_strategy(procurement)
    timed = (
        set(strategy.entries.filter(timing=Timing.AT_EVALUATION).values_list("requirement_id", flat=True))
        if strategy
        else set()
    )
    return [
        r
        for r in procurement.requirements.filter(removed=False).order_by("position", "id")
        if r.pk in timed or r.verified_when in (VerifiedWhen.AT_EVALUATION, VerifiedWhen.BOTH)
    ]


def _open_verifications(procurement: Procurement) -> list[str]:
    """Open one record per requirement verified at evaluation, when the evaluation starts.

    Opened then, not at approval: the tenders to verify exist only once the evaluation
    starts, and until advertising the strategy may still change (a new version, a removed
    requirement), which would leave records for requirements nobody verifies."""
    opened = []
    for requirement in requirements_verified_at_evaluation(procurement):
        _verification, created = Verification.objects.get_or_create(procurement=procurement, requirement=requirement)
        if created:
            opened.append(requirement.title)
    return opened


def verifications_open(procurement: Procurement) -> list[Verification]:
    return list(
        procurement.verifications.filter(outcome=VerificationOutcome.OPEN, requirement__removed=False)
        .select_related("requirement")
        .order_by("requirement__position", "requirement_id")
    )


VERIFICATION_FIELDS = ["outcome", "evidence", "reason", "verified_on"]


@transaction.atomic
def verification_record(
    *,
    actor: User | None,
    verification: Verification,
    outcome: str,
    evidence: str,
    reason: str = "",
) -> Verification:
    """Record who verified the requirement, on what evidence, with what outcome and when.
    Only during the evaluation: after award the record is what the decision rested on."""
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    locked_procurement = _lock(verification.procurement)
    locked = Verification.objects.select_for_update().select_related("requirement").get(pk=verification.pk)
    if locked_procurement.status != ProcurementStatus.EVALUATION:
        raise TransitionError(_("Verifications are recorded during the evaluation, before the award."))
    errors: dict[str, list[str]] = {}
    evidence, reason = evidence.strip(), reason.strip()
    if outcome not in (VerificationOutcome.VERIFIED, VerificationOutcome.NOT_VERIFIED):
        errors["outcome"] = [_("Outcome: choose verified or not verified.")]
    if not evidence:
        errors["evidence"] = [_("Evidence: say what in the tender was examined.")]
    if outcome == VerificationOutcome.NOT_VERIFIED and not reason:
        errors["reason"] = [_("Reason: say why the requirement is not verified.")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(locked, VERIFICATION_FIELDS)
    locked.outcome = outcome
    locked.evidence = evidence
    locked.reason = reason if outcome == VerificationOutcome.NOT_VERIFIED else ""
    locked.verified_on = timezone.localdate()
    locked.verified_by = actor
    locked.version += 1
    locked.save()
    _touch(locked_procurement)
    audit_record(
        actor=actor,
        action="procurement.verification_recorded",
        obj=locked_procurement,
        organisation=_org(locked_procurement),
        before={locked.requirement.title: before},
        after={locked.requirement.title: snapshot(locked, VERIFICATION_FIELDS)},
    )
    return locked


# --- Environmental goals (maintained per region) ------------------------------------------

GOAL_FIELDS = ["programme", "code", "title", "description", "valid_from", "valid_to"]


def _can_manage_goals(actor: User | None, organisation: Organisation) -> None:
    if actor is None:
        return
    if not access.has_perm(actor, Perm.MANAGE_GOALS):
        raise NotAllowedError()
    visible = access.visible_organisation_ids(actor)
    if visible is not None and organisation.id not in visible:
        raise NotAllowedError()


def _clean_goal(goal: EnvironmentalGoal) -> None:
    errors: dict[str, list[str]] = {}
    goal.title = goal.title.strip()
    goal.programme = goal.programme.strip()
    if not goal.title:
        errors["title"] = [_("Goal: write the goal.")]
    if not goal.programme:
        errors["programme"] = [_("Programme: name the environmental programme the goal belongs to.")]
    if goal.organisation.parent_id is not None:
        errors["organisation"] = [_("Environmental programmes belong to regions; choose the region.")]
    if goal.valid_from is None:
        errors["valid_from"] = [_("Valid from: give the date the goal starts to apply.")]
    elif goal.valid_to is not None and goal.valid_to < goal.valid_from:
        errors["valid_to"] = [_("Valid to: the end date is before the start date.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def goal_create(*, actor: User | None, organisation: Organisation, **fields: Any) -> EnvironmentalGoal:
    _can_manage_goals(actor, organisation)
    goal = EnvironmentalGoal(organisation=organisation, **{k: v for k, v in fields.items() if k in GOAL_FIELDS})
    _clean_goal(goal)
    goal.save()
    audit_record(
        actor=actor, action="goal.created", obj=goal, organisation=organisation, after=snapshot(goal, GOAL_FIELDS)
    )
    return goal


@transaction.atomic
def goal_update(
    *, actor: User | None, goal: EnvironmentalGoal, expected_version: int | None, **changes: Any
) -> EnvironmentalGoal:
    """Change a goal. Ending a goal is done by setting ``valid_to``; goals are never
    deleted, since procurements have been assessed against them."""
    _can_manage_goals(actor, goal.organisation)
    locked = core_services.lock(EnvironmentalGoal.objects.select_related("organisation"), goal.pk, expected_version)
    core_services.update_fields(
        actor=actor,
        obj=locked,
        fields=GOAL_FIELDS,
        changes=changes,
        clean=_clean_goal,
        action="goal.updated",
        organisation=locked.organisation,
    )
    return locked


# --- Category tables (maintained by the library keepers) ------------------------------------

CATEGORY_RULE_FIELDS = ["kind", "cpv_prefix", "label", "source", "is_active"]
_CPV_PREFIX = re.compile(r"[0-9]{2,8}")


def _max_length(field: str) -> int:
    return int(getattr(CategoryRule._meta.get_field(field), "max_length", 0) or 0)


def _clean_category_rule(rule: CategoryRule) -> None:
    """Every row must say where it comes from and name a real part of the vocabulary;
    one table holds a prefix once among its active rows, so a suggestion has one source."""
    errors: dict[str, list[str]] = {}
    rule.cpv_prefix = str(rule.cpv_prefix or "").strip()
    rule.label = str(rule.label or "").strip()
    rule.source = str(rule.source or "").strip()
    if rule.kind not in CategoryRuleKind.values:
        errors["kind"] = [_("Kind: choose one of the category tables.")]
    if not _CPV_PREFIX.fullmatch(rule.cpv_prefix):
        errors["cpv_prefix"] = [_("CPV prefix: write 2 to 8 digits, e.g. 15 for all food or 9091 for cleaning.")]
    elif not CpvCode.objects.filter(code__startswith=rule.cpv_prefix).exists():
        errors["cpv_prefix"] = [_("CPV prefix: no CPV code starts with %(prefix)s.") % {"prefix": rule.cpv_prefix}]
    if not rule.label:
        errors["label"] = [_("Category: name the category, e.g. Städ.")]
    elif len(rule.label) > _max_length("label"):
        errors["label"] = [_("Category: write at most %(limit)d characters.") % {"limit": _max_length("label")}]
    if not rule.source:
        errors["source"] = [_("Source: say where the rule comes from.")]
    elif len(rule.source) > _max_length("source"):
        errors["source"] = [_("Source: write at most %(limit)d characters.") % {"limit": _max_length("source")}]
    if rule.is_active and not errors:
        duplicate = CategoryRule.objects.filter(kind=rule.kind, cpv_prefix=rule.cpv_prefix, is_active=True)
        if rule.pk is not None:
            duplicate = duplicate.exclude(pk=rule.pk)
        if duplicate.exists():
            errors["cpv_prefix"] = [
                _("CPV prefix: the table already has an active rule for %(prefix)s.") % {"prefix": rule.cpv_prefix}
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def category_rule_create(*, actor: User | None, kind: str, cpv_prefix: str, label: str, source: str) -> CategoryRule:
    _require(actor, Perm.MANAGE_LIBRARY)
    rule = CategoryRule(kind=kind, cpv_prefix=cpv_prefix, label=label, source=source, is_active=True)
    _clean_category_rule(rule)
    rule.save()
    audit_record(actor=actor, action="category_rule.created", obj=rule, after=snapshot(rule, CATEGORY_RULE_FIELDS))
    return rule


@transaction.atomic
def category_rule_update(
    *, actor: User | None, rule: CategoryRule, expected_version: int | None, **changes: Any
) -> CategoryRule:
    """Change a rule. A rule that no longer applies is deactivated, not deleted, so that
    the history says which suggestions it gave and on what source."""
    _require(actor, Perm.MANAGE_LIBRARY)
    locked = core_services.lock(CategoryRule.objects.all(), rule.pk, expected_version)
    core_services.update_fields(
        actor=actor,
        obj=locked,
        fields=CATEGORY_RULE_FIELDS,
        changes=changes,
        clean=_clean_category_rule,
        action="category_rule.updated",
    )
    return locked
