"""Import of existing contracts from the Excel or CSV registers the regions keep today.

Three steps: the upload is stored under a random name; the person maps their columns to
contract fields; a dry run shows row by row what would be created and what is wrong; then
the import. The dry run *is* the import, run in a transaction that is rolled back, so the
two can never disagree. A sheet with any error is refused as a whole: nothing is created.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.contracts import services as contract_services
from kravspar.core import failures, numbers, workbooks
from kravspar.organisations.identifiers import normalise_org_number
from kravspar.organisations.models import Organisation, Unit
from kravspar.suppliers import services as supplier_services
from kravspar.suppliers.models import Supplier

if TYPE_CHECKING:
    from kravspar.accounts.models import User

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
VALUE_DIGITS = 15  # Contract.value: DecimalField(max_digits=15, decimal_places=0)
KEEP_SECONDS = 24 * 3600  # an upload nobody finishes importing is removed after a day
SOURCE = "Import"
# The mapping page shows the report of the trial run made by the background job named here.
TRIAL_RUN_PARAMETER = "provkorning"

# Target fields: key, label, required. The keys of contract fields are those of the
# contracts service, so that its errors name the column the person mapped.
FIELDS: list[tuple[str, Any, bool]] = [
    ("contract_number", gettext_lazy("Contract number"), True),
    ("title", gettext_lazy("Title"), True),
    ("supplier_name", gettext_lazy("Supplier name"), False),
    ("supplier_org_number", gettext_lazy("Supplier organisation number"), False),
    ("buyers", gettext_lazy("Buyer organisation numbers"), True),
    ("ordering_units", gettext_lazy("Ordering unit (beställare)"), False),
    ("signed_on", gettext_lazy("Signed"), False),
    ("starts_on", gettext_lazy("Starts"), True),
    ("ends_on", gettext_lazy("Ends"), True),
    ("value", gettext_lazy("Value (SEK)"), False),
    ("extension_options", gettext_lazy("Extension options"), False),
    ("extension_months", gettext_lazy("Months per extension"), False),
]
FIELD_LABELS = {key: label for key, label, _required in FIELDS}
# Column headings that are mapped without asking, lower-case (Swedish and English).
GUESSES = {
    "contract_number": ("avtalsnummer", "avtalsnr", "avtals-id", "contract number", "diarienummer"),
    "title": ("avtalsnamn", "benämning", "titel", "avtal", "title", "namn"),
    "supplier_name": ("leverantör", "leverantörsnamn", "supplier", "supplier name"),
    "supplier_org_number": ("leverantörens organisationsnummer", "leverantör orgnr", "org.nr leverantör", "orgnr"),
    # "Beställare" in a Swedish register is the ordering unit that uses the contract, not
    # the organisation that bought it (domain § 3, glossary): it never maps to the buyers.
    "buyers": ("köpare", "avropsberättigade", "organisation", "buyer", "buyers"),
    "ordering_units": ("beställare", "beställande verksamhet", "beställande enhet", "ordering unit", "orderer"),
    "signed_on": ("tecknat", "undertecknat", "avtalsdatum", "signed"),
    "starts_on": ("startdatum", "avtalsstart", "start", "giltigt från", "starts"),
    "ends_on": ("slutdatum", "avtalsslut", "slut", "giltigt till", "ends"),
    "value": ("värde", "avtalsvärde", "uppskattat värde", "value"),
    "extension_options": ("förlängningsoptioner", "optioner", "antal optioner", "extension options"),
    "extension_months": ("månader per förlängning", "förlängning (månader)", "months per extension"),
}


# The headings and an example row of the template offered on the upload page; the
# headings are among GUESSES, so the mapping step needs no changes for it.
TEMPLATE = [
    [
        "Avtalsnummer",
        "Avtalsnamn",
        "Leverantör",
        "Leverantörens organisationsnummer",
        "Köpare",
        "Beställare",
        "Tecknat",
        "Startdatum",
        "Slutdatum",
        "Värde",
        "Förlängningsoptioner",
        "Månader per förlängning",
    ],
    [
        "RV-2023-0001",
        "Städtjänster",
        "Exempel Städ AB",
        "556036-0793",
        "232100-0172",
        "",  # the ordering unit's name as registered under Organisations, e.g. the clinic
        "2023-01-15",
        "2023-02-01",
        "2026-01-31",
        "1 200 000",
        "2",
        "12",
    ],
]


class ImportFileError(Exception):
    """The file cannot be read as a sheet; the message says why, in Swedish."""


# --- Storing the upload between the steps -----------------------------------------------


def import_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def stored_path(token: str, extension: str) -> Path | None:
    if not _TOKEN.match(token) or extension not in ("csv", "xlsx"):
        return None
    path = import_dir() / f"{token}.{extension}"
    return path if path.exists() else None


def _remove_old() -> None:
    limit = time.time() - KEEP_SECONDS
    for path in import_dir().glob("*.*"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def sniff_extension(name: str, head: bytes) -> str:
    """'xlsx' or 'csv' by the content, not the name alone: an .xlsx file is a zip archive,
    a CSV file is text."""
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        if not head.startswith(b"PK\x03\x04"):
            raise ImportFileError(_("The file is named .xlsx but is not an Excel workbook."))
        return "xlsx"
    if lowered.endswith((".csv", ".txt")):
        if b"\x00" in head:
            raise ImportFileError(_("The file is named .csv but is not a text file."))
        return "csv"
    raise ImportFileError(_("Choose an Excel workbook (.xlsx) or a CSV file (.csv)."))


def store_upload(upload: Any) -> tuple[str, str]:
    """Save an uploaded file under a random name; returns (token, extension)."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(limit)d MB. Split the register into several files.")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    head = upload.read(8)
    upload.seek(0)
    extension = sniff_extension(upload.name or "", head)
    if extension == "xlsx":
        # A workbook with a DTD (billion laughs, external entities) is refused before
        # anything is stored or parsed; the upload is at most MAX_BYTES, read in memory.
        try:
            workbooks.check_xlsx(upload.read(MAX_BYTES + 1))
        except workbooks.WorkbookRefused as exc:
            raise ImportFileError(str(exc)) from None
        finally:
            upload.seek(0)
    _remove_old()
    token = secrets.token_hex(16)
    path = import_dir() / f"{token}.{extension}"
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    try:
        read_sheet(path)  # refuse now what cannot be read, rather than at the mapping step
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return token, extension


