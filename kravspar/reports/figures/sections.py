"""The dashboard's sections, one aggregate query (or a few) each: activity states, the
strategy gate, deviations, sanctions, suppliers' lights, aims, goals, local business and
labour conditions."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    F,
    JSONField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from kravspar.contracts.models import Contract, ContractStatus
from kravspar.findings import policy
from kravspar.findings.models import Decision, Deviation, DeviationStatus, Sanction, Severity
from kravspar.followups.models import Activity
from kravspar.procurements.models import (
    Aim,
    AimAssessment,
    GoalAssessment,
    Procurement,
)
from kravspar.reports.figures.base import (
    ACTIVITY_STATES,
    ADVERTISED_OR_LATER,
    GATE_STEPS,
    _in_orgs,
    activities_in_period,
    contracts_in_scope,
    deviations_in_period,
    live_contracts,
    procurements_in_period,
    sanctions_in_period,
)
from kravspar.reports.figures.conditions import (
    activity_state_q,
    aims_of,
    current_plan_q,
    deviation_aims,
    gate_q,
    labour_q,
    local_q,
    sme_q,
)
from kravspar.reports.figures.results import Row, Share, StrategyGate
from kravspar.reports.scope import ReportScope
from kravspar.requirements.models import Requirement, RequirementType
from kravspar.suppliers.models import Supplier


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
