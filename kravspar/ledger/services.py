"""Importing a financial-system export: all or nothing per file.

Every row is read and checked first; any error refuses the whole file with messages
"Rad N, kolumn X: …" (row numbers as the spreadsheet shows them, the header being row 1).
A file without errors is stored in one transaction: its rows grouped into invoices by
supplier and invoice number, each an ``InvoiceDocument`` with its lines, then matched by
the spend app like any e-invoice. An invoice already in Kravspår (from Peppol or an
earlier export) is not stored twice; the same file twice is refused as a duplicate.

A line without article counts for spend, leverantörstrohet and avtalstrohet, but its
price is not checked (there is nothing to compare with): ``spend.matching`` marks it
"not price-checked" instead of "not on the price list".
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record
from kravspar.core import failures
from kravspar.core.errors import DomainError, NotAllowedError
from kravspar.core.numbers import NumberRefused, divide, parse_decimal, refusal_text
from kravspar.core.workbooks import WorkbookRefused, first_sheet_rows
from kravspar.invoices import originals
from kravspar.invoices.models import DocumentKind, InvoiceDocument, InvoiceLine
from kravspar.ledger.models import LEDGER_CUSTOMIZATION, ColumnMapping, LedgerImport
from kravspar.organisations.identifiers import SWEDISH_ORGNR_SCHEME, normalise_org_number
from kravspar.organisations.models import Organisation, Unit
from kravspar.suppliers.models import Supplier

if TYPE_CHECKING:
    from kravspar.accounts.models import User

# The fields of an export, in the order the mapping form shows them; True: required.
FIELDS: list[tuple[str, Any, bool]] = [
    ("supplier_org_number", gettext_lazy("Supplier's organisation number"), True),
    ("invoice_number", gettext_lazy("Invoice number"), True),
    ("invoice_date", gettext_lazy("Invoice date"), True),
    ("cost_centre", gettext_lazy("Cost centre"), True),
    ("account", gettext_lazy("Account"), True),
    ("amount", gettext_lazy("Amount excluding VAT"), True),
    ("article", gettext_lazy("Article number"), False),
    ("quantity", gettext_lazy("Quantity"), False),
]
MAX_ERRORS = 100  # listed; the count says how many more
MAX_BYTES = 50 * 1024 * 1024
LINE_BATCH = 2000
NO_UNIT = "C62"  # UN/ECE Rec 20 "one": a line that is an amount, not a counted article


class LedgerRefused(DomainError):
    """The file was not imported. ``errors`` lists "Rad N, kolumn X: …" messages."""

    code = "ledger_refused"
    status = 400

    def __init__(self, message: Any, errors: list[str] | None = None, total: int = 0) -> None:
        super().__init__(message, details={"errors": errors or [], "total": total or len(errors or [])})
        self.errors = errors or []
        self.total = total or len(self.errors)


@dataclass
class Row:
    number: int
    org_number: str
    invoice_number: str
    invoice_date: datetime.date
    cost_centre: str
    account: str
    amount: Decimal
    article: str
    quantity: Decimal | None


@dataclass
class Result:
    ledger_import: LedgerImport
    documents: list[int] = field(default_factory=list)


def can_import(user: Any) -> bool:
    return access.has_perm(user, Perm.MANAGE_CONTRACTS)


# --- The mapping ----------------------------------------------------------------------------


@transaction.atomic
def mapping_save(
    *, actor: User | None, organisation: Organisation, columns: dict[str, str], cost_centres: dict[str, str]
) -> ColumnMapping:
    """Save the organisation's column mapping (one per organisation)."""
    if actor is not None and not can_import(actor):
        raise NotAllowedError()
    if actor is not None and not access.can_change_organisation(actor, organisation):
        visible = access.visible_organisation_ids(actor)
        if visible is not None and organisation.pk not in visible:
            raise NotAllowedError()
    errors: dict[str, list[str]] = {}
    cleaned = {k: " ".join(str(v or "").split()) for k, v in columns.items() if k in {f for f, _l, _r in FIELDS}}
    for name, label, required in FIELDS:
        if required and not cleaned.get(name):
            errors.setdefault(name, []).append(_("%(field)s: name the column of the export.") % {"field": label})
    used = [v for v in cleaned.values() if v]
    if len(used) != len({v.lower() for v in used}):
        errors.setdefault("__all__", []).append(_("Each field needs a column of its own."))
    units = {u.name.lower(): u.name for u in Unit.objects.filter(organisation=organisation, is_active=True)}
    centres: dict[str, str] = {}
    for code, unit in cost_centres.items():
        code, unit = code.strip(), unit.strip()
        if unit.lower() not in units:
            errors.setdefault("cost_centres", []).append(
                _("Cost centre %(code)s: %(unit)s is not a unit of %(organisation)s.")
                % {"code": code, "unit": unit, "organisation": organisation.name}
            )
        else:
            centres[code] = units[unit.lower()]
    if errors:
        raise ValidationError(errors)
    mapping = ColumnMapping.objects.select_for_update().filter(organisation=organisation).first()
    before = {"columns": mapping.columns, "cost_centres": mapping.cost_centres} if mapping else None
    if mapping is None:
        mapping = ColumnMapping(organisation=organisation)
    else:
        mapping.version += 1
    mapping.columns = {k: v for k, v in cleaned.items() if v}
    mapping.cost_centres = centres
    mapping.updated_by = actor
    mapping.save()
    audit_record(
        actor=actor,
        action="ledger_mapping.saved",
        obj=mapping,
        organisation=organisation,
        before=before,
        after={"columns": mapping.columns, "cost_centres": mapping.cost_centres},
    )
    return mapping


