"""The base querysets of the dashboard: the records in a scope and period, and the constants
the figures share (aims, counties, size classes, activity states)."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce

from kravspar.contracts.models import Contract, ContractStatus
from kravspar.findings.models import Deviation, Sanction
from kravspar.followups.models import Activity
from kravspar.organisations.counties import County
from kravspar.procurements.models import (
    Aim,
    Procurement,
    ProcurementStatus,
)
from kravspar.reports.scope import ReportScope
from kravspar.requirements.models import RequirementType
from kravspar.suppliers.models import SizeClass

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
