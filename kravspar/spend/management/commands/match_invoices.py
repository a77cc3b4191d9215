"""Match stored invoices to contracts and price lists, and run the checks.

    python manage.py match_invoices              # invoices never matched (the default)
    python manage.py match_invoices --unmatched  # also those in the work queue
    python manage.py match_invoices --all        # every invoice again

Matching again never overrides a match made by hand and never raises a finding twice.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kravspar.invoices.models import InvoiceDocument
from kravspar.spend.matching import Matcher, MatchSummary
from kravspar.spend.models import InvoiceMatch


class Command(BaseCommand):
    help = "Match stored e-invoices to contracts and price lists and run the price and contract checks."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--all", action="store_true", help="Match every invoice again.")
        group.add_argument("--unmatched", action="store_true", help="Also match again the invoices in the work queue.")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        documents = InvoiceDocument.objects.order_by("id")
        if options["all"]:
            pass
        elif options["unmatched"]:
            queued = InvoiceMatch.objects.filter(needs_attention=True).values("document_id")
            documents = documents.filter(match__isnull=True) | documents.filter(pk__in=queued)
        else:
            documents = documents.filter(match__isnull=True)
        ids = list(documents.values_list("id", flat=True))
        matcher = Matcher()
        summary = MatchSummary()
        started = time.monotonic()
        size = max(options["batch_size"], 1)
        for start in range(0, len(ids), size):
            summary.add(matcher.match(ids[start : start + size]))
            if options["verbosity"] > 1:
                self.stdout.write(f"{summary.documents}/{len(ids)} invoices")
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Matched {summary.documents} invoices ({summary.lines} lines) in {seconds:.1f} s: "
            f"{summary.matched} to a contract, {summary.queued} in the work queue, "
            f"{summary.off_contract} outside contract, {summary.deviations} new deviations."
        )