# --- Reading --------------------------------------------------------------------------------


def _table(data: bytes, file_name: str) -> Iterator[list[Any]]:
    """The file's rows as lists of cell values: an Excel workbook's first sheet, or CSV
    (UTF-8, with or without BOM, else Windows-1252; separator ; , or tab)."""
    if data[:4] == b"PK\x03\x04" or file_name.lower().endswith(".xlsx"):
        try:
            with first_sheet_rows(data) as rows:
                for row in rows:
                    yield list(row)
        except WorkbookRefused as exc:
            raise LedgerRefused(str(exc)) from None
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    for candidate in (text, text.replace("/", "-"), text[:10]):
        try:
            return datetime.date.fromisoformat(candidate)
        except ValueError:
            continue
    if len(text) == 8 and text.isdigit():  # 20260115, as Raindance writes it
        try:
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return None
    return None


def unit_price(amount: Decimal, quantity: Decimal) -> Decimal:
    """The line's price per unit as an invoice line stores it (28 digits, 10 decimals), divided
    in the explicit decimal context; ``NumberRefused`` if it does not fit."""
    return divide(amount, quantity, places=10, digits=28)


def read_rows(data: bytes, file_name: str, mapping: ColumnMapping) -> list[Row]:
    """Every row of the file, checked; ``LedgerRefused`` with all the errors if any."""
    rows = _table(data, file_name)
    header = next(rows, None)
    if header is None:
        raise LedgerRefused(_("The file is empty."))
    names = [" ".join(str(h or "").split()).lower() for h in header]
    index: dict[str, int] = {}
    missing = []
    for name, column in mapping.columns.items():
        if column.lower() in names:
            index[name] = names.index(column.lower())
        else:
            missing.append(column)
    if missing:
        raise LedgerRefused(
            _("The file has no column %(columns)s. Check the organisation's column mapping.")
            % {"columns": ", ".join(f"“{c}”" for c in missing)}
        )
    errors: list[str] = []
    total_errors = 0
    result: list[Row] = []
    org_numbers: dict[str, str] = {}
    nonlocal_errors: list[tuple[int, str]] = []

    def error(row_number: int, name: str, message: str) -> None:
        nonlocal total_errors
        total_errors += 1
        if len(errors) < MAX_ERRORS:
            errors.append(
                _("Row %(row)d, column %(column)s: %(message)s")
                % {"row": row_number, "column": mapping.columns[name], "message": message}
            )

    def one(row_number: int, cells: list[Any]) -> Row | None:

        def cell(name: str, cells: list[Any] = cells) -> Any:
            position = index.get(name)
            return cells[position] if position is not None and position < len(cells) else None

        def text(name: str) -> str:
            value = cell(name)
            return " ".join(str(value).split()) if value is not None else ""

        raw_org = text("supplier_org_number")
        org_number = org_numbers.get(raw_org)
        if org_number is None:
            try:
                org_number = normalise_org_number(raw_org)
                org_numbers[raw_org] = org_number
            except ValidationError as exc:
                error(row_number, "supplier_org_number", exc.messages[0])
        number = text("invoice_number")
        if not number:
            error(row_number, "invoice_number", _("the invoice number is empty."))
        elif len(number) > 200:
            error(row_number, "invoice_number", _("at most 200 characters."))
        day = _date(cell("invoice_date"))
        if day is None:
            error(
                row_number,
                "invoice_date",
                _("“%(value)s” is not a date (write YYYY-MM-DD).") % {"value": text("invoice_date")},
            )
        cost_centre = text("cost_centre")
        if not cost_centre:
            error(row_number, "cost_centre", _("the cost centre is empty."))
        account = text("account")
        if not account:
            error(row_number, "account", _("the account is empty."))
        amount: Decimal | None = None
        try:
            amount = parse_decimal(cell("amount"), places=2, digits=17, round_places=True)
        except NumberRefused as exc:
            error(row_number, "amount", refusal_text(exc))
        quantity: Decimal | None = None
        if "quantity" in index and text("quantity"):
            try:
                quantity = parse_decimal(cell("quantity"), places=6, digits=20)
                if quantity == 0:
                    error(row_number, "quantity", _("the quantity cannot be zero."))
            except NumberRefused as exc:
                error(row_number, "quantity", refusal_text(exc))
        if amount is not None and quantity:
            try:
                unit_price(amount, quantity)
            except NumberRefused as exc:  # the price per unit does not fit an invoice line
                error(row_number, "quantity", refusal_text(exc))
        article = text("article") if "article" in index else ""
        if len(article) > 200:
            error(row_number, "article", _("at most 200 characters."))
        if total_errors:
            return None
        assert org_number is not None and day is not None and amount is not None
        return Row(row_number, org_number, number, day, cost_centre, account, amount, article, quantity)

    for row_number, cells in enumerate(rows, start=2):
        if not any(str(c or "").strip() for c in cells):
            continue  # blank lines at the end of an export
        try:
            row = one(row_number, cells)
        except Exception as exc:  # one row's bug refuses the file with the row named, never crashes
            reference = failures.log_internal_error(f"row {row_number} of the ledger file {file_name}", exc)
            nonlocal_errors.append((row_number, failures.internal_error_text(reference)))
            continue
        if row is not None:
            result.append(row)
    for row_number, message in nonlocal_errors:
        total_errors += 1
        if len(errors) < MAX_ERRORS:
            errors.append(failures.row_text(row_number, message))
    if total_errors:
        raise LedgerRefused(
            _("The file was not imported: %(count)d errors. Correct them and import the whole file again.")
            % {"count": total_errors},
            errors,
            total_errors,
        )
    if not result:
        raise LedgerRefused(_("The file has no invoice lines."))
    return result


