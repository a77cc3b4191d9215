"""API endpoints of reports, mounted at /api/v1/: the dashboard's figures as JSON, by the
same functions and access rules as the page."""

import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.organisations.models import Organisation
from kravspar.reports import figures
from kravspar.reports.scope import ALL, resolve

router = Router(tags=["Reports"])


class DashboardQuery(Schema):
    organisation: UUID | None = Field(
        None, description="An organisation you see (a region counts with its companies); empty for all you see."
    )
    unit: UUID | None = Field(None, description="A purchasing unit, e.g. the joint Inköp: everything it serves.")
    from_: datetime.date | None = Field(None, alias="from", description="Start of the period; default 1 January.")
    to: datetime.date | None = Field(None, description="End of the period; default 31 December.")


class ShareOut(Schema):
    part: int
    whole: int
    percent: int | None


class StrategyGateOut(ShareOut):
    """part: advertised in the period with a strategy approved by that day; whole: advertised in it."""

    retrofitted: int = Field(description="Advertised in the period; strategy approved only afterwards.")
    missing: int = Field(description="Advertised in the period without an approved strategy.")
    unknown: int = Field(description="Advertised on a day that is not recorded; in no period.")
    unknown_retrofitted: int = Field(description="Of those, strategy approved after a contract was signed.")


class RowOut(Schema):
    key: str
    label: str
    counts: dict[str, int]


class AmountRowOut(RowOut):
    amount: Decimal


class AimOut(RowOut):
    requirement_types: dict[str, int]


class GoalOut(RowOut):
    region: str


class LocalOut(Schema):
    local: ShareOut
    sme: ShareOut
    value: Decimal
    local_value: Decimal
    sme_value: Decimal


class DashboardOut(Schema):
    scope: str
    organisations: list[UUID] | None = Field(description="The organisations counted; null means every one.")
    date_from: datetime.date
    date_to: datetime.date
    strategy_gate: StrategyGateOut
    current_plan: ShareOut
    followups: dict[str, int]
    followups_by_method: list[RowOut]
    followups_by_unit: list[RowOut]
    followups_by_requirement_type: list[RowOut]
    deviations_total: int
    deviations_by_severity: list[RowOut]
    deviations_by_kind: list[RowOut]
    deviations_by_status: list[RowOut]
    action_plans_overdue: int
    sanctions: list[AmountRowOut]
    suppliers_by_status: list[RowOut]
    aims: list[AimOut]
    environmental_goals: list[GoalOut]
    local_business: LocalOut
    working_conditions: dict[str, ShareOut]


def _share(share: figures.Share) -> dict[str, Any]:
    return {"part": share.part, "whole": share.whole, "percent": share.percent}


def _rows(rows: list[figures.Row]) -> list[dict[str, Any]]:
    return [{"key": r.key, "label": r.label, "counts": r.counts} for r in rows]


@router.get("/reports/dashboard", response=DashboardOut, summary="The dashboard's figures")
def dashboard(request: HttpRequest, query: Query[DashboardQuery]) -> dict[str, Any]:
    """Follow-up figures for a scope and period: the same numbers as the report page. What
    you do not see is never counted; an organisation or unit you do not see is 404."""
    access.require_perm(request.user, Perm.VIEW_CONTRACTS)
    if query.organisation and query.unit:
        raise ValidationError(_("Give an organisation or a unit, not both."))
    if query.from_ and query.to and query.to < query.from_:
        raise ValidationError({"to": [_("To: the period cannot end before it starts.")]})
    key = ALL
    if query.organisation:
        key = f"org:{query.organisation}"
    elif query.unit:
        key = f"unit:{query.unit}"
    scope = resolve(request.user, key=key, date_from=query.from_, date_to=query.to, today=timezone.localdate())
    d = figures.dashboard(scope)
    return {
        "scope": scope.label,
        "organisations": None
        if scope.org_ids is None
        else list(Organisation.objects.filter(pk__in=scope.org_ids).order_by("name").values_list("uuid", flat=True)),
        "date_from": scope.date_from,
        "date_to": scope.date_to,
        "strategy_gate": _share(d.strategy_gate)
        | {
            "retrofitted": d.strategy_gate.retrofitted,
            "missing": d.strategy_gate.missing,
            "unknown": d.strategy_gate.unknown,
            "unknown_retrofitted": d.strategy_gate.unknown_retrofitted,
        },
        "current_plan": _share(d.current_plan),
        "followups": d.activities_total,
        "followups_by_method": _rows(d.by_method),
        "followups_by_unit": _rows(d.by_unit),
        "followups_by_requirement_type": _rows(d.by_type),
        "deviations_total": d.deviations_total,
        "deviations_by_severity": _rows(d.deviations_by_severity),
        "deviations_by_kind": _rows(d.deviations_by_kind),
        "deviations_by_status": _rows(d.deviations_by_status),
        "action_plans_overdue": d.plans_overdue,
        "sanctions": [
            r | {"amount": row.extra["amount"]} for r, row in zip(_rows(d.sanctions), d.sanctions, strict=True)
        ],
        "suppliers_by_status": _rows(d.suppliers_by_light),
        "aims": [
            r | {"requirement_types": dict(row.extra["types"])} for r, row in zip(_rows(d.aims), d.aims, strict=True)
        ],
        "environmental_goals": [
            r | {"region": row.extra["region"]} for r, row in zip(_rows(d.goals), d.goals, strict=True)
        ],
        "local_business": {
            "local": _share(d.local["local"]),
            "sme": _share(d.local["sme"]),
            "value": d.local["value"],
            "local_value": d.local["local_value"],
            "sme_value": d.local["sme_value"],
        },
        "working_conditions": {step: _share(share) for step, share in d.labour.items()},
    }
