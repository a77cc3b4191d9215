"""python manage.py send_request_reminders [--today YYYY-MM-DD]

Run daily from cron. E-mails the supplier's contacts before a request's deadline and once it
is overdue, each once however often it runs. See kravspar/questionnaires/reminders.py."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kravspar.questionnaires.reminders import send_request_reminders


class Command(BaseCommand):
    help = "E-mail suppliers before a request's deadline and when it is overdue (once each)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", metavar="YYYY-MM-DD", help="act as if today were this date")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today must be a date as YYYY-MM-DD.") from None
        report = send_request_reminders(today=today)
        sent = ", ".join(f"{kind.replace('_', ' ')} {n}" for kind, n in report.sent.items())
        self.stdout.write(f"Request reminders for {today}: {sent}; {report.no_recipient} without anyone to send to.")
