"""The rules for supplier status, sanction decisions and fines. Read this first.

Domain § 4: "Supplier status after follow-up: green (no deviations, or fixed in time),
yellow (being handled), red (not fixed in time or not enough)."

Domain § 4: "Not claiming an agreed fine can itself breach equal treatment, so the system
must make sanctions visible and decided, not forgotten."
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kravspar.findings.models import SANCTIONABLE, Deviation, DeviationStatus, Sanction, Severity

if TYPE_CHECKING:
    from collections.abc import Iterable

    from kravspar.contracts.models import Contract


class Light:
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    LABELS = {GREEN: gettext_lazy("Green"), YELLOW: gettext_lazy("Yellow"), RED: gettext_lazy("Red")}
    ORDER = {GREEN: 0, YELLOW: 1, RED: 2}


@dataclass
class Status:
    light: str = Light.GREEN
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(Light.LABELS[self.light])


def deviation_light(deviation: Deviation, today: datetime.date) -> tuple[str, str] | None:
    """The light one deviation gives its supplier, with the reason; None when it does not count.

    Observations ask for no action, and closed deviations are finished, so neither counts.
    """
    if deviation.severity == Severity.OBSERVATION or deviation.status == DeviationStatus.CLOSED:
        return None
    if deviation.awaiting_assessment:
        # Reported by the orderer with a proposed severity; Inköp decides how grave it is.
        return Light.YELLOW, _("reported; awaiting Inköp's assessment")
    if deviation.status == DeviationStatus.FIXED:
        if deviation.fixed_in_time:
            return Light.GREEN, _("fixed in time")
        return Light.RED, _("fixed after the deadline")
    if deviation.status == DeviationStatus.NOT_FIXED:
        return Light.RED, _("verified as not fixed, or not enough")
    if deviation.deadline is None:
        # A critical deviation must get a time-bound plan at once.
        if deviation.severity == Severity.CRITICAL:
            return Light.RED, _("critical deviation without an agreed action plan")
        if _plan_overdue(deviation, today):
            return Light.RED, _("no action plan agreed within %(days)s days of being raised") % {
                "days": action_plan_days()
            }
        return Light.YELLOW, _("being handled; no action plan agreed yet")
    if deviation.deadline < today:
        return Light.RED, _("deadline %(deadline)s passed without verification") % {"deadline": deviation.deadline}
    return Light.YELLOW, _("being handled within the deadline %(deadline)s") % {"deadline": deviation.deadline}


def status_of(deviations: Iterable[Deviation], today: datetime.date) -> Status:
    """Green, yellow or red for a set of deviations: the worst light any of them gives."""
    status = Status()
    for deviation in deviations:
        result = deviation_light(deviation, today)
        if result is None:
            continue
        light, reason = result
        if Light.ORDER[light] > Light.ORDER[status.light]:
            status.light = light
        if light != Light.GREEN:
            status.reasons.append(f"{deviation.title}: {reason}")
    if status.light == Light.GREEN:
        status.reasons = [_("No open deviations, or all fixed in time.")]
    return status


# Still waiting for a first action plan (none agreed, or a new one needed after a reopening).
WITHOUT_PLAN = (DeviationStatus.OPEN, DeviationStatus.REOPENED)


def action_plan_days() -> int:
    """How many days a supplier has to agree an action plan for a major or critical deviation."""
    return int(getattr(settings, "KRAVSPAR_ACTION_PLAN_DAYS", 30))


def _plan_overdue(deviation: Deviation, today: datetime.date) -> bool:
    """A major or critical deviation that has had no agreed action plan for more than
    ``KRAVSPAR_ACTION_PLAN_DAYS`` days since it was raised: a supplier who never answers
    is not left yellow for ever."""
    return (
        deviation.severity in SANCTIONABLE
        and deviation.deadline is None
        and deviation.status in WITHOUT_PLAN
        and deviation.raised_on is not None
        and deviation.raised_on < today - datetime.timedelta(days=action_plan_days())
    )


def needs_decision(deviation: Deviation, today: datetime.date, *, decided: bool) -> bool:
    """Domain § 4: "When a major or critical deviation passes its deadline, the system asks
    for a decision (apply or waive, with a reason) and keeps asking until one is recorded."

    Passing the deadline means the correction was not verified as fixed on or before it.
    A major or critical deviation with no action plan agreed within the set number of days
    of being raised is treated the same way. A deviation still awaiting Inköp's assessment
    has only a proposed severity and asks for nothing yet.
    """
    if decided or deviation.awaiting_assessment or deviation.severity not in SANCTIONABLE:
        return False
    deadline_missed = deviation.deadline is not None and deviation.deadline < today and not deviation.fixed_in_time
    return deadline_missed or _plan_overdue(deviation, today)


def deviation_level(today: datetime.date) -> Case:
    """``deviation_light`` in SQL, as ``Light.ORDER``'s number (0 green, 1 yellow, 2 red; NULL
    when the deviation does not count), so that a report can take the worst light per supplier
    in the database. The two must agree; tests/test_policy_properties.py compares them."""
    red, yellow, green = (
        Value(Light.ORDER[Light.RED]),
        Value(Light.ORDER[Light.YELLOW]),
        Value(Light.ORDER[Light.GREEN]),
    )
    no_plan = Q(deadline__isnull=True)
    plan_overdue = Q(
        severity__in=SANCTIONABLE,
        status__in=WITHOUT_PLAN,
        raised_on__lt=today - datetime.timedelta(days=action_plan_days()),
    )
    fixed = Q(status=DeviationStatus.FIXED)
    return Case(
        When(Q(severity=Severity.OBSERVATION) | Q(status=DeviationStatus.CLOSED), then=Value(None)),
        When(awaiting_assessment=True, then=yellow),
        When(fixed & Q(fixed_on__isnull=False, deadline__isnull=False, fixed_on__lte=F("deadline")), then=green),
        When(fixed | Q(status=DeviationStatus.NOT_FIXED), then=red),
        When(no_plan & (Q(severity=Severity.CRITICAL) | plan_overdue), then=red),
        When(no_plan, then=yellow),
        When(deadline__lt=today, then=red),
        default=yellow,
        output_field=IntegerField(),
    )


def decision_needed_q(today: datetime.date) -> Q:
    """``needs_decision`` as a filter on deviations, for lists and the reminder command.
    The two must agree; tests/test_policy_properties.py compares them on generated data."""
    has_decision = Exists(Sanction.deviations.through.objects.filter(deviation_id=OuterRef("pk")))
    deadline_missed = Q(deadline__lt=today) & (Q(fixed_on__isnull=True) | Q(fixed_on__gt=F("deadline")))
    plan_overdue = Q(
        deadline__isnull=True,
        status__in=WITHOUT_PLAN,
        raised_on__lt=today - datetime.timedelta(days=action_plan_days()),
    )
    return Q(severity__in=SANCTIONABLE, awaiting_assessment=False) & (deadline_missed | plan_overdue) & ~Q(has_decision)


def decision_needed(contract: Contract, today: datetime.date) -> list[Deviation]:
    """Every deviation on the contract that waits for a sanction decision."""
    return list(Deviation.objects.filter(decision_needed_q(today), contract=contract).order_by("deadline", "id"))


def can_be_waived(deviation: Deviation, on: datetime.date) -> bool:
    """Waiving means deliberately not claiming a sanction the contract gives; there is
    something to waive only once a deadline has been missed (on ``on``) or a major or
    critical deviation exists."""
    deadline_missed = deviation.deadline is not None and (
        (deviation.fixed_on is not None and deviation.fixed_on > deviation.deadline)
        or (deviation.fixed_on is None and deviation.deadline < on)
    )
    return deadline_missed or (deviation.severity in SANCTIONABLE and not deviation.awaiting_assessment)


@dataclass
class Fine:
    days_late: int
    weeks: int
    capped: bool
    amount: Decimal | None  # None when the contract sets no fine
    # For a decision covering several deviations: each deviation's own fine, summed above.
    parts: list[tuple[Deviation, Fine]] = field(default_factory=list)


def fine_for(contract: Contract, *, deadline: datetime.date, until: datetime.date) -> Fine:
    """Domain § 4: "fine (vite, e.g. X SEK per started week up to Y weeks)".

    A fine runs per started week after the deadline: one day late is one week.
    """
    days_late = max((until - deadline).days, 0)
    weeks = math.ceil(days_late / 7)
    capped = contract.fine_cap_weeks is not None and weeks > contract.fine_cap_weeks
    if capped:
        weeks = contract.fine_cap_weeks or 0
    amount = None if contract.fine_per_week is None else Decimal(weeks) * contract.fine_per_week
    return Fine(days_late=days_late, weeks=weeks, capped=capped, amount=amount)


def fine_for_deviation(contract: Contract, deviation: Deviation, on: datetime.date) -> Fine | None:
    """One deviation's fine as of ``on``: from its deadline until it was fixed, or until
    ``on`` if it was fixed later (or not at all) — a fine stated on a day is the fine of that day."""
    if deviation.deadline is None:
        return None
    until = min(deviation.fixed_on, on) if deviation.fixed_on is not None else on
    return fine_for(contract, deadline=deviation.deadline, until=until)


def fine_for_deviations(contract: Contract, deviations: Iterable[Deviation], on: datetime.date) -> Fine | None:
    """The fine for a decision covering several deviations: each deviation's fine (its own
    weeks late, capped by the contract) summed. None when none of them has a deadline."""
    parts = [(d, fine) for d in deviations if (fine := fine_for_deviation(contract, d, on)) is not None]
    if not parts:
        return None
    amounts = [fine.amount for _d, fine in parts]
    return Fine(
        days_late=max(fine.days_late for _d, fine in parts),
        weeks=sum(fine.weeks for _d, fine in parts),
        capped=any(fine.capped for _d, fine in parts),
        amount=None if contract.fine_per_week is None else sum((a or Decimal(0) for a in amounts), Decimal(0)),
        parts=parts,
    )
