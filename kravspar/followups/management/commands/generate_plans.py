"""python manage.py generate_plans [--contract NUMBER]

Generates or re-plans the follow-up activities of every contract in force (or of one),
from the requirement snapshot over the contract period. Idempotent: a second run changes
nothing; started, done and cancelled activities are never touched."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kravspar.contracts.models import Contract, ContractStatus
from kravspar.followups.planning import CHUNK, PLAN_FIELDS, PlanResult, plan_contracts


class Command(BaseCommand):
    help = "Generate or re-plan follow-up activities for contracts in force."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contract", metavar="NUMBER", help="only this contract (any status)")
        parser.add_argument("--chunk-size", type=int, default=CHUNK, help="contracts per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        qs = Contract.objects.only(*PLAN_FIELDS).order_by("id")
        if options["contract"]:
            qs = qs.filter(contract_number=options["contract"])
            if not qs.exists():
                raise CommandError(f"No contract has the number {options['contract']}.")
        else:
            qs = qs.filter(status=ContractStatus.ACTIVE)
        total_contracts = qs.count()
        chunk = max(1, options["chunk_size"])
        started = time.monotonic()
        total = PlanResult()
        done = 0
        batch: list[Contract] = []
        for contract in qs.iterator(chunk_size=chunk):
            batch.append(contract)
            if len(batch) == chunk:
                total.add(plan_contracts(batch, chunk_size=chunk))
                done += len(batch)
                batch = []
                self._progress(done, total_contracts, started)
        if batch:
            total.add(plan_contracts(batch, chunk_size=chunk))
            done += len(batch)
            self._progress(done, total_contracts, started)
        summary = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in total.as_dict().items())
        self.stdout.write(self.style.SUCCESS(f"Planned {done} contracts: {summary}."))

    def _progress(self, done: int, total: int, started: float) -> None:
        if self.verbosity >= 1:
            self.stderr.write(f"{done}/{total} contracts ({time.monotonic() - started:.0f} s)")
