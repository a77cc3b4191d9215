"""Reading Upphandlingsmyndigheten's procurement statistics (Statistikdatabasen, CC0).

Three kinds of file share the same procurement columns, one row per procurement or per
awarded supplier; the kind is told by the header row:

- procurements (``number_of_procurements.xlsx``): every advertised procurement of the year;
- contracted values (``contracted_value.xlsx``): the procurements that report a value;
- suppliers (``number_of_contracted_tenders_with_suppliers.xlsx``): one row per supplier and lot.

A procurement is known by its Upphandlings-ID and its buyer (the ID alone is not unique
nationally), and gets the registry number ``UHM-<ID>`` or, when another buyer already holds
that, ``UHM-<ID>-<buyer's org. nr>``. The import writes in batches, in bulk, one history row
per created object (the same fields ``audit_record`` writes), so a second run finds
everything and writes nothing. Rows it cannot read are reported with their row number and
skipped; the rest goes on.

Every procurement of the national file is imported, so that the totals match
Upphandlingsmyndigheten's published count: a row whose buyer's organisation number fails
the check digit (or is not Swedish), a row without Upphandlingsslag and CPV code, and a row
that repeats an Upphandlings-ID for the same buyer are imported and flagged with the
problem (``Procurement.data_quality``, ``DataQuality``), and counted in the report. A
flagged buyer is not registered (the number identifies no organisation): such a
procurement has no buyer and the registry number ``UHM-<ID>-<the number as given>``; the
n-th row of a repeated ID gets ``UHM-<ID>-<buyer's org. nr>-<n>``.
"""

from __future__ import annotations

import csv
import datetime
import enum
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kravspar.audit.models import AuditEvent
from kravspar.audit.services import snapshot
from kravspar.core import failures, numbers, workbooks
from kravspar.core.bulk import insert_rows
from kravspar.cpv.models import CpvCode
from kravspar.organisations.identifiers import normalise_org_number
from kravspar.organisations.models import Organisation, OrganisationKind
from kravspar.organisations.services import organisation_create
from kravspar.procurements.models import (
    AgreementType,
    DataQuality,
    Procedure,
    Procurement,
    ProcurementKind,
    ProcurementStatus,
)
from kravspar.procurements.services import PROCUREMENT_FIELDS
from kravspar.suppliers.models import ProcurementSupplier, Sector, SizeClass, Supplier, supplier_name_key
from kravspar.suppliers.services import SUPPLIER_FIELDS

SOURCE = "Upphandlingsmyndigheten statistikdatabas 2021"
REGISTRY_PREFIX = "UHM-"
BATCH_SIZE = 1000

# Column names as the statistics database writes them.
ID = "Upphandlings-ID"
BUYER = "Namn för köpare"
BUYER_ORG_NUMBER = "Organisationsnummer för köpare"
KIND = "Upphandlingsslag"
CPV = "Huvudsaklig CPV-kod"
PROCEDURE = "Förfarande"
AGREEMENT = "Typ av avtal"
TITLE = "Upphandlingens titel"
PUBLISHED = "Publiceringsdatum"
AD_DATABASE = "Annonsdatabas"
COUNT = "Antal upphandlingar, Summa"
VALUE = "Kontrakterat värde, Summa"
LOT = "Anbudsområdes-ID"
SUPPLIER = "Namn för leverantör"
SUPPLIER_SECTOR = "Sektor för leverantör"
SUPPLIER_SIZE = "Företagsstorlek för leverantör"
TENDERS = "Antal kontrakterade anbud*, Summa"

PROCUREMENT_COLUMNS = [ID, BUYER, BUYER_ORG_NUMBER, KIND, CPV, PROCEDURE, AGREEMENT, TITLE, PUBLISHED]


class FileKind(enum.IntEnum):
    # Imported in this order, whatever order the files are given in: procurements first,
    # so that registry numbers do not depend on the order of the command line.
    PROCUREMENTS = 1
    CONTRACTED_VALUES = 2
    SUPPLIERS = 3

    @property
    def label(self) -> str:
        return {
            FileKind.PROCUREMENTS: _("procurements"),
            FileKind.CONTRACTED_VALUES: _("contracted values"),
            FileKind.SUPPLIERS: _("suppliers"),
        }[self]


KIND_COLUMNS = {
    FileKind.PROCUREMENTS: [COUNT],
    FileKind.CONTRACTED_VALUES: [VALUE],
    FileKind.SUPPLIERS: [SUPPLIER, SUPPLIER_SIZE, SUPPLIER_SECTOR, LOT, TENDERS],
}

