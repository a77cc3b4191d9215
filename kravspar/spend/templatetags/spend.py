"""The invoice lines behind an economy deviation, for the deviation page."""

from __future__ import annotations

from typing import Any

from django import template

from kravspar.spend.models import DeviationInvoiceLine

register = template.Library()

EVIDENCE_LIMIT = 100


@register.inclusion_tag("spend/_deviation_lines_table.html")
def deviation_invoice_lines(deviation: Any) -> dict[str, Any]:
    """Two queries at most, and none for deviations that are not about economy."""
    if getattr(deviation, "kind", "") != "economy":
        return {"evidence": []}
    qs = DeviationInvoiceLine.objects.filter(deviation=deviation)
    evidence = list(
        qs.select_related("line__document")
        .defer("line__document__original")
        .order_by("line__document_id", "line__position")[: EVIDENCE_LIMIT + 1]
    )
    more = qs.count() - EVIDENCE_LIMIT if len(evidence) > EVIDENCE_LIMIT else 0
    return {"evidence": evidence[:EVIDENCE_LIMIT], "more": more}
