#!/usr/bin/env python3
"""The Peppol reader alone against its lxml floor, on the same files in the same run.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_ubl_reader.py [--invoices 1000] [--lines-per-invoice 10]
        [--repeats 5] [--profile]

Writes ``--invoices`` generated BIS 3 invoices (``kravspar.invoices.generate``, the files
``bench_invoices.py`` imports) to a temporary folder, then alternates, ``--repeats`` times:
(a) ``floor_lxml.parse_floor`` on the folder, (b) reading each file's bytes and
``kravspar.invoices.ubl.parse`` on them, as ``import_paths`` does. Prints the least CPU time
(``time.process_time``) of each and their ratio: the least of several runs is the figure a
shared machine distorts least. ``--profile`` prints the reader's top functions (cProfile,
one extra run).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from floor_lxml import parse_floor  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--lines-per-invoice", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kravspar-bench-ubl-"))
    try:
        sys.path.insert(0, str(ROOT))
        os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
        os.environ["KRAVSPAR_VAR_DIR"] = str(tmp / "var")
        Path(tmp, "var", "static").mkdir(parents=True)
        import django

        django.setup()
        from kravspar.invoices.generate import write_many
        from kravspar.invoices.ubl import parse

        folder = tmp / "invoices"
        write_many(folder, args.invoices, args.lines_per_invoice, seed=7)
        paths = sorted(folder.rglob("*.xml"))

        def reader() -> tuple[int, float]:
            lines = 0
            cpu = time.process_time()
            for path in paths:
                lines += len(parse(path.read_bytes(), str(path)).lines)
            return lines, time.process_time() - cpu

        floors, reads = [], []
        for _ in range(args.repeats):
            _n, floor_lines, _wall, floor_cpu = parse_floor(folder)
            lines, read_cpu = reader()
            assert lines == floor_lines, (lines, floor_lines)
            floors.append(floor_cpu)
            reads.append(read_cpu)
        floor, read = min(floors), min(reads)
        print(
            f"{len(paths):,} invoices, {lines:,} lines; load average {os.getloadavg()[0]:.1f}\n"
            f"(a) floor, lxml alone: {floor:.3f} s CPU ({lines / floor:,.0f} lines/s), least of {args.repeats}\n"
            f"(b) ubl.parse:         {read:.3f} s CPU ({lines / read:,.0f} lines/s), least of {args.repeats}\n"
            f"ratio {read / floor:.2f}x CPU"
        )
        if args.profile:
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            reader()
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
            print(out.getvalue())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
