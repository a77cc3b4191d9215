"""Add or correct a row of the EU threshold table, e.g.:

    manage.py set_eu_threshold --from 2026-01-01 --to 2027-12-31 --category sub_central \
        --kind services --eur 216000 --sek 2447280 --source "Upphandlingsmyndigheten 2026"
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kravspar.labour.tables import threshold_set


class Command(BaseCommand):
    help = "Add or correct one EU threshold (period, buyer category, contract kind, EUR and SEK)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="valid_from", type=datetime.date.fromisoformat, required=True)
        parser.add_argument("--to", dest="valid_to", type=datetime.date.fromisoformat, required=True)
        parser.add_argument("--category", required=True, choices=["central", "sub_central"])
        parser.add_argument("--kind", required=True, choices=["works", "services", "supplies", "social_services"])
        # Text, read by core.numbers.parse_decimal in the service ("2 447 280" or "2447280").
        parser.add_argument("--eur", required=True)
        parser.add_argument("--sek", required=True)
        parser.add_argument("--source", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            row = threshold_set(
                actor=None,
                valid_from=options["valid_from"],
                valid_to=options["valid_to"],
                buyer_category=options["category"],
                contract_kind=options["kind"],
                amount_eur=options["eur"],
                amount_sek=options["sek"],
                source=options["source"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{row}")
