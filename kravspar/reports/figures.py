"""The dashboard's figures, each an aggregate query over the records in a scope and period.

Every figure is defined by a base queryset and a condition (``*_q``) that the drill-down
list (``records.py``) applies too, so that the number on the dashboard and the length of
the list behind it are the same by construction.

Period rules (one line each, so that a reader can check a number):
- the strategy gate counts procurements when they were advertised in the period; those
  advertised on a day Kravspår does not know are counted apart, in no period;
- other procurement figures count procurements when they were created in the period;
- contracts count when they were live at some point in the period;
- follow-up activities count when they were due in the period;
- deviations count when they were raised in the period; overdue action plans are as of today;
- sanction decisions count when they were decided in the period;
- supplier status is as of today, from the deviations on contracts in scope;
- per aim, deviations and sanctions count through the requirement's aims, or where it names
  none (or there is none, as on invoice deviations), through the aim of the deviation's kind.

``HOW`` says the same to the reader under each figure; ``tests/test_recount.py`` recounts
every figure in plain SQL from these definitions.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    JSONField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kravspar.contracts.models import Contract, ContractRequirement, ContractStatus, Subcontractor
from kravspar.findings import policy
from kravspar.findings.models import SANCTIONABLE, Decision, Deviation, DeviationStatus, Sanction, Severity
from kravspar.followups.models import OPEN_STATUSES, Activity, ActivityStatus
from kravspar.organisations.counties import County
from kravspar.organisations.models import Unit
from kravspar.procurements.models import (
    Aim,
    AimAssessment,
    GoalAssessment,
    Method,
    Procurement,
    ProcurementStatus,
    Strategy,
    StrategyStatus,
)
from kravspar.reports.scope import ReportScope
from kravspar.requirements.models import Requirement, RequirementType
from kravspar.suppliers.models import SizeClass, Supplier

# Aim 6, local business: suppliers registered in the two regions' counties.
LOCAL_COUNTIES = (County.SODERMANLAND, County.VASTMANLAND)
# The EU SME definition: micro, small and medium-sized enterprises.
SME_CLASSES = (SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM)
# Aim 4, working conditions: labour-law conditions and the code of conduct (social requirements).
WORKING_CONDITION_TYPES = (RequirementType.LABOUR, RequirementType.SOCIAL)
# The notice has gone out: a procurement in one of these states was advertised at some point.
ADVERTISED_OR_LATER = (
    ProcurementStatus.ADVERTISED,
    ProcurementStatus.EVALUATION,
    ProcurementStatus.AWARDED,
    ProcurementStatus.CONCLUDED,
)
GATE_STEPS = ("advertised", "in_time", "retrofitted", "missing", "unknown", "unknown_retrofitted")
# The aim a deviation serves when its requirement names none (or it has no requirement, as
# invoice deviations had before they carried the contract's economy requirement): its kind's.
AIM_OF_KIND = {
    RequirementType.ECONOMY: Aim.ECONOMY,
    RequirementType.ENVIRONMENT: Aim.SUSTAINABILITY,
    RequirementType.LABOUR: Aim.WORKING_CONDITIONS,
    RequirementType.SOCIAL: Aim.WORKING_CONDITIONS,
    RequirementType.ANIMAL_WELFARE: Aim.ANIMAL_WELFARE,
}
ACTIVITY_STATES = ("due", "on_time", "late", "overdue", "upcoming", "cancelled")


# --- Base querysets: the records in scope and period -------------------------------------


def _in_orgs(model: Any, scope: ReportScope) -> Q:
    if scope.org_ids is None:
        return Q()
    through = model.buyers.through
    fk = "contract_id" if model is Contract else "procurement_id"
    return Q(pk__in=through.objects.filter(organisation_id__in=scope.org_ids).values(fk))


def contracts_in_scope(scope: ReportScope) -> QuerySet[Contract]:
    """Every contract one of the scope's organisations may call off from."""
    return Contract.objects.filter(_in_orgs(Contract, scope))


