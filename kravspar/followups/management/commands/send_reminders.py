"""python manage.py send_reminders [--today YYYY-MM-DD]

Run daily from cron. Sends each reminder once, however often it runs; two overlapping
runs do not send anything twice. See kravspar/followups/reminders.py for who gets what."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kravspar.followups.reminders import send_reminders


class Command(BaseCommand):
    help = "E-mail reminders before follow-ups are due, when overdue, and escalate to the Inköp lead."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", metavar="YYYY-MM-DD", help="act as if today were this date")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today must be a date as YYYY-MM-DD.") from None
        report = send_reminders(today=today)
        sent = ", ".join(f"{kind.replace('_', ' ')} {n}" for kind, n in report.sent.items())
        self.stdout.write(f"Reminders for {today}: {sent}; {report.no_recipient} without anyone to send to.")
