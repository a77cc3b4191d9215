from __future__ import annotations

import datetime

from django import template

from kravspar.contracts import selectors
from kravspar.contracts.models import Contract
from kravspar.procurements.models import Method

register = template.Library()


@register.filter
def effective_end(contract: Contract) -> datetime.date:
    return selectors.effective_end(contract)


@register.filter
def options_left(contract: Contract) -> int:
    return max(contract.extension_options - selectors.extensions_used(contract), 0)


@register.filter
def method_labels(methods: list[str]) -> str:
    return ", ".join(str(Method(m).label) if m in Method.values else m for m in methods or [])
