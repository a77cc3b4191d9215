"""Delete uploaded files that no record refers to. Run daily from cron.

Uploads are written to storage before their record is saved; a service removes the file
when its own transaction fails, but a transaction rolled back further out (or a killed
process) can still leave one behind. Such a file is never served — every download goes
through an access-checked view that starts from the record — so this is housekeeping,
not security. Only files older than ``--min-age-hours`` are considered, so an upload in
progress is never touched.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import models


def referenced_files() -> set[str]:
    """The storage names of every file a FileField of any model refers to."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                names.update(
                    name
                    for name in model._default_manager.exclude(**{field.name: ""})
                    .values_list(field.name, flat=True)
                    .iterator(chunk_size=2000)
                    if name
                )
    return names


class Command(BaseCommand):
    help = "Delete uploaded files under MEDIA_ROOT that no record refers to (older than --min-age-hours)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--min-age-hours", type=float, default=24.0)
        parser.add_argument("--dry-run", action="store_true", help="List what would be deleted; delete nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(settings.MEDIA_ROOT)
        if not root.exists():
            self.stdout.write("0 orphaned file(s)")
            return
        keep = referenced_files()
        cutoff = time.time() - options["min_age_hours"] * 3600
        orphans = [
            path
            for path in root.rglob("*")
            if path.is_file() and path.stat().st_mtime < cutoff and path.relative_to(root).as_posix() not in keep
        ]
        for path in orphans:
            self.stdout.write(f"{'would delete' if options['dry_run'] else 'deleted'} {path.relative_to(root)}")
            if not options["dry_run"]:
                path.unlink()
        self.stdout.write(f"{len(orphans)} orphaned file(s)")
