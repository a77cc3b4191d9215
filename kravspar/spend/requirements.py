"""The contract requirement an economy deviation from the invoice checks belongs to.

A deviation found in an invoice breaks the contract's terms on price and invoicing, which
is aim 1 of the purchasing policy (good economic management). Tying it to the contract's
economy requirement keeps the trail that the reports follow (requirement → follow-up →
deviation → sanction): a deviation without a requirement is counted under no aim.

Most contracts carry such a requirement from their procurement ("E-faktura via Peppol",
"Prisjustering mot index"); one registered before Kravspår, or procured without one, gets
it added here the first time an invoice check finds something, with an event in the
contract's history saying why.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kravspar.audit.models import AuditEvent
from kravspar.audit.services import audit_event, audit_record_many
from kravspar.contracts.models import Contract, ContractRequirement
from kravspar.organisations.models import Organisation
from kravspar.procurements.models import Aim, Method, Responsible
from kravspar.requirements.models import RequirementType, VerifiedWhen

if TYPE_CHECKING:
    from kravspar.accounts.models import User

ACTION = "contract.economy_requirement_added"


def _rank(requirement: ContractRequirement) -> tuple[bool, bool, int, int]:
    """The best fit first: one followed up by invoice checks, then one that serves aim 1."""
    methods = requirement.methods if isinstance(requirement.methods, list) else []
    aims = requirement.aims if isinstance(requirement.aims, list) else []
    return (
        Method.INVOICE_CHECK.value not in methods,
        str(Aim.ECONOMY.value) not in {str(a) for a in aims},
        requirement.position,
        requirement.pk or 0,
    )


def find_economy_requirement(contract: Contract) -> ContractRequirement | None:
    """The contract's economy requirement that invoice deviations belong to, if it has one."""
    candidates = list(contract.requirements.filter(type=RequirementType.ECONOMY))
    return min(candidates, key=_rank, default=None)


def _new_requirement(contract: Contract, position: int) -> ContractRequirement:
    """The economy requirement added to a contract that has none (not yet saved), in the
    contract's own language (Swedish, like the requirements copied from procurements)."""
    with translation.override(settings.LANGUAGE_CODE):
        return ContractRequirement(
            contract=contract,
            type=RequirementType.ECONOMY,
            title=_("Prices and invoicing according to the contract"),
            text=_(
                "The supplier invoices by Peppol e-invoice at the prices, in the units and in the currency of the "
                "contract's price list, for deliveries within the contract period."
            ),
            evidence=_("The e-invoices, checked line by line against the price list."),
            verified_when=VerifiedWhen.AFTER_CONTRACT,
            aims=[Aim.ECONOMY.value],
            position=position,
            methods=[Method.INVOICE_CHECK.value],
            # No timing: the invoice checks run on every invoice, so there is nothing to plan.
            timing="",
            responsible=Responsible.PURCHASING,
        )


def _added_event(
    requirement: ContractRequirement, contract: Contract, organisation: Organisation | None, actor: User | None
) -> AuditEvent:
    with translation.override(settings.LANGUAGE_CODE):
        return audit_event(
            actor=actor,
            action=ACTION,
            obj=contract,
            organisation=organisation,
            after={
                "requirement": requirement.title,
                "type": requirement.type,
                "aims": requirement.aims,
                "reason": _(
                    "The invoice checks found a deviation and the contract had no economy requirement to tie it to."
                ),
            },
        )


@transaction.atomic
def economy_requirements_for(
    *,
    contracts: Sequence[Contract],
    actor: User | None = None,
    history: dict[int, AuditEvent] | None = None,
) -> dict[int, ContractRequirement]:
    """``economy_requirement_for`` for many contracts at once, by contract id: the same
    requirements found or added (in the order of ``contracts``), the same history events,
    in a fixed number of queries. The contract rows are locked first, as there. With
    ``history``, the events of the requirements added are put there by contract id, not
    written, for a caller that writes them with its own (``audit_record_many``) in the
    order the one-by-one calls would have."""
    ids = list(dict.fromkeys(c.pk for c in contracts))
    by_id = {c.pk: c for c in contracts}
    if not ids:
        return {}
    list(Contract.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    # Every requirement of the contracts in one query: the economy ones are the candidates,
    # the highest position of all is where an added one goes.
    candidates: dict[int, list[ContractRequirement]] = {pk: [] for pk in ids}
    last: dict[int, int] = {}
    for requirement in ContractRequirement.objects.filter(contract_id__in=ids).only(
        "id", "contract_id", "type", "title", "methods", "aims", "position"
    ):
        last[requirement.contract_id] = max(last.get(requirement.contract_id, 0), requirement.position)
        if requirement.type == RequirementType.ECONOMY:
            candidates[requirement.contract_id].append(requirement)
    found = {pk: min(candidates[pk], key=_rank) for pk in ids if candidates[pk]}
    missing = [pk for pk in ids if pk not in found]
    if not missing:
        return found
    added = ContractRequirement.objects.bulk_create(
        [_new_requirement(by_id[pk], (last.get(pk) or 0) + 1) for pk in missing]
    )
    # Each contract's first buyer by id, as ``contract.buyers.order_by("pk").first()``.
    first_buyer: dict[int, Organisation] = {}
    for link in (
        Contract.buyers.through.objects.filter(contract_id__in=missing)
        .select_related("organisation")
        .order_by("organisation_id")
    ):
        first_buyer.setdefault(link.contract_id, link.organisation)
    events: dict[int, AuditEvent] = {}
    for pk, requirement in zip(missing, added, strict=True):
        requirement.contract = by_id[pk]
        events[pk] = _added_event(requirement, by_id[pk], first_buyer.get(pk), actor)
        found[pk] = requirement
    if history is not None:
        history.update(events)
    else:
        audit_record_many(list(events.values()))
    return {pk: found[pk] for pk in ids}


@transaction.atomic
def economy_requirement_for(*, contract: Contract, actor: User | None = None) -> ContractRequirement:
    """The contract's economy requirement, added to the contract if it has none (with a
    history event). The contract row is locked first, so two checks running at once add
    one requirement, not two."""
    Contract.objects.select_for_update().filter(pk=contract.pk).values_list("pk", flat=True).first()
    found = find_economy_requirement(contract)
    if found is not None:
        return found
    last = contract.requirements.order_by("-position").values_list("position", flat=True).first()
    requirement = _new_requirement(contract, (last or 0) + 1)
    requirement.save(force_insert=True)
    event = _added_event(requirement, contract, contract.buyers.order_by("pk").first(), actor)
    event.save(force_insert=True)
    return requirement
