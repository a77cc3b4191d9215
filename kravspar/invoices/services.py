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
import functools
import logging
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.audit.services import audit_record
from kravspar.invoices import signals
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
GROUP_SIZE = 100  # documents parsed before their duplicates are looked up together


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
    document: InvoiceDocument | None = None
    existing: InvoiceDocument | None = None  # for a duplicate: the document stored before


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
        self._suppliers: dict[tuple[str, str], int | None] = {}

    def buyer_id(self, doc: ParsedDocument) -> int | None:
        found = self._orgs_by_peppol.get((doc.buyer_endpoint_scheme, doc.buyer_endpoint_id))
        if found is None and doc.buyer_legal_scheme == SWEDISH_ORGNR_SCHEME:
            found = self._orgs_by_number.get(doc.buyer_legal_id.replace("-", ""))
        if found is None and doc.buyer_endpoint_scheme == SWEDISH_ORGNR_SCHEME:
            found = self._orgs_by_number.get(doc.buyer_endpoint_id.replace("-", ""))
        return found

    def _supplier(self, key: tuple[str, str], query: Q) -> int | None:
        if key not in self._suppliers:
            self._suppliers[key] = Supplier.objects.filter(query).order_by("id").values_list("id", flat=True).first()
        return self._suppliers[key]

    def supplier_id(self, doc: ParsedDocument) -> int | None:
        if doc.seller_org_number:
            found = self._supplier(("org", doc.seller_org_number), Q(org_number=doc.seller_org_number))
            if found:
                return found
        if doc.seller_endpoint_id:
            found = self._supplier(
                ("peppol", f"{doc.seller_endpoint_scheme}:{doc.seller_endpoint_id}"),
                Q(peppol_scheme=doc.seller_endpoint_scheme, peppol_value=doc.seller_endpoint_id),
            )
            if found:
                return found
        if doc.seller_vat_id:
            return self._supplier(("vat", doc.seller_vat_id.upper()), Q(vat_number__iexact=doc.seller_vat_id))
        return None


def _document(
    doc: ParsedDocument,
    *,
    buyer_id: int | None,
    supplier_id: int | None,
    batch: ImportBatch | None,
    actor: User | None,
    warnings: list[Warning_],
) -> InvoiceDocument:
    return InvoiceDocument(
        kind=doc.kind,
        original=doc.original,
        sha256=doc.sha256,
        file_name=doc.file_name,
        customization_id=doc.customization_id,
        profile_id=doc.profile_id,
        type_code=doc.type_code,
        number=doc.number,
        issue_date=doc.issue_date,
        due_date=doc.due_date,
        delivery_date=doc.delivery_date,
        period_start=doc.period_start,
        period_end=doc.period_end,
        currency=doc.currency,
        buyer_reference=doc.buyer_reference,
        order_reference=doc.order_reference,
        contract_reference=doc.contract_reference,
        billing_reference=doc.billing_reference,
        seller_key=doc.seller_key,
        seller_endpoint_id=doc.seller_endpoint_id,
        seller_endpoint_scheme=doc.seller_endpoint_scheme,
        seller_legal_id=doc.seller_legal_id,
        seller_legal_scheme=doc.seller_legal_scheme,
        seller_vat_id=doc.seller_vat_id,
        seller_org_number=doc.seller_org_number,
        seller_name=doc.seller_name,
        buyer_endpoint_id=doc.buyer_endpoint_id,
        buyer_endpoint_scheme=doc.buyer_endpoint_scheme,
        buyer_legal_id=doc.buyer_legal_id,
        buyer_legal_scheme=doc.buyer_legal_scheme,
        buyer_name=doc.buyer_name,
        line_extension_amount=doc.line_extension_amount,
        tax_exclusive_amount=doc.tax_exclusive_amount,
        tax_inclusive_amount=doc.tax_inclusive_amount,
        payable_amount=doc.payable_amount,
        line_count=len(doc.lines),
        buyer_organisation_id=buyer_id,
        supplier_id=supplier_id,
        warnings=[w.as_dict() for w in warnings],
        batch=batch,
        imported_at=timezone.now(),
        imported_by=actor,
    )


