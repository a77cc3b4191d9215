"""Delete the step-2 labour-conditions documents whose deletion day has come (the follow-up's
closing day plus KRAVSPAR_LABOUR_DOCUMENT_RETENTION_MONTHS). Run daily, e.g. from cron."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand

from kravspar.labour.services import proof_documents_purge


class Command(BaseCommand):
    help = "Delete step-2 labour-conditions documents (personal data) whose deletion day has come."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="Act as if it were this day (YYYY-MM-DD)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = proof_documents_purge(today=options.get("today"))
        self.stdout.write(f"{deleted} document(s) deleted.")
