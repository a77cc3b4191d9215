"""Registering a contract, from an awarded procurement (with its requirements and the
approved strategy's snapshot, then the plan) or directly."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kravspar.audit.services import audit_record, snapshot
from kravspar.contracts.models import (
    Contract,
    ContractRequirement,
)
from kravspar.organisations.models import Organisation, Unit
from kravspar.procurements import policy
from kravspar.procurements.models import Procurement, Strategy, StrategyStatus
from kravspar.suppliers.models import Supplier

if TYPE_CHECKING:
    from kravspar.accounts.models import User
from kravspar.contracts.services.checks import (
    CONTRACT_FIELDS,
    CONTRACTABLE,
    ENTRY_COPY,
    REQUIREMENT_COPY,
    ContractError,
    _check_diary_number,
    _clean_contract,
    _clean_parties,
    _parties,
    _require,
    _save,
)


def _create(
    *,
    actor: User | None,
    procurement: Procurement | None,
    suppliers: Iterable[Supplier],
    buyers: Iterable[Organisation],
    fields: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> tuple[Contract, list[Organisation]]:
    unknown = set(fields) - set(CONTRACT_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be set here")
    contract = Contract(procurement=procurement, **fields)
    errors: dict[str, list[str]] = {}
    try:
        _clean_contract(contract)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        supplier_list, buyer_list = _clean_parties(actor, suppliers, buyers)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    else:
        _check_diary_number(contract, buyer_list, lambda field, message: errors.setdefault(field, []).append(message))
    if errors:
        raise ValidationError(errors)
    for key, value in (extra or {}).items():
        setattr(contract, key, value)
    _save(contract)
    # A new contract has no parties yet: add, without set()'s read of the current ones.
    contract.suppliers.add(*supplier_list)
    contract.buyers.add(*buyer_list)
    return contract, buyer_list


def _record_registration(
    *,
    actor: User | None,
    action: str,
    contract: Contract,
    buyers: list[Organisation],
    strategy: Strategy | None,
) -> None:
    """The registration event, written once the requirements are copied so that it states
    what the contract really carries: the strategy it follows and how many requirements."""
    after = snapshot(contract, [*CONTRACT_FIELDS, "strategy_missing", "strategy_version"])
    after |= {
        "procurement": str(contract.procurement) if contract.procurement_id else None,
        "requirements": contract.requirements.count(),
        "strategy": _strategy_snapshot(strategy),
    } | _parties(contract)
    audit_record(actor=actor, action=action, obj=contract, organisation=buyers[0], after=after)


def _strategy_snapshot(strategy: Strategy | None) -> dict[str, Any] | None:
    """Which approved strategy a contract follows, as its history records it."""
    if strategy is None:
        return None
    return {
        "id": strategy.pk,
        "version": strategy.number,
        "approved_at": strategy.approved_at.isoformat() if strategy.approved_at else None,
        "requirements": strategy.entries.count(),
    }


def _approved_strategy(procurement: Procurement) -> Strategy | None:
    strategy = policy.current_strategy(procurement)
    return strategy if strategy is not None and strategy.status == StrategyStatus.APPROVED else None


def _plan(contract: Contract, actor: User | None) -> None:
    """Generate the contract's follow-up plan in the caller's transaction: a contract is
    never registered, or given a strategy, without its plan; if planning fails, nothing
    is saved."""
    # Imported here, not at the top: follow-up planning builds on contracts (their models
    # and effective end), so the contracts app must not need followups to load.
    from kravspar.followups.planning import plan_contract

    plan_contract(contract, actor=actor)


def _copy_requirements(contract: Contract, procurement: Procurement, entries: dict[int, Any]) -> int:
    """Copy the procurement's requirements onto the contract, each with its follow-up from
    ``entries`` (strategy entries by requirement id) where there is one. A requirement the
    contract already holds keeps its row and text and only gets the follow-up. Returns how
    many rows were added."""
    copied = {r.source_requirement_id: r for r in contract.requirements.all()}
    new_rows: list[ContractRequirement] = []
    for requirement in procurement.requirements.filter(removed=False).order_by("position", "id"):
        row = copied.get(requirement.pk) or ContractRequirement(
            contract=contract, source_requirement=requirement, **{f: getattr(requirement, f) for f in REQUIREMENT_COPY}
        )
        entry = entries.get(requirement.pk)
        if entry is not None:
            for f in ENTRY_COPY:
                value = getattr(entry, f)
                setattr(row, f, list(value) if isinstance(value, list) else value)
        if row.pk is None:
            new_rows.append(row)
        elif entry is not None:
            row.save(update_fields=[f.removesuffix("_id") for f in ENTRY_COPY])
    ContractRequirement.objects.bulk_create(new_rows)
    return len(new_rows)


@transaction.atomic
def contract_create_from_procurement(
    *,
    actor: User | None,
    procurement: Procurement,
    suppliers: Iterable[Supplier],
    buyers: Iterable[Organisation],
    **fields: Any,
) -> Contract:
    """Register the contract signed after a procurement. Its requirements and the
    approved strategy are copied and its follow-up plan is generated, all or nothing;
    without an approved strategy the contract is flagged "strategy missing" (and has
    no plan until it adopts one)."""
    _require(actor)
    procurement = Procurement.objects.select_for_update().get(pk=procurement.pk)
    if procurement.status not in CONTRACTABLE:
        raise ContractError(
            _("A contract can be registered once the procurement is awarded; %(number)s is %(status)s.")
            % {"number": procurement.registry_number, "status": procurement.get_status_display().lower()}
        )
    strategy = _approved_strategy(procurement)
    contract, buyer_list = _create(
        actor=actor,
        procurement=procurement,
        suppliers=suppliers,
        buyers=buyers,
        fields=fields,
        extra={"strategy_missing": strategy is None, "strategy_version": strategy.number if strategy else None},
    )
    entries = {e.requirement_id: e for e in strategy.entries.all()} if strategy else {}
    _copy_requirements(contract, procurement, entries)
    # The units that ordered the procurement call off the contract, as far as their
    # organisation is one of the contract's buyers.
    buyer_ids = {b.pk for b in buyer_list}
    contract.ordering_units.add(*(u for u in procurement.ordering_units.all() if u.organisation_id in buyer_ids))
    _record_registration(
        actor=actor, action="contract.created", contract=contract, buyers=buyer_list, strategy=strategy
    )
    if strategy is not None:
        _plan(contract, actor)
    return contract


@transaction.atomic
def contract_register_direct(
    *,
    actor: User | None,
    suppliers: Iterable[Supplier],
    buyers: Iterable[Organisation],
    procurement: Procurement | None = None,
    ordering_units: Iterable[Unit] = (),
    **fields: Any,
) -> Contract:
    """Register a contract signed before Kravspår: usually without a procurement, or
    with an imported one that predates the strategy rule (nothing is copied from it).
    It has no approved strategy behind it and is flagged "strategy missing". It carries
    no requirements, so there is nothing to plan yet: the plan is made when it adopts an
    approved strategy (``contract_adopt_strategy``). ``ordering_units`` are the units of
    its buyers that use it (beställaren)."""
    _require(actor)
    contract, buyer_list = _create(
        actor=actor,
        procurement=procurement,
        suppliers=suppliers,
        buyers=buyers,
        fields=fields,
        extra={"strategy_missing": True, "strategy_version": None},
    )
    units = list(dict.fromkeys(ordering_units))
    if any(u.organisation_id not in {b.pk for b in buyer_list} for u in units):
        message = _("Ordering units: choose units of the organisations that call off.")
        raise ValidationError({"ordering_units": [message]})
    contract.ordering_units.add(*units)
    _record_registration(actor=actor, action="contract.registered", contract=contract, buyers=buyer_list, strategy=None)
    return contract
