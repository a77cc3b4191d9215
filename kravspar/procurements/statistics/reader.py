"""Reading a statistics file: its rows streamed (an .xlsx's first sheet, or a CSV with the
same header), the kind of file told by the header, and each row parsed into a ``Row`` in
the domain's terms, with the problems that keep it out or that it is imported with."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kravspar.core import numbers, workbooks
from kravspar.organisations.identifiers import normalise_org_number
from kravspar.procurements.models import AgreementType, DataQuality, ProcurementKind
from kravspar.procurements.statistics.columns import (
    AD_DATABASE,
    AGREEMENT,
    AGREEMENTS,
    BUYER,
    BUYER_ORG_NUMBER,
    CPV,
    ID,
    KIND,
    KIND_COLUMNS,
    KINDS,
    LOT,
    NO_CPV,
    PROCEDURE,
    PROCEDURES,
    PROCUREMENT_COLUMNS,
    PUBLISHED,
    REGISTRY_PREFIX,
    SECTORS,
    SIZE_CLASSES,
    SUPPLIER,
    SUPPLIER_SECTOR,
    SUPPLIER_SIZE,
    TENDERS,
    TITLE,
    VALUE,
    FileKind,
)
from kravspar.procurements.statistics.report import Problem, StatisticsFileError


@dataclass
class Row:
    """One readable row, in the domain's terms."""

    number: int
    ident: str
    buyer_name: str
    buyer_org_number: str
    kind: str
    cpv: str | None
    procedure: str
    agreement_type: str
    title: str
    published: str
    ad_database: str
    value: Decimal | None = None
    supplier_name: str = ""
    size_class: str = ""
    sector: str = ""
    lot: str = ""
    tenders: int = 1
    buyer_valid: bool = True  # False: the organisation number fails the check; no buyer is linked
    occurrence: int = 1  # the n-th row with this Upphandlings-ID and buyer in the file
    flags: list[str] = field(default_factory=list)  # DataQuality codes

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.ident, self.buyer_org_number, self.occurrence)

    def registry_numbers(self) -> list[str]:
        """The registry numbers this row's procurement can have, the preferred one first."""
        base = f"{REGISTRY_PREFIX}{self.ident}"
        if self.occurrence > 1:
            return [f"{base}-{self.buyer_org_number}-{self.occurrence}"]
        if not self.buyer_valid:
            return [f"{base}-{self.buyer_org_number}"]
        return [base, f"{base}-{self.buyer_org_number}"]


def _csv_refused(path: Path, exc: Exception) -> StatisticsFileError:
    # Not UTF-8, a field over the csv module's limit, a broken quote: not a statistics file.
    return StatisticsFileError(
        _("%(file)s cannot be read as CSV (UTF-8): %(error)s") % {"file": path.name, "error": exc}
    )


def _workbook_refused(path: Path, exc: Exception) -> StatisticsFileError:
    return StatisticsFileError(
        _("%(file)s cannot be read as a workbook: %(error)s") % {"file": path.name, "error": exc}
    )


def _csv_rows(path: Path, reader: Iterator[list[str]]) -> Iterator[tuple[Any, ...]]:
    try:
        for row in reader:
            yield tuple(v if v != "" else None for v in row)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _csv_refused(path, exc) from None


