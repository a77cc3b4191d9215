"""Reading what one batch of procurements or contracts needs for its releases: a fixed
number of queries per batch, whatever the batch holds, read as plain rows.

This is prefetch_related by hand. The export first used prefetch_related with
iterator(chunk_size=...), which gives the same query count, but Django then builds a
model instance for every related row and a queryset for every relation of every parent;
with ten follow-ups per contract that was most of the export's time. Only the fields the
export publishes are read (withholding.py).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from kravspar.contracts.models import Contract, ContractExtension
from kravspar.findings.models import Deviation
from kravspar.followups.models import Activity, ActivityStatus
from kravspar.followups.planning import REPLAN_CANCEL_REASON
from kravspar.opendata import withholding
from kravspar.organisations.models import Organisation
from kravspar.procurements.models import AimAssessment, Procurement, Strategy, StrategyStatus
from kravspar.requirements.models import Requirement

CONTRACT_FIELDS = (
    "id",
    "uuid",
    "procurement_id",
    "contract_number",
    "title",
    "signed_on",
    "starts_on",
    "ends_on",
    "extension_options",
    "extension_months",
    "value",
    "status",
    "ended_on",
    "updated_at",
)
PROCUREMENT_FIELDS = (
    "id",
    "uuid",
    "registry_number",
    "title",
    "description",
    "kind",
    "procedure",
    "agreement_type",
    "estimated_value",
    "status",
    "updated_at",
    "cpv_main__code",
    "cpv_main__label_sv",
)
ORGANISATION_FIELDS = ("id", "uuid", "name", "org_number", "street_address", "postal_code", "city")


class SupplierRow(NamedTuple):
    uuid: uuid.UUID
    name: str
    org_number: str
    country: str
    city: str


class ActivityRow(NamedTuple):
    uuid: uuid.UUID
    method: str
    due_on: datetime.date
    status: str
    completed_on: datetime.date | None
    updated_at: datetime.datetime
    requirement_title: str


class DeviationRow(NamedTuple):
    uuid: uuid.UUID
    severity: str
    kind: str
    status: str
    deadline: datetime.date | None
    fixed_on: datetime.date | None
    subcontractor_id: int | None
    updated_at: datetime.datetime
    requirement_title: str | None


class CpvRow(NamedTuple):
    code: str
    label_sv: str


class AimRow(NamedTuple):
    aim: int
    relevant: bool


class RequirementRow(NamedTuple):
    aims: list[Any]
    verified_when: str


class StrategyRow(NamedTuple):
    number: int
    approved_at: datetime.datetime | None


def _grouped(rows: Iterable[tuple[Any, ...]], make: Any) -> dict[int, list[Any]]:
    """{first column: [make(rest of the row), ...]}, in the rows' order."""
    result: dict[int, list[Any]] = {}
    for row in rows:
        result.setdefault(row[0], []).append(make(row[1:]))
    return result


class Organisations:
    """The buyer organisations, read once each per export: there are few of them (about
    4,100 buying organisations in all of Sweden), so the cache stays small."""

    def __init__(self) -> None:
        self._by_id: dict[int, Organisation] = {}

    def get(self, ids: Iterable[int]) -> dict[int, Organisation]:
        missing = {i for i in ids if i not in self._by_id}
        if missing:
            self._by_id |= Organisation.objects.only(*ORGANISATION_FIELDS).in_bulk(missing)
        return self._by_id


@dataclass
class Batch:
    """Everything a batch of releases needs, keyed by procurement or contract id."""

    contracts: dict[int, list[Contract]] = field(default_factory=dict)  # by procurement
    procurement_buyers: dict[int, list[Organisation]] = field(default_factory=dict)
    cpv_additional: dict[int, list[CpvRow]] = field(default_factory=dict)
    aims: dict[int, list[AimRow]] = field(default_factory=dict)
    requirements: dict[int, list[RequirementRow]] = field(default_factory=dict)
    strategies: dict[int, list[StrategyRow]] = field(default_factory=dict)
    contract_buyers: dict[int, list[Organisation]] = field(default_factory=dict)
    suppliers: dict[int, list[SupplierRow]] = field(default_factory=dict)
    extension_months: dict[int, list[int]] = field(default_factory=dict)
    activities: dict[int, list[ActivityRow]] = field(default_factory=dict)
    deviations: dict[int, list[DeviationRow]] = field(default_factory=dict)