def live_contracts(scope: ReportScope) -> QuerySet[Contract]:
    """Contracts live at some point in the period: started by its end and not ended before its start."""
    ended = Coalesce("ended_on", "ends_on")
    return (
        contracts_in_scope(scope)
        .annotate(period_end=ended)
        .filter(starts_on__lte=scope.date_to)
        .filter(Q(status=ContractStatus.ACTIVE) | Q(period_end__gte=scope.date_from))
    )


def procurements_in_period(scope: ReportScope) -> QuerySet[Procurement]:
    return Procurement.objects.filter(
        _in_orgs(Procurement, scope),
        created_at__date__gte=scope.date_from,
        created_at__date__lte=scope.date_to,
    )


def procurements_advertised_in_period(scope: ReportScope) -> QuerySet[Procurement]:
    return Procurement.objects.filter(
        _in_orgs(Procurement, scope), advertised_on__gte=scope.date_from, advertised_on__lte=scope.date_to
    )


def procurements_advertised_on_unknown_day(scope: ReportScope) -> QuerySet[Procurement]:
    """Advertised (they are past it) on a day nobody recorded, e.g. imported ones: in no period."""
    return Procurement.objects.filter(
        _in_orgs(Procurement, scope), advertised_on__isnull=True, status__in=ADVERTISED_OR_LATER
    )


def activities_in_period(scope: ReportScope) -> QuerySet[Activity]:
    return Activity.objects.filter(
        contract__in=contracts_in_scope(scope), due_on__gte=scope.date_from, due_on__lte=scope.date_to
    )


def deviations_in_period(scope: ReportScope) -> QuerySet[Deviation]:
    return Deviation.objects.filter(
        contract__in=contracts_in_scope(scope), raised_on__gte=scope.date_from, raised_on__lte=scope.date_to
    )


def sanctions_in_period(scope: ReportScope) -> QuerySet[Sanction]:
    return Sanction.objects.filter(
        contract__in=contracts_in_scope(scope), decided_on__gte=scope.date_from, decided_on__lte=scope.date_to
    )


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


# --- The figures -------------------------------------------------------------------------


@dataclass
class Share:
    part: int
    whole: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.part / self.whole) if self.whole else None


@dataclass
class StrategyGate(Share):
    """part: advertised in the period with a strategy approved on or before that day;
    whole: advertised in the period. The rest of the whole is retrofitted or missing."""

    retrofitted: int = 0
    missing: int = 0
    unknown: int = 0  # advertised on a day not known (in no period)
    unknown_retrofitted: int = 0  # of those, with a strategy approved after the contract


@dataclass
class Row:
    """One row of a breakdown: its key (for the drill-down), label and counts by column."""

    key: str
    label: str
    counts: dict[str, Any] = field(default_factory=dict)  # numbers, or text an extension formats itself
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class FollowUpOutcome:
    """How the follow-up turned out in the period (``HOW["outcome"]`` says how each is counted)."""

    requirements_planned: Share  # contract requirements with a follow-up planned
    done_on_time: Share  # follow-ups due before today, done by their due date
    late: int  # of those, done late or still open
    median_days_late: int | None  # the middle (lower middle) number of days late among ``late``
    major_in_time: Share  # major and critical deviations past their deadline or fixed: fixed in time
    decisions_recorded: Share  # of those not fixed in time: with a sanction decision recorded


@dataclass
class Dashboard:
    scope: ReportScope
    strategy_gate: StrategyGate
    current_plan: Share
    activities_total: dict[str, int]
    by_method: list[Row]
    by_unit: list[Row]
    by_type: list[Row]
    deviations_by_severity: list[Row]
    deviations_by_kind: list[Row]
    deviations_by_status: list[Row]
    deviations_total: int
    plans_overdue: int
    sanctions: list[Row]
    suppliers_by_light: list[Row]
    aims: list[Row]
    goals: list[Row]
    local: dict[str, Any]
    labour: dict[str, Share]
    outcome: FollowUpOutcome
    # Figures other apps add later (e.g. the Peppol e-invoice follow-up of issue 7), see
    # ``EXTENSIONS`` below.
    extensions: list[dict[str, Any]] = field(default_factory=list)


