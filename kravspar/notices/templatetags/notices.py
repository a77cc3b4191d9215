from __future__ import annotations

from django import template

from kravspar.contracts.models import Contract
from kravspar.notices.models import ContractModification

register = template.Library()


@register.simple_tag
def contract_modifications(contract: Contract) -> list[ContractModification]:
    """The modifications announced for a contract, oldest first (its change history)."""
    return list(ContractModification.objects.filter(contract=contract).select_related("notice").order_by("created_at"))