def _buyers(through: Any, key: str, ids: list[int], organisations: Organisations) -> dict[int, list[Organisation]]:
    pairs = list(through.objects.filter(**{f"{key}__in": ids}).values_list(key, "organisation_id"))
    orgs = organisations.get(org for _, org in pairs)
    result: dict[int, list[Organisation]] = {}
    for owner, org in pairs:
        result.setdefault(owner, []).append(orgs[org])
    for owned in result.values():
        owned.sort(key=lambda o: (o.name, o.pk))
    return result


def load_contracts(batch: Batch, contracts: list[Contract], organisations: Organisations) -> None:
    """Buyers, suppliers, extensions, follow-ups and publishable deviations: 5 queries
    (plus one for buyer organisations not seen before in this export)."""
    ids = [c.pk for c in contracts]
    batch.contract_buyers = _buyers(Contract.buyers.through, "contract_id", ids, organisations)
    batch.suppliers = _grouped(
        Contract.suppliers.through.objects.filter(contract_id__in=ids)
        .order_by("supplier__name", "supplier_id")
        .values_list(
            "contract_id",
            "supplier__uuid",
            "supplier__name",
            "supplier__org_number",
            "supplier__country",
            "supplier__city",
        ),
        SupplierRow._make,
    )
    batch.extension_months = _grouped(
        ContractExtension.objects.filter(contract_id__in=ids).values_list("contract_id", "months"), lambda r: r[0]
    )
    batch.activities = _grouped(
        Activity.objects.filter(contract_id__in=ids)
        .exclude(status=ActivityStatus.CANCELLED, cancel_reason=REPLAN_CANCEL_REASON)
        .order_by("due_on", "id")
        .values_list("contract_id", *ActivityRow._fields[:-1], "requirement__title"),
        ActivityRow._make,
    )
    batch.deviations = _grouped(
        Deviation.objects.filter(withholding.publishable_deviations_q(), contract_id__in=ids)
        .order_by("raised_on", "id")
        .values_list("contract_id", *DeviationRow._fields[:-1], "requirement__title"),
        DeviationRow._make,
    )


def load_procurements(procurements: list[Procurement], organisations: Organisations) -> Batch:
    """A batch of procurements: 6 queries for their own relations, 5 for their contracts'."""
    ids = [p.pk for p in procurements]
    batch = Batch()
    contracts = list(Contract.objects.filter(procurement_id__in=ids).only(*CONTRACT_FIELDS).order_by("signed_on", "id"))
    for contract in contracts:
        batch.contracts.setdefault(contract.procurement_id or 0, []).append(contract)
    batch.procurement_buyers = _buyers(Procurement.buyers.through, "procurement_id", ids, organisations)
    batch.cpv_additional = _grouped(
        Procurement.cpv_additional.through.objects.filter(procurement_id__in=ids)
        .order_by("cpvcode_id")
        .values_list("procurement_id", "cpvcode__code", "cpvcode__label_sv"),
        CpvRow._make,
    )
    batch.aims = _grouped(
        AimAssessment.objects.filter(procurement_id__in=ids)
        .order_by("aim")
        .values_list("procurement_id", *AimRow._fields),
        AimRow._make,
    )
    batch.requirements = _grouped(
        Requirement.objects.filter(procurement_id__in=ids, removed=False).values_list(
            "procurement_id", *RequirementRow._fields
        ),
        RequirementRow._make,
    )
    batch.strategies = _grouped(
        Strategy.objects.filter(procurement_id__in=ids, status=StrategyStatus.APPROVED)
        .order_by("number")
        .values_list("procurement_id", *StrategyRow._fields),
        StrategyRow._make,
    )
    load_contracts(batch, contracts, organisations)
    return batch


def load_direct_contracts(contracts: list[Contract], organisations: Organisations) -> Batch:
    batch = Batch()
    load_contracts(batch, contracts, organisations)
    return batch