def _state_counts(qs: QuerySet[Activity], today: datetime.date, *group: str) -> list[dict[str, Any]]:
    counts = {state: Count("id", filter=activity_state_q(state, today)) for state in ACTIVITY_STATES}
    if group:
        return list(qs.values(*group).annotate(**counts).order_by(*group))
    return [qs.aggregate(**counts)]


def _breakdown(rows: list[dict[str, Any]], key: str, labels: dict[Any, Any], empty_label: str) -> list[Row]:
    result = []
    for row in rows:
        value = row[key]
        result.append(
            Row(
                key="" if value is None else str(value),
                label=str(labels.get(value, value)) if value not in (None, "") else empty_label,
                counts={s: row[s] for s in ACTIVITY_STATES},
            )
        )
    return result


def _strategy_gate(scope: ReportScope) -> StrategyGate:
    # One query over both bases: advertised in the period, and advertised on an unknown day.
    in_period = Q(advertised_on__gte=scope.date_from, advertised_on__lte=scope.date_to)
    unknown = Q(advertised_on__isnull=True, status__in=ADVERTISED_OR_LATER)
    result = Procurement.objects.filter(_in_orgs(Procurement, scope), in_period | unknown).aggregate(
        **{
            step: Count("id", filter=(unknown if step.startswith("unknown") else in_period) & gate_q(step))
            for step in GATE_STEPS
        }
    )
    return StrategyGate(
        part=result["in_time"],
        whole=result["advertised"],
        retrofitted=result["retrofitted"],
        missing=result["missing"],
        unknown=result["unknown"],
        unknown_retrofitted=result["unknown_retrofitted"],
    )


def _current_plan(scope: ReportScope) -> Share:
    live = live_contracts(scope).filter(status=ContractStatus.ACTIVE)
    result = live.aggregate(whole=Count("id"), part=Count("id", filter=current_plan_q(scope)))
    return Share(part=result["part"], whole=result["whole"])


def _deviations(scope: ReportScope) -> tuple[list[Row], list[Row], list[Row], int]:
    grouped: list[dict[str, Any]] = [
        dict(r) for r in deviations_in_period(scope).values("severity", "kind", "status").annotate(n=Count("id"))
    ]
    by: dict[str, dict[str, int]] = {"severity": defaultdict(int), "kind": defaultdict(int), "status": defaultdict(int)}
    total = 0
    for row in grouped:
        total += row["n"]
        for dim in by:
            by[dim][row[dim]] += row["n"]

    def rows(dim: str, choices: list[tuple[str, Any]]) -> list[Row]:
        return [Row(key=value, label=str(label), counts={"n": by[dim].get(value, 0)}) for value, label in choices]

    kinds = rows("kind", list(RequirementType.choices))
    if by["kind"].get(""):
        kinds.append(Row(key="-", label=_("No type"), counts={"n": by["kind"][""]}))
    return rows("severity", Severity.choices), kinds, rows("status", DeviationStatus.choices), total


def _sanctions(scope: ReportScope) -> list[Row]:
    grouped: dict[str, dict[str, Any]] = {
        r["decision"]: dict(r)
        for r in sanctions_in_period(scope).values("decision").annotate(n=Count("id"), amount=Sum("amount"))
    }
    return [
        Row(
            key=value,
            label=str(label),
            counts={"n": grouped.get(value, {}).get("n", 0)},
            extra={"amount": grouped.get(value, {}).get("amount") or Decimal(0)},
        )
        for value, label in Decision.choices
    ]


