"""Write the e-archive package of one contract (FGS Paketstruktur, METS): see records/archive.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kravspar.contracts.models import Contract
from kravspar.records.archive import archive_export


class Command(BaseCommand):
    help = "Export a contract with its follow-ups, deviations, decisions, history and files for the e-archive."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--contract", required=True, help="The contract number, e.g. RV-2025-0107.")
        parser.add_argument("--output", required=True, type=Path, help="The folder to write the package into.")

    def handle(self, *args: Any, **options: Any) -> None:
        contract = Contract.objects.filter(contract_number=options["contract"]).prefetch_related("buyers").first()
        if contract is None:
            raise CommandError(f"No contract numbered {options['contract']}.")
        folder = archive_export(contract=contract, output=options["output"])
        self.stdout.write(str(folder))
