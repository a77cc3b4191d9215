"""Reading contracts: the effective end date, the filtered list, subcontractors."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from kravspar.accounts import access
from kravspar.contracts.models import Contract, ContractExtension, Subcontractor
from kravspar.core.dates import add_months
from kravspar.core.ids import is_uuid
from kravspar.organisations.models import Unit
from kravspar.suppliers.models import Supplier, supplier_name_key


def period_end(starts_on: datetime.date, months: int) -> datetime.date:
    """The last day of a period of ``months`` whole months from ``starts_on``: a contract
    of 12 months from 1 January 2026 runs to 31 December 2026, one of 1 month from
    1 February 2026 to 28 February. The next period starts on ``add_months``'s date."""
    return add_months(starts_on, months) - datetime.timedelta(days=1)


def extension_months_used(contract: Contract) -> int:
    annotated = getattr(contract, "months_used", None)
    if annotated is not None:
        return int(annotated)
    return sum(e.months for e in contract.extensions.all())


def effective_end(contract: Contract) -> datetime.date:
    """When the contract ends with the extensions used so far: the initial period's end
    plus the months of every used option. Uses ``months_used`` from ``with_extensions``
    or the prefetched extensions when they are there."""
    return add_months(contract.ends_on, extension_months_used(contract))


def extensions_used(contract: Contract) -> int:
    annotated = getattr(contract, "options_used", None)
    if annotated is not None:
        return int(annotated)
    return len(contract.extensions.all())


def with_extensions(qs: QuerySet[Contract]) -> QuerySet[Contract]:
    """Annotate ``options_used`` and ``months_used`` for lists. Subqueries, so that joins
    added by filters never multiply the sums."""
    used = ContractExtension.objects.filter(contract=OuterRef("pk")).values("contract")
    return qs.annotate(
        options_used=Coalesce(Subquery(used.annotate(n=Count("id")).values("n")[:1]), 0),
        months_used=Coalesce(Subquery(used.annotate(s=Sum("months")).values("s")[:1]), 0),
    )


def contract_list(
    user: access.AnyUser,
    *,
    q: str = "",
    organisation: Any = None,
    supplier: Supplier | None = None,
    status: str = "",
    strategy_missing: bool = False,
) -> QuerySet[Contract]:
    qs = access.contracts_visible_to(user)
    if q := q.strip():
        key = supplier_name_key(q)
        qs = qs.filter(
            Q(contract_number__icontains=q)
            | Q(diary_number__icontains=q)
            | Q(title__icontains=q)
            | Q(
                pk__in=Contract.suppliers.through.objects.filter(supplier__name_key__contains=key).values("contract_id")
            )
        )
    if organisation is not None:
        qs = qs.filter(
            pk__in=Contract.buyers.through.objects.filter(organisation_id=organisation.pk).values("contract_id")
        )
    if supplier is not None:
        qs = qs.filter(pk__in=Contract.suppliers.through.objects.filter(supplier_id=supplier.pk).values("contract_id"))
    if status:
        qs = qs.filter(status=status)
    if strategy_missing:
        qs = qs.filter(strategy_missing=True)
    return (
        with_extensions(qs)
        .prefetch_related(
            Prefetch("suppliers", queryset=Supplier.objects.only("id", "uuid", "name").order_by("name")),
            "buyers",
        )
        .order_by("-signed_on", "contract_number")
    )


def contract_detail_queryset(contract: Contract) -> Contract:
    """The contract with what its page shows, in a fixed number of queries."""
    return (
        Contract.objects.filter(pk=contract.pk)
        .select_related("procurement")
        .prefetch_related(
            Prefetch("suppliers", queryset=Supplier.objects.order_by("name")),
            "buyers",
            Prefetch("ordering_units", queryset=Unit.objects.order_by("name")),
            "extensions__decided_by",
            "requirements__responsible_unit",
            Prefetch("subcontractors", queryset=Subcontractor.objects.select_related("supplier")),
        )
        .get()
    )


def subcontractor_for(user: access.AnyUser, key: Any, *, change: bool = False) -> Subcontractor:
    """A subcontractor of a contract the person sees (else 404); with ``change`` also
    the right to change the contract (else 403)."""
    if not is_uuid(str(key)):
        raise Http404
    sub = (
        Subcontractor.objects.filter(uuid=key, contract__in=access.contracts_visible_to(user))
        .select_related("contract", "supplier")
        .first()
    )
    if sub is None:
        raise Http404
    if change and not access.can_change_contract(user, sub.contract):
        raise PermissionDenied
    return sub
