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

from django.db.models import Exists, F, OuterRef, Q
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


def needs_decision(deviation: Deviation, today: datetime.date, *, decided: bool) -> bool:
    """Domain § 4: "When a major or critical deviation passes its deadline, the system asks
    for a decision (apply or waive, with a reason) and keeps asking until one is recorded."

    Passing the deadline means the correction was not verified as fixed on or before it.
    """
    return (
        deviation.severity in SANCTIONABLE
        and deviation.deadline is not None
        and deviation.deadline < today
        and not deviation.fixed_in_time
        and not decided
    )


def decision_needed_q(today: datetime.date) -> Q:
    """``needs_decision`` as a filter on deviations, for lists and the reminder command."""
    has_decision = Exists(Sanction.deviations.through.objects.filter(deviation_id=OuterRef("pk")))
    return (
        Q(severity__in=SANCTIONABLE, deadline__lt=today)
        & (Q(fixed_on__isnull=True) | Q(fixed_on__gt=F("deadline")))
        & ~Q(has_decision)
    )


def decision_needed(contract: Contract, today: datetime.date) -> list[Deviation]:
    """Every deviation on the contract that waits for a sanction decision."""
    return list(Deviation.objects.filter(decision_needed_q(today), contract=contract).order_by("deadline", "id"))


@dataclass
class Fine:
    days_late: int
    weeks: int
    capped: bool
    amount: Decimal | None  # None when the contract sets no fine


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


def fine_for_deviations(contract: Contract, deviations: Iterable[Deviation], today: datetime.date) -> Fine | None:
    """The fine for the latest of the deviations: from its deadline until it was fixed, or today."""
    late = [d for d in deviations if d.deadline is not None]
    if not late:
        return None
    return max(
        (fine_for(contract, deadline=d.deadline, until=d.fixed_on or today) for d in late if d.deadline),
        key=lambda f: f.days_late,
    )
