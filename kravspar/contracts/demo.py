"""Demo contracts: the regions' imported 2021 procurements become the contracts that
were signed after them, plus one from a planned procurement with an approved strategy.

Called by ``seed_demo``; idempotent (the contract number is the procurement's
registry number), and it registers through the services with actor=None."""

from __future__ import annotations

import datetime
import zlib

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from kravspar.contracts import services
from kravspar.contracts.models import Contract, ContractStatus
from kravspar.contracts.selectors import effective_end
from kravspar.core.dates import add_months
from kravspar.procurements import services as procurement_services
from kravspar.procurements.models import Procurement, ProcurementStatus, Strategy, StrategyStatus
from kravspar.suppliers.models import ProcurementSupplier, Supplier

IMPORTED_SOURCE = "Upphandlingsmyndigheten"


def _period(procurement: Procurement) -> tuple[datetime.date, datetime.date, datetime.date]:
    """A plausible signing date (the statistics give none): six to fifteen weeks after the
    notice was published (tender period, evaluation, standstill), spread by the registry number."""
    spread = zlib.crc32(procurement.registry_number.encode()) % 63
    published = procurement.advertised_on or datetime.date(2021, 1, 1)
    signed = published + datetime.timedelta(days=42 + spread)
    starts = signed + datetime.timedelta(days=30)
    months = procurement.duration_months or 24
    return signed, starts, add_months(starts, months) - datetime.timedelta(days=1)


@transaction.atomic
def seed_contracts() -> int:
    """Register the demo contracts that do not exist yet. Returns how many were made."""
    existing = set(Contract.objects.values_list("contract_number", flat=True))
    imported = (
        Procurement.objects.filter(
            source__startswith=IMPORTED_SOURCE, status=ProcurementStatus.CONCLUDED, supplier_links__isnull=False
        )
        .exclude(registry_number__in=existing)
        .distinct()
        .prefetch_related(
            "buyers",
            Prefetch("supplier_links", queryset=ProcurementSupplier.objects.select_related("supplier")),
        )
        .order_by("registry_number")
    )
    today = timezone.localdate()
    made = 0
    for procurement in imported:
        signed, starts, ends = _period(procurement)
        contract = services.contract_register_direct(
            actor=None,
            procurement=procurement,
            suppliers=[link.supplier for link in procurement.supplier_links.all()],
            buyers=list(procurement.buyers.all()),
            contract_number=procurement.registry_number,
            title=procurement.title[:300],
            signed_on=signed,
            starts_on=starts,
            ends_on=ends,
            extension_options=2,
            extension_months=12,
            value=procurement.estimated_value,
        )
        if effective_end(contract) < today:
            services.contract_set_status(actor=None, contract=contract, to=ContractStatus.EXPIRED)
        made += 1
    made += _seed_planned(existing)
    return made


def _seed_planned(existing: set[str]) -> int:
    """One contract from a demo procurement whose strategy is approved, if there is one."""
    # Only an awarded or concluded one: moving another demo procurement on would change its story.
    approved = (
        Strategy.objects.filter(status=StrategyStatus.APPROVED, procurement__status__in=services.CONTRACTABLE)
        .exclude(procurement__source__startswith=IMPORTED_SOURCE)
        .select_related("procurement")
        .order_by("procurement__registry_number")
    )
    for strategy in approved:
        procurement = strategy.procurement
        number = f"{procurement.registry_number}-A"
        if number in existing or procurement.contracts.exists():
            return 0
        suppliers = [link.supplier for link in procurement.supplier_links.select_related("supplier")]
        if not suppliers:
            suppliers = list(Supplier.objects.filter(org_number__gt="").order_by("name")[:1])
        if not suppliers:
            return 0
        signed = timezone.localdate() - datetime.timedelta(days=60)
        if procurement.advertised_on is not None:
            signed = max(signed, procurement.advertised_on + datetime.timedelta(days=42))
        services.contract_create_from_procurement(
            actor=None,
            procurement=procurement,
            suppliers=suppliers,
            buyers=list(procurement.buyers.all()),
            contract_number=number,
            title=procurement.title[:300],
            signed_on=signed,
            starts_on=signed + datetime.timedelta(days=14),
            ends_on=add_months(signed, procurement.duration_months or 48),
            extension_options=2,
            extension_months=12,
            value=procurement.estimated_value,
            fine_per_week=5000,
            fine_cap_weeks=10,
            termination_grounds="Väsentligt avtalsbrott; brott mot arbetsrättsliga villkor (LOU 17:2–5).",
        )
        if procurement.status == ProcurementStatus.AWARDED:  # signed: the procurement is concluded
            procurement_services.procurement_transition(
                actor=None, procurement=procurement, to=ProcurementStatus.CONCLUDED
            )
        return 1
    return 0
