"""Verifying requirements during the procurement (at evaluation), before the award."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record, snapshot
from kravspar.procurements import policy
from kravspar.procurements.models import Procurement, ProcurementStatus, Timing, Verification, VerificationOutcome
from kravspar.procurements.services.common import _lock, _org, _require, _touch
from kravspar.procurements.services.errors import TransitionError
from kravspar.requirements.models import Requirement, VerifiedWhen

if TYPE_CHECKING:
    from kravspar.accounts.models import User


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
