"""Dispose of what the retention schedule says is due: files deleted from storage, personal
data replaced by "gallrad", one history event per disposal. Run daily, e.g. from cron;
``--dry-run`` only lists."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand

from kravspar.records.services import retention_apply


class Command(BaseCommand):
    help = "Dispose of (gallra) the records whose retention period has ended; --dry-run only lists them."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what is due without disposing of it.")
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="Act as if it were this day (YYYY-MM-DD)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        disposals = retention_apply(today=options.get("today"), dry_run=dry_run)
        for d in disposals:
            self.stdout.write(f"{d.contract_number}\t{d.record_type}\t{d.description}\tdue {d.due_on}\t{d.decision}")
        verb = "due (dry run, nothing changed)" if dry_run else "disposed of"
        self.stdout.write(f"{len(disposals)} item(s) {verb}.")
