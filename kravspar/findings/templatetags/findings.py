"""``{% supplier_status contract %}`` and ``{% supplier_status_overall supplier %}``: the
green/yellow/red badge wherever a supplier appears. One query each."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from kravspar.findings import selectors

register = template.Library()


@register.inclusion_tag("findings/_status_badge.html")
def supplier_status(contract: Any, supplier: Any = None) -> dict[str, Any]:
    status = selectors.contract_status(contract, timezone.localdate(), supplier=supplier)
    return {"light": status.light, "label": status.label, "reasons": status.reasons}


@register.inclusion_tag("findings/_status_badge.html")
def supplier_status_overall(supplier: Any) -> dict[str, Any]:
    status = selectors.supplier_status(supplier, timezone.localdate())
    return {"light": status.light, "label": status.label, "reasons": status.reasons}