KINDS = {
    "Varor": ProcurementKind.GOODS,
    "Tjänster": ProcurementKind.SERVICES,
    "Byggentreprenader": ProcurementKind.WORKS,
}
# LOU's Swedish names. "Selektivt förfarande" is the restricted procedure of LOU 4 kap.;
# "Urvalsförfarande" the selective procedure of LOU 19 kap. "Annat förfarande" has no match.
PROCEDURES = {
    "Öppet förfarande": Procedure.OPEN,
    "Selektivt förfarande": Procedure.RESTRICTED,
    "Förhandlat förfarande med föregående annonsering": Procedure.NEGOTIATED_WITH_NOTICE,
    "Förhandlat förfarande utan föregående annonsering": Procedure.NEGOTIATED_WITHOUT_NOTICE,
    "Konkurrenspräglad dialog": Procedure.COMPETITIVE_DIALOGUE,
    "Inovationspartnerskap": Procedure.INNOVATION_PARTNERSHIP,
    "Innovationspartnerskap": Procedure.INNOVATION_PARTNERSHIP,
    "Förenklat förfarande": Procedure.SIMPLIFIED,
    "Urvalsförfarande": Procedure.SELECTIVE,
    "Direktupphandling": Procedure.DIRECT_AWARD,
    "Annat förfarande": "",
}
AGREEMENTS = {"Kontrakt": AgreementType.CONTRACT, "Ramavtal": AgreementType.FRAMEWORK}
SIZE_CLASSES = {
    "Mikroföretag": SizeClass.MICRO,
    "Små företag": SizeClass.SMALL,
    "Medelstora företag": SizeClass.MEDIUM,
    "Stora företag": SizeClass.LARGE,
}
SECTORS = {"Privat": Sector.PRIVATE, "Offentlig": Sector.PUBLIC}
NO_CPV = "00000000"  # "Uppgift saknas": the buyer gave no CPV code
# Sole traders' names are withheld in the published statistics.
WITHHELD_NAME = "personuppgift"


class StatisticsFileError(Exception):
    """The file is not a statistics workbook Kravspår can read; nothing was imported from it."""


@dataclass
class Problem:
    row: int
    message: str
    skipped: bool = True  # False: the row was imported, without the part named in the message


@dataclass
class FileReport:
    path: Path
    kind: FileKind
    rows: int = 0
    other_buyers: int = 0
    procurements_created: int = 0
    procurements_found: int = 0  # rows whose procurement was already imported
    values_set: int = 0
    organisations_created: int = 0
    suppliers_created: int = 0
    links_created: int = 0
    withheld_suppliers: int = 0
    # Rows imported with a data-quality problem, per ``DataQuality`` code.
    flagged: dict[str, int] = field(default_factory=dict)
    # The sum of "Antal upphandlingar" (procurements files): Upphandlingsmyndigheten's count.
    published_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    internal_errors: int = 0  # rows, batches of rows or the whole file an unexpected error stopped

    @property
    def skipped(self) -> int:
        return sum(1 for p in self.problems if p.skipped)


@dataclass
class Progress:
    path: Path
    rows: int
    procurements_created: int
    seconds: float


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


# --- Reading -------------------------------------------------------------------------------


@contextmanager
def open_rows(path: Path) -> Iterator[tuple[list[str], Iterator[tuple[Any, ...]]]]:
    """The header and an iterator over the data rows of an .xlsx (first sheet) or a CSV
    (UTF-8, comma-separated) file. Workbooks are streamed: memory does not grow with the file."""
    if path.suffix.lower() == ".csv":
        try:
            with path.open(encoding="utf-8-sig", newline="") as f:
                reader = csv.reader(f)
                header = next(reader, [])
                yield [h.strip() for h in header], (tuple(v if v != "" else None for v in row) for row in reader)
        except (UnicodeDecodeError, csv.Error) as exc:
            # Not UTF-8, a field over the csv module's limit, a broken quote: not a statistics file.
            raise StatisticsFileError(
                _("%(file)s cannot be read as CSV (UTF-8): %(error)s") % {"file": path.name, "error": exc}
            ) from None
        return
    try:
        with workbooks.first_sheet_rows(path) as rows:
            first = next(rows, None) or ()
            yield [str(h).strip() if h is not None else "" for h in first], rows
    except workbooks.WorkbookRefused as exc:
        raise StatisticsFileError(
            _("%(file)s cannot be read as a workbook: %(error)s") % {"file": path.name, "error": exc}
        ) from None


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


