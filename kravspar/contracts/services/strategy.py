"""A contract registered without an approved strategy adopting one later, and linking a
directly registered contract to its procurement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kravspar.audit.services import audit_record
from kravspar.contracts.models import (
    Contract,
)
from kravspar.procurements.models import Procurement, Strategy

if TYPE_CHECKING:
    from kravspar.accounts.models import User
from kravspar.contracts.services.changes import _lock
from kravspar.contracts.services.checks import CONTRACTABLE, ContractError, _organisation, _require
from kravspar.contracts.services.registration import _approved_strategy, _copy_requirements, _plan, _strategy_snapshot


def approved_strategy_to_adopt(contract: Contract) -> Strategy | None:
    """The procurement's approved strategy a "strategy missing" contract could adopt, or None."""
    if not contract.strategy_missing or contract.procurement_id is None:
        return None
    assert contract.procurement is not None
    return _approved_strategy(contract.procurement)


@transaction.atomic
def contract_adopt_strategy(*, actor: User | None, contract: Contract, expected_version: int | None = None) -> Contract:
    """Give a contract flagged "strategy missing" the follow-up strategy approved since
    it was registered, and generate its plan.

    The contract's procurement must now have an approved strategy (for an imported
    procurement, one retrofitted after signing: requirements may be added to it while a
    contract of it lacks a strategy). Requirements already copied keep their text and
    get the strategy's follow-up; requirements added since are copied. This is the one
    time a signed contract's snapshot grows — it had no follow-up to rewrite."""
    _require(actor)
    locked = _lock(contract, expected_version)
    if not locked.strategy_missing:
        raise ContractError(
            _("This contract already follows an approved strategy (version %(number)s).")
            % {"number": locked.strategy_version}
        )
    strategy = approved_strategy_to_adopt(locked)
    if strategy is None:
        raise ContractError(
            _(
                "There is no approved follow-up strategy to adopt. Write the requirements and the strategy on "
                "the contract's procurement and have a second person approve it."
            )
            if locked.procurement_id
            else _("The contract has no procurement: link it to its procurement first.")
        )
    assert locked.procurement is not None
    added = _copy_requirements(locked, locked.procurement, {e.requirement_id: e for e in strategy.entries.all()})
    locked.strategy_missing = False
    locked.strategy_version = strategy.number
    locked.version += 1
    locked.save(update_fields=["strategy_missing", "strategy_version", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="contract.strategy_adopted",
        obj=locked,
        organisation=_organisation(locked),
        before={"strategy_missing": True},
        after={
            "strategy_missing": False,
            "strategy_version": strategy.number,
            "requirements_added": added,
            "requirements": locked.requirements.count(),
            "strategy": _strategy_snapshot(strategy),
        },
    )
    _plan(locked, actor)
    return locked


@transaction.atomic
def contract_link_procurement(
    *, actor: User | None, contract: Contract, procurement: Procurement, expected_version: int | None = None
) -> Contract:
    """Tie a contract registered without a procurement to the (awarded or concluded)
    procurement it came from, so that a follow-up strategy can be written there. Its
    requirements are copied; if the procurement's strategy is approved, it is adopted."""
    _require(actor)
    locked = _lock(contract, expected_version)
    if locked.procurement_id is not None:
        raise ContractError(
            _("The contract is already tied to procurement %(number)s.") % {"number": locked.procurement}
        )
    if procurement.status not in CONTRACTABLE:
        raise ValidationError(
            {
                "procurement": [
                    _("Procurement: choose an awarded or concluded procurement; this one is %(status)s.")
                    % {"status": procurement.get_status_display().lower()}
                ]
            }
        )
    locked.procurement = procurement
    locked.version += 1
    locked.save(update_fields=["procurement", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="contract.procurement_linked",
        obj=locked,
        organisation=_organisation(locked),
        before={"procurement": None},
        after={"procurement": str(procurement)},
    )
    if approved_strategy_to_adopt(locked) is not None:
        return contract_adopt_strategy(actor=actor, contract=locked)
    _copy_requirements(locked, procurement, {})
    return locked


@transaction.atomic
def adopt_strategy_for_procurement(*, actor: User | None, procurement: Procurement) -> list[Contract]:
    """Called when a strategy is approved: every contract of the procurement still flagged
    "strategy missing" adopts it and gets its plan, all in the approval's transaction.
    Contracts that follow an earlier version keep it."""
    adopted = []
    for contract in procurement.contracts.filter(strategy_missing=True).select_related("procurement"):
        adopted.append(contract_adopt_strategy(actor=actor, contract=contract))
    return adopted
