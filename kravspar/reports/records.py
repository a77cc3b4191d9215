"""The records behind each dashboard figure: the same base querysets and conditions as
``figures.py``, so that a figure and its list always agree."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kravspar.contracts.models import ContractRequirement, ContractStatus
from kravspar.core.formatting import kronor
from kravspar.findings.models import Decision, DeviationStatus, Severity
from kravspar.procurements.models import Aim, AimAssessment, GoalAssessment, Method
from kravspar.reports import figures
from kravspar.reports.scope import ReportScope
from kravspar.requirements.models import RequirementType
from kravspar.secrecy import access as secrecy_access
from kravspar.secrecy.models import MarkKind
from kravspar.suppliers.models import Supplier

Cell = tuple[str, str | None]  # text, link


@dataclass
class Records:
    title: str
    headers: Sequence[str]
    rows: QuerySet[Any] | list[Any]
    cells: Callable[[Any], list[Cell]]


def _date(value: Any) -> str:
    return date_format(value, "Y-m-d") if value else ""


def _choice(value: str, choices: Any) -> str:
    if value not in choices.values:
        raise Http404
    return str(dict(choices.choices)[value])


def _aim(value: str) -> int:
    if not value.isdigit() or int(value) not in Aim.values:
        raise Http404
    return int(value)


def _contract_cells(contract: Any) -> list[Cell]:
    return [
        (contract.contract_number, reverse("contracts:detail", args=[contract.uuid])),
        (contract.title, None),
        (", ".join(s.name for s in contract.suppliers.all()), None),
        (_date(contract.starts_on), None),
        (_date(contract.ends_on), None),
        (kronor(contract.value) if contract.value is not None else "", None),
        (_("Follow-up report (PDF)"), reverse("reports:contract_pdf", args=[contract.uuid])),
    ]


GATE_TITLES = {
    "advertised": gettext_lazy("advertised in the period"),
    "in_time": gettext_lazy("advertised in the period with a strategy approved by that day"),
    "retrofitted": gettext_lazy("advertised in the period whose strategy was approved only afterwards (retrofitted)"),
    "missing": gettext_lazy("advertised in the period without an approved strategy"),
    "unknown": gettext_lazy("advertised on a day that is not known"),
    "unknown_retrofitted": gettext_lazy(
        "advertised on a day that is not known, whose strategy was approved after the contract (retrofitted)"
    ),
}


def _procurements(scope: ReportScope, params: QueryDict) -> Records:
    qs = figures.procurements_in_period(scope)
    parts = []
    if gate := params.get("gate", ""):
        if gate not in figures.GATE_STEPS:
            raise Http404
        qs = figures.gate_base(gate, scope).filter(figures.gate_q(gate))
        parts.append(str(GATE_TITLES[gate]))
    if aim := params.get("aim", ""):
        number = _aim(aim)
        qs = qs.filter(Exists(AimAssessment.objects.filter(procurement=OuterRef("pk"), aim=number, relevant=True)))
        parts.append(_("addressing the aim %(aim)s") % {"aim": Aim(number).label})
    if goal := params.get("goal", ""):
        if not goal.isdigit():
            raise Http404
        qs = qs.filter(
            Exists(GoalAssessment.objects.filter(procurement=OuterRef("pk"), goal_id=int(goal), addressed=True))
        )
        parts.append(_("addressing the environmental goal"))
    return Records(
        title=" ".join([_("Procurements"), *parts]),
        headers=[_("Registry number"), _("Title"), _("Status"), _("Created"), _("Advertised")],
        rows=qs.order_by("-created_at", "-pk"),
        cells=lambda p: [
            (p.registry_number, reverse("procurements:detail", args=[p.uuid])),
            (p.title, None),
            (p.get_status_display(), None),
            (_date(p.created_at.date()), None),
            (_date(p.advertised_on), None),
        ],
    )


def _contracts(scope: ReportScope, params: QueryDict) -> Records:
    qs = figures.live_contracts(scope)
    parts = [_("live in the period")]
    plan = params.get("plan", "")
    if plan:
        qs = qs.filter(status=ContractStatus.ACTIVE)
        if plan == "with":
            qs = qs.filter(figures.current_plan_q(scope))
            parts.append(_("with a current follow-up plan"))
        elif plan == "without":
            qs = qs.exclude(figures.current_plan_q(scope))
            parts.append(_("without a current follow-up plan"))
        elif plan != "active":
            raise Http404
    if params.get("local"):
        qs = qs.filter(figures.local_q())
        parts.append(_("with a supplier in Södermanland or Västmanland county"))
    if params.get("sme"):
        qs = qs.filter(figures.sme_q())
        parts.append(_("with a small or medium-sized supplier"))
    if step := params.get("labour", ""):
        if step not in ("with", "followed", "subcontractors", "subcontractors_followed"):
            raise Http404
        qs = qs.filter(figures.labour_q(step, scope))
        parts.append(
            {
                "with": _("with labour-conditions or code-of-conduct requirements"),
                "followed": _("whose working-conditions requirements were followed up"),
                "subcontractors": _("with working-conditions requirements and subcontractors"),
                "subcontractors_followed": _("whose requirements binding subcontractors were followed up"),
            }[step]
        )
    return Records(
        title=" ".join([_("Contracts"), *parts]),
        headers=[
            _("Contract number"),
            _("Title"),
            _("Suppliers"),
            _("Starts"),
            _("Ends"),
            _("Value (SEK)"),
            _("Report"),
        ],
        rows=qs.prefetch_related("suppliers").order_by("-signed_on", "contract_number"),
        cells=_contract_cells,
    )


STATE_LABELS = {
    "due": gettext_lazy("due (not cancelled)"),
    "on_time": gettext_lazy("done on time"),
    "late": gettext_lazy("done late"),
    "overdue": gettext_lazy("overdue"),
    "upcoming": gettext_lazy("open, not yet due"),
    "cancelled": gettext_lazy("cancelled"),
}


OUTCOME_ACTIVITY_LABELS = {
    "due": gettext_lazy("that fell due before today"),
    "on_time": gettext_lazy("that fell due and were done on time"),
    "late": gettext_lazy("that fell due and were done late or are still open"),
}
OUTCOME_DEVIATION_LABELS = {
    "major": gettext_lazy("major or critical, past their deadline or fixed"),
    "in_time": gettext_lazy("major or critical, fixed in time"),
    "not_in_time": gettext_lazy("major or critical, not fixed in time"),
    "decided": gettext_lazy("major or critical, not fixed in time, with a sanction decision recorded"),
}


def _activities(scope: ReportScope, params: QueryDict) -> Records:
    qs = figures.activities_in_period(scope)
    parts = []
    if outcome := params.get("outcome", ""):
        # The outcome figures count only follow-ups that have fallen due (before today).
        if outcome not in OUTCOME_ACTIVITY_LABELS:
            raise Http404
        qs = qs.filter(figures.outcome_due_q(scope.today))
        if outcome == "on_time":
            qs = qs.filter(figures.activity_state_q("on_time", scope.today))
        elif outcome == "late":
            qs = qs.filter(figures.outcome_late_q(scope.today))
        parts.append(str(OUTCOME_ACTIVITY_LABELS[outcome]))
    else:
        state = params.get("state", "due")
        if state not in figures.ACTIVITY_STATES:
            raise Http404
        qs = qs.filter(figures.activity_state_q(state, scope.today))
        parts.append(str(STATE_LABELS[state]))
    if method := params.get("method", ""):
        parts.append(_("by %(method)s") % {"method": _choice(method, Method).lower()})
        qs = qs.filter(method=method)
    if unit := params.get("unit", ""):
        if unit == "-":
            qs = qs.filter(responsible_unit__isnull=True)
        elif unit.isdigit():
            qs = qs.filter(responsible_unit_id=int(unit))
        else:
            raise Http404
    if kind := params.get("type", ""):
        parts.append(_("for %(type)s requirements") % {"type": _choice(kind, RequirementType).lower()})
        qs = qs.filter(requirement__type=kind)
    if aim := params.get("aim", ""):
        number = _aim(aim)
        # The aims are a JSON list; matched here rather than in SQL, which SQLite cannot do.
        ids = [
            pk
            for pk, aims in ContractRequirement.objects.filter(contract__in=figures.contracts_in_scope(scope))
            .values_list("pk", "aims")
            .iterator()
            if number in figures.aims_of(aims)
        ]
        qs = qs.filter(requirement_id__in=ids)
        parts.append(_("for requirements serving %(aim)s") % {"aim": Aim(number).label})
    return Records(
        title=" ".join([_("Follow-ups"), *parts]),
        headers=[_("Due"), _("Contract"), _("Requirement"), _("Method"), _("Responsible unit"), _("Status")],
        rows=qs.select_related("contract", "requirement", "responsible_unit").order_by("due_on", "id"),
        cells=lambda a: [
            (_date(a.due_on), reverse("followups:detail", args=[a.uuid])),
            (a.contract.contract_number, reverse("contracts:detail", args=[a.contract.uuid])),
            (a.requirement.title, None),
            (a.get_method_display(), None),
            (a.responsible_unit.name if a.responsible_unit else "", None),
            (a.get_status_display(), None),
        ],
    )


def _deviations(scope: ReportScope, params: QueryDict) -> Records:
    parts = []
    if params.get("plan_overdue"):
        qs = figures.Deviation.objects.filter(
            figures.plan_overdue_q(scope.today), contract__in=figures.contracts_in_scope(scope)
        )
        parts.append(_("with an action plan past its deadline"))
    else:
        qs = figures.deviations_in_period(scope)
    if outcome := params.get("outcome", ""):
        if outcome not in OUTCOME_DEVIATION_LABELS:
            raise Http404
        qs = qs.filter(figures.outcome_major_q(scope.today))
        if outcome == "in_time":
            qs = qs.filter(figures.fixed_in_time_q())
        elif outcome in ("not_in_time", "decided"):
            qs = qs.exclude(figures.fixed_in_time_q())
        if outcome == "decided":
            qs = qs.filter(figures.sanction_decided_q())
        parts.append(str(OUTCOME_DEVIATION_LABELS[outcome]))
    if severity := params.get("severity", ""):
        parts.append(_choice(severity, Severity).lower())
        qs = qs.filter(severity=severity)
    if kind := params.get("kind", ""):
        if kind == "-":
            qs = qs.filter(kind="")
        else:
            parts.append(_choice(kind, RequirementType).lower())
            qs = qs.filter(kind=kind)
    if status := params.get("status", ""):
        parts.append(_choice(status, DeviationStatus).lower())
        qs = qs.filter(status=status)
    if aim := params.get("aim", ""):
        number = _aim(aim)
        qs = qs.filter(pk__in=figures.deviation_ids_for_aim(qs, number))
        parts.append(_("concerning %(aim)s") % {"aim": Aim(number).label})
    return Records(
        title=" ".join([_("Deviations"), *parts]),
        headers=[_("Raised"), _("Title"), _("Contract"), _("Severity"), _("Type"), _("Status")],
        rows=qs.select_related("contract")
        .annotate(secrecy_marked=secrecy_access.marked(MarkKind.DEVIATION))
        .order_by("-raised_on", "-id"),
        cells=_deviation_cells,
    )


def _deviation_cells(d: Any) -> list[tuple[str, str | None]]:
    link = reverse("findings:detail", args=[d.uuid])
    contract = (d.contract.contract_number, reverse("contracts:detail", args=[d.contract.uuid]))
    if d.secrecy_marked:
        # Issue 14: a drill-down shows that a secrecy-marked deviation exists, nothing more;
        # its page shows the rest to those the provision allows.
        return [
            (_date(d.raised_on), None),
            (f"{d.title} ({_('secrecy-marked')})", link),
            contract,
            ("–", None),
            ("–", None),
            ("–", None),
        ]
    return [
        (_date(d.raised_on), None),
        (d.title, link),
        contract,
        (d.get_severity_display(), None),
        (d.get_kind_display(), None),
        (d.get_status_display(), None),
    ]


def _sanctions(scope: ReportScope, params: QueryDict) -> Records:
    qs = figures.sanctions_in_period(scope)
    parts = []
    if decision := params.get("decision", ""):
        parts.append(_choice(decision, Decision).lower())
        qs = qs.filter(decision=decision)
    if aim := params.get("aim", ""):
        number = _aim(aim)
        qs = qs.filter(pk__in=figures.sanction_ids_for_aim(qs, number))
        parts.append(_("concerning %(aim)s") % {"aim": Aim(number).label})
    return Records(
        title=" ".join([_("Sanction decisions"), *parts]),
        headers=[_("Decided"), _("Contract"), _("Decision"), _("Sanction"), _("Amount (SEK)")],
        rows=qs.select_related("contract").order_by("-decided_on", "-id"),
        cells=lambda s: [
            (_date(s.decided_on), None),
            (s.contract.contract_number, reverse("contracts:detail", args=[s.contract.uuid])),
            (s.get_decision_display(), None),
            (s.get_kind_display(), None),
            (kronor(s.amount) if s.amount is not None else "", None),
        ],
    )


def _suppliers(scope: ReportScope, params: QueryDict) -> Records:
    from kravspar.findings.policy import Light

    light = params.get("light", "")
    if light and light not in Light.LABELS:
        raise Http404
    lights = figures.supplier_lights(scope)
    suppliers = Supplier.objects.filter(pk__in=[pk for pk, value in lights.items() if not light or value == light])
    title = _("Suppliers on contracts live in the period")
    if light:
        title = f"{title}: {Light.LABELS[light]}"
    return Records(
        title=title,
        headers=[_("Name"), _("Organisation number"), _("Status")],
        rows=suppliers.order_by("name", "id"),
        cells=lambda s: [
            (s.name, reverse("suppliers:detail", args=[s.uuid])),
            (s.org_number, None),
            (str(Light.LABELS[lights[s.pk]]), None),
        ],
    )


def _requirements(scope: ReportScope, params: QueryDict) -> Records:
    """The requirements of the live contracts, with or without a follow-up planned."""
    qs = figures.outcome_requirements(scope)
    parts = [_("of contracts live in the period")]
    planned = params.get("planned", "")
    if planned == "with":
        qs = qs.filter(figures.outcome_planned_q(scope))
        parts.append(_("with a follow-up planned"))
    elif planned == "without":
        qs = qs.exclude(figures.outcome_planned_q(scope))
        parts.append(_("without a follow-up planned"))
    elif planned:
        raise Http404
    return Records(
        title=" ".join([_("Requirements"), *parts]),
        headers=[_("Contract"), _("Requirement"), _("Type")],
        rows=qs.select_related("contract").order_by("contract__contract_number", "id"),
        cells=lambda r: [
            (r.contract.contract_number, reverse("contracts:detail", args=[r.contract.uuid])),
            (r.title, None),
            (r.get_type_display(), None),
        ],
    )


KINDS: dict[str, Callable[[ReportScope, QueryDict], Records]] = {
    "krav": _requirements,
    "upphandlingar": _procurements,
    "avtal": _contracts,
    "uppfoljningar": _activities,
    "avvikelser": _deviations,
    "sanktioner": _sanctions,
    "leverantorer": _suppliers,
}


def records(scope: ReportScope, kind: str, params: QueryDict) -> Records:
    if kind not in KINDS:
        raise Http404
    return KINDS[kind](scope, params)
