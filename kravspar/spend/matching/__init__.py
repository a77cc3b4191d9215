"""Matching invoices to buyers, suppliers, contracts and price-list articles, and the
checks that turn what is found into follow-up.

Set-based: ``match_documents`` takes a batch of documents, loads what it needs into
dictionaries in a fixed number of queries (contracts, units, articles, earlier matches),
decides in Python, and writes with ``bulk_create`` (upserts). Deviations are raised only
for what the checks find, once per invoice, contract and check (``EconomyFinding``).

The order of the contract rules (domain § 5): the contract document reference (BT-12),
then the order reference (BT-13) and the buyer reference (BT-10), then supplier + buyer +
the period the invoice covers within the contract's period. A credit note with a billing
reference (BT-25) takes the contract of the invoice it credits. A match made by hand is
never overridden.

Dates. What an invoice is checked by is the period it covers (``policy.document_period``
and ``policy.line_period``: delivery date, invoice periods, the issue date only when none
is given), not the day it was written: an invoice in arrears for a contract's last month
is written after the end but covers days within it. The spend figures still count each
invoice on its issue date (``issue_date`` on the matches), the date its cost is booked on.

Units and currencies. A line's price is compared with the agreed price only in the
article's unit (converted by a fixed UN/ECE Rec 20 factor where there is one,
``unit_conversion``) and only in the agreed currency; anything else is a deviation of its
own, never a line silently left unchecked.

The package, along the matcher's own sections: ``rows`` (field lists and small records),
``contracts`` (the contract index), ``state`` (what a matcher keeps between batches),
``documents``, ``lines`` and ``deviations`` (the rules), ``matcher`` (the batch, and
``match_documents``) and ``upserts`` (the writes). Every name stays importable from here.
"""

from kravspar.spend.matching.contracts import ContractInfo, contract_end, load_contracts
from kravspar.spend.matching.deviations import DeviationRules
from kravspar.spend.matching.documents import DocumentRules
from kravspar.spend.matching.lines import LineRules, _articles_for_pairs
from kravspar.spend.matching.matcher import Matcher, match_documents, on_invoice_stored, on_invoices_stored
from kravspar.spend.matching.rows import (
    ARTICLE_CACHE_LIMIT,
    CENT,
    DOC_FIELDS,
    INVOICE_MATCH_UPDATE,
    LINE_FIELDS,
    LINE_ROW_FIELDS,
    PARSED_DOC_FIELDS,
    PARSED_LINE_FIELDS,
    PRICE_PLACES,
    ZERO,
    ArticleRow,
    MatchSummary,
    PriceResult,
    StoredLine,
    concrete_field,
    unit_price_of,
)
from kravspar.spend.matching.state import MatcherState
from kravspar.spend.matching.upserts import upsert_invoice_matches, upsert_line_matches

__all__ = [
    "ARTICLE_CACHE_LIMIT",
    "CENT",
    "DOC_FIELDS",
    "INVOICE_MATCH_UPDATE",
    "LINE_FIELDS",
    "LINE_ROW_FIELDS",
    "PARSED_DOC_FIELDS",
    "PARSED_LINE_FIELDS",
    "PRICE_PLACES",
    "ZERO",
    "ArticleRow",
    "ContractInfo",
    "DeviationRules",
    "DocumentRules",
    "LineRules",
    "MatchSummary",
    "Matcher",
    "MatcherState",
    "PriceResult",
    "StoredLine",
    "_articles_for_pairs",
    "concrete_field",
    "contract_end",
    "load_contracts",
    "match_documents",
    "on_invoice_stored",
    "on_invoices_stored",
    "unit_price_of",
    "upsert_invoice_matches",
    "upsert_line_matches",
]
