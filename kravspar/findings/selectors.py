"""Reading deviations, sanction decisions and supplier status."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from kravspar.accounts import access
from kravspar.findings import policy
from kravspar.findings.models import ActionPlan, Deviation, Sanction

if TYPE_CHECKING:
    from kravspar.contracts.models import Contract
    from kravspar.suppliers.models import Supplier


def deviation_list(
    user: Any,
    *,
    today: datetime.date,
    severity: str = "",
    status: str = "",
    contract: Contract | None = None,
    decision_needed: bool = False,
    awaiting_assessment: bool = False,
    diary_number: str = "",
) -> QuerySet[Deviation]:
    qs: QuerySet[Deviation] = access.deviations_visible_to(user).select_related("contract", "supplier", "requirement")
    qs = qs.annotate(
        decided=Exists(Sanction.deviations.through.objects.filter(deviation_id=OuterRef("pk"))),
    )
    if severity:
        qs = qs.filter(severity=severity)
    if status:
        qs = qs.filter(status=status)
    if contract is not None:
        qs = qs.filter(contract=contract)
    if decision_needed:
        qs = qs.filter(policy.decision_needed_q(today))
    if awaiting_assessment:
        qs = qs.filter(awaiting_assessment=True)
    if diary_number := diary_number.strip():
        # The deviation's own diary number or its contract's (issue 14: searchable).
        qs = qs.filter(Q(diary_number__icontains=diary_number) | Q(contract__diary_number__icontains=diary_number))
    return qs.order_by("-raised_on", "-id")


def deviation_page_data(deviation: Deviation) -> Deviation:
    """The deviation with its plans, their actions and its sanction decisions, in three queries."""
    return (
        Deviation.objects.select_related(
            "contract", "activity", "requirement", "supplier", "subcontractor", "raised_by"
        )
        .prefetch_related(
            Prefetch(
                "action_plans",
                queryset=ActionPlan.objects.select_related("verified_by").prefetch_related("items").order_by("id"),
            ),
            Prefetch("sanctions", queryset=Sanction.objects.select_related("decided_by")),
        )
        .get(pk=deviation.pk)
    )


def contract_status(contract: Contract, today: datetime.date, *, supplier: Supplier | None = None) -> policy.Status:
    qs = Deviation.objects.filter(contract=contract)
    if supplier is not None:
        # Deviations not tied to one supplier concern everyone on the contract.
        qs = qs.filter(Q(supplier=supplier) | Q(supplier__isnull=True))
    return policy.status_of(qs.only(*_STATUS_FIELDS), today)


def supplier_status(supplier: Supplier, today: datetime.date) -> policy.Status:
    """Overall: the worst status over every contract the supplier holds."""
    qs = Deviation.objects.filter(supplier=supplier)
    return policy.status_of(qs.only(*_STATUS_FIELDS), today)


_STATUS_FIELDS = ("id", "title", "severity", "status", "deadline", "fixed_on", "raised_on", "awaiting_assessment")


def _attach_statuses(objects: Iterable[Any], field: str, today: datetime.date) -> None:
    """Set ``supplier_status`` on each object of a list page from the deviations whose
    ``field`` points at it, in one query whatever the page size (``contract_status`` or
    ``supplier_status`` per row would be one query per row)."""
    objects = list(objects)
    found: dict[int, list[Deviation]] = defaultdict(list)
    for deviation in Deviation.objects.filter(**{f"{field}__in": {o.pk for o in objects}}).only(*_STATUS_FIELDS, field):
        found[getattr(deviation, field)].append(deviation)
    for obj in objects:
        obj.supplier_status = policy.status_of(found[obj.pk], today)


def attach_contract_statuses(contracts: Sequence[Contract], today: datetime.date) -> None:
    """Each contract's status over all its deviations."""
    _attach_statuses(contracts, "contract_id", today)


def attach_supplier_statuses(suppliers: Iterable[Supplier], today: datetime.date) -> None:
    """Each supplier's overall status, over every contract it holds."""
    _attach_statuses(suppliers, "supplier_id", today)


def deviations_needing_decision(today: datetime.date) -> QuerySet[Deviation]:
    return (
        Deviation.objects.filter(policy.decision_needed_q(today))
        .select_related("contract", "contract__procurement", "contract__procurement__officer")
        .prefetch_related("contract__buyers")
        .order_by("contract_id", "deadline", "id")
    )