# --- Writing -------------------------------------------------------------------------------


def _audit_events(action: str, items: Iterable[tuple[Any, int | None, dict[str, Any] | None, dict[str, Any]]]) -> None:
    """One history row per object, with exactly the fields ``audit_record`` writes for a
    change made by the system (no person): the import writes them in bulk."""
    insert_rows(
        AuditEvent,
        [
            {
                "actor_id": None,
                "actor_label": "system",
                "action": action,
                "object_type": obj._meta.label_lower,
                "object_id": str(getattr(obj, "uuid", obj.pk)),
                "object_repr": str(obj)[:300],
                "organisation_id": organisation_id,
                "before": before,
                "after": after,
            }
            for obj, organisation_id, before, after in items
        ],
    )


_DESCRIPTIONS: dict[str, tuple[str, str, str, str]] = {}


def _description(row: Row) -> str:
    # Stored data, not UI: always written in the installation's language, whatever
    # language the person running the import has chosen. Translated once per language, not
    # once per row (switching languages costs more than writing the row).
    texts = _DESCRIPTIONS.get(settings.LANGUAGE_CODE)
    if texts is None:
        with translation.override(settings.LANGUAGE_CODE):
            texts = _DESCRIPTIONS[settings.LANGUAGE_CODE] = (
                _("Imported from Upphandlingsmyndigheten's statistics 2021 (Upphandlings-ID %(id)s)."),
                _("Published %(date)s in %(database)s."),
                _("Published %(date)s."),
                _("The value is the contracted value the buyer reported to the statistics, where there is one."),
            )
    imported, published_in, published, value = texts
    lines = [imported % {"id": row.ident}]
    if row.published:
        if row.ad_database:
            lines.append(published_in % {"date": row.published, "database": row.ad_database})
        else:
            lines.append(published % {"date": row.published})
    lines.append(value)
    return "\n".join(lines)


