#!/usr/bin/env python3
"""The physical floor of a workbook import: openpyxl in read-only mode reading every cell of
the same files, nothing else.

    .venv/bin/python bench/floor_openpyxl.py FILE.xlsx [FILE.xlsx ...]

``bench_import.py`` imports ``read_floor`` and runs it on the same files in the same run as
the import it compares.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def read_floor(paths: list[Path]) -> tuple[int, float, float]:
    """(rows, wall seconds, CPU seconds) of reading every row of every file's first sheet."""
    from openpyxl import load_workbook

    rows = 0
    started, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        book = load_workbook(path, read_only=True, data_only=True)
        for _row in book.worksheets[0].iter_rows(values_only=True):
            rows += 1
        book.close()
    return rows, time.perf_counter() - started, time.process_time() - cpu


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    n, wall, cpu = read_floor([Path(p) for p in sys.argv[1:]])
    print(f"{n} rows: {wall:.2f} s wall, {cpu:.2f} s CPU ({n / cpu:,.0f} rows/s CPU)")
