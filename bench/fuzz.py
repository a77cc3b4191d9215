#!/usr/bin/env python3
"""Mutation-fuzz every reader: inputs tried, refusals, crashes and the slowest input.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/fuzz.py --n 100000 [--reader ubl] [--seed 1] [--out DIR]
    DJANGO_SECRET_KEY=x .venv/bin/python bench/fuzz.py --layer rows --n 100000 [--reader ledger-rows]

Readers (kravspar/testing/fuzzing.py): ``ubl`` (Peppol invoices), ``eforms`` (notices, when
the tree has the reader), ``statistics`` (Upphandlingsmyndigheten's files, CSV and .xlsx),
``answers`` (questionnaire answers, generated structures), and with a database the real
dry runs of ``contracts`` (the register import), ``pricelists`` and ``requirements``.
The database is a throw-away SQLite in a temporary folder, migrated first (never var/).

``--layer rows`` fuzzes the sheet readers' row layer instead (``contracts-rows``,
``pricelists-rows``, ``requirements-rows``, ``ledger-rows``, ``statistics-rows``): the code
each reader runs per row, fed a seed row with generated or hostile typed cells, without the
10–300 ms a whole workbook costs openpyxl (``kravspar/testing/fuzzing.py``).

A crash is any exception other than the reader's own named refusal, and any exception the
reader caught itself and logged as an internal error (a row or file refused as "internal
error" is a bug met by the input). Each crashing input
is written to --out (default: a temporary folder, printed) with its traceback, so it can
become a test. Goals (issue 18): 0 crashes in 10^5 inputs per reader, none slower than 1 s.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import platform
import random
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="inputs per reader (default 100000)")
    parser.add_argument("--reader", action="append", help="only this reader (repeatable)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, help="folder for crashing inputs (default: a temporary folder)")
    parser.add_argument("--layer", choices=["files", "rows"], default="files", help="whole inputs or sheet rows")
    parser.add_argument("--max-seconds", type=float, default=0, help="stop a reader after this long (0: never)")
    return parser.parse_args()


def configure(var_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
    os.environ["KRAVSPAR_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    Path(var_dir, "static").mkdir()
    import django

    django.setup()


def context() -> object:
    from django.core.management import call_command
    from django.utils import timezone

    from kravspar.accounts.management.commands.setup_roles import setup_roles
    from kravspar.accounts.roles import Role
    from kravspar.contracts.models import Contract
    from kravspar.organisations.models import Organisation
    from kravspar.testing.factories import UserFactory
    from kravspar.testing.fuzzing import Context

    call_command("migrate", verbosity=0, interactive=False)
    setup_roles()
    region = Organisation.objects.create(name="Region Västmanland", org_number="2321000172", peppol_value="2321000172")
    Organisation.objects.create(name="Region Sörmland", org_number="2321000032", peppol_value="2321000032")
    user = UserFactory.create(username="fuzz-admin", organisation=region, roles=[Role.ADMINISTRATOR])
    today = timezone.localdate()
    contract = Contract.objects.create(
        contract_number="FUZZ-1",
        title="Fuzz",
        signed_on=today.replace(year=today.year - 1),
        starts_on=today.replace(year=today.year - 1),
        ends_on=today.replace(year=today.year + 1),
        strategy_missing=False,
    )
    contract.buyers.set([region])
    return Context(user=user, contract=contract)


def main() -> int:
    args = parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="kravspar-fuzz-crashes-"))
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kravspar-fuzz-") as var_dir:
        configure(var_dir)
        import django
        from django.utils import translation

        from kravspar.testing import fuzzing

        translation.activate("sv")
        # Refusals are logged at INFO for operators; openpyxl warns about odd cells. Neither
        # is news in a fuzz run.
        logging.disable(logging.WARNING)
        warnings.simplefilter("ignore")
        ctx = context()
        layer = fuzzing.row_readers if args.layer == "rows" else fuzzing.readers
        readers = layer(ctx)  # type: ignore[arg-type]
        if args.reader:
            readers = [r for r in readers if r.name in args.reader]
        names = [r.name for r in readers]
        print("Kravspår fuzz run: mutated seed files and generated structures, per reader")
        print(
            f"Python {platform.python_version()}; Django {django.get_version()}; {os.cpu_count()} CPUs; "
            f"load average {os.getloadavg()[0]:.2f}; n={args.n}; seed={args.seed}; readers: {', '.join(names)}"
        )
        if fuzzing.eforms_reader() is None:
            print("The eForms reader is not in this tree (or has no seed notices): not fuzzed.")
        from kravspar.testing.fuzzing import find_shared_corpus

        shared = find_shared_corpus()
        print(f"Shared corpus seeds: {shared or 'not found, fuzzing without them (set KRAVSPAR_SHARED_CORPUS)'}")
        print(f"Crashing inputs go to {out}")
        print()
        print(
            f"{'reader':<18}{'seeds':>6}{'inputs':>9}{'ok':>9}{'refused':>9}{'crashes':>8}"
            f"{'slowest s':>10}{'cpu s':>8}{'replay s':>9}{'s':>8}"
        )
        total_crashes = 0
        for reader in readers:
            rnd = random.Random(f"{args.seed}-{reader.name}")
            counts = {"ok": 0, "refused": 0, "crash": 0}
            slowest, slowest_input, slowest_value = 0.0, b"", None
            slowest_cpu = 0.0
            crash_kinds: dict[str, int] = {}
            started = time.perf_counter()
            tried = 0
            for i in range(args.n):
                value = fuzzing.inputs(reader, rnd)
                t0, c0 = time.perf_counter(), time.process_time()
                try:
                    counts[fuzzing.try_one(reader, value)] += 1
                except Exception as exc:
                    counts["crash"] += 1
                    kind = f"{type(exc).__name__}: {str(exc)[:80]}"
                    crash_kinds[kind] = crash_kinds.get(kind, 0) + 1
                    if crash_kinds[kind] <= 3:
                        stem = out / f"{reader.name}-{i}"
                        data = value if isinstance(value, bytes) else repr(value).encode()
                        stem.with_suffix(".input").write_bytes(data)
                        stem.with_suffix(".txt").write_text(traceback.format_exc())
                elapsed = time.perf_counter() - t0
                slowest_cpu = max(slowest_cpu, time.process_time() - c0)
                tried += 1
                if elapsed > slowest:
                    slowest, slowest_value = elapsed, value
                    slowest_input = value if isinstance(value, bytes) else repr(value).encode()
                if args.max_seconds and time.perf_counter() - started > args.max_seconds:
                    break
            seconds = time.perf_counter() - started
            # Wall time on a shared machine includes waiting for the CPU, so the slowest input
            # is also given as the most CPU any one input took, and replayed alone three times
            # (the fastest of the three is what the input itself costs).
            replay = min(_timed(reader, slowest_value) for _ in range(3)) if tried else 0.0
            (out / f"{reader.name}-slowest.input").write_bytes(slowest_input)
            print(
                f"{reader.name:<18}{len(reader.seeds):>6}{tried:>9}{counts['ok']:>9}{counts['refused']:>9}"
                f"{counts['crash']:>8}{slowest:>10.3f}{slowest_cpu:>8.3f}{replay:>9.3f}{seconds:>8.0f}",
                flush=True,
            )
            for kind, count in sorted(crash_kinds.items(), key=lambda kv: -kv[1]):
                print(f"    {count:>6} × {kind}")
            total_crashes += counts["crash"]
        print()
        print(f"Crashes in all: {total_crashes}. The slowest input of each reader is in {out}/<reader>-slowest.input")
        return 1 if total_crashes else 0


def _timed(reader: object, value: object) -> float:
    from kravspar.testing import fuzzing

    t0 = time.perf_counter()
    # Crashes were counted in the run itself; here only the time matters.
    with contextlib.suppress(Exception):
        fuzzing.try_one(reader, value)  # type: ignore[arg-type]
    return time.perf_counter() - t0


if __name__ == "__main__":
    raise SystemExit(main())
