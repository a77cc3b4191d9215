"""Import Peppol BIS Billing 3.0 invoices and credit notes from files and folders.

    python manage.py import_invoices /srv/peppol/inbox 2026-01-invoice.xml

Folders are read recursively (``*.xml``). The files are stored and matched in groups of
``GROUP_SIZE`` (500; fewer once a group's files hold ``GROUP_BYTES``, 64 MB, and at most
``--progress-every`` files, so that progress is printed when asked), one transaction per
group with a savepoint per invoice, so the import can be stopped at any point and run
again: the groups committed are kept whole and reported as duplicates, the rest is imported.

One file never stops the run: a file that cannot be read is refused with its reason, and
an unexpected error on one file (a bug) refuses that file with the reason "internal
error" and a reference, logs the traceback under that reference, and goes on with the
next. The exit status says how many files failed: 0 when every file was imported or was
a duplicate, otherwise the number of refused files (at most 100; the summary has the
exact figure and names them). When the database goes away in the middle of the run (the
server stopped or the connection cut), the run stops with exit status 101 and says so: what
was stored before is kept whole, and running the import again stores the rest and reports
the stored files as duplicates.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import InterfaceError, OperationalError
from django.utils import translation
from django.utils.translation import gettext as _

from kravspar.accounts.models import User
from kravspar.invoices.models import ImportBatch, ProblemSeverity
from kravspar.invoices.services import GROUP_SIZE, import_paths
from kravspar.invoices.ubl import ProblemCode

MAX_EXIT_STATUS = 100  # exit statuses above 125 mean a signal to the shell
DATABASE_GONE_EXIT_STATUS = 101  # the database went away: run the import again


class Command(BaseCommand):
    help = "Import Peppol BIS 3 invoices and credit notes (UBL 2.1 XML) from files and folders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="Files, or folders read recursively for *.xml")
        parser.add_argument("--progress-every", type=int, default=1000, help="Print progress every N files (0: never)")
        parser.add_argument("--user", default="", help="Username recorded as the importer")
        parser.add_argument(
            "--max-problems", type=int, default=50, help="How many refused files the summary lists by name"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(_("There is no user %(username)s.") % {"username": options["user"]})
        every: int = options["progress_every"]
        last = [0]

        def progress(batch: ImportBatch) -> None:
            if every > 0 and batch.file_count // every > last[0]:
                last[0] = batch.file_count // every
                self.stdout.write(
                    _("%(files)s files: %(imported)s imported, %(duplicates)s duplicates, %(refused)s refused")
                    % {
                        "files": batch.file_count,
                        "imported": batch.imported_count,
                        "duplicates": batch.duplicate_count,
                        "refused": batch.refused_count,
                    }
                )
                self.stdout.flush()

        group = max(1, min(GROUP_SIZE, every)) if every > 0 else GROUP_SIZE
        try:
            batch = import_paths(options["paths"], actor=actor, progress=progress, group_size=group)
        except (OperationalError, InterfaceError) as exc:
            self._database_gone(exc)
        self.stdout.write(
            _(
                "Done: %(files)s files, %(imported)s imported (%(lines)s lines, %(warnings)s with warnings), "
                "%(duplicates)s duplicates, %(refused)s refused."
            )
            % {
                "files": batch.file_count,
                "imported": batch.imported_count,
                "lines": batch.line_count,
                "warnings": batch.warning_count,
                "duplicates": batch.duplicate_count,
                "refused": batch.refused_count,
            }
        )
        refused = batch.problems.filter(severity=ProblemSeverity.REFUSED).order_by("id")
        for problem in refused[: options["max_problems"]]:
            self.stdout.write(f"  {problem.file_name}: [{problem.code}] {problem.message}")
        if batch.refused_count > options["max_problems"]:
            self.stdout.write(
                _("  … and %(count)s more refused files.") % {"count": batch.refused_count - options["max_problems"]}
            )
        internal = refused.filter(code=ProblemCode.INTERNAL_ERROR).count() if batch.refused_count else 0
        if internal:
            self.stdout.write(
                _("  %(count)s of the refused files met an internal error; the log has each one's reference.")
                % {"count": internal}
            )
        if batch.refused_count:
            raise SystemExit(min(batch.refused_count, MAX_EXIT_STATUS))

    def _database_gone(self, exc: Exception) -> None:
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        self.stderr.write(
            _(
                "The import stopped: the database could not be reached (%(error)s). Every invoice stored "
                "before is kept whole. Run the import again when the database is back: the stored files are "
                "then reported as duplicates and the rest is imported."
            )
            % {"error": first_line}
        )
        raise SystemExit(DATABASE_GONE_EXIT_STATUS)
