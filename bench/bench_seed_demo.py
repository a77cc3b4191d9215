#!/usr/bin/env python3
"""The CPU of ``seed_demo`` alone, without the migrate that precedes it.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_seed_demo.py --migrated /tmp/migrated.sqlite3 \
        [--today 2026-12-03] [--keep /tmp/seeded.sqlite3] [--profile /tmp/seed.prof]

``--migrated`` is a SQLite file that ``manage.py migrate`` and ``setup_roles`` have already
built (made once and reused: migrating costs about 30 s of CPU). It is copied to a temporary
file, the demo is seeded into the copy in this process, and the CPU time (user + sys of this
process, ``resource.getrusage``) and the wall time of the seeding are printed; the machine is
shared, and CPU time is what a busy machine distorts least. ``--keep`` keeps the seeded copy
(for ``bench/dump_demo.py``), ``--profile`` writes a cProfile of the seeding with a CPU-time
timer (read it with ``python -m pstats``).
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--migrated", required=True, type=Path)
    parser.add_argument("--today", type=datetime.date.fromisoformat)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kravspar-bench-seed-"))
    database = args.keep or work / "seeded.sqlite3"
    database.unlink(missing_ok=True)
    # The backup API, not a file copy: the migrated file may still have pages in its WAL.
    with sqlite3.connect(args.migrated) as source, sqlite3.connect(database) as target:
        source.backup(target)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
    os.environ["KRAVSPAR_VAR_DIR"] = str(work / "var")
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.core.management import call_command

    options: dict[str, object] = {"stdout": io.StringIO()}
    if args.today is not None:
        options["today"] = args.today
    cpu, wall = _cpu(), time.perf_counter()
    if args.profile is not None:
        import cProfile

        profiler = cProfile.Profile(time.process_time)
        profiler.runcall(call_command, "seed_demo", **options)
        profiler.dump_stats(args.profile)
    else:
        call_command("seed_demo", **options)
    print(f"seed_demo: {_cpu() - cpu:.1f} s CPU (user+sys), {time.perf_counter() - wall:.1f} s wall")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
