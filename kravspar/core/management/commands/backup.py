"""Back up the database and the stored files into a new folder (see kravspar/core/backup.py).

python manage.py backup /var/backups/kravspar/$(date +%F)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kravspar.core import backup


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump) and the stored files into a new folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="a folder that does not exist yet, or is empty")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup.create(Path(options["path"]))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Backup written to {options['path']}: {manifest['vendor']} database ({manifest['database']}), "
            f"{len(manifest['files'])} files."
        )
