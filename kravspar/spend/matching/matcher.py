"""The batch: ``Matcher`` loads a batch of documents and their lines in a fixed number of
queries, applies the document, line and deviation rules, and writes the matches;
``match_documents`` and the signal handlers feed it."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from kravspar.invoices.models import DocumentKind, InvoiceDocument, InvoiceLine
from kravspar.ledger.models import LEDGER_CUSTOMIZATION
from kravspar.spend import policy, unit_conversion
from kravspar.spend.matching.deviations import DeviationRules
from kravspar.spend.matching.documents import DocumentRules
from kravspar.spend.matching.lines import LineRules
from kravspar.spend.matching.rows import (
    CENT,
    DOC_FIELDS,
    LINE_FIELDS,
    PARSED_DOC_FIELDS,
    PRICE_PLACES,
    ZERO,
    ArticleRow,
    MatchSummary,
    StoredLine,
)
from kravspar.spend.matching.upserts import upsert_invoice_matches, upsert_line_matches
from kravspar.spend.models import (
    Check,
    InvoiceMatch,
    LineMatch,
    LineMethod,
    LineStatus,
    MatchMethod,
    MatchStatus,
    PriceCheck,
    SupplierSource,
)


class Matcher(DocumentRules, LineRules, DeviationRules):
    """Loads the contracts and units once; ``match`` then takes batches of documents."""

    def match(self, document_ids: Sequence[int]) -> MatchSummary:
        """Match these documents (new or again) in one transaction."""
        summary = MatchSummary()
        if not document_ids:
            return summary
        with transaction.atomic():
            self._match(list(document_ids), summary)
        return summary

    def match_stored(self, stored: Sequence[Any], *, fresh: bool = False) -> MatchSummary:
        """Match documents an import has just stored, from what it parsed: ``stored`` holds
        ``kravspar.invoices.services.StoredDocument`` items (the id, the parsed document and
        the parties found). The parsed lines are matched as they are (read by attribute,
        never copied into dicts); only the lines' ids are read back, in one query, unless the
        item brings them (``line_ids``). ``fresh``: the documents were stored in the caller's
        transaction, which has not committed, so nothing else can have matched them: no
        earlier match, finding or purchase is looked up, and the matches are plain inserts."""
        summary = MatchSummary()
        if not stored:
            return summary
        docs: list[dict[str, Any]] = []
        doc_fields = operator.attrgetter(*PARSED_DOC_FIELDS)
        for item in stored:
            doc = dict(zip(PARSED_DOC_FIELDS, doc_fields(item.parsed), strict=True))
            doc["id"], doc["buyer_organisation_id"], doc["supplier_id"] = item.pk, item.buyer_id, item.supplier_id
            docs.append(doc)
        lines_by_doc: dict[int, Sequence[Any]] = {item.pk: item.parsed.lines for item in stored}
        ids_by_doc: dict[int, list[int]] = {}
        wanted = []
        for item in stored:
            given = getattr(item, "line_ids", None)
            if given is not None:
                ids_by_doc[item.pk] = list(given)
            else:
                wanted.append(item.pk)
        if wanted:
            quote = connection.ops.quote_name
            table = quote(InvoiceLine._meta.db_table)
            placeholders = ", ".join(["%s"] * len(wanted))
            line_ids: dict[tuple[int, int], int] = {}
            with connection.cursor() as cursor:
                # Only quoted names from the model's metadata are formatted in; the ids are parameters.
                cursor.execute(
                    f"SELECT {quote('document_id')}, {quote('position')}, {quote('id')} FROM {table} "  # noqa: S608
                    f"WHERE {quote('document_id')} IN ({placeholders})",
                    wanted,
                )
                for doc_id, position, line_id in cursor.fetchall():
                    line_ids[(doc_id, position)] = line_id
            for doc_id in wanted:
                ids_by_doc[doc_id] = [line_ids[(doc_id, line.position)] for line in lines_by_doc[doc_id]]
        with transaction.atomic():
            self._match_loaded(docs, lines_by_doc, ids_by_doc, summary, fresh=fresh)
        return summary

    def _match(self, document_ids: list[int], summary: MatchSummary) -> None:
        docs = list(InvoiceDocument.objects.filter(pk__in=document_ids).values(*DOC_FIELDS))
        if not docs:
            return
        ids = [d["id"] for d in docs]
        lines_by_doc: dict[int, list[StoredLine]] = defaultdict(list)
        ids_by_doc: dict[int, list[int]] = defaultdict(list)
        for row in (
            InvoiceLine.objects.filter(document_id__in=ids)
            .order_by("document_id", "position")
            .values_list(*LINE_FIELDS)
        ):
            line = StoredLine(*row)
            lines_by_doc[line.document_id].append(line)
            ids_by_doc[line.document_id].append(line.id)
        self._match_loaded(docs, lines_by_doc, ids_by_doc, summary)

    def _match_loaded(
        self,
        docs: list[dict[str, Any]],
        lines_by_doc: Mapping[int, Sequence[Any]],
        ids_by_doc: Mapping[int, list[int]],
        summary: MatchSummary,
        *,
        fresh: bool = False,
    ) -> None:
        """Match loaded documents. ``lines_by_doc``: each document's lines, objects with the
        attributes of ``PARSED_LINE_FIELDS`` (the reader's ``ParsedLine`` or a ``StoredLine``);
        ``ids_by_doc``: their ids, in the same order."""
        now = timezone.now()
        summary.documents += len(docs)
        ids = [d["id"] for d in docs]
        existing: dict[int, InvoiceMatch] = (
            {} if fresh else {m.document_id: m for m in InvoiceMatch.objects.filter(document_id__in=ids)}
        )
        self._resolve_parties(docs)

        refs = {
            (d["seller_key"], d["billing_reference"].strip())
            for d in docs
            if d["kind"] == DocumentKind.CREDIT_NOTE and d["billing_reference"]
        }
        credited: dict[tuple[str, str], tuple[int, int | None]] = {}
        if refs:
            for pk, seller_key, number, credited_contract in InvoiceDocument.objects.filter(
                kind=DocumentKind.INVOICE, number__in={r[1] for r in refs}, seller_key__in={r[0] for r in refs}
            ).values_list("id", "seller_key", "number", "match__contract_id"):
                credited[(seller_key, number)] = (pk, credited_contract)

        manual_lines: dict[int, LineMatch] = (
            {}
            if fresh
            else {
                lm.line_id: lm for lm in LineMatch.objects.filter(line__document_id__in=ids, method=LineMethod.MANUAL)
            }
        )
        periods_by_doc = self._periods(docs, lines_by_doc)

        decided: dict[int, dict[str, Any]] = {}
        result: dict[str, Any]
        # Invoices first, so that a credit note can take the contract of an invoice in the same batch.
        docs.sort(key=lambda d: (d["kind"] != DocumentKind.INVOICE, d["id"]))
        for doc in docs:
            before = existing.get(doc["id"])
            if before is not None and before.method == MatchMethod.MANUAL:
                result = {
                    "status": MatchStatus.MATCHED,
                    "method": MatchMethod.MANUAL,
                    "detail": before.detail,
                    "contract_id": before.contract_id,
                    "candidates": [],
                    "credited_id": before.credited_document_id,
                    "nearest": None,
                }
                if before.supplier_id and before.supplier_id != doc["supplier_id"]:
                    doc["supplier_id"], doc["supplier_via"] = before.supplier_id, SupplierSource.CONTRACT
            else:
                result = self._match_contract(doc, credited, decided)
            decided[doc["id"]] = result

        contract_ids = {r["contract_id"] for r in decided.values() if r["contract_id"]}
        self._load_articles(
            docs, decided, lines_by_doc, periods_by_doc, [lm.article_id for lm in manual_lines.values()]
        )
        by_item, by_gtin, articles, prepared = self._by_item, self._by_gtin, self._articles, self._prepared
        units_of = self._unit_of
        normalise = unit_conversion.normalise
        check_price = self._check_price

        # Decide every line, then write the documents' matches and the lines' matches. A
        # line's match is a tuple in ``LINE_ROW_FIELDS`` order, less the invoice match's id
        # (added when it is known).
        match_rows: list[dict[str, Any]] = []
        line_rows: list[tuple[int, list[tuple[Any, ...]]]] = []
        findings: dict[tuple[int, int, str], list[tuple[int, Decimal | None, Decimal]]] = defaultdict(list)
        # What the deviation's description says beyond the lines (units, currencies, periods).
        context: dict[tuple[int, int, str], dict[str, Any]] = defaultdict(dict)
        # Each contract's new kronor spend in this batch, for the running totals.
        spend: dict[int, Decimal] = defaultdict(Decimal)
        now_db = connection.ops.adapt_datetimefield_value(now)
        # The issue date as the line matches' column takes it, once per document rather
        # than once per line in the driver's adapter (SQLite: the same ISO text).
        adapt_date = connection.ops.adapt_datefield_value
        one = Decimal(1)
        minus_one = Decimal(-1)
        kronor = policy.KRONOR
        matched, no_article = LineStatus.MATCHED, LineStatus.NO_ARTICLE
        not_checked, no_contract = LineStatus.NOT_PRICE_CHECKED, LineStatus.NO_CONTRACT
        by_seller_item, by_manual, no_method = LineMethod.SELLER_ITEM_ID, LineMethod.MANUAL, LineMethod.NONE
        same_unit, converted_check = PriceCheck.SAME_UNIT, PriceCheck.CONVERTED
        unit_differs, none_check = PriceCheck.UNIT_DIFFERS, PriceCheck.NONE
        invoice_kind = DocumentKind.INVOICE
        for doc in docs:
            doc_id = doc["id"]
            result = decided[doc_id]
            contract_id: int | None = result["contract_id"]
            is_invoice = doc["kind"] == invoice_kind
            sign = one if is_invoice or doc["kind"] != DocumentKind.CREDIT_NOTE else minus_one
            currency = doc["currency"].upper()
            org_id = doc["buyer_organisation_id"]
            unit_id = self.units.get((org_id, doc["buyer_reference"].strip().lower())) if org_id else None
            supplier_id = doc["supplier_id"]
            issue_date = doc["issue_date"]
            issue_date_db = adapt_date(issue_date)
            contracted = contract_id is not None
            # A financial-system line without article (ledger app) counts for spend and
            # contract loyalty; there is no article whose price it could be checked against.
            ledger = doc["customization_id"] == LEDGER_CUSTOMIZATION
            unmatched = 0
            total = Decimal(0)
            info = self.contracts.get(contract_id) if contract_id is not None else None
            lines = lines_by_doc.get(doc_id, ())
            line_ids = ids_by_doc.get(doc_id, [])
            periods = periods_by_doc[doc_id]
            rows: list[tuple[Any, ...]] = []
            check_lines = contracted and is_invoice
            for line, line_id, period in zip(lines, line_ids, periods, strict=True):
                amount = (line.line_net_amount * sign).quantize(CENT)
                total += amount
                price = (line.price_amount / (line.base_quantity or one)).quantize(PRICE_PLACES)
                manual = manual_lines.get(line_id) if manual_lines else None
                article: ArticleRow | None = None
                method: str = no_method
                line_status: str
                kind: str
                if contract_id is not None:
                    if manual is not None and manual.article_id is not None:
                        candidate = articles.get(manual.article_id)
                        if candidate is not None and candidate.contract_id == contract_id:
                            article, method = candidate, by_manual
                    if article is None:
                        item = line.seller_item_id
                        found = by_item.get((contract_id, item.strip())) if item else None
                        if (
                            found is not None
                            and len(found) == 1
                            and ((start := found[0].valid_from) is None or start <= period.end)
                            and ((end := found[0].valid_to) is None or period.start <= end)
                        ):
                            article, method = found[0], by_seller_item  # the common case, decided here
                        else:
                            article, method = self._article_for(line, contract_id, period, by_item, by_gtin)
                    line_status = (
                        matched
                        if article is not None
                        else not_checked
                        if ledger and not (line.seller_item_id or line.standard_item_id)
                        else no_article
                    )
                else:
                    line_status = no_contract
                over = False
                overcharge = ZERO
                compared = None
                if article is None:
                    kind, agreed, on_terms = none_check, None, False
                else:
                    agreed_currency, agreed_unit, limit = prepared[article.id]
                    unit = units_of.get(line.unit_code)
                    if unit is None:
                        unit = units_of[line.unit_code] = normalise(line.unit_code)
                    if currency == agreed_currency and unit == agreed_unit:
                        # The same unit (``_check_price``'s first case, with the limit computed once).
                        agreed = article.net_price
                        kind = same_unit
                        over = price > limit
                        on_terms = price <= agreed
                        if over and is_invoice:
                            overcharge = ((price - agreed) * line.quantity).quantize(CENT, ROUND_HALF_UP)
                    else:
                        check = check_price(line, price, article, currency, is_invoice)
                        kind, agreed, over, on_terms = check.kind, check.agreed, check.over, check.on_terms
                        overcharge, compared = check.overcharge, check.compared
                if line_status == no_article:
                    unmatched += 1
                over_price = over and is_invoice
                by_hand = method == by_manual and manual is not None
                rows.append(
                    (
                        line_id,
                        line_status,
                        method,
                        article.id if article is not None else None,
                        org_id,
                        unit_id,
                        supplier_id,
                        contract_id,
                        issue_date_db,
                        currency,
                        amount,
                        price,
                        agreed,
                        kind,
                        compared,
                        contracted,
                        # Right supplier on a contract; with no article there is no price to be off terms.
                        True if line_status == not_checked else on_terms,
                        over_price,
                        overcharge,
                        manual.matched_by_id if by_hand else None,  # type: ignore[union-attr]
                        connection.ops.adapt_datetimefield_value(manual.matched_at) if by_hand else now_db,  # type: ignore[union-attr]
                        1,
                    )
                )
                if not check_lines:
                    continue
                assert contract_id is not None
                evidence = (line_id, agreed, ZERO)
                if over_price:
                    findings[(contract_id, doc_id, Check.OVER_PRICE)].append((line_id, agreed, overcharge))
                    if kind == converted_check:
                        context[(contract_id, doc_id, Check.OVER_PRICE)]["converted"] = True
                if line_status == no_article:
                    findings[(contract_id, doc_id, Check.NOT_ON_CONTRACT)].append(evidence)
                if kind == unit_differs and article is not None:
                    key = (contract_id, doc_id, Check.UNIT_DIFFERS)
                    findings[key].append(evidence)
                    context[key].setdefault("units", set()).add((line.unit_code or "–", article.unit_code))
                agreed_currency = prepared[article.id][0] if article is not None else kronor
                if currency != agreed_currency:
                    key = (contract_id, doc_id, Check.CURRENCY_DIFFERS)
                    findings[key].append(evidence)
                    context[key].setdefault("agreed", set()).add(agreed_currency)
                    context[key]["currency"] = currency
                # After the end only when what the line covers goes past it (an arrears invoice
                # for the last month does not); a line's own period decides for that line.
                if info is not None and period.end > info.end:
                    key = (contract_id, doc_id, Check.AFTER_END)
                    findings[key].append(evidence)
                    context[key].setdefault("periods", []).append(period)
                    if not (doc["dates_given"] or line.period_start or line.period_end):
                        context[key]["issue_date_counts"] = True
            line_rows.append((doc_id, rows))
            summary.lines += len(rows)
            if contract_id is not None and currency == kronor:
                spend[contract_id] += total
            before = existing.get(doc_id)
            status = result["status"]
            reviewed = before is not None and before.reviewed_at is not None
            match_rows.append(
                {
                    "document_id": doc_id,
                    "status": status,
                    "method": result["method"],
                    "detail": (result["detail"] or "")[:200],
                    "organisation_id": org_id,
                    "unit_id": unit_id,
                    "supplier_id": supplier_id,
                    "supplier_via": doc["supplier_via"],
                    "contract_id": contract_id,
                    "credited_document_id": result["credited_id"],
                    "issue_date": issue_date,
                    "covered_from": doc["covered"].start,
                    "covered_to": doc["covered"].end,
                    "currency": currency,
                    "net_amount": total,
                    "unmatched_lines": unmatched,
                    "needs_attention": (status != MatchStatus.MATCHED or unmatched > 0) and not reviewed,
                    "matched_at": before.matched_at
                    if before is not None and result["method"] == MatchMethod.MANUAL
                    else now,
                    "matched_by_id": before.matched_by_id
                    if before is not None and result["method"] == MatchMethod.MANUAL
                    else None,
                    "version": 1,
                }
            )
            if status == MatchStatus.MATCHED:
                summary.matched += 1
            if status != MatchStatus.MATCHED or unmatched:
                summary.queued += 1

        upsert_invoice_matches(match_rows, now=now, update=not fresh)
        match_ids = dict(InvoiceMatch.objects.filter(document_id__in=ids).values_list("document_id", "id"))
        through = InvoiceMatch.candidates.through
        if not fresh:
            through.objects.filter(invoicematch_id__in=match_ids.values()).delete()
        candidates = [
            through(invoicematch_id=match_ids[doc_id], contract_id=contract_id)
            for doc_id, r in decided.items()
            for contract_id in r["candidates"]
        ]
        if candidates:
            through.objects.bulk_create(candidates)
        upsert_line_matches(
            [(*row, match_id) for doc_id, rows in line_rows for match_id in (match_ids[doc_id],) for row in rows],
            update=not fresh,
        )
        self._off_contract(docs, decided, match_rows, now, summary, fresh=fresh)
        self._count_spend(spend, {r["contract_id"] for r in decided.values()}, existing.values())
        # One by one the line checks' deviations were raised before the running totals'; the
        # order (and so their numbers) is kept by raising them together in that order.
        findings.update(
            self._over_value(
                contract_ids, docs, decided, ids_by_doc, {m["document_id"]: m["net_amount"] for m in match_rows}
            )
        )
        self._raise(findings, docs, summary, context, fresh=fresh)


def match_documents(
    document_ids: Iterable[int], *, batch_size: int = 500, matcher: Matcher | None = None
) -> MatchSummary:
    """Match documents in batches of ``batch_size``, each in its own transaction."""
    matcher = matcher or Matcher()
    summary = MatchSummary()
    batch: list[int] = []
    for doc_id in document_ids:
        batch.append(doc_id)
        if len(batch) >= batch_size:
            summary.add(matcher.match(batch))
            batch = []
    if batch:
        summary.add(matcher.match(batch))
    return summary


def on_invoice_stored(sender: Any, document: InvoiceDocument, **kwargs: Any) -> None:
    match_documents([document.pk])


def on_invoices_stored(
    sender: Any, documents: Sequence[Any], run: dict[str, Any] | None = None, fresh: bool = False, **kwargs: Any
) -> None:
    """Match a stored group. One import run builds one ``Matcher`` (the contract index and
    the running totals) and keeps it in ``run`` for its later groups; a contract registered
    while a run is under way is therefore matched from the next run (or ``match_invoices``).
    When matching fails, its writes are rolled back by the sender (``invoices.services``):
    the run's matcher is dropped with them, since its running totals counted them."""
    matcher = None
    if run is not None:
        matcher = run.get("spend.matcher")
    if matcher is None:
        matcher = Matcher()
        if run is not None:
            run["spend.matcher"] = matcher
    try:
        matcher.match_stored(documents, fresh=fresh)
    except BaseException:
        if run is not None:
            run.pop("spend.matcher", None)
        raise