def _supplier_level_sql(scope: ReportScope) -> tuple[str, list[Any]]:
    """SQL for (sid, lvl): each supplier on a contract live in the period with a deviation
    that counts, and the worst light (``policy.Light.ORDER``) the deviations on the scope's
    contracts give it today, by the findings policy in its SQL form (``policy.deviation_level``).
    A deviation tied to no supplier concerns every supplier on its contract if that contract is
    live (as on the contract page). One grouped pass over a union, uncorrelated: a correlated
    subquery per supplier made SQLite scan the deviations once per supplier."""
    live = live_contracts(scope).values("pk")
    level = policy.deviation_level(scope.today)
    counting = Deviation.objects.exclude(severity=Severity.OBSERVATION).exclude(status=DeviationStatus.CLOSED)
    named = (
        counting.filter(supplier__isnull=False, contract__in=contracts_in_scope(scope).values("pk"))
        .order_by()
        .values(sid=F("supplier_id"), lvl=level)
    )
    unnamed = (
        counting.filter(supplier__isnull=True, contract__in=live)
        .order_by()
        .values(sid=F("contract__suppliers"), lvl=level)
    )
    on_live = Contract.suppliers.through.objects.filter(contract__in=live).values("supplier_id")
    named_sql, named_params = named.query.sql_with_params()
    unnamed_sql, unnamed_params = unnamed.query.sql_with_params()
    live_sql, live_params = on_live.query.sql_with_params()
    # Only querysets Django compiled go into the text; every value is a parameter.
    sql = (
        f"SELECT p.sid, MAX(p.lvl) AS lvl FROM ({named_sql} UNION ALL {unnamed_sql}) p "  # noqa: S608
        f"WHERE p.lvl IS NOT NULL AND p.sid IN ({live_sql}) GROUP BY p.sid"
    )
    return sql, [*named_params, *unnamed_params, *live_params]


def _live_suppliers_sql(scope: ReportScope) -> tuple[str, list[Any]]:
    live = live_contracts(scope).values("pk")
    sql, params = (
        Contract.suppliers.through.objects.filter(contract__in=live).values("supplier_id").query.sql_with_params()
    )
    return sql, list(params)


def _suppliers_on_live_contracts(scope: ReportScope) -> QuerySet[Supplier]:
    live = live_contracts(scope).values("pk")
    return Supplier.objects.filter(
        pk__in=Contract.suppliers.through.objects.filter(contract__in=live).values("supplier_id")
    )


LIGHT_OF_LEVEL = {level: light for light, level in policy.Light.ORDER.items()}


def supplier_lights(scope: ReportScope) -> dict[int, str]:
    """Green, yellow or red for each supplier on a contract live in the period (see
    ``_supplier_level_sql``); green where no deviation counts. One row per supplier: for the
    drill-down list, not for the dashboard."""
    sql, params = _supplier_level_sql(scope)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        worst = dict(cursor.fetchall())
    suppliers = _suppliers_on_live_contracts(scope).values_list("pk", flat=True)
    return {pk: LIGHT_OF_LEVEL[worst.get(pk, 0)] for pk in suppliers}


def _suppliers(scope: ReportScope) -> list[Row]:
    """The dashboard's count per light: two rows from the database however many suppliers."""
    sql, params = _supplier_level_sql(scope)
    live_sql, live_params = _live_suppliers_sql(scope)
    everyone = -1  # the row that counts every supplier on a live contract
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.lvl, COUNT(*) FROM ({sql}) w GROUP BY w.lvl "  # noqa: S608 - as above
            f"UNION ALL SELECT {everyone}, COUNT(DISTINCT s.supplier_id) FROM ({live_sql}) s",
            [*params, *live_params],
        )
        counts: dict[int, int] = dict(cursor.fetchall())
    total = counts.pop(everyone)
    order = policy.Light.ORDER
    counts[order[policy.Light.GREEN]] = total - sum(
        n for level, n in counts.items() if level != order[policy.Light.GREEN]
    )
    return [
        Row(key=light, label=str(label), counts={"n": counts.get(order[light], 0)})
        for light, label in policy.Light.LABELS.items()
    ]


