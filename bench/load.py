#!/usr/bin/env python3
"""Load test: concurrent logged-in sessions over the main pages and writes, against gunicorn
and PostgreSQL on loopback, for a bounded time.

    DJANGO_SECRET_KEY=x .venv/bin/python scripts/with_postgres.py \\
        .venv/bin/python bench/load.py [--sessions 50] [--seconds 60] [--workers 4] [--threads 4]

The database is the one DATABASE_URL names (PostgreSQL, a throw-away one: the run migrates it
and loads the demo with ``seed_demo``; ``--setup none`` uses it as it is). Gunicorn runs on a
free 127.0.0.1 port with a temporary KRAVSPAR_VAR_DIR (``kravspar.testing.servers``).

Each session logs in as one of the demo's buyer-side people (in turn: officers, orderers,
the environment specialist, the reader), then until the time is up picks at random:

- a page of the main lists (home, contracts, suppliers, procurements, follow-ups, deviations,
  the dashboard, invoices, organisations, the history) or an API list; pages the person may
  not see (403/404 at warm-up) are left out of that person's mix;
- a write, one request in ten for officers: the upload page with one new Peppol invoice
  (stored and matched as in production).

An error is any answer other than the expected one (200, or 302 after an upload) or no answer
(timeout 60 s). Printed: requests, errors, throughput, and the 50th/95th/99th percentile and
maximum response time, overall and per kind.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SECRET_KEY", "insecure-key-for-tests-only")

import requests  # noqa: E402

from kravspar.testing.servers import PYTHON, app_env, gunicorn  # noqa: E402

PASSWORD = "kravspar-demo-2026"  # noqa: S105 - seed_demo.DEMO_PASSWORD
PEOPLE = ["inkopare", "bestallare", "inkopare2", "bestallare.sormland", "miljo", "lasare"]
OFFICERS = {"inkopare", "inkopare2"}
PAGES = [
    "/",
    "/avtal/",
    "/leverantorer/",
    "/upphandlingar/",
    "/uppfoljning/",
    "/avvikelser/",
    "/rapporter/",
    "/fakturor/",
    "/organisationer/",
    "/historik/",
    "/api/v1/contracts",
    "/api/v1/suppliers",
]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Logging in hashes the password with Argon2 (about 100 MiB and a good part of a core each):
# the sessions log in a few at a time before the measured part starts.
LOGINS = threading.Semaphore(4)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.examples: list[str] = []

    def add(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1
                if len(self.examples) < 10:
                    self.examples.append(f"{kind}: {detail}")


def invoice_xml(number: str) -> bytes:
    from kravspar.invoices.generate import REGION_VASTMANLAND, SUPPLIERS, InvoiceSpec, Line, render

    return render(
        InvoiceSpec(
            number=number,
            issue_date=datetime.date.today(),
            due_date=datetime.date.today() + datetime.timedelta(days=30),
            seller=SUPPLIERS[0],
            buyer=REGION_VASTMANLAND,
            buyer_reference="Ortopedkliniken",
            order_reference="",
            contract_reference="",
            lines=[Line("ART-0001", "Lokalvård", Decimal(10), "HUR", Decimal("425.00"), cpv="90911200")],
        )
    )


class Session(threading.Thread):
    def __init__(self, index: int, base: str, deadline: float, stats: Stats, start_gate: threading.Barrier) -> None:
        super().__init__(daemon=True)
        self.index, self.base, self.deadline, self.stats, self.gate = index, base, deadline, stats, start_gate
        self.username = PEOPLE[index % len(PEOPLE)]
        self.http = requests.Session()
        self.rng = random.Random(index)
        self.pages: list[str] = []
        self.failure = ""

    def timed(self, kind: str, method: str, path: str, expect: tuple[int, ...] = (200,), **kw: object) -> str:
        started = time.monotonic()
        try:
            response = self.http.request(method, self.base + path, timeout=60, allow_redirects=False, **kw)  # type: ignore[arg-type]
            ok = response.status_code in expect
            self.stats.add(kind, time.monotonic() - started, ok, f"{method} {path} -> {response.status_code}")
            return response.text if ok else ""
        except requests.RequestException as exc:
            self.stats.add(kind, time.monotonic() - started, False, f"{method} {path}: {exc}")
            return ""

    def login(self) -> bool:
        page = self.http.get(self.base + "/logga-in/", timeout=300)
        match = TOKEN.search(page.text)
        if not match:
            return False
        data = {"csrfmiddlewaretoken": match.group(1), "username": self.username, "password": PASSWORD}
        answer = self.http.post(self.base + "/logga-in/", data=data, timeout=300, allow_redirects=False)
        return answer.status_code == 302

    def upload(self) -> None:
        page = self.timed("upload form", "GET", "/fakturor/ladda-upp/")
        match = TOKEN.search(page)
        if not match:
            return
        number = f"LOAD-{self.index}-{time.monotonic_ns()}"
        self.timed(
            "upload",
            "POST",
            "/fakturor/ladda-upp/",
            expect=(302,),
            data={"csrfmiddlewaretoken": match.group(1)},
            files={"invoice_files": (f"{number}.xml", invoice_xml(number), "text/xml")},
        )

    def run(self) -> None:
        try:
            with LOGINS:
                if not self.login():
                    raise RuntimeError("login failed")
            for path in PAGES:  # warm-up: what this person may see
                status = self.http.get(self.base + path, timeout=120, allow_redirects=False).status_code
                if status == 200:
                    self.pages.append(path)
                elif status >= 500:
                    raise RuntimeError(f"{path} answered {status} at warm-up")
        except Exception as exc:  # one session that cannot start stops the run: no silent thinning
            self.failure = f"{self.username}: {exc!r}"
            self.gate.abort()
            return
        try:
            self.gate.wait()
        except threading.BrokenBarrierError:
            return
        while time.monotonic() < self.deadline:
            if self.username in OFFICERS and self.rng.random() < 0.1:
                self.upload()
            else:
                path = self.rng.choice(self.pages)
                self.timed("api" if path.startswith("/api/") else "page", "GET", path)


def prepare(env: dict[str, str], setup: str) -> None:
    if setup == "none":
        return
    for command in (["migrate", "--no-input", "-v", "0"], ["seed_demo"]):
        started = time.monotonic()
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"  {' '.join(command)}: {time.monotonic() - started:.0f} s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--setup", choices=["demo", "none"], default="demo")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("PostgreSQL only: run under scripts/with_postgres.py or give --database-url postgres://…")
    env = app_env(args.database_url, KRAVSPAR_LOGIN_MAX_FAILURES_PER_ADDRESS="100000")
    print(f"Preparing the database ({args.setup})…", flush=True)
    prepare(env, args.setup)
    stats = Stats()
    with gunicorn(env, workers=args.workers, threads=args.threads, timeout=120) as server:
        print(f"gunicorn: {args.workers} workers × {args.threads} threads at {server.url}", flush=True)
        sessions: list[Session] = []

        def open_the_gate() -> None:  # runs once all have arrived, before any is released
            deadline = time.monotonic() + args.seconds
            for session in sessions:
                session.deadline = deadline

        gate = threading.Barrier(args.sessions + 1, action=open_the_gate)
        sessions += [Session(i, server.url, 0.0, stats, gate) for i in range(args.sessions)]
        for session in sessions:
            session.start()
        try:
            gate.wait(timeout=600)  # every session logged in and warmed up
        except threading.BrokenBarrierError:
            failures = [s.failure for s in sessions if s.failure]
            sys.exit(f"Start-up failed: {failures[:5]}")
        started = time.monotonic()
        for session in sessions:
            session.join(args.seconds + 120)
        elapsed = time.monotonic() - started
    every = [t for times in stats.times.values() for t in times]
    errors = sum(stats.errors.values())
    print(f"\n{args.sessions} sessions for {elapsed:.0f} s against gunicorn + PostgreSQL on loopback")
    print(f"{'kind':<12} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    rows = [*sorted(stats.times.items()), ("all", every)]
    for kind, times in rows:
        kind_errors = errors if kind == "all" else stats.errors.get(kind, 0)
        print(
            f"{kind:<12} {len(times):>9} {kind_errors:>7} {percentile(times, 50) * 1000:>8.0f} "
            f"{percentile(times, 95) * 1000:>8.0f} {percentile(times, 99) * 1000:>8.0f} "
            f"{max(times or [0]) * 1000:>8.0f}"
        )
    print(f"throughput: {len(every) / elapsed:.1f} requests/s; mean {statistics.fmean(every or [0]) * 1000:.0f} ms")
    for example in stats.examples:
        print("  error:", example)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
