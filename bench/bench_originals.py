#!/usr/bin/env python3
"""What writing one invoice original costs, system call by system call.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_originals.py [--files 2000] [--size 12000] [--repeats 3]
        [--contend]

Writes ``--files`` files of ``--size`` random bytes into a fresh month folder of a fresh
local storage, the way ``kravspar.invoices.originals.save`` does (``os.open`` with
``O_CREAT | O_EXCL``, ``os.write``, ``os.close``), and prints the CPU time (user and
system, ``time.process_time``) of each call kind summed over the files, then of
``originals.save`` itself on the same number of files, and of writing the same bytes into
one file (what the bytes alone cost). ``--contend`` runs a second process beside it that
creates and deletes small files on the same file system, as other processes' tests do on a
shared machine. Each figure is the least of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


cpu = time.process_time  # user + system, at a nanosecond's resolution (os.times counts in 10 ms ticks)


def churn(folder: str, stop: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    """Create and delete small files until told to stop."""
    n = 0
    while not stop.is_set():
        path = os.path.join(folder, f"c{n % 500}")
        with open(path, "wb") as handle:
            handle.write(b"x" * 4096)
        if n % 500 == 499:
            for i in range(500):
                os.unlink(os.path.join(folder, f"c{i}"))
        n += 1


def by_call(folder: str, files: int, data: bytes) -> dict[str, float]:
    sub = os.path.join(folder, "invoices", "2026", "12")
    os.makedirs(sub)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    spent = {"open (create)": 0.0, "write": 0.0, "close": 0.0}
    for _ in range(files):
        path = os.path.join(sub, os.urandom(16).hex() + ".xml")
        at = cpu()
        fd = os.open(path, flags, 0o644)
        opened = cpu()
        os.write(fd, data)
        written = cpu()
        os.close(fd)
        spent["open (create)"] += opened - at
        spent["write"] += written - opened
        spent["close"] += cpu() - written
    return spent


def one_file(folder: str, files: int, data: bytes) -> float:
    at = cpu()
    fd = os.open(os.path.join(folder, "one"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    for _ in range(files):
        os.write(fd, data)
    os.close(fd)
    return cpu() - at


def through_save(folder: str, files: int, data: bytes) -> float:
    from django.core.files.storage import FileSystemStorage, storages

    from kravspar.invoices import originals

    storages._storages["default"] = FileSystemStorage(location=folder)  # type: ignore[attr-defined]
    originals._folders.clear()
    at = cpu()
    for _ in range(files):
        originals.save(data)
    return cpu() - at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--size", type=int, default=12000, help="bytes per file (a ten-line invoice: about 12,000)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--contend", action="store_true", help="another process creates and deletes files meanwhile")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kravspar.settings")
    import django

    django.setup()
    data = os.urandom(args.size)
    base = tempfile.mkdtemp(prefix="kravspar-bench-originals-")
    stop = multiprocessing.Event()
    other = None
    if args.contend:
        churn_dir = os.path.join(base, "churn")
        os.makedirs(churn_dir)
        other = multiprocessing.Process(target=churn, args=(churn_dir, stop), daemon=True)
        other.start()
        time.sleep(0.5)
    try:
        best: dict[str, float] = {}
        for _ in range(args.repeats):
            results = {}
            folder = tempfile.mkdtemp(dir=base)
            results.update(by_call(folder, args.files, data))
            results["originals.save"] = through_save(tempfile.mkdtemp(dir=base), args.files, data)
            results["the bytes into one file"] = one_file(folder, args.files, data)
            shutil.rmtree(folder)
            for key, value in results.items():
                best[key] = min(best.get(key, value), value)
    finally:
        stop.set()
        if other is not None:
            other.join(5)
        shutil.rmtree(base, ignore_errors=True)
    beside = " (another process creating files meanwhile)" if args.contend else ""
    print(f"{args.files:,} files of {args.size:,} bytes{beside}, CPU (user + system), least of {args.repeats}:")
    for key, value in best.items():
        print(f"  {key:26s} {value:7.3f} s  ({value / args.files * 1e6:6.1f} us per file)")


if __name__ == "__main__":
    main()
