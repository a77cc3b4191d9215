"""Every change to contracts, their extensions and subcontractors. Views, the API, the
admin and the demo call these functions; none of them saves a contract itself.

A contract carries a snapshot of its procurement's requirements and of the approved
follow-up strategy, taken when it is registered: "changing the procurement later does
not rewrite a signed contract" (issue 4)."""

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
from kravspar.audit.services import audit_record, snapshot
from kravspar.contracts.models import (
    Contract,
    ContractExtension,
    ContractRequirement,
    ContractStatus,
    Subcontractor,
)
from kravspar.contracts.selectors import effective_end
from kravspar.core import services as core_services
from kravspar.core.errors import DomainError, NotAllowedError
from kravspar.organisations.identifiers import normalise_org_number
from kravspar.organisations.models import Organisation, Unit
from kravspar.procurements import policy
from kravspar.procurements.models import Procurement, ProcurementStatus, Strategy, StrategyStatus
from kravspar.suppliers.countries import normalise_country
from kravspar.suppliers.models import CollectiveAgreement, Supplier

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
# The requirement's own fields, copied as they are when the contract is registered.
REQUIREMENT_COPY = [
    "type",
    "text",
    "level",
    "criterion_ref",
    "criterion_version",
    "evidence",
    "verified_when",
    "binds_subcontractors",
    "aims",
    "title",
    "position",
]
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
    parties = {
        "suppliers": sorted(s.name for s in contract.suppliers.all()),
        "buyers": sorted(b.name for b in contract.buyers.all()),
    }
    if units := sorted(u.name for u in contract.ordering_units.all()):
        parties["ordering_units"] = units
    return parties


def _save(obj: Any) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        # A parallel request registered the same contract number between our check and the insert.
        raise ValidationError(_("This was registered by someone else at the same moment. Reload and check.")) from exc


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
    contract.suppliers.set(supplier_list)
    contract.buyers.set(buyer_list)
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
    contract.ordering_units.set(u for u in procurement.ordering_units.all() if u.organisation_id in buyer_ids)
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
    contract.ordering_units.set(units)
    _record_registration(actor=actor, action="contract.registered", contract=contract, buyers=buyer_list, strategy=None)
    return contract


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
    locked.ended_on = ended_on or (datetime.date.today() if to == ContractStatus.TERMINATED else effective_end(locked))
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


# --- Subcontractors ---------------------------------------------------------------------


def _clean_subcontractor(sub: Subcontractor) -> None:
    clean_subcontractor_fields(sub)


def clean_subcontractor_fields(sub: Any, *, require_org_number: bool = False) -> None:
    """The rules for a subcontractor's name, role, country, organisation number and
    collective agreement — on the contract's list and on a supplier's declaration of one
    (``portal``), which must pass these rules so that accepting it never fails. A
    declaration must give a Swedish subcontractor's number (``require_org_number``)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    sub.name = " ".join(str(sub.name or "").split())
    sub.role = " ".join(str(sub.role or "").split())
    sub.org_number = str(sub.org_number or "").strip()
    if not sub.name:
        add("name", _("Name: write the subcontractor's name."))
    elif len(sub.name) > 200:
        add("name", _("Name: at most 200 characters."))
    if not sub.role:
        add("role", _("What they do: describe the subcontractor's part of the delivery."))
    elif len(sub.role) > 300:
        add("role", _("What they do: at most 300 characters."))
    country = normalise_country(sub.country or "SE")
    if country is None:
        add(
            "country",
            _("Country: %(value)s is not a two-letter ISO 3166 code, e.g. SE, NO or DE.") % {"value": sub.country},
        )
    else:
        sub.country = country
    if sub.country == "SE" and not sub.org_number and require_org_number:
        add("org_number", _("Organisation number: a Swedish subcontractor has one; write its ten digits."))
    elif sub.country == "SE" and sub.org_number:
        try:
            sub.org_number = normalise_org_number(sub.org_number)
        except ValidationError as exc:
            add("org_number", exc.messages[0])
    elif sub.org_number:
        add("org_number", _("Organisation number: only Swedish subcontractors have one; leave it empty."))
    if sub.collective_agreement and sub.collective_agreement not in CollectiveAgreement.values:
        add("collective_agreement", _("Collective agreement: choose one of the listed answers."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def subcontractor_add(*, actor: User | None, contract: Contract, supplier: Supplier, **fields: Any) -> Subcontractor:
    """Add a subcontractor in the chain of one of the contract's suppliers."""
    _require(actor)
    unknown = set(fields) - set(SUBCONTRACTOR_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be set here")
    if not contract.suppliers.filter(pk=supplier.pk).exists():
        raise ValidationError({"supplier": [_("For supplier: choose one of the contract's suppliers.")]})
    sub = Subcontractor(contract=contract, supplier=supplier, **fields)
    _clean_subcontractor(sub)
    sub.save()
    audit_record(
        actor=actor,
        action="subcontractor.added",
        obj=sub,
        organisation=_organisation(contract),
        after=snapshot(sub, [*SUBCONTRACTOR_FIELDS, "supplier"]) | {"contract": contract.contract_number},
    )
    return sub


@transaction.atomic
def subcontractor_update(
    *, actor: User | None, subcontractor: Subcontractor, expected_version: int | None, **changes: Any
) -> Subcontractor:
    _require(actor)
    locked = core_services.lock(Subcontractor.objects.select_related("contract"), subcontractor.pk, expected_version)
    core_services.update_fields(
        actor=actor,
        obj=locked,
        fields=SUBCONTRACTOR_FIELDS,
        changes=changes,
        clean=_clean_subcontractor,
        action="subcontractor.updated",
        organisation=_organisation(locked.contract),
    )
    return locked


@transaction.atomic
def subcontractor_set_active(*, actor: User | None, subcontractor: Subcontractor, active: bool) -> Subcontractor:
    """Deactivate (no longer in the chain) or reactivate. Never deleted: deviations may refer to it."""
    _require(actor)
    locked = core_services.lock(Subcontractor.objects.select_related("contract"), subcontractor.pk, None)
    if locked.is_active == active:
        return locked
    locked.is_active = active
    locked.version += 1
    locked.save(update_fields=["is_active", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="subcontractor.reactivated" if active else "subcontractor.deactivated",
        obj=locked,
        organisation=_organisation(locked.contract),
        before={"is_active": not active},
        after={"is_active": active},
    )
    return locked


def subcontractor_deactivate(*, actor: User | None, subcontractor: Subcontractor) -> Subcontractor:
    return subcontractor_set_active(actor=actor, subcontractor=subcontractor, active=False)