class Importer:
    """Imports statistics files into Kravspår. One instance per run."""

    def __init__(
        self,
        *,
        buyers: Iterable[str] = (),
        batch_size: int = BATCH_SIZE,
        progress_every: int = 0,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.buyers = {normalise_org_number(b) for b in buyers}
        self.batch_size = batch_size
        self.progress_every = progress_every
        self.on_progress = on_progress
        cpv = CpvCode.objects.only("code", "label_sv", "label_en")
        self.cpv: dict[str, CpvCode] = {c.code: c for c in cpv}
        self.organisations: dict[str, Organisation] = {}

    # Reading a file -------------------------------------------------------------------

    def import_file(self, path: Path) -> FileReport:
        started = time.perf_counter()
        with open_rows(path) as (header, rows):
            kind = detect_kind(header, path.name)
            report = FileReport(path=path, kind=kind)
            parser = Parser(kind, header, set(self.cpv))
            # Procurement files: (ID, buyer) -> first row and rows so far, to number and flag repeats.
            seen: dict[tuple[str, str], tuple[int, int]] = {}
            count_column = parser.index.get(COUNT) if kind == FileKind.PROCUREMENTS else None
            batch: list[Row] = []
            for number, values in enumerate(rows, start=2):
                if not any(v is not None and v != "" for v in values):
                    continue
                report.rows += 1
                if count_column is not None:
                    report.published_count += _published_count(values, count_column)
                if self.buyers and parser.buyer_digits(values) not in self.buyers:
                    report.other_buyers += 1
                else:
                    try:
                        row, problems = parser.parse(number, values)
                    except Exception as exc:  # one row's bug never stops the file
                        row, problems = None, [self._internal_error(report, number, exc)]
                    report.problems.extend(problems)
                    if row is not None and kind != FileKind.SUPPLIERS:
                        row = self._repeated(row, kind, seen, report)
                    if row is not None:
                        batch.append(row)
                    if len(batch) >= self.batch_size:
                        self._write_isolated(batch, report)
                        batch = []
                if self.on_progress and self.progress_every and report.rows % self.progress_every == 0:
                    self.on_progress(
                        Progress(path, report.rows, report.procurements_created, time.perf_counter() - started)
                    )
            if batch:
                self._write_isolated(batch, report)
        report.problems.sort(key=lambda p: p.row)
        report.seconds = time.perf_counter() - started
        return report

    @staticmethod
    def _repeated(
        row: Row, kind: FileKind, seen: dict[tuple[str, str], tuple[int, int]], report: FileReport
    ) -> Row | None:
        """A repeated Upphandlings-ID for the same buyer: in the procurements file it is a
        procurement of its own (the published count includes it), numbered and flagged; in
        the contracted values it is reported and skipped (it names no other procurement)."""
        first, occurrences = seen.get((row.ident, row.buyer_org_number), (row.number, 0))
        seen[(row.ident, row.buyer_org_number)] = (first, occurrences + 1)
        if not occurrences:
            return row
        if kind == FileKind.PROCUREMENTS:
            row.occurrence = occurrences + 1
            row.flags.append(DataQuality.REPEATED_ID)
            message = _(
                "Same Upphandlings-ID %(id)s and buyer as row %(row)d; imported as a procurement of its own "
                "and flagged."
            )
            report.problems.append(Problem(row.number, message % {"row": first, "id": row.ident}, skipped=False))
            return row
        message = _("Same procurement as row %(row)d (Upphandlings-ID %(id)s and the same buyer); skipped.")
        report.problems.append(Problem(row.number, message % {"row": first, "id": row.ident}))
        return None

    # Isolation --------------------------------------------------------------------------

    def _internal_error(self, report: FileReport, row: int, exc: BaseException) -> Problem:
        reference = failures.log_internal_error(f"row {row} of the statistics file {report.path.name}", exc)
        report.internal_errors += 1
        return Problem(row, failures.internal_error_text(reference))

    def _write_isolated(self, rows: list[Row], report: FileReport) -> None:
        """Write one batch in its own transaction; a bug in it refuses the batch's rows as an
        internal error (its counts undone with it) and the file goes on with the next batch."""
        counts = {name: getattr(report, name) for name in _COUNTS}
        try:
            self._write(rows, report)
        except Exception as exc:
            for name, value in counts.items():
                setattr(report, name, value)
            # Buyers the batch created were rolled back with it: look them up again.
            self.organisations = {}
            first, last = rows[0].number, rows[-1].number
            problem = self._internal_error(report, first, exc)
            problem.message = failures.rows_not_imported_text(first, last, problem.message)
            report.problems.append(problem)

    # Writing one batch ----------------------------------------------------------------

    @transaction.atomic
    def _write(self, rows: list[Row], report: FileReport) -> None:
        rows = self._with_buyers(rows, report)
        procurements = self._procurements(rows, report)
        if report.kind == FileKind.SUPPLIERS:
            self._suppliers(rows, procurements, report)

    def _with_buyers(self, rows: list[Row], report: FileReport) -> list[Row]:
        """Find or register each buyer (through the organisation service, which writes its
        history); rows whose buyer cannot be registered are reported and dropped."""
        wanted = {r.buyer_org_number for r in rows} - set(self.organisations)
        for org in Organisation.objects.filter(org_number__in=wanted):
            self.organisations[org.org_number] = org
        kept: list[Row] = []
        failed: dict[str, str] = {}
        for row in rows:
            number = row.buyer_org_number
            if not row.buyer_valid:
                kept.append(row)  # imported without a buyer, flagged
                continue
            if number not in self.organisations and number not in failed:
                region = number.startswith("2321") and row.buyer_name.casefold().startswith("region")
                try:
                    self.organisations[number] = organisation_create(
                        actor=None,
                        kind=OrganisationKind.REGION if region else OrganisationKind.OTHER,
                        name=row.buyer_name,
                        org_number=number,
                    )
                    report.organisations_created += 1
                except ValidationError as exc:
                    failed[number] = " ".join(exc.messages)
            if number in failed:
                report.problems.append(
                    Problem(row.number, _("The buyer could not be registered: %(error)s") % {"error": failed[number]})
                )
            else:
                kept.append(row)
        return kept

    def _organisation_id(self, row: Row) -> int | None:
        return self.organisations[row.buyer_org_number].pk if row.buyer_valid else None

    def _procurements(self, rows: list[Row], report: FileReport) -> dict[tuple[str, str, int], Procurement]:
        """The procurement of every row's key: found, or created in bulk. Contracted values
        fill in a value that is still empty; a stored value is never overwritten."""
        by_key = {r.key: r for r in rows}
        candidates = {number for r in by_key.values() for number in r.registry_numbers()}
        taken: dict[str, list[tuple[int, str, str | None]]] = {}
        found_ids: dict[tuple[str, str, int], int] = {}
        for pk, registry_number, source, org_number in Procurement.objects.filter(
            registry_number__in=candidates
        ).values_list("pk", "registry_number", "source", "buyers__org_number"):
            taken.setdefault(registry_number, []).append((pk, source, org_number))
        for key, row in by_key.items():
            buyer = row.buyer_org_number if row.buyer_valid else None
            for registry_number in reversed(row.registry_numbers()):
                match = [pk for pk, source, o in taken.get(registry_number, []) if source == SOURCE and o == buyer]
                if match:
                    found_ids[key] = match[0]
                    break
        found: dict[tuple[str, str, int], Procurement] = {}
        if found_ids:
            by_pk = Procurement.objects.in_bulk(list(found_ids.values()))
            found = {key: by_pk[pk] for key, pk in found_ids.items()}
        report.procurements_found += sum(1 for r in rows if r.key in found)

        new: dict[tuple[str, str, int], tuple[Procurement, Row]] = {}
        for row in rows:
            if row.key in found or row.key in new:
                continue
            numbers = row.registry_numbers()
            registry_number = next((n for n in numbers if n not in taken), numbers[-1])
            if registry_number in taken:
                report.problems.append(
                    Problem(
                        row.number,
                        _("Registry number %(number)s is used by another procurement.") % {"number": registry_number},
                    )
                )
                continue
            taken[registry_number] = []
            procurement = Procurement(
                registry_number=registry_number,
                title=row.title,
                description=_description(row),
                cpv_main=self.cpv[row.cpv] if row.cpv else None,
                kind=row.kind,
                procedure=row.procedure,
                agreement_type=row.agreement_type,
                estimated_value=row.value,
                status=ProcurementStatus.CONCLUDED,
                # Publiceringsdatum is the day the notice was published: contracts follow it.
                advertised_on=_day(row.published),
                source=SOURCE,
                data_quality=" ".join(row.flags),
            )
            new[row.key] = (procurement, row)
            for flag in row.flags:
                report.flagged[flag] = report.flagged.get(flag, 0) + 1
        if new:
            created = Procurement.objects.bulk_create([p for p, _row in new.values()], batch_size=self.batch_size)
            Buyers = Procurement.buyers.through
            Buyers.objects.bulk_create(
                [
                    Buyers(procurement_id=p.pk, organisation_id=self.organisations[row.buyer_org_number].pk)
                    for p, row in new.values()
                    if row.buyer_valid
                ],
                batch_size=self.batch_size,
            )
            _audit_events(
                "procurement.created",
                (
                    (
                        p,
                        self._organisation_id(row),
                        None,
                        snapshot(p, PROCUREMENT_FIELDS)
                        | {
                            "buyers": [self.organisations[row.buyer_org_number].name] if row.buyer_valid else [],
                            "ordering_units": [],
                            "cpv_additional": [],
                            "status": p.status,
                            "source": p.source,
                        },
                    )
                    for p, row in new.values()
                ),
            )
            report.procurements_created += len(created)

        if report.kind == FileKind.CONTRACTED_VALUES:
            self._values(rows, found, report)
        return found | {key: p for key, (p, _row) in new.items()}

    def _values(self, rows: list[Row], found: dict[tuple[str, str, int], Procurement], report: FileReport) -> None:
        changed: list[tuple[Procurement, Row]] = []
        now = timezone.now()
        for row in rows:
            procurement = found.get(row.key)
            if procurement is None or row.value is None or procurement.estimated_value == row.value:
                continue
            if procurement.estimated_value is None:
                procurement.estimated_value = row.value
                procurement.version += 1
                procurement.updated_at = now
                changed.append((procurement, row))
            else:
                report.problems.append(
                    Problem(
                        row.number,
                        _("The contracted value %(value)s differs from the %(stored)s already stored; kept the stored.")
                        % {"value": row.value, "stored": procurement.estimated_value},
                        skipped=False,
                    )
                )
        if changed:
            Procurement.objects.bulk_update(
                [p for p, _row in changed], ["estimated_value", "version", "updated_at"], batch_size=self.batch_size
            )
            _audit_events(
                "procurement.updated",
                (
                    (
                        p,
                        self._organisation_id(row),
                        {"estimated_value": None},
                        {"estimated_value": str(p.estimated_value)},
                    )
                    for p, row in changed
                ),
            )
            report.values_set += len(changed)

    def _suppliers(
        self, rows: list[Row], procurements: dict[tuple[str, str, int], Procurement], report: FileReport
    ) -> None:
        """Find or create each named supplier and link it to the procurement, per lot."""
        named: list[Row] = []
        for row in rows:
            if row.key not in procurements:
                continue
            if row.supplier_name.casefold() == WITHHELD_NAME:
                report.withheld_suppliers += 1
            else:
                named.append(row)
        keys = {supplier_name_key(r.supplier_name) for r in named}
        suppliers: dict[str, Supplier] = {}
        for supplier in Supplier.objects.filter(name_key__in=keys).order_by("-id"):
            suppliers[supplier.name_key] = supplier  # the oldest wins
        new_suppliers: dict[str, Supplier] = {}
        for row in named:
            key = supplier_name_key(row.supplier_name)
            if key not in suppliers and key not in new_suppliers:
                new_suppliers[key] = Supplier(
                    name=row.supplier_name, name_key=key, size_class=row.size_class, sector=row.sector, source=SOURCE
                )
        if new_suppliers:
            Supplier.objects.bulk_create(new_suppliers.values(), batch_size=self.batch_size)
            _audit_events(
                "supplier.created", ((s, None, None, snapshot(s, SUPPLIER_FIELDS)) for s in new_suppliers.values())
            )
            suppliers |= new_suppliers
            report.suppliers_created += len(new_suppliers)

        procurement_ids = {procurements[r.key].pk for r in named}
        existing = set(
            ProcurementSupplier.objects.filter(procurement_id__in=procurement_ids).values_list(
                "procurement_id", "supplier_id", "lot_reference"
            )
        )
        links: dict[tuple[int, int, str], tuple[ProcurementSupplier, Row]] = {}
        for row in named:
            procurement = procurements[row.key]
            supplier = suppliers[supplier_name_key(row.supplier_name)]
            link_key = (procurement.pk, supplier.pk, row.lot)
            if link_key in existing:
                continue
            if link_key in links:
                report.problems.append(
                    Problem(
                        row.number,
                        _("Same supplier and lot as row %(row)d; skipped.") % {"row": links[link_key][1].number},
                    )
                )
                continue
            links[link_key] = (
                ProcurementSupplier(
                    procurement=procurement,
                    supplier=supplier,
                    lot_reference=row.lot,
                    contracted_tenders=row.tenders,
                    source=SOURCE,
                ),
                row,
            )
        if links:
            ProcurementSupplier.objects.bulk_create([link for link, _row in links.values()], batch_size=self.batch_size)
            per_procurement: dict[int, tuple[Procurement, Row, list[str]]] = {}
            for link, row in links.values():
                entry = per_procurement.setdefault(link.procurement_id, (link.procurement, row, []))
                entry[2].append(
                    f"{link.supplier.name} ({link.lot_reference})" if link.lot_reference else link.supplier.name
                )
            _audit_events(
                "procurement.suppliers_added",
                (
                    (p, self._organisation_id(row), None, {"suppliers": sorted(names)})
                    for p, row, names in per_procurement.values()
                ),
            )
            report.links_created += len(links)


_COUNTS = (
    "procurements_created",
    "procurements_found",
    "values_set",
    "organisations_created",
    "suppliers_created",
    "links_created",
    "withheld_suppliers",
)


def _import_file_isolated(importer: Importer, kind: FileKind, path: Path) -> FileReport:
    """One file; a bug outside its rows and batches (reading it) refuses the rest of the file
    as an internal error, and the next file is read."""
    try:
        return importer.import_file(path)
    except StatisticsFileError:
        raise
    except Exception as exc:
        report = FileReport(path=path, kind=kind)
        report.problems.append(importer._internal_error(report, 0, exc))
        return report


def import_statistics(
    paths: Iterable[Path | str],
    *,
    buyers: Iterable[str] = (),
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress_every: int = 0,
    on_progress: Callable[[Progress], None] | None = None,
) -> list[FileReport]:
    """Import the files (procurements first, then values, then suppliers). Every file is
    checked to be a statistics file before anything is written. ``dry_run`` does the whole
    import in one transaction and rolls it back, so its counts are exactly those of a real run."""
    files = sorted(((file_kind(Path(p)), Path(p)) for p in paths), key=lambda kp: kp[0])
    importer = Importer(buyers=buyers, batch_size=batch_size, progress_every=progress_every, on_progress=on_progress)
    if not dry_run:
        return [_import_file_isolated(importer, kind, path) for kind, path in files]
    with transaction.atomic():
        reports = [_import_file_isolated(importer, kind, path) for kind, path in files]
        transaction.set_rollback(True)
    return reports