def _sanctions_per_aim(sanctions: QuerySet[Sanction]) -> dict[int, int]:
    """Decisions per aim, each counted once however many of its deviations concern the aim.
    The aims are a JSON list matched in Python (``deviation_aims``), so first the few distinct
    (aims, kind) combinations, then one count per aim over the combinations that concern it:
    two queries with a bounded number of rows, however many decisions there are."""
    combinations = (
        sanctions.filter(deviations__isnull=False)
        .order_by()
        .values_list("deviations__requirement__aims", "deviations__kind")
        .distinct()
    )
    concerning: dict[int, Q] = {}
    for aims, kind in combinations:
        if aims is None:
            same = Q(deviations__requirement__isnull=True) | Q(deviations__requirement__aims__isnull=True)
        else:
            same = Q(deviations__requirement__aims=Value(aims, output_field=JSONField()))
        for aim in deviation_aims(aims, kind):
            this = same & Q(deviations__kind=kind)
            concerning[aim] = concerning[aim] | this if aim in concerning else this
    if not concerning:
        return defaultdict(int)
    counts = sanctions.aggregate(
        **{f"aim_{aim}": Count("pk", distinct=True, filter=q) for aim, q in concerning.items()}
    )
    return defaultdict(int, {aim: counts[f"aim_{aim}"] for aim in concerning})


def _aims(scope: ReportScope) -> list[Row]:
    procurements = procurements_in_period(scope)
    addressing = dict(
        AimAssessment.objects.filter(procurement__in=procurements.values("pk"), relevant=True)
        .values("aim")
        .annotate(n=Count("procurement", distinct=True))
        .values_list("aim", "n")
    )
    requirement_types: dict[int, dict[str, int]] = {aim: defaultdict(int) for aim in Aim.values}
    grouped: list[dict[str, Any]] = [
        dict(r)
        for r in Requirement.objects.filter(procurement__in=procurements.values("pk"), removed=False)
        .values("aims", "type")
        .annotate(n=Count("id"))
    ]
    for row in grouped:
        for aim in aims_of(row["aims"]):
            requirement_types[aim][row["type"]] += row["n"]
    outcomes: dict[int, dict[str, int]] = {aim: defaultdict(int) for aim in Aim.values}
    for counts in _state_counts(activities_in_period(scope), scope.today, "requirement__aims"):
        for aim in aims_of(counts["requirement__aims"]):
            for state in ACTIVITY_STATES:
                outcomes[aim][state] += counts[state]
    deviations: dict[int, int] = defaultdict(int)
    for group in deviations_in_period(scope).values("requirement__aims", "kind").annotate(n=Count("id")):
        for aim in deviation_aims(group["requirement__aims"], group["kind"]):
            deviations[aim] += group["n"]
    sanctioned = _sanctions_per_aim(sanctions_in_period(scope))
    type_labels: dict[str, Any] = dict(RequirementType.choices)
    result = []
    for aim, label in Aim.choices:
        types = requirement_types[aim]
        result.append(
            Row(
                key=str(aim),
                label=str(label),
                counts={"procurements": addressing.get(aim, 0), "requirements": sum(types.values())}
                | {state: outcomes[aim][state] for state in ACTIVITY_STATES}
                | {"deviations": deviations[aim], "sanctions": sanctioned[aim]},
                extra={"types": [(str(type_labels[t]), n) for t, n in sorted(types.items()) if n]},
            )
        )
    return result


def _goals(scope: ReportScope) -> list[Row]:
    grouped = (
        GoalAssessment.objects.filter(procurement__in=procurements_in_period(scope).values("pk"), addressed=True)
        .values("goal_id", "goal__code", "goal__title", "goal__organisation__name")
        .annotate(n=Count("procurement", distinct=True))
        .order_by("goal__organisation__name", "goal__code", "goal__title")
    )
    return [
        Row(
            key=str(row["goal_id"]),
            label=f"{row['goal__code']} {row['goal__title']}".strip(),
            counts={"n": row["n"]},
            extra={"region": row["goal__organisation__name"]},
        )
        for row in grouped
    ]


