#!/usr/bin/env python3
"""The physical floor of writing rows: one ``executemany`` of the same rows into the same
table, with the same indexes, and nothing else.

    .venv/bin/python bench/floor_executemany.py DB.sqlite3 TABLE

Reads every row of TABLE, deletes them and inserts them again with one parameterised
``INSERT`` through ``executemany`` (in batches of 2,000, in one transaction), timing only
the insert. ``bench_plans.py`` calls ``reinsert_floor`` on the activities the planner just
wrote, in the same run, through Django's connection (SQLite or PostgreSQL).
"""

from __future__ import annotations

import sqlite3
import sys
import time
from typing import Any

BATCH = 2000


def reinsert_floor(
    connection: Any, table: str, quote: Any = lambda name: f'"{name}"', *, copy: bool = False
) -> tuple[int, float, float]:
    """(rows, wall seconds, CPU seconds) of re-inserting every row of ``table``.
    ``connection``: a DB-API connection or Django's; the caller commits. ``copy``: on
    PostgreSQL (Django's connection) write with ``COPY … FROM STDIN`` instead."""
    cursor = connection.cursor()
    cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - a table name from the caller
    columns = [d[0] for d in cursor.description]
    rows = [tuple(r) for r in cursor.fetchall()]
    cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
    marks = (
        ", ".join(["%s"] * len(columns)) if "sqlite3" not in type(cursor).__module__ else ", ".join("?" * len(columns))
    )
    sql = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES ({marks})"  # noqa: S608
    started, cpu = time.perf_counter(), time.process_time()
    if copy and getattr(connection, "vendor", "") == "postgresql":
        # PostgreSQL's cheapest way in, which the invoice import's matcher uses too.
        copy_sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as writer:
            for row in rows:
                writer.write_row(row)
        return len(rows), time.perf_counter() - started, time.process_time() - cpu
    for start in range(0, len(rows), BATCH):
        cursor.executemany(sql, rows[start : start + BATCH])
    return len(rows), time.perf_counter() - started, time.process_time() - cpu


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    db = sqlite3.connect(sys.argv[1])
    n, wall, cpu = reinsert_floor(db, sys.argv[2])
    db.rollback()  # a measurement, not a change
    print(f"{n} rows: {wall:.2f} s wall, {cpu:.2f} s CPU ({n / cpu:,.0f} rows/s CPU)")
