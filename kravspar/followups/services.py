"""Carrying out a follow-up activity. One function per arrow of the lifecycle:

    planned ──start──> in progress ──await_supplier──> awaiting supplier
                           │  ^                              │
                           │  └──────────(answer in)─────────┘
                           └──review──> under review <──review──┘
    in progress / awaiting supplier / under review ──complete──> done (with an outcome)
    any open state ──cancel──> cancelled (with a reason)

Each function locks the activity, refuses a stale ``expected_version``
(ConcurrentEditError), checks that the actor may record it (Inköp, or the responsible
person or unit) and writes a history event in the same transaction.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.core.errors import DomainError, NotAllowedError
from kravspar.core.services import lock, update_fields
from kravspar.followups.models import OPEN_STATUSES, Activity, ActivityStatus, Outcome

if TYPE_CHECKING:
    from kravspar.accounts.models import User

S = ActivityStatus

# Where each transition may start from.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    S.IN_PROGRESS: (S.PLANNED, S.AWAITING_SUPPLIER),
    S.AWAITING_SUPPLIER: (S.IN_PROGRESS, S.UNDER_REVIEW),
    S.UNDER_REVIEW: (S.IN_PROGRESS, S.AWAITING_SUPPLIER),
    S.DONE: (S.IN_PROGRESS, S.AWAITING_SUPPLIER, S.UNDER_REVIEW),
    S.CANCELLED: tuple(OPEN_STATUSES),
}


class TransitionError(DomainError):
    code = "invalid_transition"
    status = 409


def _locked(*, actor: User, activity: Activity, expected_version: int | None) -> Activity:
    if not access.can_record_activity(actor, activity):
        raise NotAllowedError()
    return lock(Activity.objects.select_related("requirement"), activity.pk, expected_version)


def _move(
    *,
    actor: User,
    activity: Activity,
    to: str,
    expected_version: int | None,
    action: str,
    extra: dict[str, Any] | None = None,
    append_note: str = "",
) -> Activity:
    with transaction.atomic():
        locked = _locked(actor=actor, activity=activity, expected_version=expected_version)
        if locked.status not in ALLOWED_FROM[to]:
            raise TransitionError(
                _("A follow-up that is “%(current)s” cannot be moved to “%(target)s”.")
                % {"current": locked.get_status_display(), "target": S(to).label}
            )
        changes = {"status": to} | (extra or {})
        if append_note:
            changes["notes"] = f"{locked.notes}\n\n{append_note}".strip()
        update_fields(actor=actor, obj=locked, fields=list(changes), changes=changes, clean=_no_clean, action=action)
    return locked


def _no_clean(obj: Activity) -> None:
    pass


def activity_start(*, actor: User, activity: Activity, expected_version: int | None = None) -> Activity:
    return _move(
        actor=actor, activity=activity, to=S.IN_PROGRESS, expected_version=expected_version, action="activity.started"
    )


def activity_await_supplier(*, actor: User, activity: Activity, expected_version: int | None = None) -> Activity:
    """A request (questionnaire, documents, a visit date) has gone to the supplier."""
    return _move(
        actor=actor,
        activity=activity,
        to=S.AWAITING_SUPPLIER,
        expected_version=expected_version,
        action="activity.awaiting_supplier",
    )


def activity_review(*, actor: User, activity: Activity, expected_version: int | None = None) -> Activity:
    return _move(
        actor=actor,
        activity=activity,
        to=S.UNDER_REVIEW,
        expected_version=expected_version,
        action="activity.under_review",
    )


def activity_complete(
    *,
    actor: User,
    activity: Activity,
    outcome: str,
    note: str = "",
    no_deviation_reason: str = "",
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Activity:
    """Done, with an outcome. Deviations must be described in a note, and a follow-up that
    found deviations must have at least one deviation recorded on it (findings), or say why
    none is: otherwise what was found never reaches Inköp's queue, the supplier's status or
    a sanction decision."""
    note = (note or "").strip()
    reason = (no_deviation_reason or "").strip() if outcome == Outcome.DEVIATIONS else ""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the follow-up.")})
    errors: dict[str, Any] = {}
    if outcome == Outcome.DEVIATIONS and not note:
        errors["note"] = _("Describe the deviations that were found.")
    if outcome == Outcome.DEVIATIONS and not reason and not activity.deviations.exists():
        errors["no_deviation_reason"] = _(
            "Deviations were found but none is reported on this follow-up. Report the deviation first "
            "(“Report a deviation”), or say why none is reported."
        )
    if errors:
        raise ValidationError(errors)
    extra: dict[str, Any] = {"outcome": outcome, "completed_on": today or timezone.localdate()}
    if reason:
        extra["no_deviation_reason"] = reason
    return _move(
        actor=actor,
        activity=activity,
        to=S.DONE,
        expected_version=expected_version,
        action="activity.completed",
        extra=extra,
        append_note=note,
    )


def activity_cancel(*, actor: User, activity: Activity, reason: str, expected_version: int | None = None) -> Activity:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the follow-up is not carried out.")})
    return _move(
        actor=actor,
        activity=activity,
        to=S.CANCELLED,
        expected_version=expected_version,
        action="activity.cancelled",
        extra={"cancel_reason": reason},
    )


def can_be_responsible(person: User, activity: Activity) -> bool:
    """A responsible person must be active buyer staff who sees the contract and may
    record follow-ups."""
    return (
        person.is_active
        and person.supplier_id is None
        and (access.has_perm(person, Perm.RECORD_FOLLOWUPS) or access.has_perm(person, Perm.MANAGE_CONTRACTS))
        and access.contracts_visible_to(person).filter(pk=activity.contract_id).exists()
    )


def activity_assign(
    *, actor: User, activity: Activity, person: User | None, expected_version: int | None = None
) -> Activity:
    """Name the responsible person (or clear it, so the whole unit is responsible)."""
    if person is not None and not can_be_responsible(person, activity):
        raise ValidationError(
            {"person": _("%(name)s cannot carry out this follow-up.") % {"name": person.get_full_name() or person}}
        )
    with transaction.atomic():
        locked = _locked(actor=actor, activity=activity, expected_version=expected_version)
        if locked.status not in OPEN_STATUSES:
            raise TransitionError(_("Only an open follow-up can be given to someone else."))
        update_fields(
            actor=actor,
            obj=locked,
            fields=["responsible_person"],
            changes={"responsible_person": person},
            clean=_no_clean,
            action="activity.assigned",
        )
    return locked


def activity_update_notes(
    *, actor: User, activity: Activity, notes: str, expected_version: int | None = None
) -> Activity:
    with transaction.atomic():
        locked = _locked(actor=actor, activity=activity, expected_version=expected_version)
        if locked.status == S.CANCELLED:
            raise TransitionError(_("A cancelled follow-up cannot be changed."))
        update_fields(
            actor=actor,
            obj=locked,
            fields=["notes"],
            changes={"notes": notes.strip()},
            clean=_no_clean,
            action="activity.notes_changed",
        )
    return locked


TRANSITIONS: dict[str, Any] = {
    S.IN_PROGRESS: activity_start,
    S.AWAITING_SUPPLIER: activity_await_supplier,
    S.UNDER_REVIEW: activity_review,
    S.DONE: activity_complete,
    S.CANCELLED: activity_cancel,
}


def activity_transition(
    *,
    actor: User,
    activity: Activity,
    to: str,
    outcome: str = "",
    note: str = "",
    reason: str = "",
    no_deviation_reason: str = "",
    expected_version: int | None = None,
) -> Activity:
    """The one entry point for the UI buttons and the API's transitions endpoint."""
    if to == S.DONE:
        return activity_complete(
            actor=actor,
            activity=activity,
            outcome=outcome,
            note=note,
            no_deviation_reason=no_deviation_reason,
            expected_version=expected_version,
        )
    if to == S.CANCELLED:
        return activity_cancel(actor=actor, activity=activity, reason=reason, expected_version=expected_version)
    if to not in TRANSITIONS:
        raise TransitionError(_("Unknown state: %(state)s.") % {"state": to})
    moved: Activity = TRANSITIONS[to](actor=actor, activity=activity, expected_version=expected_version)
    return moved


def next_states(activity: Activity) -> list[str]:
    """The states this activity may move to now, for the buttons."""
    return [to for to, sources in ALLOWED_FROM.items() if activity.status in sources]


def activity_supplier_answered(*, actor: User, activity: Activity) -> Activity:
    """A supplier contact answered a request (questionnaires): the follow-up moves from
    awaiting the supplier to under review. The supplier may not record follow-ups, so the
    check here is that the actor belongs to one of the contract's suppliers. A follow-up
    that is no longer awaiting the supplier (an officer moved it) is left as it is."""
    if actor.supplier_id is None or not activity.contract.suppliers.filter(pk=actor.supplier_id).exists():
        raise NotAllowedError()
    with transaction.atomic():
        locked = lock(Activity.objects.select_related("requirement"), activity.pk, None)
        if locked.status != S.AWAITING_SUPPLIER:
            return locked
        update_fields(
            actor=actor,
            obj=locked,
            fields=["status"],
            changes={"status": S.UNDER_REVIEW},
            clean=_no_clean,
            action="activity.under_review",
        )
    return locked
