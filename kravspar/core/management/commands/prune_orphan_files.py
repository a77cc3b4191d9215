"""Delete stored files that no record refers to. Run daily from cron.

Uploads are written to storage before their record is saved; a service removes the file
when its own transaction fails, but a transaction rolled back further out (or a killed
process) can still leave one behind. Such a file is never served — every download goes
through an access-checked view that starts from the record — so this is housekeeping,
not security. Only files older than ``--min-age-hours`` are considered, so an upload in
progress is never touched, and never the input of a background job that is still queued
or running (``core.filestore.protected_names``). The storage is whatever holds the files:
local files under MEDIA_ROOT or the S3 bucket.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kravspar.core.filestore import protected_names, walk


class Command(BaseCommand):
    help = "Delete stored files (local or S3) that no record or unfinished job refers to, older than --min-age-hours."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--min-age-hours", type=float, default=24.0)
        parser.add_argument("--dry-run", action="store_true", help="List what would be deleted; delete nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - datetime.timedelta(hours=options["min_age_hours"])
        # Old files first, the records after: a record saved meanwhile refers to a file that is
        # either younger than the cutoff or already in the list read below, never deleted.
        candidates = [stored.name for stored in walk(default_storage) if _aware(stored.modified) < cutoff]
        keep = protected_names()
        orphans = sorted(name for name in candidates if name not in keep)
        for name in orphans:
            self.stdout.write(f"{'would delete' if options['dry_run'] else 'deleted'} {name}")
            if not options["dry_run"]:
                default_storage.delete(name)
        self.stdout.write(f"{len(orphans)} orphaned file(s)")


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)
