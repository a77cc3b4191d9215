"""python manage.py import_procurement_statistics FILE [FILE ...] [--buyer ORGNR ...] [--dry-run]

Imports Upphandlingsmyndigheten's statistics files (.xlsx as downloaded, or CSV with the same
header). See kravspar/procurements/statistics/ for what is read and how."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kravspar.core import failures
from kravspar.procurements.models import DataQuality
from kravspar.procurements.statistics import BATCH_SIZE, FileKind, Progress, StatisticsFileError, import_statistics


class Command(BaseCommand):
    help = (
        "Import procurements, contracted values and suppliers from Upphandlingsmyndigheten's statistics "
        "(idempotent: a second run creates nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="statistics workbooks or CSV files")
        parser.add_argument(
            "--buyer",
            action="append",
            default=[],
            metavar="ORGNR",
            help="import only this buyer's rows (organisation number; may be repeated)",
        )
        parser.add_argument("--dry-run", action="store_true", help="read and check everything, write nothing")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="rows written per transaction")
        parser.add_argument(
            "--progress-every", type=int, default=5000, metavar="N", help="report progress every N rows"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[Path] = options["files"]
        for path in files:
            if not path.is_file():
                raise CommandError(_("%(file)s: no such file.") % {"file": path})
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        verbose = options["verbosity"] > 0
        try:
            reports = import_statistics(
                files,
                buyers=options["buyer"],
                dry_run=options["dry_run"],
                batch_size=options["batch_size"],
                progress_every=options["progress_every"] if verbose else 0,
                on_progress=self._progress,
            )
        except StatisticsFileError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:  # a --buyer that is not an organisation number
            raise CommandError(" ".join(exc.messages)) from exc
        internal = sum(report.internal_errors for report in reports)
        if not verbose:
            self._exit_on_internal_errors(internal)
            return
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
        for report in reports:
            self.stdout.write(
                _(
                    "%(file)s (%(kind)s): %(rows)d rows; %(created)d procurements created, %(found)d rows matched, "
                    "%(values)d values set, %(orgs)d buyers registered, %(suppliers)d suppliers created, "
                    "%(links)d supplier links created; %(skipped)d rows skipped."
                )
                % {
                    "file": report.path.name,
                    "kind": report.kind.label,
                    "rows": report.rows,
                    "created": report.procurements_created,
                    "found": report.procurements_found,
                    "values": report.values_set,
                    "orgs": report.organisations_created,
                    "suppliers": report.suppliers_created,
                    "links": report.links_created,
                    "skipped": report.skipped,
                }
            )
            if report.kind == FileKind.PROCUREMENTS and report.published_count:
                self.stdout.write(
                    _(
                        "  Upphandlingsmyndigheten's count for the file (Antal upphandlingar): %(published)d; "
                        "procurements created or found: %(imported)d."
                    )
                    % {
                        "published": report.published_count,
                        "imported": report.procurements_created + report.procurements_found,
                    }
                )
            if report.flagged:
                self.stdout.write(
                    _("  Imported and flagged with a data-quality problem: %(problems)s.")
                    % {
                        "problems": ", ".join(
                            f"{DataQuality(code).label} {count}" for code, count in sorted(report.flagged.items())
                        )
                    }
                )
            if report.other_buyers:
                self.stdout.write(_("  %(count)d rows of other buyers left out.") % {"count": report.other_buyers})
            if report.withheld_suppliers:
                self.stdout.write(
                    _("  %(count)d supplier rows with the name withheld (Personuppgift) were not linked.")
                    % {"count": report.withheld_suppliers}
                )
            for problem in report.problems:
                line = _("  row %(row)d: %(message)s") % {"row": problem.row, "message": problem.message}
                self.stdout.write(self.style.ERROR(line) if problem.skipped else self.style.WARNING(line))

        self._exit_on_internal_errors(internal)

    def _exit_on_internal_errors(self, count: int) -> None:
        """Rows, batches or files an unexpected error stopped are refused, the import goes on,
        and the exit status says how many (at most 100: above 125 means a signal)."""
        if count:
            self.stderr.write(failures.internal_errors_summary(count))
            raise SystemExit(min(count, 100))

    def _progress(self, progress: Progress) -> None:
        self.stdout.write(
            _("%(file)s: %(rows)d rows read, %(created)d procurements created, %(seconds).0f s")
            % {
                "file": progress.path.name,
                "rows": progress.rows,
                "created": progress.procurements_created,
                "seconds": progress.seconds,
            }
        )
