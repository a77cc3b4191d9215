"""Restore a backup into a throw-away database and compare it with this installation.

    python manage.py check_backup /var/backups/kravspar/2026-12-03

Compares the row count of every table, the history's last event, and the SHA-256 of
every stored file a record refers to (in the backup, its manifest and storage). Exit
status 0 when they are identical, 1 when something differs (each difference is listed).
Run it right after the backup: what changed in the installation since shows as a difference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kravspar.core import backup


class Command(BaseCommand):
    help = "Restore a backup into a throw-away database and compare it with this installation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="a folder written by `manage.py backup`")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup.check(Path(options["path"]))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        event = report.last_event or {}
        self.stdout.write(
            f"Restored {report.tables} tables, {report.rows} rows, {report.files} stored files; "
            f"last history event {event.get('id', '-')} {event.get('action', '')} {event.get('created_at', '')}"
        )
        for difference in report.differences:
            self.stdout.write(f"  DIFFERS: {difference}")
        if not report.identical:
            self.stdout.write(f"The backup differs from this installation in {len(report.differences)} places.")
            raise SystemExit(1)
        self.stdout.write("The backup is identical to this installation.")
