"""The contract index the matcher loads once: each contract's parties and its effective
end (extensions used, or the day a terminated contract ended)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kravspar.contracts.models import Contract, ContractExtension, ContractStatus
from kravspar.core.dates import add_months
from kravspar.spend.policy import Period


@dataclass
class ContractInfo:
    id: int
    number: str
    starts_on: datetime.date
    end: datetime.date
    value: Decimal | None
    supplier_ids: set[int] = field(default_factory=set)
    buyer_ids: set[int] = field(default_factory=set)

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.end

    def overlaps(self, period: Period) -> bool:
        """In force on at least one day the invoice covers."""
        return period.overlaps(self.starts_on, self.end)

    def distance(self, period: Period) -> int:
        """Days between the contract's period and the invoice's (0 when they overlap)."""
        if period.end < self.starts_on:
            return (self.starts_on - period.end).days
        return max((period.start - self.end).days, 0)


def contract_end(contract: Contract | Any, months_used: int) -> datetime.date:
    """The end with the extensions used, or the day a terminated contract ended."""
    end = add_months(contract.ends_on, months_used)
    if contract.status == ContractStatus.TERMINATED and contract.ended_on:
        end = min(end, contract.ended_on)
    return end


def load_contracts() -> dict[int, ContractInfo]:
    """Every contract with its parties and effective end, in four queries. Read as rows,
    not model instances: the index holds every contract, also those no invoice names, and
    building a ``Contract`` per row (with its ``pre_init``/``post_init`` signals) was most of
    what the run's cost grew by with the number of contracts (issue 15)."""
    months: dict[int, int] = defaultdict(int)
    for contract_id, used in ContractExtension.objects.values_list("contract_id", "months"):
        months[contract_id] += used
    terminated = ContractStatus.TERMINATED
    contracts: dict[int, ContractInfo] = {}
    for pk, number, starts_on, ends_on, status, ended_on, value in Contract.objects.values_list(
        "id", "contract_number", "starts_on", "ends_on", "status", "ended_on", "value"
    ):
        # The same end as ``contract_end``; ``add_months`` only where an extension was used.
        used = months.get(pk, 0)
        end = add_months(ends_on, used) if used else ends_on
        if status == terminated and ended_on:
            end = min(end, ended_on)
        contracts[pk] = ContractInfo(id=pk, number=number, starts_on=starts_on, end=end, value=value)
    for contract_id, supplier_id in Contract.suppliers.through.objects.values_list("contract_id", "supplier_id"):
        if contract_id in contracts:
            contracts[contract_id].supplier_ids.add(supplier_id)
    for contract_id, org_id in Contract.buyers.through.objects.values_list("contract_id", "organisation_id"):
        if contract_id in contracts:
            contracts[contract_id].buyer_ids.add(org_id)
    return contracts
