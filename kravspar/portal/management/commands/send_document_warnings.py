"""Run daily (cron): warn suppliers about library documents that expire soon."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kravspar.portal.warnings import send_document_warnings


class Command(BaseCommand):
    help = "E-mail supplier contacts about documents in their library that expire soon (once per threshold)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="Pretend it is this date (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = options.get("today") or timezone.localdate()
        if isinstance(today, str):  # call_command() passes options without parsing them
            today = datetime.date.fromisoformat(today)
        result = send_document_warnings(today)
        self.stdout.write(f"{result.documents} document warnings, {result.emails} e-mails sent.")
