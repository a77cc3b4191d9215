"""The procurement's lifecycle: one arrow per allowed transition, the gate enforced on the two that leave planning."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record
from kravspar.procurements import policy
from kravspar.procurements.models import Procurement, ProcurementStatus
from kravspar.procurements.services.common import _lock, _org, _require
from kravspar.procurements.services.errors import StrategyIncompleteError, TransitionError, VerificationsOpenError
from kravspar.procurements.services.verification import _open_verifications, verifications_open

if TYPE_CHECKING:
    from kravspar.accounts.models import User


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