class _LineInserter:
    """Inserts a document's lines with one ``executemany`` instead of ``bulk_create``.

    ``bulk_create`` compiles every value of every row through the ORM, which costs more
    than the database does when a million lines are imported. The values here go through
    the same per-field adaptation the ORM uses (``connection.ops`` for decimals,
    ``get_db_prep_save`` for JSON), only without the per-row compiler."""

    def __init__(self) -> None:
        fields = [f for f in InvoiceLine._meta.concrete_fields if not f.primary_key]
        self.attnames = [f.attname for f in fields]
        # Names from the model, quoted by the backend; the values are parameters.
        table = connection.ops.quote_name(InvoiceLine._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        self.adapters: list[Callable[[Any], Any] | None] = []
        for f in fields:
            if isinstance(f, models.DecimalField):
                self.adapters.append(functools.partial(_adapt_decimal, f))
            elif isinstance(f, models.JSONField):
                self.adapters.append(functools.partial(_adapt_json, f))
            elif isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
                self.adapters.append(connection.ops.adapt_datefield_value)
            else:
                self.adapters.append(None)

    def rows(self, document: InvoiceDocument, doc: ParsedDocument) -> list[list[Any]]:
        # ParsedLine has the model's attribute names; the document's key is the one more.
        pairs = list(zip(self.attnames, self.adapters, strict=True))
        rows = []
        for line in doc.lines:
            row = []
            for attname, adapt in pairs:
                value = document.pk if attname == "document_id" else getattr(line, attname)
                row.append(value if adapt is None or value is None else adapt(value))
            rows.append(row)
        return rows

    def insert(self, document: InvoiceDocument, doc: ParsedDocument) -> None:
        rows = self.rows(document, doc)
        with connection.cursor() as cursor:
            for start in range(0, len(rows), LINE_BATCH_SIZE):
                cursor.executemany(self.sql, rows[start : start + LINE_BATCH_SIZE])


def _adapt_decimal(field: models.DecimalField[Any, Any], value: Any) -> Any:
    return connection.ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)