# --- Storing --------------------------------------------------------------------------------


def _original(rows: list[Row]) -> bytes:
    """What is kept as the invoice's original: its rows as the export gave them."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for r in rows:
        writer.writerow(
            [
                r.number,
                r.org_number,
                r.invoice_number,
                r.invoice_date,
                r.cost_centre,
                r.account,
                r.amount,
                r.article,
                r.quantity or "",
            ]
        )
    return out.getvalue().encode()


def ledger_import(*, actor: User | None, organisation: Organisation, data: bytes, file_name: str) -> Result:
    """Import one export file for ``organisation`` with its saved mapping, all or nothing."""
    if actor is not None and not can_import(actor):
        raise NotAllowedError()
    visible = access.visible_organisation_ids(actor) if actor is not None else None
    if visible is not None and organisation.pk not in visible:
        raise NotAllowedError()
    mapping = ColumnMapping.objects.filter(organisation=organisation).first()
    if mapping is None:
        raise LedgerRefused(
            _("%(organisation)s has no column mapping yet: save one first.") % {"organisation": organisation.name}
        )
    if len(data) > MAX_BYTES:
        raise LedgerRefused(_("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)})
    sha256 = hashlib.sha256(data).hexdigest()
    if LedgerImport.objects.filter(sha256=sha256).exists():
        raise LedgerRefused(_("This file was already imported; nothing was changed."))
    written: list[str] = []  # the originals' files, deleted when the transaction fails
    try:
        rows = read_rows(data, file_name, mapping)
        with transaction.atomic():
            result = _store(actor, organisation, mapping, rows, sha256, file_name, written)
    except LedgerRefused:
        originals.delete(written)
        raise
    except Exception as exc:  # a bug met by this file refuses it (nothing stored) and names a reference
        originals.delete(written)
        reference = failures.log_internal_error(f"ledger file {file_name}", exc)
        raise LedgerRefused(failures.file_not_imported_text(failures.internal_error_text(reference))) from None
    # Matched after the commit, in batches, as the invoice import's bulk signal does. The
    # import stands if matching meets a bug: match_invoices matches what is unmatched later.
    from kravspar.spend.matching import match_documents

    try:
        match_documents(result.documents, batch_size=1000)
    except Exception as exc:
        failures.log_internal_error(f"matching the lines of the ledger file {file_name}", exc)
    return result


def _store(
    actor: User | None,
    organisation: Organisation,
    mapping: ColumnMapping,
    rows: list[Row],
    sha256: str,
    file_name: str,
    written: list[str],
) -> Result:
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.org_number, row.invoice_number), []).append(row)
    keys = {f"{SWEDISH_ORGNR_SCHEME}:{org}" for org, _n in groups}
    existing = set(
        InvoiceDocument.objects.filter(seller_key__in=keys, kind=DocumentKind.INVOICE).values_list(
            "seller_key", "number"
        )
    )
    suppliers = {
        s.org_number: s for s in Supplier.objects.filter(org_number__in={org for org, _n in groups}).order_by("id")
    }
    record = LedgerImport.objects.create(
        organisation=organisation,
        file_name=file_name[:255],
        sha256=sha256,
        line_count=len(rows),
        imported_by=actor,
    )
    now = timezone.now()
    documents: list[InvoiceDocument] = []
    pending: list[tuple[InvoiceDocument, list[Row]]] = []
    for (org, number), group in groups.items():
        key = f"{SWEDISH_ORGNR_SCHEME}:{org}"
        if (key, number) in existing:
            record.duplicate_count += 1
            continue
        original = _original(group)
        total = sum((r.amount for r in group), Decimal(0))
        supplier = suppliers.get(org)
        centre = group[0].cost_centre
        stored_name = originals.save(original)  # written before the row is committed
        written.append(stored_name)
        document = InvoiceDocument(
            kind=DocumentKind.INVOICE,
            original=stored_name,
            sha256=hashlib.sha256(f"{sha256}:{key}:{number}".encode() + original).hexdigest(),
            file_name=file_name[:500],
            customization_id=LEDGER_CUSTOMIZATION,
            number=number,
            issue_date=min(r.invoice_date for r in group),
            currency="SEK",
            # The matcher finds the ordering unit by the buyer reference: the cost centre's unit.
            buyer_reference=mapping.cost_centres.get(centre, centre)[:200],
            seller_key=key,
            seller_legal_id=org,
            seller_legal_scheme=SWEDISH_ORGNR_SCHEME,
            seller_org_number=org,
            seller_name=supplier.name if supplier else "",
            buyer_endpoint_id=organisation.org_number,
            buyer_endpoint_scheme=SWEDISH_ORGNR_SCHEME,
            buyer_name=organisation.name,
            line_extension_amount=total,
            tax_exclusive_amount=total,
            tax_inclusive_amount=total,
            payable_amount=total,
            line_count=len(group),
            buyer_organisation=organisation,
            supplier=supplier,
            imported_at=now,
            imported_by=actor,
        )
        documents.append(document)
        pending.append((document, group))
    InvoiceDocument.objects.bulk_create(documents, batch_size=500)
    lines: list[InvoiceLine] = []
    for document, group in pending:
        for position, r in enumerate(group, start=1):
            quantity = r.quantity if r.quantity is not None else Decimal(1)
            if not r.article:
                record.without_article += 1
            lines.append(
                InvoiceLine(
                    document=document,
                    position=position,
                    line_id=str(r.number),
                    quantity=quantity,
                    unit_code=NO_UNIT if not r.article else "EA",
                    line_net_amount=r.amount,
                    price_amount=unit_price(r.amount, quantity),
                    item_name=(_("Account %(account)s") % {"account": r.account})[:500],
                    seller_item_id=r.article,
                    note=_("Cost centre %(centre)s, account %(account)s")
                    % {"centre": r.cost_centre, "account": r.account},
                )
            )
            if len(lines) >= LINE_BATCH:
                InvoiceLine.objects.bulk_create(lines)
                lines = []
    InvoiceLine.objects.bulk_create(lines)
    record.document_count = len(documents)
    record.save(update_fields=["duplicate_count", "without_article", "document_count", "updated_at"])
    audit_record(
        actor=actor,
        action="ledger.imported",
        obj=record,
        organisation=organisation,
        after={
            "file": record.file_name,
            "lines": record.line_count,
            "invoices": record.document_count,
            "invoices_already_imported": record.duplicate_count,
            "lines_without_article": record.without_article,
        },
    )
    return Result(record, [d.pk for d in documents])
