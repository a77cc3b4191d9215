"""Storing e-invoices. Every document is stored with its original bytes, header and lines
together, so a killed import leaves whole invoices only and running it again completes
the work (what was stored is reported as a duplicate). A folder import (``import_paths``,
the command) stores a group of documents in one transaction with a savepoint per
document: one bad document is rolled back to its savepoint and the others of the group
are stored; a kill rolls back the unfinished group as a whole. Uploads and the API
(``import_files``) keep one transaction (or savepoint) per document.

Duplicates are found twice: a cheap look-up before storing (one query per group of
documents), and the database's unique constraints on ``sha256`` and on
(``seller_key``, ``number``, ``kind``), which decide when two imports race.

Entry points:
- ``import_paths(paths, actor=, progress=)``: files and folders (the command, the benchmark);
- ``import_files([(name, bytes)], actor=, source=)``: uploads and the API;
- ``store_documents(parsed_docs, ...)``: the lower level, for callers that parse themselves.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import logging
import operator
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.audit.services import audit_record
from kravspar.core.bulk import copy_rows, in_values, insert_rows, values_table
from kravspar.invoices import originals, signals
from kravspar.invoices.models import (
    BatchSource,
    BatchStatus,
    ImportBatch,
    ImportProblem,
    InvoiceDocument,
    InvoiceLine,
    ProblemSeverity,
)
from kravspar.invoices.ubl import InvoiceRejected, ParsedDocument, ProblemCode, Warning_, parse, sha256_of
from kravspar.organisations.identifiers import SWEDISH_ORGNR_SCHEME
from kravspar.organisations.models import Organisation
from kravspar.suppliers.models import Supplier

if TYPE_CHECKING:
    from kravspar.accounts.models import User

logger = logging.getLogger(__name__)

LINE_BATCH_SIZE = 500
# A folder import (``import_paths``, the command) stores, matches and commits this many files
# at a time: each group costs a fixed set of queries (duplicates, sellers, articles, the
# invoice matches' ids, deviations) and a commit, about 14 ms, so larger groups cost less in
# all (measured in docs/benchmarks.md, "sixth pass: groups"). The matching's results do not
# depend on the group size (the "spend past the contract value" finding names the invoice
# that crossed the value, not the group's last), and a kill still loses only the unfinished
# group, which the next run stores.
GROUP_SIZE = 500
# ... and a group also ends once its files hold this many bytes. A group is held in memory
# until it is stored: its originals, what the reader parsed (about 1.5 times the file's
# bytes), the rows written and the matches, in all about 3.7 times its files' bytes at the
# peak (measured: 120 invoices of 1.7 MB, peak RSS 437 MB with this cap, 911 MB in one
# group). With files at the 5 MB limit a group of ``GROUP_SIZE`` files would be 2.5 GB of
# originals, about 9 GB of memory; with this cap a group holds at most 64 MB of files plus
# one, about 250 MB, and groups of ordinary invoices (10-50 kB each) never reach it.
GROUP_BYTES = 64 * 1024 * 1024
# Uploads and the API (``import_files``) store each document in its own transaction, so a
# group only batches the duplicate look-up there; it is also how often an upload job's
# progress bar moves, so it stays at 100.
UPLOAD_GROUP_SIZE = 100


def max_file_bytes() -> int:
    return int(getattr(settings, "KRAVSPAR_INVOICE_MAX_BYTES", 5 * 1024 * 1024))


IMPORTED = "imported"
DUPLICATE = "duplicate"
REFUSED = "refused"


@dataclass(slots=True)
class Outcome:
    file_name: str
    status: str  # IMPORTED, DUPLICATE or REFUSED
    sha256: str = ""
    code: str = ""
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    document: InvoiceDocument | None = None  # uploads and the API: the stored document
    existing: InvoiceDocument | None = None  # for a duplicate: the document stored before
    line_count: int = 0  # for a stored document
    warned: bool = False  # stored with warnings


@dataclass(slots=True)
class StoredDocument:
    """A newly stored document as ``invoices_stored`` receivers get it: its id, what the
    reader parsed (so that nothing is read back or parsed again) and the parties found."""

    pk: int
    parsed: ParsedDocument
    buyer_id: int | None
    supplier_id: int | None

    @property
    def number(self) -> str:
        return self.parsed.number


def internal_error(file_name: str, sha256: str, exc: BaseException) -> Outcome:
    """The outcome of a document an unexpected error stopped: refused with the reason
    "internal error" and a reference the operators find in the log with the traceback.
    The batch goes on with the next document."""
    reference = f"ERR-{secrets.token_hex(4).upper()}"
    logger.error(
        "Internal error on invoice file %s (reference %s, SHA-256 %s)",
        file_name,
        reference,
        sha256 or "-",
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return Outcome(
        file_name,
        REFUSED,
        sha256,
        ProblemCode.INTERNAL_ERROR,
        _(
            "Internal error: the document was not imported. Reference %(reference)s; "
            "the operators find the details in the log."
        )
        % {"reference": reference},
        {"reference": reference},
    )


class Resolver:
    """Finds the buyer organisation and the supplier of a document, with caches that
    last one import (a batch of 50,000 invoices asks about each supplier once)."""

    def __init__(self) -> None:
        self._orgs_by_peppol: dict[tuple[str, str], int] = {}
        self._orgs_by_number: dict[str, int] = {}
        for org_id, scheme, value, number in Organisation.objects.values_list(
            "id", "peppol_scheme", "peppol_value", "org_number"
        ):
            self._orgs_by_peppol[(scheme, value)] = org_id
            self._orgs_by_number[number] = org_id
        self._suppliers: dict[tuple[str, ...], int | None] = {}

    def buyer_id(self, doc: ParsedDocument) -> int | None:
        found = self._orgs_by_peppol.get((doc.buyer_endpoint_scheme, doc.buyer_endpoint_id))
        if found is None and doc.buyer_legal_scheme == SWEDISH_ORGNR_SCHEME:
            found = self._orgs_by_number.get(doc.buyer_legal_id.replace("-", ""))
        if found is None and doc.buyer_endpoint_scheme == SWEDISH_ORGNR_SCHEME:
            found = self._orgs_by_number.get(doc.buyer_endpoint_id.replace("-", ""))
        return found

    def _supplier(self, key: tuple[str, ...], **lookup: str) -> int | None:
        # Looked up in the cache before any query is built: 5,000 invoices name 150 sellers.
        try:
            return self._suppliers[key]
        except KeyError:
            found = Supplier.objects.filter(**lookup).order_by("id").values_list("id", flat=True).first()
            self._suppliers[key] = found
            return found

    def prefetch(self, docs: Sequence[ParsedDocument]) -> None:
        """Fill the supplier cache for a group of documents with one query per kind of
        identifier, instead of one per seller on first sight: what ``supplier_id`` would
        find one by one (the lowest id of each exact organisation number, Peppol id and,
        for ASCII values, case-insensitive VAT number) is looked up for all sellers of the
        group not yet known. A key missing here is cached as unknown, as a query finding
        nothing would; a VAT number that is not ASCII is left to ``supplier_id`` (SQLite's
        case folding is ASCII only, so Python's upper case would not be the database's)."""
        cache = self._suppliers
        numbers = {
            d.seller_org_number for d in docs if d.seller_org_number and ("org", d.seller_org_number) not in cache
        }
        peppol = {
            (d.seller_endpoint_scheme, d.seller_endpoint_id)
            for d in docs
            if d.seller_endpoint_id and ("peppol", d.seller_endpoint_scheme, d.seller_endpoint_id) not in cache
        }
        vats = {
            d.seller_vat_id.upper()
            for d in docs
            if d.seller_vat_id and d.seller_vat_id.isascii() and ("vat", d.seller_vat_id.upper()) not in cache
        }
        if numbers:
            found: dict[str, int] = {}
            for pk, number in (
                Supplier.objects.filter(org_number__in=numbers).order_by("-id").values_list("id", "org_number")
            ):
                found[number] = pk  # in descending id order, so the lowest id stays
            for number in numbers:
                cache[("org", number)] = found.get(number)
        if peppol:
            found_p: dict[tuple[str, str], int] = {}
            for pk, scheme, value in (
                Supplier.objects.filter(peppol_value__in={value for _s, value in peppol})
                .order_by("-id")
                .values_list("id", "peppol_scheme", "peppol_value")
            ):
                found_p[(scheme, value)] = pk
            for scheme, value in peppol:
                cache[("peppol", scheme, value)] = found_p.get((scheme, value))
        if vats:
            found_v: dict[str, int] = {}
            for pk, upper in (
                Supplier.objects.annotate(vat_upper=Upper("vat_number"))
                .filter(vat_upper__in=vats)
                .order_by("-id")
                .values_list("id", "vat_upper")
            ):
                found_v[upper] = pk
            for upper in vats:
                cache[("vat", upper)] = found_v.get(upper)

    def supplier_id(self, doc: ParsedDocument) -> int | None:
        if doc.seller_org_number:
            found = self._supplier(("org", doc.seller_org_number), org_number=doc.seller_org_number)
            if found:
                return found
        if doc.seller_endpoint_id:
            found = self._supplier(
                ("peppol", doc.seller_endpoint_scheme, doc.seller_endpoint_id),
                peppol_scheme=doc.seller_endpoint_scheme,
                peppol_value=doc.seller_endpoint_id,
            )
            if found:
                return found
        if doc.seller_vat_id:
            return self._supplier(("vat", doc.seller_vat_id.upper()), vat_number__iexact=doc.seller_vat_id)
        return None


def _document_fields(
    doc: ParsedDocument,
    *,
    original: str,
    buyer_id: int | None,
    supplier_id: int | None,
    warnings: list[Warning_],
) -> dict[str, Any]:
    """The stored document's fields by attribute name, from the parsed document and the
    storage name of its original."""
    fields = dict(zip(_PARSED_FIELDS, _parsed_values(doc), strict=True))
    fields.update(
        original=original,
        line_count=len(doc.lines),
        buyer_organisation_id=buyer_id,
        supplier_id=supplier_id,
        warnings=[w.as_dict() for w in warnings],
    )
    return fields


# The fields a document stores as the reader gives them.
_PARSED_FIELDS = (
    "kind",
    "sha256",
    "file_name",
    "customization_id",
    "profile_id",
    "type_code",
    "number",
    "issue_date",
    "due_date",
    "delivery_date",
    "period_start",
    "period_end",
    "currency",
    "buyer_reference",
    "order_reference",
    "contract_reference",
    "billing_reference",
    "seller_key",
    "seller_endpoint_id",
    "seller_endpoint_scheme",
    "seller_legal_id",
    "seller_legal_scheme",
    "seller_vat_id",
    "seller_org_number",
    "seller_name",
    "buyer_endpoint_id",
    "buyer_endpoint_scheme",
    "buyer_legal_id",
    "buyer_legal_scheme",
    "buyer_name",
    "line_extension_amount",
    "tax_exclusive_amount",
    "tax_inclusive_amount",
    "payable_amount",
)
_parsed_values = operator.attrgetter(*_PARSED_FIELDS)


def _document(
    doc: ParsedDocument,
    *,
    original: str,
    buyer_id: int | None,
    supplier_id: int | None,
    batch: ImportBatch | None,
    actor: User | None,
    warnings: list[Warning_],
) -> InvoiceDocument:
    return InvoiceDocument(
        **_document_fields(doc, original=original, buyer_id=buyer_id, supplier_id=supplier_id, warnings=warnings),
        batch=batch,
        imported_at=timezone.now(),
        imported_by=actor,
    )


class _LineInserter:
    """Inserts documents' lines with one ``executemany`` instead of ``bulk_create``.

    ``bulk_create`` compiles every value of every row through the ORM, which costs more
    than the database does when a million lines are imported. Here each row is one tuple
    built by a function compiled once. Decimals and dates go to the driver as they are:
    the reader has already bounded every number to its column's digits and places (what
    the ORM's adaptation would check), and both drivers adapt ``Decimal`` and ``date``
    themselves; JSON goes through the field's own ``get_db_prep_save``, once per distinct
    value (a line's classifications are nearly always one of a few hundred CPV codes)."""

    def __init__(self) -> None:
        fields = [f for f in InvoiceLine._meta.concrete_fields if not f.primary_key]
        # Names from the model, quoted by the backend; the values are parameters.
        self.table = table = connection.ops.quote_name(InvoiceLine._meta.db_table)
        self.columns = [connection.ops.quote_name(str(f.column)) for f in fields]
        placeholders = ", ".join(["%s"] * len(fields))
        self.sql = f"INSERT INTO {table} ({', '.join(self.columns)}) VALUES ({placeholders})"  # noqa: S608
        namespace: dict[str, Any] = {}
        parts = []
        for n, f in enumerate(fields):
            if f.attname == "document_id":
                parts.append("document_id")
            elif isinstance(f, models.JSONField):
                namespace[f"j{n}"] = _JsonAdapter(f).adapt
                parts.append(f"j{n}(line.{f.attname})")
            else:
                parts.append(f"line.{f.attname}")
        # Only attribute names from the model's metadata go into the source.
        self.row: Callable[[int, Any], tuple[Any, ...]] = eval(  # noqa: S307
            f"lambda document_id, line: ({', '.join(parts)},)", namespace
        )

    def insert(self, items: Sequence[tuple[int, ParsedDocument]]) -> None:
        row = self.row
        rows = [row(document_id, line) for document_id, doc in items for line in doc.lines]
        if not rows or copy_rows(connection, self.table, self.columns, rows):
            return
        with connection.cursor() as cursor:
            for start in range(0, len(rows), LINE_BATCH_SIZE):
                cursor.executemany(self.sql, rows[start : start + LINE_BATCH_SIZE])


class _JsonAdapter:
    """A JSON field's database value of a list of dictionaries of text (a line's
    classifications), adapted by the field once per distinct value. The adapted value is
    made from a copy, so a cached one never changes with the list it was first made for."""

    LIMIT = 10_000  # distinct values kept; past it the cache starts again

    def __init__(self, field: models.JSONField[Any, Any]) -> None:
        self.field = field
        self.cache: dict[tuple[tuple[tuple[str, str], ...], ...], Any] = {}

    def adapt(self, value: Any) -> Any:
        key = self._key(value)
        if key is None:  # not a list of dictionaries of text: as the field does
            return self.field.get_db_prep_save(value, connection)
        adapted = self.cache.get(key)
        if adapted is None:
            if len(self.cache) >= self.LIMIT:
                self.cache.clear()
            adapted = self.field.get_db_prep_save([dict(pairs) for pairs in key], connection)
            if connection.vendor == "postgresql" and hasattr(adapted, "dumps") and hasattr(adapted, "obj"):
                # PostgreSQL: the JSON text itself, made once, instead of psycopg's Jsonb wrapper,
                # which ``COPY`` would serialise again for every line. The text is what its
                # dumper sends (``dumps(obj)``); in COPY's text format the server reads it
                # as the column's jsonb.
                adapted = adapted.dumps(adapted.obj)
            self.cache[key] = adapted
        return adapted

    @staticmethod
    def _key(value: Any) -> tuple[tuple[tuple[str, str], ...], ...] | None:
        """The value as nested tuples, or None. Only text is cached: 1 == True == 1.0 as keys."""
        if type(value) is not list:
            return None
        if len(value) == 1:  # nearly every line: one classification, without a loop
            item = value[0]
            if type(item) is dict:
                pairs = tuple(item.items())
                for name, text in pairs:
                    if type(name) is not str or type(text) is not str:
                        return None
                return (pairs,)
            return None
        key = []
        for item in value:
            if type(item) is not dict:
                return None
            for name, text in item.items():
                if type(name) is not str or type(text) is not str:
                    return None
            key.append(tuple(item.items()))
        return tuple(key)


_inserter: _LineInserter | None = None


def insert_lines(items: Sequence[tuple[int, ParsedDocument]]) -> None:
    """Store the lines of stored documents, given as (document id, parsed document), inside
    the caller's transaction."""
    global _inserter  # built once, on first use, after the app registry is ready
    if _inserter is None:
        _inserter = _LineInserter()
    _inserter.insert(items)


def _duplicate_message(doc: ParsedDocument, existing: InvoiceDocument | None, *, same_bytes: bool) -> tuple[str, str]:
    when = existing.imported_at.strftime("%Y-%m-%d") if existing else ""
    if same_bytes:
        return (
            ProblemCode.DUPLICATE_FILE,
            _("The same file was already imported on %(date)s (invoice %(number)s); it was not stored again.")
            % {"date": when, "number": doc.number},
        )
    return (
        ProblemCode.DUPLICATE_INVOICE,
        _("%(kind)s %(number)s from %(seller)s was already imported on %(date)s; it was not stored again.")
        % {
            "kind": _("Credit note") if doc.kind == "credit_note" else _("Invoice"),
            "number": doc.number,
            "seller": doc.seller_name or doc.seller_key,
            "date": when,
        },
    )


def _find_existing(
    docs: Sequence[ParsedDocument],
) -> tuple[dict[str, InvoiceDocument], dict[tuple[str, str, str], InvoiceDocument]]:
    if not docs:
        return {}, {}
    # One query per 500 documents: by checksum, or by exact (seller, number, kind) through
    # a join with a ``VALUES`` list of the keys (SQLite and PostgreSQL both name its columns
    # column1, column2, …). Written as SQL with only the keys in its rows: the ORM built a
    # query of 300 parameters per group for what is nearly always no row, and "number IN
    # (…) AND seller IN (…)" made SQLite probe the unique index for every number with
    # every seller of the group (10,000 probes for 100 invoices of 100 sellers, 2.3 ms,
    # against 0.16 ms for the 100 keys). The rare documents found are then loaded.
    shas = {d.sha256 for d in docs}
    keys = {(d.seller_key, d.number, d.kind) for d in docs}
    quote = connection.ops.quote_name
    table = quote(InvoiceDocument._meta.db_table)
    columns = f"{quote('id')}, {quote('sha256')}, {quote('seller_key')}, {quote('number')}, {quote('kind')}"
    rows: list[tuple[Any, ...]] = []
    sha_list, key_list = sorted(shas), sorted(keys)
    with connection.cursor() as cursor:
        for start in range(0, max(len(sha_list), len(key_list)), 500):
            some_shas, some_keys = sha_list[start : start + 500], key_list[start : start + 500]
            parts, params = [], []
            if some_shas:
                # Only quoted names from the model's metadata are formatted in; the values are parameters.
                member, sha_params = in_values(some_shas)
                parts.append(f"SELECT {columns} FROM {table} WHERE {quote('sha256')} {member}")  # noqa: S608
                params.extend(sha_params)
            if some_keys:
                joined, key_params = values_table(some_keys, ("text", "text", "text"))
                parts.append(
                    f"SELECT {', '.join('d.' + c for c in columns.split(', '))} FROM {table} d "  # noqa: S608
                    f"JOIN {joined} "
                    f"ON d.{quote('seller_key')} = w.column1 AND d.{quote('number')} = w.column2 "
                    f"AND d.{quote('kind')} = w.column3"
                )
                params.extend(key_params)
            cursor.execute(" UNION ".join(parts), params)
            rows.extend(cursor.fetchall())
    wanted = {
        pk: (sha256 in shas, (seller_key, number, kind) in keys)
        for pk, sha256, seller_key, number, kind in rows
        if sha256 in shas or (seller_key, number, kind) in keys
    }
    by_sha: dict[str, InvoiceDocument] = {}
    by_key: dict[tuple[str, str, str], InvoiceDocument] = {}
    if not wanted:
        return by_sha, by_key
    found = InvoiceDocument.objects.filter(pk__in=wanted).only(
        "id", "uuid", "sha256", "seller_key", "number", "kind", "imported_at", "buyer_organisation_id"
    )
    for existing in found:
        same_sha, same_key = wanted[existing.pk]
        if same_sha:
            by_sha[existing.sha256] = existing
        if same_key:
            by_key[(existing.seller_key, existing.number, existing.kind)] = existing
    return by_sha, by_key


def store_documents(
    parsed_docs: Sequence[ParsedDocument],
    *,
    batch: ImportBatch | None = None,
    actor: User | None = None,
    resolver: Resolver | None = None,
    allowed_buyer_ids: frozenset[int] | None = None,
    bulk_signal: bool = False,
    run: dict[str, Any] | None = None,
    written: list[str] | None = None,
) -> list[Outcome]:
    """Store each document in its own transaction; report duplicates instead of storing.

    ``allowed_buyer_ids``: when given (a person's visible organisations), a document whose
    buyer is not among them is refused before the duplicate check, so that nobody learns
    about another organisation's invoices from a "duplicate" answer.

    After each commit ``signals.invoice_stored`` is sent for the document, or, with
    ``bulk_signal``, ``signals.invoices_stored`` once with all stored documents (in the
    caller's transaction, in a savepoint, see ``_send_stored``) and ``run``: a dictionary
    that lives as long as the import, where receivers keep what
    they build once per run (the spend app's contract index). With ``bulk_signal`` the
    storage names of the originals written are appended to ``written``, for a caller whose
    own transaction may still fail (see ``originals``).
    """
    resolver = resolver or Resolver()
    if bulk_signal:
        return _store_group(parsed_docs, batch=batch, actor=actor, resolver=resolver, run=run, written=written)
    by_sha, by_key = _find_existing(parsed_docs)
    outcomes: list[Outcome] = []
    for doc in parsed_docs:
        # Inside a transaction (a group of the command, an upload, the API) a failed query
        # would poison it for the documents after: each gets a savepoint. In autocommit each
        # document's own transaction already isolates it.
        guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
        try:
            with guard:
                outcome = _store_one(
                    doc,
                    by_sha=by_sha,
                    by_key=by_key,
                    batch=batch,
                    actor=actor,
                    resolver=resolver,
                    allowed_buyer_ids=allowed_buyer_ids,
                    bulk_signal=bulk_signal,
                )
        except Exception as exc:  # one document's bug or bad data never stops the batch
            outcome = internal_error(doc.file_name, doc.sha256, exc)
        outcomes.append(outcome)
    return outcomes


def _store_group(
    parsed_docs: Sequence[ParsedDocument],
    *,
    batch: ImportBatch | None,
    actor: User | None,
    resolver: Resolver,
    run: dict[str, Any] | None,
    written: list[str] | None = None,
) -> list[Outcome]:
    """Store a group of documents with one ``executemany`` per table, inside a savepoint.

    When anything in the group's write fails (a race with another import on a unique
    constraint, a bug, a value the database refuses), the savepoint is rolled back and
    each document of the group is written again alone, in a savepoint of its own: the one
    that fails is refused (a duplicate, or "internal error" with a reference) and the
    others are stored. So one bad document never takes the others with it, and the
    common case pays for one savepoint per group instead of one per document."""
    found_sha, found_key = _find_existing(parsed_docs)
    resolver.prefetch(parsed_docs)
    # The documents stored before, and those of this group about to be stored.
    by_sha: dict[str, Any] = dict(found_sha)
    by_key: dict[tuple[str, str, str], Any] = dict(found_key)
    outcomes: list[Outcome | None] = []
    pending: list[tuple[int, _Pending]] = []
    for doc in parsed_docs:
        try:
            prepared = _prepare(doc, by_sha=by_sha, by_key=by_key, resolver=resolver, allowed_buyer_ids=None)
        except Exception as exc:  # one document's bug never stops the batch
            prepared = internal_error(doc.file_name, doc.sha256, exc)
        if isinstance(prepared, Outcome):
            outcomes.append(prepared)
            continue
        # A later copy in the same group is a duplicate of this one.
        by_sha[doc.sha256] = by_key[(doc.seller_key, doc.number, doc.kind)] = prepared
        pending.append((len(outcomes), prepared))
        outcomes.append(None)
    # The originals are written first (a committed row always has its file); ``written``
    # lets the caller delete them when its transaction fails after this returns.
    for _i, p in pending:
        p.original = originals.save(p.doc.original)
        if written is not None:
            written.append(p.original)
    originals.make_durable([p.original for _i, p in pending])
    try:
        with transaction.atomic():
            _write_documents([p for _i, p in pending], batch=batch, actor=actor)
    except Exception:  # the group's write failed: each document again, alone
        logger.info("Storing a group of %s invoices failed; storing them one at a time", len(pending), exc_info=True)
        for _i, p in pending:
            p.pk = None
            try:
                with transaction.atomic():
                    _write_documents([p], batch=batch, actor=actor)
            except IntegrityError:
                p.pk = None
                doc = p.doc
                raced = InvoiceDocument.objects.filter(
                    Q(sha256=doc.sha256) | Q(seller_key=doc.seller_key, number=doc.number, kind=doc.kind)
                ).first()
                if raced is None:
                    outcomes[_i] = internal_error(doc.file_name, doc.sha256, RuntimeError("integrity error"))
                else:
                    code, message = _duplicate_message(doc, raced, same_bytes=raced.sha256 == doc.sha256)
                    outcomes[_i] = Outcome(doc.file_name, DUPLICATE, doc.sha256, code, message, existing=raced)
            except Exception as exc:
                p.pk = None
                outcomes[_i] = internal_error(p.doc.file_name, p.doc.sha256, exc)
    originals.delete(p.original for _i, p in pending if p.pk is None)
    stored: list[StoredDocument] = []
    for index, p in pending:
        if p.pk is None:
            continue
        outcomes[index] = Outcome(
            p.doc.file_name, IMPORTED, p.doc.sha256, line_count=len(p.doc.lines), warned=bool(p.warnings)
        )
        stored.append(StoredDocument(p.pk, p.doc, p.buyer_id, p.supplier_id))
    result: list[Outcome] = []
    for outcome in outcomes:
        assert outcome is not None
        if isinstance(outcome.existing, _Pending):  # a copy of a document of this group
            first = outcome.existing
            outcome.existing = InvoiceDocument(pk=first.pk, imported_at=first.imported_at) if first.pk else None
        result.append(outcome)
    if stored:
        _send_stored(stored, run)
    return result


def _send_stored(stored: list[StoredDocument], run: dict[str, Any] | None) -> None:
    """Send ``invoices_stored`` for a group, inside the caller's transaction when there is
    one (the command's group: one commit for storing and matching, and a kill leaves a
    group stored and matched, or neither), in a savepoint of its own: when a receiver fails,
    what the receivers wrote is rolled back, the documents stay stored (``match_invoices``
    matches them later) and the failure is logged. ``fresh`` tells receivers that the
    documents are not yet committed, so that nothing else can have matched them."""
    fresh = connection.in_atomic_block
    try:
        with transaction.atomic():
            signals.invoices_stored.send(sender=InvoiceDocument, documents=stored, run=run, fresh=fresh)
    except Exception:  # a receiver's failure never takes the stored documents with it
        logger.exception("A receiver of invoices_stored failed for a group of %s invoices", len(stored))


def _write_documents(pending: Sequence[_Pending], *, batch: ImportBatch | None, actor: User | None) -> None:
    """Insert the documents, their lines and their warnings with one ``executemany`` each
    (in the caller's transaction), and set each one's ``pk``."""
    if not pending:
        return
    now = timezone.now()
    rows = []
    for p in pending:
        row = _document_fields(
            p.doc, original=p.original, buyer_id=p.buyer_id, supplier_id=p.supplier_id, warnings=p.warnings
        )
        row.update(batch_id=batch.pk if batch else None, imported_at=now, imported_by_id=actor.pk if actor else None)
        rows.append(row)
    insert_rows(InvoiceDocument, rows, now=now)
    quote = connection.ops.quote_name
    by_sha = {p.doc.sha256: p for p in pending}
    with connection.cursor() as cursor:
        # Only quoted names from the model's metadata are formatted in; the values are parameters.
        member, params = in_values(list(by_sha))
        cursor.execute(
            f"SELECT {quote('sha256')}, {quote('id')} FROM {quote(InvoiceDocument._meta.db_table)} "  # noqa: S608
            f"WHERE {quote('sha256')} {member}",
            params,
        )
        for sha256, pk in cursor.fetchall():
            by_sha[sha256].pk = pk
    insert_lines([(p.pk, p.doc) for p in pending if p.pk is not None])
    if batch is not None:
        insert_rows(
            ImportProblem,
            [
                {
                    "batch_id": batch.pk,
                    "file_name": p.doc.file_name,
                    "severity": ProblemSeverity.WARNING,
                    "code": str(w.code),
                    "message": w.message,
                    "sha256": p.doc.sha256,
                    "document_id": p.pk,
                }
                for p in pending
                for w in p.warnings
            ],
            now=now,
        )


@dataclass(slots=True)
class _Pending:
    """A document that passed the checks and is about to be stored."""

    doc: ParsedDocument
    buyer_id: int | None
    supplier_id: int | None
    warnings: list[Warning_]
    imported_at: datetime.datetime
    pk: int | None = None
    original: str = ""  # the storage name of the original, once written


def _prepare(
    doc: ParsedDocument,
    *,
    by_sha: dict[str, Any],
    by_key: dict[tuple[str, str, str], Any],
    resolver: Resolver,
    allowed_buyer_ids: frozenset[int] | None,
) -> _Pending | Outcome:
    """The checks before storing: the buyer the person may import for, duplicates, and the
    warnings for an unknown buyer or supplier."""
    buyer_id = resolver.buyer_id(doc)
    if allowed_buyer_ids is not None and (buyer_id is None or buyer_id not in allowed_buyer_ids):
        return Outcome(
            doc.file_name,
            REFUSED,
            doc.sha256,
            ProblemCode.BUYER_NOT_ALLOWED,
            _("The invoice is addressed to %(buyer)s (%(id)s), an organisation you do not import invoices for.")
            % {
                "buyer": doc.buyer_name or _("an unknown buyer"),
                "id": f"{doc.buyer_endpoint_scheme}:{doc.buyer_endpoint_id}",
            },
        )
    key = (doc.seller_key, doc.number, doc.kind)
    existing = by_sha.get(doc.sha256)
    if existing is not None or key in by_key:
        same_bytes = existing is not None
        existing = existing or by_key[key]
        code, message = _duplicate_message(doc, existing, same_bytes=same_bytes)
        return Outcome(doc.file_name, DUPLICATE, doc.sha256, code, message, existing=existing)
    warnings = list(doc.warnings)
    if buyer_id is None:
        warnings.append(
            Warning_(
                ProblemCode.UNKNOWN_BUYER,
                _("No organisation has the buyer's Peppol id %(id)s; the invoice is stored without a buyer.")
                % {"id": f"{doc.buyer_endpoint_scheme}:{doc.buyer_endpoint_id}"},
            )
        )
    supplier_id = resolver.supplier_id(doc)
    if supplier_id is None:
        warnings.append(
            Warning_(
                ProblemCode.UNKNOWN_SUPPLIER,
                _("The seller %(seller)s (%(id)s) is not in the supplier registry.")
                % {"seller": doc.seller_name or "?", "id": doc.seller_key},
            )
        )
    return _Pending(doc, buyer_id, supplier_id, warnings, timezone.now())


def _store_one(
    doc: ParsedDocument,
    *,
    by_sha: dict[str, InvoiceDocument],
    by_key: dict[tuple[str, str, str], InvoiceDocument],
    batch: ImportBatch | None,
    actor: User | None,
    resolver: Resolver,
    allowed_buyer_ids: frozenset[int] | None,
    bulk_signal: bool,
) -> Outcome:
    """Store one document in its own transaction, or say why not."""
    prepared = _prepare(doc, by_sha=by_sha, by_key=by_key, resolver=resolver, allowed_buyer_ids=allowed_buyer_ids)
    if isinstance(prepared, Outcome):
        return prepared
    buyer_id, supplier_id, warnings = prepared.buyer_id, prepared.supplier_id, prepared.warnings
    key = (doc.seller_key, doc.number, doc.kind)
    name = originals.save(doc.original)  # written first: a committed row always has its file
    try:
        originals.make_durable([name])
    except BaseException:
        originals.delete([name])
        raise
    document = _document(
        doc, original=name, buyer_id=buyer_id, supplier_id=supplier_id, batch=batch, actor=actor, warnings=warnings
    )
    try:
        with transaction.atomic():
            document.save(force_insert=True)
            insert_lines([(document.pk, doc)])
            if batch is not None and warnings:
                ImportProblem.objects.bulk_create(
                    [
                        ImportProblem(
                            batch=batch,
                            file_name=doc.file_name,
                            severity=ProblemSeverity.WARNING,
                            code=w.code,
                            message=w.message,
                            sha256=doc.sha256,
                            document=document,
                        )
                        for w in warnings
                    ]
                )
            if not bulk_signal:
                transaction.on_commit(_send_one(document), robust=True)
    except IntegrityError:
        # Another import stored it between the look-up and the insert.
        originals.delete([name])
        document.pk = None
        raced = InvoiceDocument.objects.filter(
            Q(sha256=doc.sha256) | Q(seller_key=doc.seller_key, number=doc.number, kind=doc.kind)
        ).first()
        if raced is None:
            raise
        code, message = _duplicate_message(doc, raced, same_bytes=raced.sha256 == doc.sha256)
        return Outcome(doc.file_name, DUPLICATE, doc.sha256, code, message, existing=raced)
    except BaseException:
        originals.delete([name])  # the row was rolled back: its file goes too
        raise
    by_sha[doc.sha256] = document
    by_key[key] = document
    return Outcome(
        doc.file_name,
        IMPORTED,
        doc.sha256,
        document=document,
        details={"warnings": [w.as_dict() for w in warnings]},
        line_count=len(doc.lines),
        warned=bool(warnings),
    )


def _send_one(document: InvoiceDocument) -> Callable[[], None]:
    def send() -> None:
        signals.invoice_stored.send(sender=InvoiceDocument, document=document)

    return send


# --- Batches -----------------------------------------------------------------------------


def start_batch(*, source: str, actor: User | None = None, label: str = "") -> ImportBatch:
    return ImportBatch.objects.create(source=source, actor=actor, label=label[:500], started_at=timezone.now())


class BatchRecorder:
    """Counts outcomes into a batch and writes its problems; the counters are saved
    after each group, so a killed import's batch shows how far it got."""

    def __init__(self, batch: ImportBatch, *, keep_outcomes: bool = False) -> None:
        self.batch = batch
        # Uploads and the API answer per file; a folder import of 50,000 files does not
        # keep them (each holds its document with the original bytes).
        self.keep_outcomes = keep_outcomes
        self.outcomes: list[Outcome] = []

    def add(self, outcomes: Iterable[Outcome]) -> None:
        new = list(outcomes)
        if self.keep_outcomes:
            self.outcomes.extend(new)
        b = self.batch
        problems: list[ImportProblem] = []
        for o in new:
            b.file_count += 1
            if o.status == IMPORTED:
                b.imported_count += 1
                b.line_count += o.line_count
                if o.warned:
                    b.warning_count += 1
            elif o.status == DUPLICATE:
                b.duplicate_count += 1
                problems.append(
                    ImportProblem(
                        batch=b,
                        file_name=o.file_name[-500:],
                        severity=ProblemSeverity.DUPLICATE,
                        code=o.code,
                        message=o.message,
                        sha256=o.sha256,
                        document=o.existing,
                    )
                )
            else:
                b.refused_count += 1
                problems.append(
                    ImportProblem(
                        batch=b,
                        file_name=o.file_name[-500:],
                        severity=ProblemSeverity.REFUSED,
                        code=o.code,
                        message=o.message,
                        sha256=o.sha256,
                    )
                )
        with transaction.atomic():
            ImportProblem.objects.bulk_create(problems, batch_size=LINE_BATCH_SIZE)
            b.save(
                update_fields=[
                    "file_count",
                    "imported_count",
                    "duplicate_count",
                    "refused_count",
                    "warning_count",
                    "line_count",
                    "updated_at",
                ]
            )

    def finish(self, *, status: str = BatchStatus.FINISHED, message: str = "", recount: bool = False) -> ImportBatch:
        """End the batch; ``recount``: with its counters set from what it stored (a batch a
        killed worker left behind, see ``batches``), ``message``: why it failed."""
        from kravspar.invoices.batches import batch_recount

        b = self.batch
        b.status = status
        b.finished_at = timezone.now()
        b.message = message
        with transaction.atomic():
            if recount:
                batch_recount(b)
            b.save(update_fields=["status", "finished_at", "message", "updated_at"])
            audit_record(
                actor=b.actor,
                action="invoices.import",
                obj=b,
                after={
                    "source": b.source,
                    "label": b.label,
                    "status": b.status,
                    "files": b.file_count,
                    "imported": b.imported_count,
                    "duplicates": b.duplicate_count,
                    "refused": b.refused_count,
                    "lines": b.line_count,
                    **({"message": b.message} if b.message else {}),
                },
            )
        return b


def parse_one(name: str, data: bytes) -> ParsedDocument | Outcome:
    """The parsed document, or a refusal outcome with the reason."""
    if len(data) > max_file_bytes():
        return Outcome(
            name,
            REFUSED,
            sha256_of(data),
            ProblemCode.TOO_LARGE,
            _("The file is larger than %(size)s MB.") % {"size": max_file_bytes() // (1024 * 1024)},
        )
    try:
        return parse(data, name)
    except InvoiceRejected as exc:
        return Outcome(name, REFUSED, sha256_of(data), exc.code, exc.message, exc.details)
    except Exception as exc:  # a reader's bug: this document is refused, the batch goes on
        return internal_error(name, sha256_of(data), exc)


def _process(
    items: Iterable[tuple[str, bytes | Outcome]],
    recorder: BatchRecorder,
    *,
    actor: User | None,
    allowed_buyer_ids: frozenset[int] | None,
    bulk_signal: bool,
    group_size: int,
    progress: Callable[[ImportBatch], None] | None,
    grouped: bool = False,
    group_bytes: int = GROUP_BYTES,
) -> None:
    """Parse, store and record ``group_size`` documents at a time, or fewer when the
    group's parsed files reach ``group_bytes`` (refused files hold no bytes and count as
    files only). ``grouped``: each group in one transaction (with a savepoint per document,
    see ``store_documents``), its batch counters and problems included, so a kill leaves
    whole groups."""
    resolver = Resolver()
    run: dict[str, Any] = {}
    group: list[ParsedDocument] = []
    pending: list[Outcome] = []
    held = 0  # bytes of the group's parsed files

    def flush() -> None:
        nonlocal held
        written: list[str] = []
        try:
            with transaction.atomic() if grouped else contextlib.nullcontext():
                outcomes = store_documents(
                    group,
                    batch=recorder.batch,
                    actor=actor,
                    resolver=resolver,
                    allowed_buyer_ids=allowed_buyer_ids,
                    bulk_signal=bulk_signal,
                    run=run,
                    written=written,
                )
                recorder.add([*pending, *outcomes])
        except BaseException:
            originals.delete(written)  # the group's rows were rolled back: their files go too
            raise
        group.clear()
        pending.clear()
        held = 0
        if progress is not None:
            progress(recorder.batch)

    for name, data in items:
        result = data if isinstance(data, Outcome) else parse_one(name, data)
        if isinstance(result, Outcome):
            pending.append(result)
        else:
            group.append(result)
            held += len(result.original)
        if len(group) + len(pending) >= group_size or held >= group_bytes:
            flush()
    if group or pending:
        flush()


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[str, Path | None]]:
    """Files named, and the ``.xml`` files under folders named (recursively), sorted.
    A path that does not exist is yielded with ``None``."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if found.is_file() and found.suffix.lower() == ".xml":
                    yield str(found), found
        elif path.is_file():
            yield str(path), path
        else:
            yield str(path), None


def _read(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[str, bytes | Outcome]]:
    limit = max_file_bytes()
    for name, path in iter_files(paths):
        if path is None:
            yield (
                name,
                Outcome(
                    name, REFUSED, "", ProblemCode.NOT_FOUND, _("There is no file or folder %(path)s.") % {"path": name}
                ),
            )
            continue
        try:
            if path.stat().st_size > limit:
                yield (
                    name,
                    Outcome(
                        name,
                        REFUSED,
                        "",
                        ProblemCode.TOO_LARGE,
                        _("The file is larger than %(size)s MB.") % {"size": limit // (1024 * 1024)},
                    ),
                )
                continue
            data = path.read_bytes()
        except OSError as exc:
            yield (
                name,
                Outcome(
                    name,
                    REFUSED,
                    "",
                    ProblemCode.UNREADABLE,
                    _("The file could not be read: %(error)s") % {"error": exc.strerror or str(exc)},
                ),
            )
            continue
        yield name, data


# The youngest generation's threshold during an import (Python's default is 700).
YOUNG_GC_THRESHOLD = 50_000


@contextlib.contextmanager
def _frozen_heap() -> Iterator[None]:
    """Keep the objects that exist before a long import (Django, the app registry, the
    translations) out of the garbage collector's full collections while it runs: each full
    collection would traverse them all again, and an import of thousands of documents makes
    many (measured: about a tenth of the import's CPU time). ``gc.unfreeze`` gives them back
    afterwards, so nothing is kept longer than it would have been.

    The youngest generation is also collected after 50,000 new container objects instead of
    700: a group's parsed documents (about 3,000 objects per 100 documents) are freed by
    reference counting when the group is stored, so with the default threshold the
    collector traversed them while they were still alive, promoted them, and traversed
    them again in older generations (5,000 invoices: 754 collections, 0.33 s CPU; with
    50,000: 4, 0.04 s). Cyclic garbage, which the import hardly makes, waits at most
    50,000 objects for its collection. The thresholds are restored afterwards."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def import_paths(
    paths: Sequence[str | os.PathLike[str]],
    *,
    actor: User | None = None,
    progress: Callable[[ImportBatch], None] | None = None,
    source: str = BatchSource.COMMAND,
    group_size: int = GROUP_SIZE,
    group_bytes: int = GROUP_BYTES,
) -> ImportBatch:
    """Import the files and folders (recursively, ``*.xml``) named, ``group_size`` files
    per transaction (a savepoint per document; fewer when their bytes reach
    ``group_bytes``), and send ``invoices_stored`` once per group inside its transaction
    (matching commits with the group). ``progress`` is called with the batch after every
    group."""
    batch = start_batch(source=source, actor=actor, label=", ".join(str(p) for p in paths))
    recorder = BatchRecorder(batch)
    try:
        with _frozen_heap():
            _process(
                _read(paths),
                recorder,
                actor=actor,
                allowed_buyer_ids=None,
                bulk_signal=True,
                group_size=group_size,
                progress=progress,
                grouped=True,
                group_bytes=group_bytes,
            )
    except BaseException:
        recorder.finish(status=BatchStatus.FAILED)
        raise
    return recorder.finish()


def import_files(
    files: Sequence[tuple[str, bytes]],
    *,
    actor: User | None,
    source: str,
    allowed_buyer_ids: frozenset[int] | None = None,
    progress: Callable[[ImportBatch], None] | None = None,
    batch: ImportBatch | None = None,
) -> tuple[ImportBatch, list[Outcome]]:
    """Import files already in memory (uploads, the API, background jobs). Returns the batch and
    one outcome per file; ``progress`` is called with the batch after each group of documents.
    ``batch``: fill that batch, started by ``start_batch`` (a background job's, which its retry
    continues after a worker died): its counters are first set from what it stored and the files
    it already holds are left out (``batches``); the outcomes are then those of the other files."""
    from kravspar.invoices.batches import batch_recount, batch_unrecorded

    resumed = batch is not None
    if batch is None:
        batch = start_batch(source=source, actor=actor, label=", ".join(name for name, _data in files))
    else:
        batch_recount(batch)
        files = batch_unrecorded(batch, files)
    recorder = BatchRecorder(batch, keep_outcomes=True)
    try:
        _process(
            list(files),
            recorder,
            actor=actor,
            allowed_buyer_ids=allowed_buyer_ids,
            bulk_signal=False,
            group_size=UPLOAD_GROUP_SIZE,
            progress=progress,
        )
    except BaseException:
        recorder.finish(
            status=BatchStatus.FAILED,
            message=_("The import stopped because of an error; the invoices stored before it stay stored."),
            recount=resumed,
        )
        raise
    return recorder.finish(recount=resumed), recorder.outcomes