def _adapt_json(field: models.JSONField[Any, Any], value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


_inserter: _LineInserter | None = None


def insert_lines(document: InvoiceDocument, doc: ParsedDocument) -> None:
    """Store the lines of a stored document (inside its transaction)."""
    global _inserter  # built once, on first use, after the app registry is ready
    if _inserter is None:
        _inserter = _LineInserter()
    _inserter.insert(document, doc)


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
    by_key_q = Q()
    for d in docs:
        by_key_q |= Q(seller_key=d.seller_key, number=d.number, kind=d.kind)
    found = InvoiceDocument.objects.filter(Q(sha256__in=[d.sha256 for d in docs]) | by_key_q).only(
        "id", "uuid", "sha256", "seller_key", "number", "kind", "imported_at", "buyer_organisation_id"
    )
    by_sha: dict[str, InvoiceDocument] = {}
    by_key: dict[tuple[str, str, str], InvoiceDocument] = {}
    for existing in found:
        by_sha[existing.sha256] = existing
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
) -> list[Outcome]:
    """Store each document in its own transaction; report duplicates instead of storing.

    ``allowed_buyer_ids``: when given (a person's visible organisations), a document whose
    buyer is not among them is refused before the duplicate check, so that nobody learns
    about another organisation's invoices from a "duplicate" answer.

    After each commit ``signals.invoice_stored`` is sent for the document, or, with
    ``bulk_signal``, ``signals.invoices_stored`` once with all stored documents and
    ``run``: a dictionary that lives as long as the import, where receivers keep what
    they build once per run (the spend app's contract index).
    """
    resolver = resolver or Resolver()
    by_sha, by_key = _find_existing(parsed_docs)
    outcomes: list[Outcome] = []
    stored: list[InvoiceDocument] = []
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
        if outcome.status == IMPORTED:
            assert outcome.document is not None
            stored.append(outcome.document)
        outcomes.append(outcome)
    if bulk_signal and stored:
        transaction.on_commit(
            lambda: signals.invoices_stored.send(sender=InvoiceDocument, documents=stored, run=run), robust=True
        )
    return outcomes


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
    document = _document(doc, buyer_id=buyer_id, supplier_id=supplier_id, batch=batch, actor=actor, warnings=warnings)
    try:
        with transaction.atomic():
            document.save(force_insert=True)
            insert_lines(document, doc)
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
        document.pk = None
        raced = InvoiceDocument.objects.filter(
            Q(sha256=doc.sha256) | Q(seller_key=doc.seller_key, number=doc.number, kind=doc.kind)
        ).first()
        if raced is None:
            raise
        code, message = _duplicate_message(doc, raced, same_bytes=raced.sha256 == doc.sha256)
        return Outcome(doc.file_name, DUPLICATE, doc.sha256, code, message, existing=raced)
    by_sha[doc.sha256] = document
    by_key[key] = document
    return Outcome(
        doc.file_name,
        IMPORTED,
        doc.sha256,
        document=document,
        details={"warnings": [w.as_dict() for w in warnings]},
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
                assert o.document is not None
                b.line_count += o.document.line_count
                if o.document.warnings:
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

    def finish(self, *, status: str = BatchStatus.FINISHED) -> ImportBatch:
        b = self.batch
        b.status = status
        b.finished_at = timezone.now()
        with transaction.atomic():
            b.save(update_fields=["status", "finished_at", "updated_at"])
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
) -> None:
    """Parse, store and record ``group_size`` documents at a time. ``grouped``: each group
    in one transaction (with a savepoint per document, see ``store_documents``), its
    batch counters and problems included, so a kill leaves whole groups."""
    resolver = Resolver()
    run: dict[str, Any] = {}
    group: list[ParsedDocument] = []
    pending: list[Outcome] = []

    def flush() -> None:
        with transaction.atomic() if grouped else contextlib.nullcontext():
            outcomes = store_documents(
                group,
                batch=recorder.batch,
                actor=actor,
                resolver=resolver,
                allowed_buyer_ids=allowed_buyer_ids,
                bulk_signal=bulk_signal,
                run=run,
            )
            recorder.add([*pending, *outcomes])
        group.clear()
        pending.clear()
        if progress is not None:
            progress(recorder.batch)

    for name, data in items:
        result = data if isinstance(data, Outcome) else parse_one(name, data)
        if isinstance(result, Outcome):
            pending.append(result)
        else:
            group.append(result)
        if len(group) + len(pending) >= group_size:
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


def import_paths(
    paths: Sequence[str | os.PathLike[str]],
    *,
    actor: User | None = None,
    progress: Callable[[ImportBatch], None] | None = None,
    source: str = BatchSource.COMMAND,
    group_size: int = GROUP_SIZE,
) -> ImportBatch:
    """Import the files and folders (recursively, ``*.xml``) named, ``group_size`` files
    per transaction (a savepoint per document), and send ``invoices_stored`` once per
    group after its commit. ``progress`` is called with the batch after every group."""
    batch = start_batch(source=source, actor=actor, label=", ".join(str(p) for p in paths))
    recorder = BatchRecorder(batch)
    try:
        _process(
            _read(paths),
            recorder,
            actor=actor,
            allowed_buyer_ids=None,
            bulk_signal=True,
            group_size=group_size,
            progress=progress,
            grouped=True,
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
) -> tuple[ImportBatch, list[Outcome]]:
    """Import files already in memory (uploads, the API, background jobs). Returns the batch and
    one outcome per file; ``progress`` is called with the batch after each group of documents."""
    batch = start_batch(source=source, actor=actor, label=", ".join(name for name, _data in files))
    recorder = BatchRecorder(batch, keep_outcomes=True)
    try:
        _process(
            list(files),
            recorder,
            actor=actor,
            allowed_buyer_ids=allowed_buyer_ids,
            bulk_signal=False,
            group_size=GROUP_SIZE,
            progress=progress,
        )
    except BaseException:
        recorder.finish(status=BatchStatus.FAILED)
        raise
    return recorder.finish(), recorder.outcomes