def _local(scope: ReportScope) -> dict[str, Any]:
    value = Coalesce("value", Decimal(0))
    result = live_contracts(scope).aggregate(
        contracts=Count("id"),
        local=Count("id", filter=local_q()),
        sme=Count("id", filter=sme_q()),
        all_value=Sum(value),
        local_value=Sum(value, filter=local_q()),
        sme_value=Sum(value, filter=sme_q()),
    )
    total_value = result["all_value"] or Decimal(0)
    return {
        "local": Share(result["local"], result["contracts"]),
        "sme": Share(result["sme"], result["contracts"]),
        "value": total_value,
        "local_value": result["local_value"] or Decimal(0),
        "sme_value": result["sme_value"] or Decimal(0),
        "local_value_percent": round(100 * (result["local_value"] or 0) / total_value) if total_value else None,
        "sme_value_percent": round(100 * (result["sme_value"] or 0) / total_value) if total_value else None,
    }


def _labour(scope: ReportScope) -> dict[str, Share]:
    steps = ("with", "followed", "subcontractors", "subcontractors_followed")
    result = live_contracts(scope).aggregate(
        total=Count("id"), **{step: Count("id", filter=labour_q(step, scope)) for step in steps}
    )
    return {
        "with": Share(result["with"], result["total"]),
        "followed": Share(result["followed"], result["with"]),
        "subcontractors": Share(result["subcontractors"], result["with"]),
        "subcontractors_followed": Share(result["subcontractors_followed"], result["subcontractors"]),
    }


# How each figure is computed, shown under it on the dashboard: numerator, denominator and
# which dates place a record in the period. A test demands one for every figure.
HOW: dict[str, Any] = {
    "strategy_gate": gettext_lazy(
        "Procurements advertised in the period (by the day they were advertised, cancelled ones included) "
        "with a version of the follow-up strategy approved on or before that day, out of all procurements "
        "advertised in the period. Retrofitted: the strategy was approved only after advertising; it never "
        "counts as in time. Procurements advertised on a day that is not recorded (e.g. imported ones) are "
        "counted apart, in no period; retrofitted among them means approved after a contract was signed."
    ),
    "current_plan": gettext_lazy(
        "Active contracts live in the period that have a follow-up activity, not cancelled, due on or after "
        "the period's first day, out of all active contracts live in the period (started by its last day and "
        "not ended before its first)."
    ),
    "activities_total": gettext_lazy(
        "Follow-up activities on the contracts in scope, due in the period (by due date), cancelled ones left "
        "out. On time: done on or before the due date; late: done after it; overdue: still open and due "
        "before today; not yet due: open and due today or later."
    ),
    "by_method": gettext_lazy("The follow-ups due in the period, as above, by the method used."),
    "by_unit": gettext_lazy("The follow-ups due in the period, as above, by the unit responsible for them."),
    "by_type": gettext_lazy("The follow-ups due in the period, as above, by the type of the requirement followed up."),
    "deviations_total": gettext_lazy("Deviations on the contracts in scope raised in the period (by date raised)."),
    "deviations_by_severity": gettext_lazy("Deviations raised in the period, by severity."),
    "deviations_by_kind": gettext_lazy(
        "Deviations raised in the period, by the area they concern: the requirement's type, economy for what "
        "invoices reveal."
    ),
    "deviations_by_status": gettext_lazy("Deviations raised in the period, by their status today."),
    "plans_overdue": gettext_lazy(
        "Deviations on the contracts in scope whose agreed action plan has a deadline before today and whose "
        "correction has not been verified. As of today, whatever the period."
    ),
    "sanctions": gettext_lazy(
        "Sanction decisions on the contracts in scope decided in the period (by decision date): how many, and "
        "the sum of their amounts, per decision."
    ),
    "suppliers_by_light": gettext_lazy(
        "Suppliers on contracts live in the period, each with the worst status that the deviations on the "
        "scope's contracts give it today (a deviation naming no supplier concerns every supplier on its "
        "contract). Observations and closed deviations do not count."
    ),
    "aims": gettext_lazy(
        "Procurements: created in the period that assess the aim as relevant. Requirements: those of these "
        "procurements serving the aim. Follow-ups: due in the period, for contract requirements serving the "
        "aim. Deviations: raised in the period, through their requirement's aims, or when it names none "
        "through their type (economy 1, environment 3, labour and social 4, animal welfare 5). Sanctions: "
        "decided in the period on such deviations. A record serving several aims counts under each."
    ),
    "goals": gettext_lazy(
        "Procurements created in the period that state how they address the goal, per goal of each region's "
        "environmental programme."
    ),
    "local": gettext_lazy(
        "Contracts live in the period with at least one supplier registered in Södermanland or Västmanland "
        "county (first figure) or of micro, small or medium size (second), out of all contracts live in the "
        "period; the value is the contracts' total value."
    ),
    "labour": gettext_lazy(
        "Contracts live in the period with a labour-conditions or code-of-conduct requirement; of these, those "
        "with such a follow-up done and due by the period's end; those with an active subcontractor; and of "
        "those, whose requirements binding subcontractors were followed up."
    ),
    "outcome": gettext_lazy(
        "Planned: requirements of active contracts live in the period with a follow-up, not cancelled, due on "
        "or after the period's first day, out of all their requirements. On time: follow-ups on the contracts "
        "in scope due in the period and before today, cancelled ones left out, done on or before the due date, "
        "out of all of them. Days late: among those done after the due date (days from due date to done) or "
        "still open (days from due date to today), the middle value (the lower of the two middle values when "
        "their number is even). Major deviations in time: major and critical deviations raised in the period "
        "whose action plan's deadline has passed or that were fixed; in time if the correction was verified on "
        "or before the deadline. Sanction decisions: of those not fixed in time, the ones with a sanction "
        "decision (applied or waived) recorded."
    ),
    "extensions": gettext_lazy(
        "Matched e-invoice lines issued in the period for the organisations in scope: net amounts excluding "
        "VAT, credit notes negative. Leverantörstrohet: the share of spend with a contracted supplier; "
        "avtalstrohet: the share on a contract's price list at or below the agreed price."
    ),
}


