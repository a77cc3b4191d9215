"""The state a ``Matcher`` keeps between batches, shared by its rule classes."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from kravspar.organisations.models import Unit
from kravspar.spend import policy
from kravspar.spend.matching.contracts import ContractInfo, load_contracts
from kravspar.spend.matching.rows import (
    ArticleRow,
)


class MatcherState:
    """What a ``Matcher`` loads once (contracts, units) and keeps between batches (running
    totals, price-list articles); the rule classes below read it."""

    def __init__(self, *, tolerance: Decimal | None = None) -> None:
        self.tolerance = policy.tolerance_percent() if tolerance is None else tolerance
        self.contracts = load_contracts()
        self.by_number: dict[str, ContractInfo] = {c.number.strip().upper(): c for c in self.contracts.values()}
        self.by_supplier: dict[int, list[ContractInfo]] = defaultdict(list)
        for info in self.contracts.values():
            for supplier_id in info.supplier_ids:
                self.by_supplier[supplier_id].append(info)
        self.units: dict[tuple[int, str], int] = {
            (org_id, name.strip().lower()): pk
            for pk, org_id, name in Unit.objects.filter(is_active=True).values_list("id", "organisation_id", "name")
        }
        # Running kronor totals of the lines matched to each contract, summed in SQL the
        # first time a contract is met and then kept up to date from each batch's new lines,
        # so that the "spend past the contract value" check never re-sums earlier batches.
        self.spent: dict[int, Decimal] = {}
        # Contracts whose "spend past the contract value" deviation is known to exist (at
        # most one per contract, ever): not asked about again during the run.
        self._over_value_raised: set[int] = set()
        # The price-list articles loaded so far (``_load_articles``).
        self._article_keys: set[tuple[int, str, str]] = set()
        self._by_item: dict[tuple[int, str], list[ArticleRow]] = defaultdict(list)
        self._by_gtin: dict[tuple[int, str], list[ArticleRow]] = defaultdict(list)
        # (contract, seller's item id) pairs with exactly one article, valid at all times:
        # a line that names one is found by its item id whatever the period it covers.
        self._item_always: set[tuple[int, str]] = set()
        self._articles: dict[int, ArticleRow] = {}
        # Per article, what the price check compares with: its currency in capitals, its
        # unit normalised, and the highest price still accepted (``policy.price_limit``).
        self._prepared: dict[int, tuple[str, str, Decimal]] = {}
        # Unit codes as invoiced -> normalised (``unit_conversion.normalise``).
        self._unit_of: dict[str, str] = {}