# --- Reading ----------------------------------------------------------------------------


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number as the spreadsheet shows it, values)


def _decode(data: bytes) -> str:
    # Excel saves "CSV UTF-8" with a byte-order mark, and plain "CSV" in Windows-1252.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_csv(path: Path) -> list[list[Any]]:
    text = _decode(path.read_bytes())
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error:
        # A field over the csv module's limit (128 kB), or a broken quote: not a register.
        raise ImportFileError(_("The CSV file cannot be read; save it again as CSV.")) from None


def _read_xlsx(path: Path) -> list[list[Any]]:
    try:
        with workbooks.first_sheet_rows(path) as sheet_rows:
            rows = []
            for values in sheet_rows:
                rows.append(list(values))
                if len(rows) > MAX_ROWS + 1:
                    break
            return rows
    except workbooks.WorkbookRefused as exc:
        if exc.reason == "not_a_workbook":
            raise ImportFileError(_("The Excel workbook cannot be read; save it again as .xlsx.")) from None
        raise ImportFileError(str(exc)) from None


def read_sheet(path: Path) -> Sheet:
    raw = _read_xlsx(path) if path.suffix == ".xlsx" else _read_csv(path)
    if not raw:
        raise ImportFileError(_("The file is empty."))
    headers = [" ".join(str(h or "").split()) for h in raw[0]]
    if not any(headers):
        raise ImportFileError(_("The first row must name the columns."))
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if any(v not in (None, "") and str(v).strip() for v in values):
            rows.append((number, list(values) + [None] * (len(headers) - len(values))))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("At most %(max)d rows can be imported at once.") % {"max": MAX_ROWS})
    if not rows:
        raise ImportFileError(_("The sheet has a header row but no contracts."))
    return Sheet(headers=headers, rows=rows)