# Other apps add figures here without editing this module: a callable taking the scope and
# returning {"title": ..., "rows": [Row, ...], "link": url-or-""} (issue 7: the Peppol
# e-invoice follow-up registers its figures in its AppConfig.ready()).
EXTENSIONS: list[Any] = []


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


def dashboard(scope: ReportScope) -> Dashboard:
    activities = activities_in_period(scope)
    total = _state_counts(activities, scope.today)[0]
    method_labels = dict(Method.choices)
    unit_rows = _state_counts(activities, scope.today, "responsible_unit_id")
    unit_names = dict(
        Unit.objects.filter(
            pk__in=[r["responsible_unit_id"] for r in unit_rows if r["responsible_unit_id"]]
        ).values_list("pk", "name")
    )
    by_unit = _breakdown(unit_rows, "responsible_unit_id", unit_names, _("No unit named"))
    for row in by_unit:
        row.key = row.key or "-"
    severity, kind, status, deviations_total = _deviations(scope)
    return Dashboard(
        scope=scope,
        strategy_gate=_strategy_gate(scope),
        current_plan=_current_plan(scope),
        activities_total=total,
        by_method=_breakdown(_state_counts(activities, scope.today, "method"), "method", method_labels, _("No method")),
        by_unit=by_unit,
        by_type=_breakdown(
            _state_counts(activities, scope.today, "requirement__type"),
            "requirement__type",
            {k: str(v) for k, v in RequirementType.choices},
            _("No type"),
        ),
        deviations_by_severity=severity,
        deviations_by_kind=kind,
        deviations_by_status=status,
        deviations_total=deviations_total,
        plans_overdue=Deviation.objects.filter(
            plan_overdue_q(scope.today), contract__in=contracts_in_scope(scope)
        ).count(),
        sanctions=_sanctions(scope),
        suppliers_by_light=_suppliers(scope),
        aims=_aims(scope),
        goals=_goals(scope),
        local=_local(scope),
        labour=_labour(scope),
        outcome=_outcome(scope),
        extensions=[extension(scope) for extension in EXTENSIONS],
    )
