"""The conditions (``*_q``) shared with the drill-down lists, so that a figure and the list
behind it count the same records by construction."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import (
    F,
    Q,
    QuerySet,
)

from kravspar.contracts.models import Contract, ContractRequirement, Subcontractor
from kravspar.findings.models import Deviation, DeviationStatus, Sanction
from kravspar.followups.models import OPEN_STATUSES, Activity, ActivityStatus
from kravspar.procurements.models import (
    Aim,
    Procurement,
    Strategy,
    StrategyStatus,
)
from kravspar.reports.figures.base import (
    AIM_OF_KIND,
    LOCAL_COUNTIES,
    SME_CLASSES,
    WORKING_CONDITION_TYPES,
    procurements_advertised_in_period,
    procurements_advertised_on_unknown_day,
)
from kravspar.reports.scope import ReportScope
from kravspar.requirements.models import RequirementType

# --- Conditions shared with the drill-down lists -----------------------------------------


# The conditions are uncorrelated ``pk IN (subquery)`` rather than correlated EXISTS: SQLite
# otherwise picks the (status, due_on) index for the inner query and scans it once per
# contract, which made the dashboard quadratic in the number of contracts (bench_reports.py).


def approved_strategy_q() -> Q:
    """Has a strategy version that was approved (it may since be superseded by a newer one)."""
    approved = Strategy.objects.filter(
        status__in=(StrategyStatus.APPROVED, StrategyStatus.SUPERSEDED), approved_at__isnull=False
    )
    return Q(pk__in=approved.values("procurement_id"))


def _approved_strategies() -> QuerySet[Strategy]:
    return Strategy.objects.filter(
        status__in=(StrategyStatus.APPROVED, StrategyStatus.SUPERSEDED), approved_at__isnull=False
    )


def approved_in_time_q() -> Q:
    """Domain § 3, the strategy precedes the procurement: some version was approved on or
    before the day the procurement was advertised (the approval's local day)."""
    in_time = _approved_strategies().filter(approved_at__date__lte=F("procurement__advertised_on"))
    return Q(pk__in=in_time.values("procurement_id"))


def approved_after_contract_q() -> Q:
    """Retrofitted: a version was approved after a contract from the procurement was signed."""
    after = _approved_strategies().filter(approved_at__date__gt=F("procurement__contracts__signed_on"))
    return Q(pk__in=after.values("procurement_id"))


def gate_q(step: str) -> Q:
    """Among procurements advertised in the period: approved in time, retrofitted (approved
    only after advertising — typically after the contract) or with no approved strategy.
    Among those advertised on an unknown day: retrofitted after their contract."""
    steps = {
        "advertised": Q(),
        "in_time": approved_in_time_q(),
        "retrofitted": approved_strategy_q() & ~approved_in_time_q(),
        "missing": ~approved_strategy_q(),
        "unknown": Q(),
        "unknown_retrofitted": approved_after_contract_q(),
    }
    return steps[step]


def gate_base(step: str, scope: ReportScope) -> QuerySet[Procurement]:
    if step.startswith("unknown"):
        return procurements_advertised_on_unknown_day(scope)
    return procurements_advertised_in_period(scope)


def current_plan_q(scope: ReportScope) -> Q:
    """A follow-up plan covering the period: some activity, not cancelled, due in it or later."""
    planned = Activity.objects.filter(due_on__gte=scope.date_from).exclude(status=ActivityStatus.CANCELLED)
    return Q(pk__in=planned.values("contract_id"))


def activity_state_q(state: str, today: datetime.date) -> Q:
    done = Q(status=ActivityStatus.DONE)
    states = {
        "due": ~Q(status=ActivityStatus.CANCELLED),
        "on_time": done & (Q(completed_on__isnull=True) | Q(completed_on__lte=F("due_on"))),
        "late": done & Q(completed_on__gt=F("due_on")),
        "overdue": Q(status__in=OPEN_STATUSES, due_on__lt=today),
        "upcoming": Q(status__in=OPEN_STATUSES, due_on__gte=today),
        "cancelled": Q(status=ActivityStatus.CANCELLED),
    }
    return states[state]


def plan_overdue_q(today: datetime.date) -> Q:
    """An agreed action plan whose deadline has passed without the correction being verified."""
    return Q(status=DeviationStatus.ACTION_PLAN_AGREED, deadline__lt=today)


def _with_supplier(**supplier: Any) -> Q:
    through = Contract.suppliers.through.objects.filter(**{f"supplier__{k}": v for k, v in supplier.items()})
    return Q(pk__in=through.values("contract_id"))


def local_q() -> Q:
    return _with_supplier(county__in=LOCAL_COUNTIES)


def sme_q() -> Q:
    return _with_supplier(size_class__in=SME_CLASSES)


def _done_on(scope: ReportScope, **requirement: Any) -> Q:
    done = Activity.objects.filter(
        status=ActivityStatus.DONE,
        due_on__lte=scope.date_to,
        requirement__type__in=WORKING_CONDITION_TYPES,
        **requirement,
    )
    return Q(pk__in=done.values("contract_id"))


def labour_q(step: str, scope: ReportScope) -> Q:
    """Aim 4 steps: contracts with working-conditions requirements ("with"), of which followed
    up ("followed"); with active subcontractors ("subcontractors"), of which requirements that
    bind subcontractors were followed up ("subcontractors_followed")."""
    has = Q(pk__in=ContractRequirement.objects.filter(type__in=WORKING_CONDITION_TYPES).values("contract_id"))
    subs = Q(pk__in=Subcontractor.objects.filter(is_active=True).values("contract_id"))
    steps = {
        "with": has,
        "followed": has & _done_on(scope),
        "subcontractors": has & subs,
        "subcontractors_followed": has & subs & _done_on(scope, requirement__binds_subcontractors=True),
    }
    return steps[step]


def aims_of(value: Any) -> set[int]:
    """The aims a requirement serves, from its JSON list; anything else is ignored."""
    if not isinstance(value, list):
        return set()
    return {int(v) for v in value if isinstance(v, int | str) and str(v).isdigit() and int(v) in Aim.values}


def deviation_aims(requirement_aims: Any, kind: str) -> set[int]:
    """The aims a deviation concerns: its requirement's, or else the one its kind belongs to."""
    aims = aims_of(requirement_aims)
    if not aims and kind in AIM_OF_KIND:
        aims = {int(AIM_OF_KIND[RequirementType(kind)])}
    return aims


def deviation_ids_for_aim(qs: QuerySet[Deviation], aim: int) -> list[int]:
    """The aims are a JSON list; matched in Python rather than in SQL, which SQLite cannot do."""
    return [
        pk
        for pk, aims, kind in qs.values_list("pk", "requirement__aims", "kind").iterator()
        if aim in deviation_aims(aims, kind)
    ]


def sanction_ids_for_aim(qs: QuerySet[Sanction], aim: int) -> list[int]:
    """A sanction concerns the aims of the deviations it decides on."""
    return sorted(
        {
            pk
            for pk, aims, kind in qs.values_list("pk", "deviations__requirement__aims", "deviations__kind")
            if kind is not None and aim in deviation_aims(aims, kind)
        }
    )