def guess_mapping(headers: list[str]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    lowered = [h.casefold() for h in headers]
    for key, names in GUESSES.items():
        for index, header in enumerate(lowered):
            if header in names and index not in mapping.values():
                mapping[key] = index
                break
    return mapping


# --- Parsing cells ----------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()[:10]
    for pattern in ("%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("write a date as 2026-03-01"))


def parse_amount(value: Any) -> Decimal:
    """Whole kronor, rounded; within the contract value's DecimalField."""
    if not isinstance(value, int | float | Decimal):
        value = re.sub(r"(?i)\s|kr|sek|\u00a0", "", str(value))
    try:
        return numbers.parse_decimal(value, places=0, digits=VALUE_DIGITS, round_places=True)
    except numbers.NumberRefused as exc:
        if exc.reason == numbers.Reason.TOO_LARGE:
            raise ValueError(_("the amount is too large")) from None
        raise ValueError(_("write an amount in kronor, e.g. 1 200 000")) from None


def parse_count(value: Any) -> int:
    try:
        return numbers.parse_integer(value, digits=9, negative=True)
    except numbers.NumberRefused:
        raise ValueError(_("write a whole number")) from None


# --- The import -------------------------------------------------------------------------


@dataclass
class RowResult:
    number: int
    contract_number: str = ""
    title: str = ""
    supplier: str = ""
    new_supplier: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass
class Result:
    rows: list[RowResult]
    committed: bool = False

    @property
    def errors(self) -> list[str]:
        return [e for row in self.rows for e in row.errors]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return len(self.rows) if self.ok else 0

    @property
    def new_suppliers(self) -> int:
        return len({r.supplier for r in self.rows if r.new_supplier})

    def as_data(self) -> list[dict[str, Any]]:
        """The row-by-row report as JSON-ready data (a trial run made by a background job)."""
        return [dataclasses.asdict(row) for row in self.rows]

    @classmethod
    def from_data(cls, data: list[dict[str, Any]]) -> Result:
        return cls(rows=[RowResult(**row) for row in data])


class _Rollback(Exception):
    pass


def validate_mapping(mapping: dict[str, int | None], headers: list[str]) -> dict[str, str]:
    """Errors by field: a required field without a column, or a column used twice."""
    errors: dict[str, str] = {}
    for key, label, required in FIELDS:
        if required and mapping.get(key) is None:
            errors[key] = _("%(field)s: choose the column that holds it.") % {"field": label}
    if mapping.get("supplier_name") is None and mapping.get("supplier_org_number") is None:
        errors["supplier_name"] = _("Choose the column with the supplier's name or organisation number.")
    used: dict[int, str] = {}
    for key, index in mapping.items():
        if index is None:
            continue
        if index in used:
            errors[key] = _("The column %(column)s is already used for %(field)s.") % {
                "column": headers[index],
                "field": FIELD_LABELS[used[index]],
            }
        used[index] = key
    return errors


def run_import(
    *,
    actor: User,
    sheet: Sheet,
    mapping: dict[str, int | None],
    commit: bool,
    on_commit_inside: Callable[[Result], None] | None = None,
) -> Result:
    """Register every row as a contract ("registered directly", strategy missing), finding or
    creating its supplier. One transaction: with ``commit`` False, or if any row is wrong,
    it is rolled back and nothing stays. ``on_commit_inside`` runs last inside that
    transaction when it is to commit (a background job marks itself done there, so the
    data and the job's end commit together); raising rolls everything back."""
    access.require_perm(actor, Perm.MANAGE_CONTRACTS)
    results: list[RowResult] = []
    result = Result(rows=results)
    try:
        with transaction.atomic():
            _import_rows(actor, sheet, mapping, results)
            if not commit or not result.ok:
                raise _Rollback
            if on_commit_inside is not None:
                on_commit_inside(result)
            result.committed = True
    except _Rollback:
        pass
    return result


def _import_rows(actor: User, sheet: Sheet, mapping: dict[str, int | None], results: list[RowResult]) -> None:
    visible = access.visible_organisation_ids(actor)
    buyers_by_number = {
        o.org_number: o for o in Organisation.objects.filter(is_active=True) if visible is None or o.pk in visible
    }
    seen_numbers: dict[str, int] = {}
    for number, values in sheet.rows:
        row = RowResult(number=number)
        results.append(row)
        # A bug met by one row refuses that row as an internal error with a reference (the
        # log has the traceback), so the file is not imported but every other row is still
        # checked and reported; the row's savepoint undoes what it wrote.
        try:
            with transaction.atomic():
                _import_row(actor, sheet, mapping, row, values, buyers_by_number, seen_numbers)
        except Exception as exc:
            reference = failures.log_internal_error(f"row {number} of a contract register import", exc)
            row.errors.append(failures.row_text(number, failures.internal_error_text(reference)))


def _import_row(
    actor: User,
    sheet: Sheet,
    mapping: dict[str, int | None],
    row: RowResult,
    values: list[Any],
    buyers_by_number: dict[str, Organisation],
    seen_numbers: dict[str, int],
) -> None:
    number = row.number

    def column(key: str) -> str:
        index = mapping.get(key)
        return sheet.headers[index] if index is not None else str(FIELD_LABELS[key])

    def error(key: str, message: str) -> None:
        row.errors.append(
            _("Row %(row)d, column “%(column)s”: %(message)s")
            % {"row": number, "column": column(key), "message": message}
        )

    def cell(key: str) -> Any:
        index = mapping.get(key)
        return None if index is None else values[index]

    # PostgreSQL cannot store or even compare text holding a NUL character (0x00), which a
    # sheet can carry: such a cell is refused by its column, before anything reads it.
    nul = [key for key in mapping if "\x00" in str(cell(key) or "")]
    for key in nul:
        error(key, _("the cell holds a NUL character (0x00), which cannot be stored; remove it."))
    if nul:
        return
    fields: dict[str, Any] = {}
    for key in ("contract_number", "title"):
        value = cell(key)
        fields[key] = "" if _blank(value) else " ".join(str(value).split())
        if not fields[key]:
            error(key, _("empty; every contract needs it."))
    row.contract_number, row.title = fields["contract_number"], fields["title"]
    if row.contract_number:
        if row.contract_number in seen_numbers:
            error(
                "contract_number",
                _("%(number)s is also on row %(other)d.")
                % {"number": row.contract_number, "other": seen_numbers[row.contract_number]},
            )
        seen_numbers.setdefault(row.contract_number, number)
    for key in ("signed_on", "starts_on", "ends_on"):
        value = cell(key)
        if _blank(value):
            if key != "signed_on":
                error(key, _("empty; write a date as 2026-03-01."))
            continue
        try:
            fields[key] = parse_date(value)
        except ValueError as exc:
            error(key, _("%(value)s: %(problem)s.") % {"value": value, "problem": exc})
    if "signed_on" not in fields and "starts_on" in fields:
        fields["signed_on"] = fields["starts_on"]  # registers often keep only the start
    value = cell("value")
    if not _blank(value):
        try:
            fields["value"] = parse_amount(value)
        except ValueError as exc:
            error("value", _("%(value)s: %(problem)s.") % {"value": value, "problem": exc})
    for key in ("extension_options", "extension_months"):
        value = cell(key)
        if not _blank(value):
            try:
                fields[key] = parse_count(value)
            except ValueError as exc:
                error(key, _("%(value)s: %(problem)s.") % {"value": value, "problem": exc})
    buyers = _buyers(cell("buyers"), buyers_by_number, lambda m: error("buyers", m))
    fields["ordering_units"] = _ordering_units(cell("ordering_units"), buyers, lambda m: error("ordering_units", m))
    supplier = _supplier(actor, row, cell("supplier_name"), cell("supplier_org_number"), error)
    if row.errors or supplier is None:
        return
    try:
        with transaction.atomic():
            contract_services.contract_register_direct(actor=actor, suppliers=[supplier], buyers=buyers, **fields)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            for message in messages:
                if key in FIELD_LABELS:
                    # The service names its own label ("Ends: ..."); the row names the person's column.
                    error(key, message.split(": ", 1)[-1])
                else:
                    row.errors.append(_("Row %(row)d: %(message)s") % {"row": number, "message": message})


def _ordering_units(value: Any, buyers: list[Organisation], error: Any) -> list[Unit]:
    """The units named in the cell, by name among the row's buyers' units; several are
    separated by semicolons or line breaks (a unit's name may hold a comma)."""
    if _blank(value) or not buyers:
        return []
    units = {u.name.casefold(): u for u in Unit.objects.filter(organisation__in=buyers, is_active=True)}
    found = []
    for part in re.split(r"[;\n]+", str(value)):
        name = " ".join(part.split())
        if not name:
            continue
        unit = units.get(name.casefold())
        if unit is None:
            error(
                _("%(name)s is not a unit of %(buyers)s; register it under Organisations first.")
                % {"name": name, "buyers": ", ".join(b.name for b in buyers)}
            )
        else:
            found.append(unit)
    return found


def _buyers(value: Any, known: dict[str, Organisation], error: Any) -> list[Organisation]:
    if _blank(value):
        error(_("empty; write the organisation number of at least one buyer."))
        return []
    buyers = []
    for part in re.split(r"[;,/\n]+", str(value)):
        if not part.strip():
            continue
        try:
            digits = normalise_org_number(part.strip())
        except ValidationError as exc:
            error(exc.messages[0])
            continue
        org = known.get(digits)
        if org is None:
            error(_("%(number)s is not an organisation you can register contracts for.") % {"number": part.strip()})
            continue
        buyers.append(org)
    return buyers


def _supplier(actor: User, row: RowResult, name: Any, org_number: Any, error: Any) -> Supplier | None:
    name = "" if _blank(name) else " ".join(str(name).split())
    number = ""
    if not _blank(org_number):
        try:
            number = normalise_org_number(str(org_number).strip())
        except ValidationError as exc:
            error("supplier_org_number", exc.messages[0])
            return None
    if number:
        existing = Supplier.objects.filter(org_number=number).order_by("id").first()
        if existing is not None:
            row.supplier = existing.name
            return existing
    if not name:
        error("supplier_name", _("empty; write the supplier's name (it is not yet in the supplier registry)."))
        return None
    if row.errors:
        return None
    try:
        supplier, created = supplier_services.supplier_get_or_create(
            actor=actor, name=name, org_number=number, source=SOURCE
        )
    except ValidationError as exc:
        for message in exc.messages:
            error("supplier_name", message)
        return None
    row.supplier, row.new_supplier = supplier.name, created
    return supplier
