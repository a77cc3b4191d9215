"""The follow-up outcome per region and year: requirements with a planned follow-up,
follow-ups done on time, median days late, major deviations fixed in time and sanction
decisions recorded; the conditions are shared with the drill-down lists."""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce

from kravspar.contracts.models import ContractRequirement, ContractStatus
from kravspar.findings.models import SANCTIONABLE, Sanction
from kravspar.followups.models import Activity, ActivityStatus
from kravspar.reports.figures.base import (
    activities_in_period,
    deviations_in_period,
    live_contracts,
)
from kravspar.reports.figures.conditions import (
    activity_state_q,
)
from kravspar.reports.figures.results import FollowUpOutcome, Share
from kravspar.reports.scope import ReportScope


def outcome_due_q(today: datetime.date) -> Q:
    """A follow-up that has fallen due: due before today, not cancelled."""
    return Q(due_on__lt=today) & ~Q(status=ActivityStatus.CANCELLED)


def outcome_major_q(today: datetime.date) -> Q:
    """A major or critical deviation whose action plan's deadline has passed, or that was fixed."""
    return Q(severity__in=SANCTIONABLE, deadline__isnull=False) & (Q(deadline__lt=today) | Q(fixed_on__isnull=False))


def fixed_in_time_q() -> Q:
    return Q(fixed_on__isnull=False, fixed_on__lte=F("deadline"))


def outcome_requirements(scope: ReportScope) -> QuerySet[ContractRequirement]:
    """The requirements of the contracts live and active in the period (the outcome's whole)."""
    live = live_contracts(scope).filter(status=ContractStatus.ACTIVE)
    return ContractRequirement.objects.filter(contract__in=live.values("pk"))


def outcome_planned_q(scope: ReportScope) -> Q:
    """A requirement with a follow-up planned from the period's start on (not cancelled)."""
    planned = Activity.objects.filter(due_on__gte=scope.date_from).exclude(status=ActivityStatus.CANCELLED)
    return Q(pk__in=planned.values("requirement_id"))


def outcome_late_q(today: datetime.date) -> Q:
    """A follow-up that fell due and was done late or is still open."""
    return activity_state_q("late", today) | activity_state_q("overdue", today)


def sanction_decided_q() -> Q:
    """A deviation with a sanction decision (applied or waived) recorded."""
    return Q(pk__in=Sanction.deviations.through.objects.values("deviation_id"))


def _outcome(scope: ReportScope) -> FollowUpOutcome:
    today = scope.today
    requirements = outcome_requirements(scope).aggregate(
        whole=Count("id"), part=Count("id", filter=outcome_planned_q(scope))
    )
    due = activities_in_period(scope).filter(outcome_due_q(today))
    late_q = outcome_late_q(today)
    on_time = due.aggregate(
        whole=Count("id"), part=Count("id", filter=activity_state_q("on_time", today)), late=Count("id", filter=late_q)
    )
    # The median in the database: the late ones ordered by days late, the lower middle one's row.
    late = on_time["late"]
    median_late = None
    if late:
        days_late = ExpressionWrapper(
            Coalesce("completed_on", Value(today, output_field=DateField())) - F("due_on"),
            output_field=DurationField(),
        )
        ordered = due.filter(late_q).annotate(days_late=days_late).order_by("days_late", "id")
        median_late = ordered.values_list("days_late", flat=True)[(late - 1) // 2].days
    majors = deviations_in_period(scope).filter(outcome_major_q(today))
    counts = majors.aggregate(
        whole=Count("id"),
        part=Count("id", filter=fixed_in_time_q()),
        undecided=Count("id", filter=~fixed_in_time_q()),
        decided=Count("id", filter=~fixed_in_time_q() & sanction_decided_q()),
    )
    return FollowUpOutcome(
        requirements_planned=Share(part=requirements["part"], whole=requirements["whole"]),
        done_on_time=Share(part=on_time["part"], whole=on_time["whole"]),
        late=late,
        median_days_late=median_late,
        major_in_time=Share(part=counts["part"], whole=counts["whole"]),
        decisions_recorded=Share(part=counts["decided"], whole=counts["undecided"]),
    )
