"""Restore a backup onto an empty installation: a new database without tables, and empty
file storage. Stop the app servers and the worker first.

    python manage.py restore_backup /var/backups/kravspar/2026-12-03
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kravspar.core import backup


class Command(BaseCommand):
    help = "Restore a backup (database and stored files) onto an empty installation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="a folder written by `manage.py backup`")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup.restore(Path(options["path"]))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored the {manifest['vendor']} database of {manifest['created_at']} and "
            f"{len(manifest['files'])} files. Run `manage.py check_backup {options['path']}` to compare."
        )
