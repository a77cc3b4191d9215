"""Which procurements and directly registered contracts a package holds, and the
changed-since filter."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from kravspar.contracts.models import Contract
from kravspar.findings.models import Deviation
from kravspar.followups.models import Activity
from kravspar.opendata import batches, withholding
from kravspar.organisations.models import Organisation
from kravspar.procurements.models import (
    Procurement,
    Strategy,
)

# --- Filters -------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    organisation: Organisation | None = None  # only releases where it is a buyer
    since: datetime.datetime | None = None  # only releases changed at or after this moment


def _changed_since(qs: QuerySet[Any], since: datetime.datetime, contract_path: str, *more: Exists) -> QuerySet[Any]:
    """Keep rows whose release changed since ``since``: the row itself, a contract, a
    follow-up or a published deviation under it. ``contract_path`` leads from a contract
    to the row (``procurement`` or ``pk``)."""
    ref = OuterRef("pk")
    contracts = Contract.objects.filter(**{contract_path: ref})
    return qs.filter(
        Q(updated_at__gte=since)
        | Exists(contracts.filter(updated_at__gte=since))
        | Exists(Activity.objects.filter(**{f"contract__{contract_path}": ref}, updated_at__gte=since))
        | Exists(
            Deviation.objects.filter(withholding.publishable_deviations_q()).filter(
                **{f"contract__{contract_path}": ref}, updated_at__gte=since
            )
        )
        | Q(*more, _connector=Q.OR)
    )


def procurements_to_publish(filters: Filters) -> QuerySet[Procurement]:
    qs = Procurement.objects.filter(withholding.published_procurements_q())
    if filters.organisation is not None:
        org = filters.organisation
        qs = qs.filter(
            Exists(Procurement.buyers.through.objects.filter(procurement=OuterRef("pk"), organisation=org))
            | Exists(Contract.buyers.through.objects.filter(contract__procurement=OuterRef("pk"), organisation=org))
        )
    if filters.since is not None:
        approved = Strategy.objects.filter(procurement=OuterRef("pk"), approved_at__gte=filters.since)
        qs = _changed_since(qs, filters.since, "procurement", Exists(approved))
    return qs.order_by("pk")


def direct_contracts_to_publish(filters: Filters) -> QuerySet[Contract]:
    qs = Contract.objects.filter(procurement__isnull=True)
    if filters.organisation is not None:
        qs = qs.filter(
            Exists(Contract.buyers.through.objects.filter(contract=OuterRef("pk"), organisation=filters.organisation))
        )
    if filters.since is not None:
        qs = _changed_since(qs, filters.since, "pk")
    return qs.order_by("pk")


def _procurement_queryset(filters: Filters) -> QuerySet[Procurement]:
    return procurements_to_publish(filters).only(*batches.PROCUREMENT_FIELDS).select_related("cpv_main")


def _direct_contract_queryset(filters: Filters) -> QuerySet[Contract]:
    return direct_contracts_to_publish(filters).only(*batches.CONTRACT_FIELDS)
