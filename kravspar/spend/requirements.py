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

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kravspar.audit.services import audit_record
from kravspar.contracts.models import Contract, ContractRequirement
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
    # The contract's own data is Swedish (like the requirements copied from procurements).
    with translation.override(settings.LANGUAGE_CODE):
        requirement = ContractRequirement.objects.create(
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
            position=(last or 0) + 1,
            methods=[Method.INVOICE_CHECK.value],
            # No timing: the invoice checks run on every invoice, so there is nothing to plan.
            timing="",
            responsible=Responsible.PURCHASING,
        )
        audit_record(
            actor=actor,
            action=ACTION,
            obj=contract,
            organisation=contract.buyers.order_by("pk").first(),
            after={
                "requirement": requirement.title,
                "type": requirement.type,
                "aims": requirement.aims,
                "reason": _(
                    "The invoice checks found a deviation and the contract had no economy requirement to tie it to."
                ),
            },
        )
    return requirement
