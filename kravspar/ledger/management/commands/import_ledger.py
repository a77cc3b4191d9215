"""Import a financial-system export (CSV or Excel) of invoice lines for one organisation,
with the organisation's saved column mapping. All or nothing per file; a file that is
refused (or meets an unexpected error, refused as an internal error with a reference for the
log) does not stop the next. The exit status is the number of files not imported.

    python manage.py import_ledger 2321000172 raindance-2026-01.csv
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from kravspar.core import failures
from kravspar.ledger.services import LedgerRefused, ledger_import
from kravspar.organisations.models import Organisation

MAX_EXIT_STATUS = 100


class Command(BaseCommand):
    help = "Import invoice lines from a financial-system export (CSV or .xlsx) for one organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org_number", help="The buying organisation's number, ten digits")
        parser.add_argument("paths", nargs="+", help="Export files; each is imported whole or not at all")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        organisation = Organisation.objects.filter(org_number=options["org_number"].replace("-", "")).first()
        if organisation is None:
            raise CommandError(f"No organisation {options['org_number']}")
        failed = 0
        paths = options["paths"]
        for path in paths:
            try:
                result = ledger_import(
                    actor=None, organisation=organisation, data=Path(path).read_bytes(), file_name=Path(path).name
                )
            except LedgerRefused as exc:
                failed += 1
                self.stdout.write(f"{path}: {exc.message}")
                for line in exc.errors:
                    self.stdout.write(f"  {line}")
                continue
            except OSError as exc:
                failed += 1
                self.stdout.write(f"{path}: {exc.strerror or exc}")
                continue
            record = result.ledger_import
            self.stdout.write(
                f"{path}: {record.line_count} lines, {record.document_count} invoices, "
                f"{record.duplicate_count} already imported, {record.without_article} without article"
            )
        if failed:
            # Each refused file is named above (an internal error with its reference); the
            # exit status is their number, at most 100 (above 125 means a signal).
            self.stdout.write(failures.files_not_imported_summary(failed, len(paths)))
            raise SystemExit(min(failed, MAX_EXIT_STATUS))