def _workbook_rows(path: Path, rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    try:
        yield from rows
    except workbooks.WorkbookRefused as exc:
        raise _workbook_refused(path, exc) from None


@contextmanager
def open_rows(path: Path) -> Iterator[tuple[list[str], Iterator[tuple[Any, ...]]]]:
    """The header and an iterator over the data rows of an .xlsx (first sheet) or a CSV
    (UTF-8, comma-separated) file. Workbooks are streamed: memory does not grow with the file.
    A file that turns out unreadable, while opening it or while its rows are read, raises
    ``StatisticsFileError`` naming it; the rows raise it themselves, so several files can be
    open at once (the import opens them all to check their kinds before it writes)."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            try:
                header = next(reader, [])
            except (UnicodeDecodeError, csv.Error) as exc:
                raise _csv_refused(path, exc) from None
            yield [h.strip() for h in header], _csv_rows(path, reader)
        return
    with ExitStack() as stack:
        try:
            rows = stack.enter_context(workbooks.first_sheet_rows(path))
            first = next(rows, None) or ()
        except workbooks.WorkbookRefused as exc:
            raise _workbook_refused(path, exc) from None
        yield [str(h).strip() if h is not None else "" for h in first], _workbook_rows(path, rows)


def detect_kind(header: Iterable[str], name: str) -> FileKind:
    columns = set(header)
    missing = [c for c in PROCUREMENT_COLUMNS if c not in columns]
    kinds = [kind for kind, markers in KIND_COLUMNS.items() if set(markers) <= columns]
    if missing:
        raise StatisticsFileError(
            _("%(file)s is not one of Upphandlingsmyndigheten's statistics files: the header lacks %(columns)s.")
            % {"file": name, "columns": ", ".join(missing)}
        )
    if len(kinds) != 1:
        raise StatisticsFileError(
            _("%(file)s: the header does not tell whether it holds procurements, contracted values or suppliers.")
            % {"file": name}
        )
    return kinds[0]


def file_kind(path: Path) -> FileKind:
    with open_rows(path) as (header, _rows):
        return detect_kind(header, path.name)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def _kind_from_cpv(code: str) -> str:
    """CPV divisions 03–44 and 48 are supplies, 45 is works, the rest services."""
    division = int(code[:2])
    if division == 45:
        return ProcurementKind.WORKS
    if division <= 44 or division == 48:
        return ProcurementKind.GOODS
    return ProcurementKind.SERVICES


def _amount(value: Any) -> Decimal:
    """Whole kronor, within Procurement.estimated_value (DecimalField(max_digits=15))."""
    return numbers.parse_decimal(value, places=0, digits=15, negative=False, round_places=True)


def _date(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _text(value)


def _published_count(values: tuple[Any, ...], column: int) -> int:
    """A row's "Antal upphandlingar" (1 in the national files); a row without it counts once."""
    raw = values[column] if column < len(values) else None
    try:
        return numbers.parse_integer(raw, digits=9) if raw not in (None, "") else 1
    except numbers.NumberRefused:
        return 1


def _day(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


class Parser:
    def __init__(self, kind: FileKind, header: list[str], cpv_codes: set[str]) -> None:
        self.kind = kind
        self.index = {name: i for i, name in enumerate(header) if name}
        self.cpv_codes = cpv_codes

    def _get(self, values: tuple[Any, ...], column: str) -> Any:
        i = self.index.get(column)
        return values[i] if i is not None and i < len(values) else None

    def buyer_digits(self, values: tuple[Any, ...]) -> str:
        return "".join(ch for ch in _text(self._get(values, BUYER_ORG_NUMBER)) if ch.isdigit())

    def parse(self, number: int, values: tuple[Any, ...]) -> tuple[Row | None, list[Problem]]:
        """The row, or None and why it cannot be read; plus notes on what was left out."""
        get = self._get
        errors: list[str] = []
        notes: list[str] = []
        ident = _text(get(values, ID))
        if not ident:
            errors.append(_("Upphandlings-ID is missing."))
        org_number = ""
        flags: list[str] = []
        raw_org_number = _text(get(values, BUYER_ORG_NUMBER))
        try:
            org_number = normalise_org_number(raw_org_number, field=_("Buyer's organisation number"))
        except ValidationError as exc:
            digits = "".join(ch for ch in raw_org_number if ch.isdigit())[:20]
            if not digits:
                errors.extend(exc.messages)
            else:
                org_number = digits
                flags.append(DataQuality.BUYER_ORG_NUMBER)
                notes.append(
                    _(
                        "The buyer's organisation number %(number)s fails the check (%(error)s); imported without "
                        "a buyer and flagged."
                    )
                    % {"number": raw_org_number, "error": " ".join(exc.messages)}
                )
        buyer_name = _text(get(values, BUYER))
        if not buyer_name:
            errors.append(_("The buyer's name is missing."))
        title = _text(get(values, TITLE))[:300]
        if not title:
            errors.append(_("The title is missing."))
        cpv_text = _text(get(values, CPV))
        cpv: str | None = cpv_text[:8] if cpv_text else None
        if cpv == NO_CPV or cpv is None:
            notes.append(_("The CPV code is missing in the statistics; imported without one."))
            cpv = None
        elif cpv not in self.cpv_codes:
            errors.append(_("CPV code %(code)s is not a CPV 2008 code.") % {"code": cpv_text})
        kind_text = _text(get(values, KIND))
        kind = KINDS.get(kind_text, "")
        if not kind:
            if cpv and cpv in self.cpv_codes:
                kind = _kind_from_cpv(cpv)
            elif cpv is None:
                flags.append(DataQuality.KIND_MISSING)
                notes.append(
                    _(
                        "Neither Upphandlingsslag nor a CPV code tells whether goods, services or works; imported "
                        "without a kind and flagged."
                    )
                )
        procedure_text = _text(get(values, PROCEDURE))
        procedure = PROCEDURES.get(procedure_text, "")
        if procedure_text and procedure_text not in PROCEDURES:
            notes.append(
                _("Förfarande “%(value)s” is unknown; imported without a procedure.") % {"value": procedure_text}
            )
        agreement_text = _text(get(values, AGREEMENT))
        agreement = AGREEMENTS.get(agreement_text)
        if agreement is None:
            if agreement_text:
                notes.append(
                    _("Typ av avtal “%(value)s” is unknown; imported as a contract.") % {"value": agreement_text}
                )
            agreement = AgreementType.CONTRACT
        row = Row(
            number=number,
            ident=ident,
            buyer_name=buyer_name,
            buyer_org_number=org_number,
            kind=kind,
            cpv=cpv,
            procedure=procedure,
            agreement_type=agreement,
            title=title,
            published=_date(get(values, PUBLISHED)),
            ad_database=_text(get(values, AD_DATABASE)),
            buyer_valid=DataQuality.BUYER_ORG_NUMBER not in flags,
            flags=flags,
        )
        if self.kind == FileKind.CONTRACTED_VALUES:
            raw = get(values, VALUE)
            if raw is not None and _text(raw):
                try:
                    row.value = _amount(raw)
                except numbers.NumberRefused:
                    errors.append(_("Kontrakterat värde “%(value)s” is not an amount in SEK.") % {"value": raw})
        if self.kind == FileKind.SUPPLIERS:
            row.supplier_name = _text(get(values, SUPPLIER))[:200]
            if not row.supplier_name:
                errors.append(_("The supplier's name is missing."))
            size = _text(get(values, SUPPLIER_SIZE))
            row.size_class = SIZE_CLASSES.get(size, "")
            if size and not row.size_class:
                notes.append(
                    _("Företagsstorlek “%(value)s” is unknown; stored without a size class.") % {"value": size}
                )
            row.sector = SECTORS.get(_text(get(values, SUPPLIER_SECTOR)), "")
            row.lot = _text(get(values, LOT))[:100]
            try:
                # Bounded: a cell of 1e308 (read as float infinity) is no count of tenders.
                row.tenders = max(1, numbers.parse_integer(get(values, TENDERS) or 1, digits=9))
            except numbers.NumberRefused:
                row.tenders = 1
        if errors:
            return None, [Problem(number, " ".join(errors))]
        return row, [Problem(number, note, skipped=False) for note in notes]
