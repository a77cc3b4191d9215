"""The invoice lines behind an economy deviation, for the deviation page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import template

from kravspar.spend import policy
from kravspar.spend.models import DeviationInvoiceLine

register = template.Library()


@dataclass(frozen=True)
class Evidence:
    """One line of evidence with what the deviation page shows beside it."""

    e: DeviationInvoiceLine
    covered: policy.Period
    agreed_unit: str
    compared_price: Decimal | None


EVIDENCE_LIMIT = 100


@register.inclusion_tag("spend/_deviation_lines_table.html")
def deviation_invoice_lines(deviation: Any) -> dict[str, Any]:
    """Two queries at most, and none for deviations that are not about economy."""
    if getattr(deviation, "kind", "") != "economy":
        return {"evidence": []}
    qs = DeviationInvoiceLine.objects.filter(deviation=deviation)
    evidence = list(
        qs.select_related("line__document", "line__match__article")
        .defer("line__document__original")
        .order_by("line__document_id", "line__position")[: EVIDENCE_LIMIT + 1]
    )
    more = qs.count() - EVIDENCE_LIMIT if len(evidence) > EVIDENCE_LIMIT else 0
    rows = []
    for e in evidence[:EVIDENCE_LIMIT]:
        # What the line covers, as the checks judged it: its own period, else the document's
        # delivery date and invoice period, else the issue date.
        doc = e.line.document
        covered = policy.line_period(
            policy.document_period(doc.issue_date, doc.delivery_date, doc.period_start, doc.period_end),
            e.line.period_start,
            e.line.period_end,
        )
        line_match = getattr(e.line, "match", None)
        article = line_match.article if line_match is not None else None
        rows.append(
            Evidence(
                e=e,
                covered=covered,
                agreed_unit=article.unit_code if article is not None else "",
                compared_price=line_match.compared_price if line_match is not None else None,
            )
        )
    return {"evidence": rows, "more": more}
