"""The contract's own checks and shared pieces: the fields copied at registration, the
allowed status changes, the error, the permission check, and the validation of a
contract and its parties."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.contracts.models import (
    Contract,
    ContractStatus,
)
from kravspar.core.errors import DomainError, NotAllowedError
from kravspar.organisations.models import Organisation
from kravspar.procurements.models import ProcurementStatus
from kravspar.requirements.services import REQUIREMENT_FIELDS
from kravspar.suppliers.models import Supplier

if TYPE_CHECKING:
    from kravspar.accounts.models import User


CONTRACT_FIELDS = [
    "contract_number",
    "title",
    "diary_number",
    "signed_on",
    "starts_on",
    "ends_on",
    "extension_options",
    "extension_months",
    "value",
    "fine_per_week",
    "fine_cap_weeks",
    "termination_grounds",
]
SUBCONTRACTOR_FIELDS = ["name", "org_number", "country", "role", "collective_agreement"]
# The requirement's own fields (the requirements app's list, so that a field added there is
# copied too) and its place, copied as they are when the contract is registered.
REQUIREMENT_COPY = [*REQUIREMENT_FIELDS, "position"]
ENTRY_COPY = [
    "methods",
    "timing",
    "interval_months",
    "at_months",
    "responsible",
    "responsible_unit_id",
    "environment_specialist",
]
# A contract can be registered once the award decision is made.
CONTRACTABLE = (ProcurementStatus.AWARDED, ProcurementStatus.CONCLUDED)
# One arrow per allowed status change; expired and terminated contracts stay so.
TRANSITIONS: dict[str, set[str]] = {
    ContractStatus.ACTIVE: {ContractStatus.EXPIRED, ContractStatus.TERMINATED},
    ContractStatus.EXPIRED: set(),
    ContractStatus.TERMINATED: set(),
}


class ContractError(DomainError):
    code = "contract_error"
    status = 409


def _require(actor: User | None) -> None:
    # actor=None is the system itself (the demo, imports run by an operator).
    if actor is not None and not access.has_perm(actor, Perm.MANAGE_CONTRACTS):
        raise NotAllowedError()


def _organisation(contract: Contract, buyers: list[Organisation] | None = None) -> Organisation | None:
    """The organisation the history event is filed under: the first buyer."""
    if buyers:
        return buyers[0]
    return contract.buyers.order_by("name").first() if contract.pk else None


def _clean_contract(contract: Contract, buyers: list[Organisation] | None = None) -> None:
    """``buyers``: the buyers the contract will have, when a change replaces them (the diary
    number is checked against their rules, not the ones being replaced)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    contract.contract_number = " ".join(str(contract.contract_number or "").split())
    contract.title = " ".join(str(contract.title or "").split())
    contract.diary_number = " ".join(str(contract.diary_number or "").split())
    if contract.pk and contract.diary_number:
        _check_diary_number(contract, buyers if buyers is not None else list(contract.buyers.all()), add)
    contract.termination_grounds = str(contract.termination_grounds or "").strip()
    if not contract.contract_number:
        add("contract_number", _("Contract number: write the contract's number."))
    elif len(contract.contract_number) > 60:
        add("contract_number", _("Contract number: at most 60 characters."))
    elif Contract.objects.filter(contract_number=contract.contract_number).exclude(pk=contract.pk).exists():
        add(
            "contract_number",
            _("Contract number: %(number)s is already registered.") % {"number": contract.contract_number},
        )
    if not contract.title:
        add("title", _("Title: write what the contract is for."))
    elif len(contract.title) > 300:
        add("title", _("Title: at most 300 characters."))
    for field, label in (("signed_on", _("Signed")), ("starts_on", _("Starts")), ("ends_on", _("Ends"))):
        if not isinstance(getattr(contract, field), datetime.date):
            add(field, _("%(field)s: write a date, e.g. 2026-03-01.") % {"field": label})
    if not errors.keys() & {"signed_on", "starts_on", "ends_on"}:
        if contract.starts_on < contract.signed_on:
            add("starts_on", _("Starts: the contract cannot start before it is signed."))
        if contract.ends_on < contract.starts_on:
            add("ends_on", _("Ends: the end of the period cannot be before its start."))
    numbers = (
        ("extension_options", _("Extension options")),
        ("extension_months", _("Months per extension")),
        ("value", _("Value")),
        ("fine_per_week", _("Fine per started week")),
        ("fine_cap_weeks", _("Fine for at most (weeks)")),
    )
    for field, label in numbers:
        value = getattr(contract, field)
        if value is not None and Decimal(value) < 0:
            add(field, _("%(field)s: cannot be negative.") % {"field": label})
    # Bounds a contract can have (and well inside the small-integer columns, which
    # PostgreSQL enforces and SQLite does not): an import's cell of 684027 months is refused
    # with its column named, not stored on one database and an internal error on the other.
    limits = (
        ("extension_options", _("Extension options: at most %(limit)d."), 99),
        ("extension_months", _("Months per extension: at most %(limit)d (ten years)."), 120),
        ("fine_cap_weeks", _("Fine for at most (weeks): at most %(limit)d (ten years)."), 520),
    )
    for field, message, limit in limits:
        value = getattr(contract, field)
        if value is not None and field not in errors and Decimal(value) > limit:
            add(field, message % {"limit": limit})
    if contract.extension_options is None:
        contract.extension_options = 0
    if contract.extension_months is None:
        contract.extension_months = 0
    if contract.extension_options and not contract.extension_months and "extension_months" not in errors:
        add("extension_months", _("Months per extension: say how long each extension is."))
    if contract.pk and "extension_options" not in errors:
        used = contract.extensions.count()
        if contract.extension_options < used:
            add(
                "extension_options",
                _("Extension options: %(used)d are already used; there cannot be fewer.") % {"used": used},
            )
    if errors:
        raise ValidationError(errors)


def _check_diary_number(contract: Contract, buyers: list[Organisation], add: Any) -> None:
    from kravspar.secrecy.diary import diary_number_error

    if error := diary_number_error(contract.diary_number, buyers):
        add("diary_number", error)


def _clean_parties(
    actor: User | None, suppliers: Iterable[Supplier], buyers: Iterable[Organisation]
) -> tuple[list[Supplier], list[Organisation]]:
    """At least one supplier and one buyer, and only buyers the actor sees."""
    suppliers, buyers = list(dict.fromkeys(suppliers)), list(dict.fromkeys(buyers))
    errors: dict[str, list[str]] = {}
    if not suppliers:
        errors["suppliers"] = [_("Suppliers: choose at least one supplier.")]
    visible = access.visible_organisation_ids(actor) if actor is not None else None
    if not buyers:
        errors["buyers"] = [_("Organisations that may call off: choose at least one.")]
    elif visible is not None and any(b.pk not in visible for b in buyers):
        errors["buyers"] = [_("Organisations that may call off: choose among the organisations you see.")]
    if errors:
        raise ValidationError(errors)
    return suppliers, buyers


def _parties(contract: Contract) -> dict[str, Any]:
    # The names alone: the services call this on a freshly locked or created contract.
    parties = {
        "suppliers": sorted(contract.suppliers.values_list("name", flat=True).order_by()),
        "buyers": sorted(contract.buyers.values_list("name", flat=True).order_by()),
    }
    if units := sorted(contract.ordering_units.values_list("name", flat=True).order_by()):
        parties["ordering_units"] = units
    return parties


def _save(obj: Any) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        # A parallel request registered the same contract number between our check and the insert.
        raise ValidationError(_("This was registered by someone else at the same moment. Reload and check.")) from exc
