"""Changing a registered contract: its fields, the extensions used and its status."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.audit.services import audit_record
from kravspar.contracts.models import (
    Contract,
    ContractExtension,
    ContractStatus,
)
from kravspar.contracts.selectors import effective_end
from kravspar.core import services as core_services
from kravspar.organisations.models import Organisation
from kravspar.suppliers.models import Supplier

if TYPE_CHECKING:
    from kravspar.accounts.models import User
from kravspar.contracts.services.checks import (
    CONTRACT_FIELDS,
    TRANSITIONS,
    ContractError,
    _clean_contract,
    _clean_parties,
    _organisation,
    _parties,
    _require,
)


def _lock(contract: Contract, expected_version: int | None) -> Contract:
    return core_services.lock(Contract.objects.all(), contract.pk, expected_version)


@transaction.atomic
def contract_update(
    *,
    actor: User | None,
    contract: Contract,
    expected_version: int | None,
    suppliers: Iterable[Supplier] | None = None,
    buyers: Iterable[Organisation] | None = None,
    **changes: Any,
) -> Contract:
    """Change the contract's facts and parties. The requirement snapshot is never rewritten."""
    _require(actor)
    locked = _lock(contract, expected_version)
    if suppliers is not None or buyers is not None:
        new_suppliers, new_buyers = _clean_parties(
            actor,
            suppliers if suppliers is not None else locked.suppliers.all(),
            buyers if buyers is not None else locked.buyers.all(),
        )
    before_parties = _parties(locked)
    changed = core_services.update_fields(
        actor=actor,
        obj=locked,
        fields=CONTRACT_FIELDS,
        changes=changes,
        clean=lambda c: _clean_contract(c, new_buyers if buyers is not None else None),
        action="contract.updated",
        organisation=_organisation(locked),
    )
    if suppliers is not None or buyers is not None:
        locked.suppliers.set(new_suppliers)
        locked.buyers.set(new_buyers)
        after_parties = _parties(locked)
        if after_parties != before_parties:
            if not changed:
                locked.version += 1
                locked.save(update_fields=["version", "updated_at"])
            audit_record(
                actor=actor,
                action="contract.parties_changed",
                obj=locked,
                organisation=_organisation(locked),
                before=before_parties,
                after=after_parties,
            )
    return locked


@transaction.atomic
def contract_use_extension(
    *, actor: User | None, contract: Contract, decided_on: datetime.date, expected_version: int | None = None
) -> ContractExtension:
    """Use the next extension option. The effective end moves by its months."""
    _require(actor)
    locked = _lock(contract, expected_version)
    if locked.status != ContractStatus.ACTIVE:
        raise ContractError(_("Only a contract in force can be extended."))
    used = locked.extensions.count()
    if used >= locked.extension_options:
        raise ContractError(
            _("The contract has no extension option left: %(used)d of %(options)d are used.")
            % {"used": used, "options": locked.extension_options}
        )
    if not isinstance(decided_on, datetime.date):
        raise ValidationError({"decided_on": [_("Decided: write a date, e.g. 2026-03-01.")]})
    if decided_on < locked.signed_on:
        raise ValidationError(
            {"decided_on": [_("Decided: an extension cannot be decided before the contract is signed.")]}
        )
    before = effective_end(locked)
    extension = ContractExtension.objects.create(
        contract=locked, number=used + 1, months=locked.extension_months, decided_on=decided_on, decided_by=actor
    )
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor,
        action="contract.extended",
        obj=locked,
        organisation=_organisation(locked),
        before={"ends": str(before), "extensions_used": used},
        after={"ends": str(effective_end(locked)), "extensions_used": used + 1, "decided_on": str(decided_on)},
    )
    return extension


@transaction.atomic
def contract_set_status(
    *,
    actor: User | None,
    contract: Contract,
    to: str,
    reason: str = "",
    ended_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> Contract:
    """Terminate (hävning or uppsägning, with a reason) or mark as expired."""
    _require(actor)
    locked = _lock(contract, expected_version)
    if to not in ContractStatus.values:
        raise ContractError(_("Unknown status %(status)s.") % {"status": to})
    if to not in TRANSITIONS[locked.status]:
        raise ContractError(
            _("A contract that is %(current)s cannot become %(target)s.")
            % {"current": locked.get_status_display().lower(), "target": ContractStatus(to).label.lower()}
        )
    reason = reason.strip()
    if to == ContractStatus.TERMINATED and not reason:
        raise ValidationError({"reason": [_("Reason: say why the contract is terminated.")]})
    before = {"status": locked.status}
    locked.status = to
    locked.end_reason = reason
    locked.ended_on = ended_on or (timezone.localdate() if to == ContractStatus.TERMINATED else effective_end(locked))
    locked.version += 1
    locked.save(update_fields=["status", "end_reason", "ended_on", "version", "updated_at"])
    audit_record(
        actor=actor,
        action=f"contract.{to}",
        obj=locked,
        organisation=_organisation(locked),
        before=before,
        after={"status": to, "reason": reason, "ended_on": str(locked.ended_on)},
    )
    return locked
