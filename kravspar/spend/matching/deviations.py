"""What the checks raise: off-contract purchases, economy findings and their deviations
(once per invoice, contract and check), and spend past the contract's value with the
running totals it is measured against."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kravspar.audit.models import AuditEvent
from kravspar.audit.services import audit_record_many
from kravspar.contracts.models import Contract
from kravspar.invoices.models import DocumentKind
from kravspar.spend import policy
from kravspar.spend.matching.contracts import ContractInfo
from kravspar.spend.matching.rows import (
    MatchSummary,
)
from kravspar.spend.matching.state import MatcherState
from kravspar.spend.models import (
    Check,
    DeviationInvoiceLine,
    EconomyFinding,
    InvoiceMatch,
    LineMatch,
    MatchStatus,
    OffContractPurchase,
)
from kravspar.spend.policy import Period
from kravspar.spend.requirements import economy_requirements_for


class DeviationRules(MatcherState):
    """Raising what the checks find, and the running totals per contract."""

    def _off_contract(
        self,
        docs: list[dict[str, Any]],
        decided: dict[int, dict[str, Any]],
        match_rows: list[dict[str, Any]],
        now: datetime.datetime,
        summary: MatchSummary,
        *,
        fresh: bool = False,
    ) -> None:
        totals = {m["document_id"]: m["net_amount"] for m in match_rows}
        rows = [
            OffContractPurchase(
                document_id=d["id"],
                organisation_id=d["buyer_organisation_id"],
                supplier_id=d["supplier_id"],
                issue_date=d["issue_date"],
                currency=d["currency"].upper(),
                net_amount=totals[d["id"]],
                nearest_contract_id=decided[d["id"]]["nearest"],
            )
            for d in docs
            if decided[d["id"]]["status"] == MatchStatus.NO_CONTRACT
        ]
        if fresh:  # the documents were just stored: none has a purchase yet
            OffContractPurchase.objects.bulk_create(rows)
        elif rows:
            OffContractPurchase.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["document"],
                update_fields=["organisation", "supplier", "issue_date", "currency", "net_amount", "nearest_contract"],
            )
        summary.off_contract += len(rows)
        resolved = [d["id"] for d in docs if decided[d["id"]]["status"] == MatchStatus.MATCHED]
        if resolved and not fresh:
            OffContractPurchase.objects.filter(document_id__in=resolved, cleared_at__isnull=True).update(cleared_at=now)

    def _raise(
        self,
        findings: dict[tuple[int, int, str], list[tuple[int, Decimal | None, Decimal]]],
        docs: list[dict[str, Any]],
        summary: MatchSummary,
        context: dict[tuple[int, int, str], dict[str, Any]] | None = None,
        *,
        fresh: bool = False,
    ) -> None:
        if not findings:
            return
        doc_ids = {key[1] for key in findings}
        known = (
            {}
            if fresh
            else {
                (f.contract_id, f.document_id, f.check_type): f.deviation_id
                for f in EconomyFinding.objects.filter(document_id__in=doc_ids)
            }
        )
        numbers = {d["id"]: d["number"] for d in docs}
        new = [key for key in findings if key not in known]
        raised = dict(
            zip(
                new,
                self._new_deviations(
                    [(key, numbers[key[1]], findings[key], (context or {}).get(key, {})) for key in new]
                ),
                strict=True,
            )
        )
        summary.deviations += len(new)
        evidence: list[DeviationInvoiceLine] = []
        for key, lines in findings.items():
            deviation_id = known.get(key) or raised[key]
            check = key[2]
            evidence.extend(
                DeviationInvoiceLine(
                    deviation_id=deviation_id, line_id=line_id, check_type=check, agreed_price=agreed, overcharge=over
                )
                for line_id, agreed, over in lines
            )
        DeviationInvoiceLine.objects.bulk_create(evidence, ignore_conflicts=True)
        summary.evidence += len(evidence)

    def _describe(
        self, check: str, number: str, info: ContractInfo, lines: list[tuple[int, Decimal | None, Decimal]], ctx: dict
    ) -> tuple[str, str]:
        """The deviation's title and description, in the site's language. Each states only
        what the invoice itself says and what the contract agreed."""
        count = len(lines)
        if check == Check.OVER_PRICE:
            total = sum((over for _l, _a, over in lines), Decimal(0))
            title = _("Invoice %(number)s: priced above the contract") % {"number": number}
            description = ngettext(
                "%(count)d line of invoice %(number)s is priced more than %(tolerance)s %% above the price "
                "list's agreed price, %(total)s SEK in all.",
                "%(count)d lines of invoice %(number)s are priced more than %(tolerance)s %% above the price "
                "list's agreed price, %(total)s SEK in all.",
                count,
            ) % {"count": count, "number": number, "tolerance": self.tolerance, "total": total}
            if ctx.get("converted"):
                description += " " + _(
                    "Lines invoiced in another unit than the price list's were converted to the agreed unit by the "
                    "fixed factor of UN/ECE Recommendation 20 before they were compared."
                )
            return title, description
        if check == Check.NOT_ON_CONTRACT:
            title = _("Invoice %(number)s: articles not on the contract") % {"number": number}
            description = ngettext(
                "%(count)d line of invoice %(number)s is for an article that is not on the contract's price list.",
                "%(count)d lines of invoice %(number)s are for articles that are not on the contract's price list.",
                count,
            ) % {"count": count, "number": number}
            return title, description
        if check == Check.AFTER_END:
            periods: list[Period] = ctx.get("periods") or []
            covered = Period(min(p.start for p in periods), max(p.end for p in periods)) if periods else None
            title = _("Invoice %(number)s: invoiced after the contract ended") % {"number": number}
            description = ngettext(
                "%(count)d line of invoice %(number)s covers %(period)s, past the contract's end, %(end)s.",
                "%(count)d lines of invoice %(number)s cover %(period)s, past the contract's end, %(end)s.",
                count,
            ) % {"count": count, "number": number, "period": covered or "–", "end": info.end}
            if ctx.get("issue_date_counts"):
                description += " " + ngettext(
                    "The invoice gives no delivery date or invoice period for it, so its issue date counts.",
                    "The invoice gives no delivery date or invoice period for them, so its issue date counts.",
                    count,
                )
            else:
                description += " " + _(
                    "The period is the invoice's own delivery date and invoice periods (BT-72, BT-73/74, BT-134/135)."
                )
            return title, description
        if check == Check.UNIT_DIFFERS:
            units = ", ".join(
                _("%(unit)s instead of %(agreed)s") % {"unit": unit, "agreed": agreed}
                for unit, agreed in sorted(ctx.get("units") or set())
            )
            title = _("Invoice %(number)s: unit differs from the agreed unit") % {"number": number}
            description = ngettext(
                "%(count)d line of invoice %(number)s is invoiced in another unit than the price list's "
                "(%(units)s). UN/ECE Recommendation 20 gives no fixed factor between them, so its price cannot "
                "be checked against the agreed price.",
                "%(count)d lines of invoice %(number)s are invoiced in another unit than the price list's "
                "(%(units)s). UN/ECE Recommendation 20 gives no fixed factor between them, so their prices cannot "
                "be checked against the agreed prices.",
                count,
            ) % {"count": count, "number": number, "units": units}
            return title, description
        if check == Check.CURRENCY_DIFFERS:
            title = _("Invoice %(number)s: currency differs from the agreement") % {"number": number}
            description = _(
                "Invoice %(number)s is in %(currency)s, but the contract and its price list are in %(agreed)s. Its "
                "prices are not compared with the agreed prices and its amounts are not counted in the spend figures."
            ) % {
                "number": number,
                "currency": ctx.get("currency", "–"),
                "agreed": ", ".join(sorted(ctx.get("agreed") or {policy.KRONOR})),
            }
            return title, description
        title = _("Spend past the contract value")
        description = _("With invoice %(number)s the invoiced amount passed the contract's value of %(value)s SEK.") % {
            "number": number,
            "value": info.value,
        }
        return title, description

    def _new_deviations(
        self,
        items: list[tuple[tuple[int, int, str], str, list[tuple[int, Decimal | None, Decimal]], dict[str, Any]]],
    ) -> list[int]:
        """Raise a deviation for each (contract, document, check) found, in bulk: what
        ``economy_requirement_for`` and ``deviation_raise_on_contract`` do one by one (each
        tied to its contract's economy requirement, added if the contract has none, so that
        it counts under aim 1 like any other), with the same numbering (in the order of
        ``items``) and the same history events in the same order, in a fixed number of
        queries. Returns the deviations' ids."""
        if not items:
            return []
        from kravspar.findings.services import ContractDeviation, deviations_raise_on_contracts

        contract_ids = list(dict.fromkeys(key[0] for key, _n, _l, _c in items))
        contracts = Contract.objects.in_bulk(contract_ids)
        added: dict[int, AuditEvent] = {}
        raised: list[AuditEvent] = []
        with translation.override(settings.LANGUAGE_CODE):
            texts = [
                self._describe(key[2], number, self.contracts[key[0]], lines, ctx) for key, number, lines, ctx in items
            ]
            requirements = economy_requirements_for(contracts=[contracts[pk] for pk in contract_ids], history=added)
            deviations = deviations_raise_on_contracts(
                actor=None,
                items=[
                    ContractDeviation(
                        contract=contracts[key[0]],
                        kind="economy",
                        severity=policy.SEVERITY[key[2]],
                        title=title,
                        description=description,
                        requirement=requirements[key[0]],
                    )
                    for (key, _n, _l, _c), (title, description) in zip(items, texts, strict=True)
                ],
                history=raised,
            )
        # One by one, a contract's "requirement added" event came just before its first deviation's.
        events: list[AuditEvent] = []
        for (key, _n, _l, _c), event in zip(items, raised, strict=True):
            first = added.pop(key[0], None)
            if first is not None:
                events.append(first)
            events.append(event)
        audit_record_many(events)
        EconomyFinding.objects.bulk_create(
            EconomyFinding(contract_id=key[0], document_id=key[1], check_type=key[2], deviation=deviation)
            for (key, _n, _l, _c), deviation in zip(items, deviations, strict=True)
        )
        return [deviation.pk for deviation in deviations]

    def _over_value(
        self,
        contract_ids: set[int],
        docs: list[dict[str, Any]],
        decided: dict[int, dict[str, Any]],
        ids_by_doc: Mapping[int, list[int]],
        totals: Mapping[int, Decimal],
    ) -> dict[tuple[int, int, str], list[tuple[int, Decimal | None, Decimal]]]:
        """The "spend past the contract value" findings of a batch (at most one per contract,
        ever), for ``_raise``. Called after ``_count_spend``: the running totals already hold
        the batch. ``totals``: each document's net amount as matched (a credit note's
        negative), what the batch added to its contract's total when in kronor.

        The finding names the invoice at which the contract's running kronor total went past
        the value: the batch's kronor documents of the contract, in (issue date, id) order,
        are added one by one to the total known before the batch, and the first invoice
        after which the total is above the value is named. That is the invoice a supplier
        (or an auditor) can check: the sum of what came before it is at most the value, and
        with it the sum is above. It is also the same invoice however the import groups the
        files (one by one, a hundred at a time or all at once) as long as the files come in
        that order; naming the batch's last invoice, as before, made the finding depend on
        the grouping. Credit notes count as ``spent_in_kronor`` counts them (negative, so
        they never take the total past the value, and a credit note is never named); a
        document in another currency is not added (the value is in kronor). Once past, the
        finding stays raised even if a later credit note brings the total back below."""
        found: dict[tuple[int, int, str], list[tuple[int, Decimal | None, Decimal]]] = {}
        raised = self._over_value_raised
        with_value = [
            c
            for c in contract_ids
            if c not in raised and (info := self.contracts.get(c)) is not None and info.value is not None
        ]
        if not with_value:
            return found
        # The running totals first (no query for contracts already met).
        spent = self.spent_in_kronor(with_value)
        kronor = policy.KRONOR
        theirs: dict[int, list[dict[str, Any]]] = {c: [] for c in with_value}
        for d in docs:
            group = theirs.get(decided[d["id"]]["contract_id"])
            if group is not None and d["currency"].upper() == kronor:
                group.append(d)
        crossing: dict[int, dict[str, Any]] = {}
        for contract_id in with_value:
            value = self.contracts[contract_id].value
            ordered = sorted(theirs[contract_id], key=lambda d: (d["issue_date"], d["id"]))
            # The total before the batch: the running total less what the batch added.
            total = spent[contract_id] - sum((totals[d["id"]] for d in ordered), Decimal(0))
            for d in ordered:
                total += totals[d["id"]]
                if d["kind"] == DocumentKind.INVOICE and total > value:  # type: ignore[operator]
                    crossing[contract_id] = d
                    break
        if not crossing:
            return found
        # Only a contract past its value needs asking whether it was raised before.
        raised.update(
            EconomyFinding.objects.filter(contract_id__in=list(crossing), check_type=Check.OVER_VALUE).values_list(
                "contract_id", flat=True
            )
        )
        for contract_id, d in crossing.items():
            if contract_id in raised:
                continue
            found[(contract_id, d["id"], str(Check.OVER_VALUE))] = [
                (line_id, None, Decimal(0)) for line_id in ids_by_doc.get(d["id"], [])
            ]
            raised.add(contract_id)  # raised with the batch's other findings, or the batch fails
        return found

    def _count_spend(
        self, spend: Mapping[int, Decimal], touched: Iterable[int | None], before: Iterable[InvoiceMatch]
    ) -> None:
        """Add the batch's kronor lines (just written; ``spend``: their sum per contract) to
        the running totals. A document matched before may have counted for another
        contract: the totals of the contracts it and the batch (``touched``) touch are
        dropped and summed afresh in SQL when next needed."""
        earlier = [m.contract_id for m in before if m.contract_id is not None]
        if earlier:
            for contract_id in {*earlier, *touched}:
                if contract_id is not None:
                    self.spent.pop(contract_id, None)
            return
        for contract_id, amount in spend.items():
            if contract_id in self.spent:
                self.spent[contract_id] += amount

    def spent_in_kronor(self, contract_ids: Iterable[int]) -> dict[int, Decimal]:
        """The kronor invoiced on each contract so far (the value is in kronor: only lines
        in kronor are added up against it). One query for the contracts not yet known."""
        wanted = list(contract_ids)
        unknown = [c for c in wanted if c not in self.spent]
        if unknown:
            totals = dict(
                LineMatch.objects.filter(contract_id__in=unknown, currency=policy.KRONOR)
                .values_list("contract_id")
                .annotate(total=Sum("net_amount"))
                .values_list("contract_id", "total")
            )
            for contract_id in unknown:
                self.spent[contract_id] = totals.get(contract_id) or Decimal(0)
        return {c: self.spent[c] for c in wanted}
