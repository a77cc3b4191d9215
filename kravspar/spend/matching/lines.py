"""The line rules: each line's price-list article (by seller's item id or GTIN, valid on the
line's date) and its price compared with the agreed one."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db import connection

from kravspar.core.bulk import values_table
from kravspar.spend import policy, unit_conversion
from kravspar.spend.matching.rows import (
    ARTICLE_CACHE_LIMIT,
    CENT,
    PRICE_PLACES,
    ZERO,
    ArticleRow,
    PriceResult,
    concrete_field,
)
from kravspar.spend.matching.state import MatcherState
from kravspar.spend.models import (
    LineMethod,
    PriceCheck,
    PriceListArticle,
)
from kravspar.spend.policy import Period


def _articles_for_pairs(kind: str, pairs: Sequence[tuple[int, str]]) -> list[ArticleRow]:
    """The articles of exactly these (contract, seller's item id) or (contract, GTIN) pairs,
    newest first, in one query that joins them as a table (``values_table``: a ``VALUES``
    list on SQLite, arrays on PostgreSQL). The ORM would need a hundred ORed conditions to
    say it."""
    if not pairs:
        return []
    quote = connection.ops.quote_name
    meta = PriceListArticle._meta
    column = quote(str(concrete_field(PriceListArticle, "seller_item_id" if kind == "item" else "gtin").column))
    fields = ", ".join(
        # SQLite would give the price as a float: as text it keeps its digits. PostgreSQL
        # gives a Decimal.
        f"CAST(a.{quote('net_price')} AS TEXT)"
        if name == "net_price" and connection.vendor == "sqlite"
        else f"a.{quote(name)}"
        for name in ("id", "contract_id", "seller_item_id", "gtin", "unit_code", "net_price", "currency")
    )
    joined, params = values_table(pairs, ("bigint", "text"))
    # Only quoted names from the model's metadata are formatted in; the pairs are parameters.
    sql = (
        f"SELECT {fields}, a.{quote('valid_from')}, a.{quote('valid_to')} "  # noqa: S608
        f"FROM {quote(meta.db_table)} a JOIN {joined} "
        f"ON a.{quote('contract_id')} = w.column1 AND a.{column} = w.column2 "
        f"ORDER BY a.{quote('valid_from')} DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()

    # SQLite gives the days as text; a price list has few distinct ones.
    days: dict[Any, datetime.date | None] = {None: None}

    def day(value: Any) -> datetime.date | None:
        found = days.get(value, days)
        if found is days:
            found = days[value] = datetime.date.fromisoformat(value) if isinstance(value, str) else value
        return found  # type: ignore[return-value]

    return [
        ArticleRow(
            pk,
            contract_id,
            item,
            gtin,
            unit,
            Decimal(price),
            currency,
            day(valid_from) if valid_from is not None else None,
            day(valid_to) if valid_to is not None else None,
        )
        for pk, contract_id, item, gtin, unit, price, currency, valid_from, valid_to in rows
    ]


class LineRules(MatcherState):
    """Finding each line's article and checking its price."""

    def _load_articles(
        self,
        docs: list[dict[str, Any]],
        decided: dict[int, dict[str, Any]],
        lines_by_doc: Mapping[int, Sequence[Any]],
        periods_by_doc: Mapping[int, list[Period]],
        manual_ids: Iterable[int | None],
    ) -> None:
        """Load the price-list articles the lines can match that earlier batches of the run
        have not: only (contract, seller's item id) and (contract, GTIN) pairs that a line
        names, since a price list may hold thousands; a line's GTIN only when no article
        with its item id is valid during the line's period (``_article_for`` looks no
        further then), which spares loading most articles twice. What a pair found stays
        for the run, like the contract index (an article added while a run is under way
        counts from the next run or ``match_invoices``). Needs the lines' periods
        (``_periods``)."""
        if len(self._article_keys) > ARTICLE_CACHE_LIMIT:
            self._article_keys.clear()
            self._by_item.clear()
            self._by_gtin.clear()
            self._item_always.clear()
            self._articles.clear()
            self._prepared.clear()
        keys = self._article_keys
        with_contract = [
            (contract_id, lines_by_doc.get(doc["id"], ()), periods_by_doc[doc["id"]])
            for doc in docs
            if (contract_id := decided[doc["id"]]["contract_id"]) is not None
        ]
        items = {
            (contract_id, item)
            for contract_id, lines, _periods in with_contract
            for line in lines
            if (item := line.seller_item_id.strip())
        }
        self._load_pairs("item", [pair for pair in items if (pair[0], "item", pair[1]) not in keys], self._by_item)
        by_item, always = self._by_item, self._item_always
        gtins: set[tuple[int, str]] = set()
        for contract_id, lines, periods in with_contract:
            for line, period in zip(lines, periods, strict=True):
                item = line.seller_item_id.strip()
                if item and (contract_id, item) in always:
                    continue  # found by its item id (the common case, decided by one look-up)
                if line.standard_item_scheme != "0160" or not (gtin := line.standard_item_id.strip()):
                    continue
                found = by_item.get((contract_id, item)) if item else None
                if found is not None and (
                    # One article valid at all times (the common case), or one valid in the period.
                    (len(found) == 1 and found[0].valid_from is None and found[0].valid_to is None)
                    or any(period.overlaps(a.valid_from, a.valid_to) for a in found)
                ):
                    continue  # found by its item id
                if (contract_id, "gtin", gtin) in keys:
                    continue
                gtins.add((contract_id, gtin))
        self._load_pairs("gtin", list(gtins), self._by_gtin)
        manual = [pk for pk in manual_ids if pk is not None and pk not in self._articles]
        if manual:
            for row in PriceListArticle.objects.filter(pk__in=manual).values_list(*ArticleRow._fields):
                self._add_article(ArticleRow(*row))

    def _add_article(self, article: ArticleRow) -> None:
        self._articles[article.id] = article
        self._prepared[article.id] = self._prepare(article)

    def _prepare(self, article: ArticleRow) -> tuple[str, str, Decimal]:
        """What the price check compares a line with: the article's currency in capitals,
        its unit normalised (cached per code) and the highest price still accepted."""
        unit = self._unit_of.get(article.unit_code)
        if unit is None:
            unit = self._unit_of[article.unit_code] = unit_conversion.normalise(article.unit_code)
        return article.currency.upper(), unit, policy.price_limit(article.net_price, self.tolerance)

    def _load_pairs(
        self, kind: str, pairs: list[tuple[int, str]], index: dict[tuple[int, str], list[ArticleRow]]
    ) -> None:
        self._article_keys.update((contract_id, kind, value) for contract_id, value in pairs)
        articles, prepared, prepare = self._articles, self._prepared, self._prepare
        by_item = kind == "item"
        for start in range(0, len(pairs), 500):
            for loaded in _articles_for_pairs(kind, pairs[start : start + 500]):
                articles[loaded.id] = loaded
                prepared[loaded.id] = prepare(loaded)
                key = (loaded.contract_id, loaded.seller_item_id if by_item else loaded.gtin)
                found = index.get(key)
                if found is None:
                    index[key] = [loaded]
                else:
                    found.append(loaded)
        if by_item:  # every article of these pairs is loaded now: note the pairs with one for all time
            always = self._item_always
            for pair in pairs:
                found = index.get(pair)
                if found is not None and len(found) == 1 and found[0].valid_from is None and found[0].valid_to is None:
                    always.add(pair)

    @staticmethod
    def _article_for(
        line: Any,
        contract_id: int,
        period: Period,
        by_item: dict[tuple[int, str], list[ArticleRow]],
        by_gtin: dict[tuple[int, str], list[ArticleRow]],
    ) -> tuple[ArticleRow | None, str]:
        """The price-list article of a line, valid during the period the line covers (an
        arrears invoice is priced by the price list of the months it bills, not of the day
        it was written). When the period spans a price change (an index adjustment on 1
        January), the article in the line's unit with the highest agreed price is taken:
        a price above it is above the agreed price on every day of the period, which is
        what a price deviation has to stand on."""
        unit = unit_conversion.normalise(line.unit_code)

        def valid(candidates: list[ArticleRow]) -> ArticleRow | None:
            found = [a for a in candidates if period.overlaps(a.valid_from, a.valid_to)]
            if len(found) <= 1:
                return found[0] if found else None
            # Candidates come newest first; max() keeps the first of equals.
            return max(found, key=lambda a: (a.unit_code == unit, a.net_price))

        if line.seller_item_id:
            article = valid(by_item.get((contract_id, line.seller_item_id.strip()), []))
            if article is not None:
                return article, LineMethod.SELLER_ITEM_ID
        gtin = line.standard_item_id.strip() if line.standard_item_scheme == "0160" else ""
        if gtin:
            article = valid(by_gtin.get((contract_id, gtin), []))
            if article is not None:
                return article, LineMethod.GTIN
        return None, LineMethod.NONE

    @staticmethod
    def _periods(docs: list[dict[str, Any]], lines_by_doc: Mapping[int, Sequence[Any]]) -> dict[int, list[Period]]:
        """The period each line covers, by document (in the order of its lines), and the
        span of the whole document (``doc["covered"]``): its lines' periods together, which
        is the document's own delivery date and period unless lines give their own."""
        line_period = policy.line_period
        periods_by_doc: dict[int, list[Period]] = {}
        for doc in docs:
            own = policy.document_period(
                doc["issue_date"], doc["delivery_date"], doc["period_start"], doc["period_end"]
            )
            doc["dates_given"] = bool(doc["delivery_date"] or doc["period_start"] or doc["period_end"])
            periods = [
                own
                if line.period_start is None and line.period_end is None
                else line_period(own, line.period_start, line.period_end)
                for line in lines_by_doc.get(doc["id"], ())
            ]
            periods_by_doc[doc["id"]] = periods
            if not periods or all(p is own for p in periods):
                doc["covered"] = own
            else:
                doc["covered"] = Period(min(p.start for p in periods), max(p.end for p in periods))
        return periods_by_doc

    def _check_price(
        self, line: Any, price: Decimal, article: ArticleRow | None, currency: str, is_invoice: bool
    ) -> PriceResult:
        """Compare a line's price with its article's, in the agreed currency and unit only."""
        if article is None:
            return PriceResult(PriceCheck.NONE, None)
        agreed = article.net_price
        if currency != article.currency.upper():
            # Never number to number: 10 EUR is not "below" 100 SEK.
            return PriceResult(PriceCheck.CURRENCY_DIFFERS, agreed)
        unit, agreed_unit = unit_conversion.normalise(line.unit_code), unit_conversion.normalise(article.unit_code)
        if unit == agreed_unit:
            over = policy.is_over_price(price, agreed, self.tolerance)
            overcharge = (
                ((price - agreed) * line.quantity).quantize(CENT, ROUND_HALF_UP) if over and is_invoice else ZERO
            )
            return PriceResult(PriceCheck.SAME_UNIT, agreed, over=over, on_terms=price <= agreed, overcharge=overcharge)
        if not unit_conversion.convertible(unit, agreed_unit):
            return PriceResult(PriceCheck.UNIT_DIFFERS, agreed)
        # Exact arithmetic: a price per minute is a price per hour times 60, with no rounding
        # that could move a price across the tolerance.
        converted = unit_conversion.price_in(price, unit, agreed_unit)
        over = policy.is_over_price(converted, Fraction(agreed), Fraction(self.tolerance))
        overcharge = ZERO
        if over and is_invoice:
            excess = (converted - Fraction(agreed)) * unit_conversion.quantity_in(line.quantity, unit, agreed_unit)
            overcharge = unit_conversion.to_decimal(excess, CENT)
        return PriceResult(
            PriceCheck.CONVERTED,
            agreed,
            over=over,
            on_terms=converted <= Fraction(agreed),
            overcharge=overcharge,
            compared=unit_conversion.to_decimal(converted, PRICE_PLACES),
        )
