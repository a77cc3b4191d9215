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

The package, along its own sections: ``base`` (base querysets), ``conditions`` (shared with
the drill-down lists), ``results`` (what a figure is), ``sections`` (the dashboard's
sections), ``outcome`` (the follow-up outcome) and ``how``. ``dashboard`` and
``EXTENSIONS`` live here. Every name stays importable from here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kravspar.findings.models import Deviation
from kravspar.organisations.models import Unit
from kravspar.procurements.models import Method
from kravspar.reports.figures.base import (
    ACTIVITY_STATES,
    ADVERTISED_OR_LATER,
    AIM_OF_KIND,
    GATE_STEPS,
    LOCAL_COUNTIES,
    SME_CLASSES,
    WORKING_CONDITION_TYPES,
    _in_orgs,
    activities_in_period,
    contracts_in_scope,
    deviations_in_period,
    live_contracts,
    procurements_advertised_in_period,
    procurements_advertised_on_unknown_day,
    procurements_in_period,
    sanctions_in_period,
)
from kravspar.reports.figures.conditions import (
    _approved_strategies,
    _done_on,
    _with_supplier,
    activity_state_q,
    aims_of,
    approved_after_contract_q,
    approved_in_time_q,
    approved_strategy_q,
    current_plan_q,
    deviation_aims,
    deviation_ids_for_aim,
    gate_base,
    gate_q,
    labour_q,
    local_q,
    plan_overdue_q,
    sanction_ids_for_aim,
    sme_q,
)
from kravspar.reports.figures.how import HOW
from kravspar.reports.figures.outcome import (
    _outcome,
    fixed_in_time_q,
    outcome_due_q,
    outcome_late_q,
    outcome_major_q,
    outcome_planned_q,
    outcome_requirements,
    sanction_decided_q,
)
from kravspar.reports.figures.results import Dashboard, FollowUpOutcome, Row, Share, StrategyGate
from kravspar.reports.figures.sections import (
    LIGHT_OF_LEVEL,
    _aims,
    _breakdown,
    _current_plan,
    _deviations,
    _goals,
    _labour,
    _live_suppliers_sql,
    _local,
    _sanctions,
    _sanctions_per_aim,
    _state_counts,
    _strategy_gate,
    _supplier_level_sql,
    _suppliers,
    _suppliers_on_live_contracts,
    supplier_lights,
)
from kravspar.reports.scope import ReportScope
from kravspar.requirements.models import RequirementType

# Other apps add figures here without editing this module: a callable taking the scope and
# returning {"title": ..., "rows": [Row, ...], "link": url-or-""} (issue 7: the Peppol
# e-invoice follow-up registers its figures in its AppConfig.ready()).
EXTENSIONS: list[Any] = []


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


__all__ = [
    "ACTIVITY_STATES",
    "ADVERTISED_OR_LATER",
    "AIM_OF_KIND",
    "EXTENSIONS",
    "GATE_STEPS",
    "HOW",
    "LIGHT_OF_LEVEL",
    "LOCAL_COUNTIES",
    "SME_CLASSES",
    "WORKING_CONDITION_TYPES",
    "Dashboard",
    "Deviation",
    "FollowUpOutcome",
    "RequirementType",
    "Row",
    "Share",
    "StrategyGate",
    "_aims",
    "_approved_strategies",
    "_breakdown",
    "_current_plan",
    "_deviations",
    "_done_on",
    "_goals",
    "_in_orgs",
    "_labour",
    "_live_suppliers_sql",
    "_local",
    "_outcome",
    "_sanctions",
    "_sanctions_per_aim",
    "_state_counts",
    "_strategy_gate",
    "_supplier_level_sql",
    "_suppliers",
    "_suppliers_on_live_contracts",
    "_with_supplier",
    "activities_in_period",
    "activity_state_q",
    "aims_of",
    "approved_after_contract_q",
    "approved_in_time_q",
    "approved_strategy_q",
    "contracts_in_scope",
    "current_plan_q",
    "dashboard",
    "deviation_aims",
    "deviation_ids_for_aim",
    "deviations_in_period",
    "fixed_in_time_q",
    "gate_base",
    "gate_q",
    "labour_q",
    "live_contracts",
    "local_q",
    "outcome_due_q",
    "outcome_late_q",
    "outcome_major_q",
    "outcome_planned_q",
    "outcome_requirements",
    "plan_overdue_q",
    "procurements_advertised_in_period",
    "procurements_advertised_on_unknown_day",
    "procurements_in_period",
    "sanction_decided_q",
    "sanction_ids_for_aim",
    "sanctions_in_period",
    "sme_q",
    "supplier_lights",
]
