"""The import of a run's files: each file read row by row, repeated procurements numbered,
batches handed to the ``BatchWriter``, and the unexpected isolated per row, per batch and
per file so that one bug never stops the rest."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kravspar.core import failures
from kravspar.organisations.identifiers import normalise_org_number
from kravspar.procurements.models import DataQuality
from kravspar.procurements.statistics.columns import BATCH_SIZE, COUNT, FileKind
from kravspar.procurements.statistics.reader import Parser, Row, _published_count, detect_kind, open_rows
from kravspar.procurements.statistics.report import FileReport, Problem, Progress, StatisticsFileError
from kravspar.procurements.statistics.writer import BatchWriter

_COUNTS = (
    "procurements_created",
    "procurements_found",
    "values_set",
    "organisations_created",
    "suppliers_created",
    "links_created",
    "withheld_suppliers",
)


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
        self.writer = BatchWriter(batch_size=batch_size)

    # Reading a file -------------------------------------------------------------------

    def import_file(self, path: Path) -> FileReport:
        with open_rows(path) as (header, rows):
            return self.import_rows(path, detect_kind(header, path.name), header, rows)

    def import_rows(self, path: Path, kind: FileKind, header: list[str], rows: Iterator[tuple[Any, ...]]) -> FileReport:
        """Import the data rows of an open file whose header told its kind."""
        started = time.perf_counter()
        report = FileReport(path=path, kind=kind)
        parser = Parser(kind, header, set(self.writer.cpv))
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
            self.writer.forget_buyers()
            first, last = rows[0].number, rows[-1].number
            problem = self._internal_error(report, first, exc)
            problem.message = failures.rows_not_imported_text(first, last, problem.message)
            report.problems.append(problem)

    def _write(self, rows: list[Row], report: FileReport) -> None:
        self.writer.write(rows, report)


def _import_file_isolated(
    importer: Importer, kind: FileKind, path: Path, header: list[str], rows: Iterator[tuple[Any, ...]]
) -> FileReport:
    """One file; a bug outside its rows and batches (reading it) refuses the rest of the file
    as an internal error, and the next file is read."""
    try:
        return importer.import_rows(path, kind, header, rows)
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
    opened and checked to be a statistics file before anything is written, and read once:
    the rows are imported from the same open file. ``dry_run`` does the whole import in one
    transaction and rolls it back, so its counts are exactly those of a real run."""
    with ExitStack() as stack:
        files = []
        for p in paths:
            path = Path(p)
            header, rows = stack.enter_context(open_rows(path))
            files.append((detect_kind(header, path.name), path, header, rows))
        files.sort(key=lambda file: file[0])
        importer = Importer(
            buyers=buyers, batch_size=batch_size, progress_every=progress_every, on_progress=on_progress
        )
        if not dry_run:
            return [_import_file_isolated(importer, *file) for file in files]
        with transaction.atomic():
            reports = [_import_file_isolated(importer, *file) for file in files]
            transaction.set_rollback(True)
        return reports
