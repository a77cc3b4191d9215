"""Delete the step-2 labour-conditions documents whose disposal day has come. Kept for the
cron lines that call it: it is ``apply_retention`` limited to step-2 documents (the retention
schedule's rule for them, or without one the follow-up's closing day plus
KRAVSPAR_LABOUR_DOCUMENT_RETENTION_MONTHS)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand

from kravspar.records.models import RecordType
from kravspar.records.services import retention_apply


class Command(BaseCommand):
    help = "Delete step-2 labour-conditions documents (personal data) whose deletion day has come."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="Act as if it were this day (YYYY-MM-DD)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        disposed = retention_apply(today=options.get("today"), record_types=[RecordType.LABOUR_DOCUMENT])
        self.stdout.write(f"{len(disposed)} document(s) deleted.")
