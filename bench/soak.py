#!/usr/bin/env python3
"""A soak: gunicorn + PostgreSQL under a mix of work by every persona for a fixed time.

    scripts/with_postgres.py .venv/bin/python bench/soak.py --minutes 30
    .venv/bin/python bench/soak.py --database-url postgres://… --seconds 20 --setup minimal

Loopback only: gunicorn listens on 127.0.0.1, the database is the one DATABASE_URL (or
--database-url) names, and must be PostgreSQL. The database is prepared first: migrated,
roles set up, and the demo loaded (``--setup demo``, the default: every demo persona) or the
small installation of ``kravspar.testing.soak`` (``--setup minimal``, seconds instead of a
minute or two; the short soak in the PostgreSQL test run uses it), or nothing (``--setup
none``: the database is ready). Gunicorn then runs ``--workers`` sync workers in a temporary
KRAVSPAR_VAR_DIR, and ``--clients`` threads act as the personas in turn until the time is up:

- page views of the lists each persona sees (found at warm-up: a page that answers 403 or
  404 to a persona is left out of its mix; a 5xx is an error),
- API reads (lists, then one record of the list), and exports (CSV and Excel),
- API writes: new suppliers (``POST /api/v1/suppliers``), by the officers and the administrator,
- invoice imports: the upload page (one to three new invoices, sometimes one already sent),
  the API (one invoice; sometimes one already sent, which must answer 409), and every
  ``--command-every`` seconds ``manage.py import_invoices`` on a folder of new invoices and one
  already sent (the night's import; exit status 0 expected).

An error is an answer other than the expected one, or no answer (timeout 60 s). Reported:
requests and errors per kind, the 50th and 95th percentile of the response time, and the
memory (VmRSS and RssAnon from /proc) of gunicorn's master and workers and of PostgreSQL's
long-lived processes, first after the warm-up and again at the end. Checked afterwards, in
the database: the history has exactly one event per successful change (per action: the
expected count from the successful requests and commands against the events written since
the start; the deviations the imports' price check raised are expected from the findings the
imports recorded on this run's invoices, one ``deviation.raised`` event each, and so is an
economy requirement the check added to a contract) and no invoice is stored twice (no two
documents with the same seller, number and kind, or the same file; each new invoice the soak
sent is there once).

The exit status is 0 when there were no errors and both checks held; the memory goal (no
growth above 10 %) is reported, not enforced (a 20-second run says nothing about it).
``--json PATH`` writes the figures for tests and docs.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEMO_PASSWORD = "kravspar-demo-2026"  # noqa: S105 - seed_demo.DEMO_PASSWORD, the demo's public password
TIMEOUT = 60
# The demo's personas. Those the minimal set-up lacks are left out at warm-up (login fails).
PERSONAS = [
    "admin",
    "inkopare",
    "inkopare2",
    "bestallare",
    "bestallare.sormland",
    "miljo",
    "lasare",
    "lasare.vastmanland",
    "leverantor",
]
IMPORTERS = {"admin", "inkopare", "inkopare2"}
STAFF_PAGES = [
    "/",
    "/avtal/",
    "/upphandlingar/",
    "/avvikelser/",
    "/uppfoljning/",
    "/leverantorer/",
    "/krav/",
    "/rapporter/",
    "/rapporter/poster/",
    "/fakturor/",
    "/fakturor/importer/",
    "/ekonomi/",
    "/historik/",
    "/organisationer/",
    "/forfragningar/",
    "/jobb/",
    "/kungorelser/",
    "/arbetsrattsliga-villkor/",
    "/oppna-data/",
    "/leverantorsinformation/",
]
SUPPLIER_PAGES = [
    "/leverantor/",
    "/leverantor/avtal/",
    "/leverantor/avvikelser/",
    "/leverantor/dokument/",
    "/leverantor/underleverantorer/",
    "/leverantorsinformation/",
]
STAFF_API = ["/api/v1/contracts", "/api/v1/suppliers", "/api/v1/deviations", "/api/v1/activities", "/api/v1/invoices"]
SUPPLIER_API = ["/api/v1/portal/contracts", "/api/v1/portal/deviations", "/api/v1/portal/documents"]
EXPORTS = [
    "/rapporter/export/avtal.csv",
    "/rapporter/export/avtal.xlsx",
    "/rapporter/export/avvikelser.csv",
    "/rapporter/export/fakturor.csv",
    "/rapporter/export/uppfoljningar.xlsx",
]
# Action weights: what one client step does.
MIX = [
    ("page", 45),
    ("api_read", 20),
    ("export", 8),
    ("api_write", 7),
    ("upload", 10),
    ("api_import", 10),
    ("job_export", 3),  # a list export as a background job
    ("upload_job", 1),  # an upload of more files than a request handles: a background job
]
JOB_FILES = 11  # above KRAVSPAR_UPLOAD_JOB_FILES (10): the upload becomes a job


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30, help="how long the load runs (default 30)")
    parser.add_argument("--seconds", type=float, default=0, help="how long the load runs, in seconds (wins)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""), help="PostgreSQL URL")
    parser.add_argument("--setup", choices=["demo", "minimal", "none"], default="demo")
    parser.add_argument("--no-migrate", action="store_true", help="the database is migrated already")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--clients", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--think", type=float, default=0.2, help="mean pause between a client's steps, s")
    parser.add_argument("--command-every", type=float, default=120, help="seconds between import_invoices runs")
    parser.add_argument("--warmup", type=float, default=0, help="seconds of load before the first memory reading")
    parser.add_argument("--sample-every", type=float, default=60, help="seconds between memory samples")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--log", type=Path, help="keep gunicorn's log here")
    return parser.parse_args(argv)


# --- Processes and memory ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory(pid: int) -> tuple[int, int] | None:
    """(VmRSS, RssAnon) of a process in KiB, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = {}
    for line in text.splitlines():
        key, _sep, rest = line.partition(":")
        if key in ("VmRSS", "RssAnon"):
            values[key] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("RssAnon", 0)


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid …; comm may hold spaces and parentheses.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(entry.name))
    return sorted(out)


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def processes(gunicorn_pid: int, postmaster_pid: int | None) -> dict[str, int]:
    """Name → pid of the processes whose memory is watched: gunicorn's master and workers,
    PostgreSQL's postmaster and its long-lived helpers (not the per-connection backends)."""
    out = {"gunicorn master": gunicorn_pid}
    for n, pid in enumerate(children(gunicorn_pid), start=1):
        out[f"gunicorn worker {n}"] = pid
    if postmaster_pid:
        out["postgres postmaster"] = postmaster_pid
        for pid in children(postmaster_pid):
            name = cmdline(pid).removeprefix("postgres: ")
            if "(" in name or " idle" in name or name.startswith("kravspar"):
                continue  # a backend serving one connection
            out[f"postgres {name}"] = pid
    return out


def postmaster_pid(database_url: str) -> int | None:
    with contextlib.suppress(Exception), psycopg.connect(database_url) as conn:
        row = conn.execute("SHOW data_directory").fetchone()
        assert row is not None
        return int(Path(row[0], "postmaster.pid").read_text().split()[0])
    return None


def backends_rss(postmaster: int | None) -> int:
    if not postmaster:
        return 0
    total = 0
    for pid in children(postmaster):
        name = cmdline(pid)
        if "(" in name or " idle" in name:
            total += (memory(pid) or (0, 0))[0]
    return total


# --- The installation ----------------------------------------------------------------------


def server_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kravspar.settings",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "insecure-key-for-tests-only"),
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": database_url,
        "KRAVSPAR_VAR_DIR": str(var_dir),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "KRAVSPAR_HTTPS": "0",
        "KRAVSPAR_2FA_REQUIRED_ROLES": "",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(var_dir / "mail"),
        "PYTHONUNBUFFERED": "1",
    }
    return env


def manage(
    env: dict[str, str], *args: str, check: bool = True, timeout: float = 1800
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def prepare(env: dict[str, str], setup: str, migrate: bool) -> None:
    if migrate:
        manage(env, "migrate", "--no-input", "-v", "0")
    if setup == "demo":
        manage(env, "setup_roles")
        manage(env, "seed_demo")
    elif setup == "minimal":
        manage(env, "shell", "-c", "from kravspar.testing.soak import setup_minimal; setup_minimal()")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int, var_dir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (var_dir / "gunicorn.log").open("wb")
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "kravspar.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180  # three workers importing Django on a busy machine
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start:\n" + (var_dir / "gunicorn.log").read_text(errors="replace"))
            time.sleep(0.2)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


# --- The invoices --------------------------------------------------------------------------


class Invoices:
    """New invoices with numbers unique to this run, and the ones already sent."""

    def __init__(self, run_id: str, rnd: random.Random) -> None:
        from kravspar.invoices import generate

        self.generate = generate
        self.run_id = run_id
        self.rnd = rnd
        self.n = 0
        self.lock = threading.Lock()
        self.sent: list[bytes] = []  # accepted once: sending them again is a duplicate

    def new(self) -> tuple[str, bytes]:
        g = self.generate
        with self.lock:
            self.n += 1
            number = f"SOAK-{self.run_id}-{self.n:06d}"
        spec = g.InvoiceSpec(
            number=number,
            issue_date=datetime.date(2026, 3, 2),
            due_date=datetime.date(2026, 4, 1),
            seller=self.rnd.choice(g.SUPPLIERS),
            buyer=self.rnd.choice(g.BUYERS),
            buyer_reference="Soak",
            lines=[g.Line(f"ART-{self.n % 50}", "Handskar", Decimal(self.n % 7 + 1), "EA", Decimal("12.50"))],
        )
        return f"{number}.xml", g.render(spec)

    def accepted(self, data: bytes) -> None:
        with self.lock:
            self.sent.append(data)

    def old(self) -> bytes | None:
        with self.lock:
            return self.rnd.choice(self.sent) if self.sent else None


# --- The load ------------------------------------------------------------------------------


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: collections.defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    expected_events: collections.Counter[str] = field(default_factory=collections.Counter)
    new_invoices: int = 0
    not_visible: list[str] = field(default_factory=list)
    jobs: dict[str, tuple[str, list[bytes]]] = field(default_factory=dict)  # uuid → kind, invoices sent

    def job(self, location: str, kind: str, sent: list[bytes]) -> bool:
        match = re.search(r"/jobb/([0-9a-f-]{36})/", location)
        if match is None:
            return False
        with self.lock:
            self.jobs[match.group(1)] = (kind, sent)
        self.changed("job.started")
        return True

    def record(self, kind: str, seconds: float, error: str = "") -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if error:
                self.errors[kind] += 1
                if len(self.error_samples) < 20:
                    self.error_samples.append(f"{kind}: {error}")

    def count(self) -> int:
        with self.lock:
            return sum(len(ts) for ts in self.times.values())

    def changed(self, action: str, new_invoices: int = 0) -> None:
        with self.lock:
            self.expected_events[action] += 1
            self.new_invoices += new_invoices


class Persona:
    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.username = username
        self.session = requests.Session()
        self.pages: list[str] = []
        self.api: list[str] = []
        self.exports: list[str] = []
        self.lock = threading.Lock()  # one request at a time per session

    def login(self) -> bool:
        s = self.session
        s.get(f"{self.base}/logga-in/", timeout=TIMEOUT)
        r = s.post(
            f"{self.base}/logga-in/",
            data={
                "username": self.username,
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": s.cookies.get("csrftoken", ""),
            },
            headers={"Referer": f"{self.base}/logga-in/"},
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        return r.status_code == 302 and "sessionid" in s.cookies

    @property
    def supplier(self) -> bool:
        return self.username == "leverantor"

    def csrf(self) -> dict[str, str]:
        return {"X-CSRFToken": self.session.cookies.get("csrftoken", ""), "Referer": f"{self.base}/"}


def warm_up(base: str) -> list[Persona]:
    """Log every persona in. The pages, API lists and exports each one sees are found as the
    load goes: one that answers 403 or 404 (or sends to the log-in page) leaves that persona's
    mix at once and is listed in the report; only a 5xx or no answer is an error."""
    personas = []
    for username in PERSONAS:
        p = Persona(base, username)
        if not p.login():
            continue
        p.pages = list(SUPPLIER_PAGES if p.supplier else STAFF_PAGES)
        p.api = list(SUPPLIER_API if p.supplier else STAFF_API)
        p.exports = [] if p.supplier else list(EXPORTS)
        personas.append(p)
    return personas


def not_for(p: Persona, urls: list[str], url: str, status: int, stats: Stats) -> bool:
    """Whether ``url`` is not this persona's (403, 404, a redirect); then it leaves the mix."""
    if status in (301, 302, 403, 404):
        with contextlib.suppress(ValueError):
            urls.remove(url)
        with stats.lock:
            stats.not_visible.append(f"{url} ({p.username}: {status})")
        return True
    return False


def step(
    p: Persona, kind: str, rnd: random.Random, invoices: Invoices, stats: Stats, org_numbers: Callable[[], str]
) -> None:
    base, s = p.base, p.session
    t0 = time.perf_counter()
    error = ""
    try:
        if kind == "page":
            url = rnd.choice(p.pages)
            r = s.get(base + url, timeout=TIMEOUT, allow_redirects=False)
            if not_for(p, p.pages, url, r.status_code, stats):
                return
            error = "" if r.status_code == 200 else f"GET {url}: {r.status_code}"
        elif kind == "export":
            url = rnd.choice(p.exports)
            r = s.get(base + url, timeout=TIMEOUT, allow_redirects=False)
            if not_for(p, p.exports, url, r.status_code, stats):
                return
            error = "" if r.status_code == 200 and r.content else f"GET {url}: {r.status_code}"
        elif kind == "api_read":
            url = rnd.choice(p.api)
            r = s.get(base + url, params={"limit": 20}, timeout=TIMEOUT)
            if not_for(p, p.api, url, r.status_code, stats):
                return
            if r.status_code != 200:
                error = f"GET {url}: {r.status_code}"
            else:
                body = r.json()
                items = body.get("items", body) if isinstance(body, dict) else body
                keys = (
                    [i.get("uuid") or i.get("key") for i in items if isinstance(i, dict)]
                    if isinstance(items, list)
                    else []
                )
                keys = [k for k in keys if k]
                # The portal's lists have no record endpoints of their own (a supplier reads one
                # contract on its page): only the staff lists are followed to a record.
                if keys and not url.startswith("/api/v1/portal/"):
                    one = s.get(f"{base}{url}/{rnd.choice(keys)}", timeout=TIMEOUT)
                    if one.status_code != 200:
                        error = f"GET {url}/…: {one.status_code}"
        elif kind == "api_write":
            number = org_numbers()
            r = s.post(
                f"{base}/api/v1/suppliers",
                json={"name": f"Soak Leverantör {number} AB", "org_number": number},
                headers=p.csrf(),
                timeout=TIMEOUT,
            )
            if r.status_code == 201:
                stats.changed("supplier.created")
            else:
                error = f"POST /api/v1/suppliers: {r.status_code} {r.text[:200]}"
        elif kind == "upload":
            new = [invoices.new() for _ in range(rnd.randint(1, 3))]
            files = [("invoice_files", (name, data, "application/xml")) for name, data in new]
            old = invoices.old() if rnd.random() < 0.2 else None
            if old is not None:
                files.append(("invoice_files", ("again.xml", old, "application/xml")))
            r = s.post(
                f"{base}/fakturor/ladda-upp/",
                files=files,
                data={"csrfmiddlewaretoken": s.cookies.get("csrftoken", "")},
                headers={"Referer": f"{base}/fakturor/ladda-upp/"},
                timeout=TIMEOUT,
                allow_redirects=False,
            )
            if r.status_code == 302 and "/fakturor/importer/" in r.headers.get("Location", ""):
                stats.changed("invoices.import", len(new))
                for _name, data in new:
                    invoices.accepted(data)
            else:
                error = f"POST /fakturor/ladda-upp/: {r.status_code}"
        elif kind == "upload_job":
            new = [invoices.new() for _ in range(JOB_FILES)]
            r = s.post(
                f"{base}/fakturor/ladda-upp/",
                files=[("invoice_files", (name, data, "application/xml")) for name, data in new],
                data={"csrfmiddlewaretoken": s.cookies.get("csrftoken", "")},
                headers={"Referer": f"{base}/fakturor/ladda-upp/"},
                timeout=TIMEOUT,
                allow_redirects=False,
            )
            if not (r.status_code == 302 and stats.job(r.headers.get("Location", ""), kind, [d for _n, d in new])):
                error = f"POST /fakturor/ladda-upp/ ({JOB_FILES} files): {r.status_code} {r.headers.get('Location')}"
        elif kind == "job_export":
            name = rnd.choice(["avtal", "avvikelser", "uppfoljningar"])
            r = s.post(
                f"{base}/jobb/export/{name}/",
                data={"csrfmiddlewaretoken": s.cookies.get("csrftoken", ""), "format": rnd.choice(["csv", "xlsx"])},
                headers={"Referer": f"{base}/jobb/export/{name}/"},
                timeout=TIMEOUT,
                allow_redirects=False,
            )
            if not_for(p, p.exports, f"/jobb/export/{name}/", r.status_code, stats) if r.status_code != 302 else False:
                return
            if not (r.status_code == 302 and stats.job(r.headers.get("Location", ""), kind, [])):
                error = f"POST /jobb/export/{name}/: {r.status_code}"
        elif kind == "api_import":
            old = invoices.old() if rnd.random() < 0.1 else None
            data = old if old is not None else invoices.new()[1]
            r = s.post(
                f"{base}/api/v1/invoices",
                data=data,
                headers={**p.csrf(), "Content-Type": "application/xml"},
                timeout=TIMEOUT,
            )
            if old is None and r.status_code == 201:
                stats.changed("invoices.import", 1)
                invoices.accepted(data)
            elif old is not None and r.status_code == 409:
                stats.changed("invoices.import")
            else:
                error = f"POST /api/v1/invoices ({'again' if old else 'new'}): {r.status_code} {r.text[:200]}"
    except requests.RequestException as exc:
        error = f"{kind}: {type(exc).__name__}: {exc}"
    stats.record(kind, time.perf_counter() - t0, error)


def night_import(env: dict[str, str], var_dir: Path, invoices: Invoices, stats: Stats, count: int = 5) -> None:
    folder = Path(tempfile.mkdtemp(prefix="night-", dir=var_dir))
    new = [invoices.new() for _ in range(count)]
    for name, data in new:
        (folder / name).write_bytes(data)
    old = invoices.old()
    if old is not None:
        (folder / "again.xml").write_bytes(old)
    t0 = time.perf_counter()
    result = manage(env, "import_invoices", str(folder), "--progress-every", "0", check=False, timeout=600)
    if result.returncode == 0:
        stats.changed("invoices.import", count)
        for _name, data in new:
            invoices.accepted(data)
        error = ""
    else:
        error = f"import_invoices exit {result.returncode}: {result.stdout[-300:]} {result.stderr[-300:]}"
    stats.record("command", time.perf_counter() - t0, error)
    shutil.rmtree(folder, ignore_errors=True)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextlib.contextmanager
def job_worker(env: dict[str, str]) -> Iterator[Any]:
    """The background-job worker (django-tasks' db_worker), as kravspar.testing.servers runs it."""
    from kravspar.testing.servers import worker

    with worker(env) as proc:
        yield proc


def wait_for_jobs(database_url: str, stats: Stats, invoices: Invoices, timeout: float = 300) -> list[str]:
    """Wait until every job the soak started has ended; a failed or unfinished job is a problem.
    An upload job that succeeded counts its history event and its new invoices."""
    if not stats.jobs:
        return []
    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url, autocommit=True) as conn:
        while True:
            rows = dict(
                conn.execute(
                    "SELECT uuid::text, status FROM jobs_job WHERE uuid::text = ANY(%s)", (list(stats.jobs),)
                ).fetchall()
            )
            pending = [k for k in stats.jobs if rows.get(k) in (None, "queued", "running")]
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(1)
    problems = [f"job {k} ({stats.jobs[k][0]}) still {rows.get(k)} after the load" for k in pending]
    for key, (kind, sent) in stats.jobs.items():
        status = rows.get(key)
        if status == "failed":
            problems.append(f"job {key} ({kind}) failed")
        elif status == "succeeded" and kind == "upload_job":
            stats.changed("invoices.import", len(sent))
            for data in sent:
                invoices.accepted(data)
    return problems


# --- The checks ----------------------------------------------------------------------------


def check_history(
    database_url: str, since: datetime.datetime, expected: collections.Counter[str], run_id: str
) -> tuple[list[str], dict[str, int]]:
    """Compare the history written since the start with the changes the soak made.

    The soak's own requests and commands give the expected count per action. The imports
    cause changes of their own too: the price check raises an economy deviation (one
    ``deviation.raised`` event each) for an invoice priced above its contract, off the
    contract's price list, and so on. The import records each one it raised as an
    ``EconomyFinding`` of the stored invoice, so the expectation is derived from what the
    imports of this run's invoices recorded: exactly one ``deviation.raised`` event for each
    deviation found on them, none for any other deviation, none twice; and one
    ``contract.economy_requirement_added`` for each contract whose economy requirement (which
    the deviations are tied to) the check had to add during the run."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT action, count(*) FROM audit_auditevent WHERE created_at >= %s GROUP BY action", (since,)
        ).fetchall()
        raised_events = [
            r[0]
            for r in conn.execute(
                "SELECT object_id FROM audit_auditevent WHERE created_at >= %s AND action = 'deviation.raised'",
                (since,),
            ).fetchall()
        ]
        found = conn.execute(
            "SELECT d.uuid::text, f.check_type FROM spend_economyfinding f"
            " JOIN invoices_invoicedocument doc ON doc.id = f.document_id"
            " JOIN findings_deviation d ON d.id = f.deviation_id"
            " WHERE doc.number LIKE %s",
            (f"SOAK-{run_id}-%",),
        ).fetchall()
        # The price check ties each deviation to its contract's economy requirement and adds
        # that requirement (one event, on the contract) where the contract had none.
        added = conn.execute(
            "SELECT DISTINCT c.uuid::text FROM spend_economyfinding f"
            " JOIN invoices_invoicedocument doc ON doc.id = f.document_id"
            " JOIN findings_deviation d ON d.id = f.deviation_id"
            " JOIN contracts_contractrequirement r ON r.id = d.requirement_id"
            " JOIN contracts_contract c ON c.id = r.contract_id"
            " WHERE doc.number LIKE %s AND r.created_at >= %s",
            (f"SOAK-{run_id}-%", since),
        ).fetchall()
        added_events = [
            r[0]
            for r in conn.execute(
                "SELECT object_id FROM audit_auditevent WHERE created_at >= %s"
                " AND action = 'contract.economy_requirement_added'",
                (since,),
            ).fetchall()
        ]
    expected = collections.Counter(expected)
    expected["deviation.raised"] += len(found)
    expected["contract.economy_requirement_added"] += len(added)
    by_check = collections.Counter(check for _uuid, check in found)
    actual = collections.Counter(dict(rows))
    problems = []
    for action in sorted(set(actual) | set(expected)):
        if actual[action] != expected[action]:
            problems.append(f"history: {actual[action]} events {action!r}, expected {expected[action]}")
    events = collections.Counter(raised_events)
    deviations = {uuid for uuid, _check in found}
    twice = [uuid for uuid, n in events.items() if n > 1]
    missing = sorted(deviations - set(events))
    stray = sorted(set(events) - deviations)
    if twice:
        problems.append(f"history: {len(twice)} deviations raised with more than one event, e.g. {twice[0]}")
    if missing:
        problems.append(f"history: {len(missing)} deviations of the imports without their event, e.g. {missing[0]}")
    if stray:
        problems.append(f"history: {len(stray)} deviation.raised events for no import's finding, e.g. {stray[0]}")
    if sorted(added_events) != sorted(uuid for (uuid,) in added):
        problems.append(
            f"history: economy requirements added to {len(added)} contracts by the imports,"
            f" events for {sorted(added_events)[:5]}"
        )
    return problems, dict(sorted(by_check.items()))


def check_invoices(database_url: str, run_id: str, expected_new: int) -> list[str]:
    problems = []
    with psycopg.connect(database_url) as conn:
        twice = conn.execute(
            "SELECT seller_key, number, kind, count(*) FROM invoices_invoicedocument"
            " GROUP BY seller_key, number, kind HAVING count(*) > 1"
        ).fetchall()
        same_file = conn.execute(
            "SELECT sha256, count(*) FROM invoices_invoicedocument GROUP BY sha256 HAVING count(*) > 1"
        ).fetchall()
        row = conn.execute(
            "SELECT count(*) FROM invoices_invoicedocument WHERE number LIKE %s", (f"SOAK-{run_id}-%",)
        ).fetchone()
    stored = row[0] if row else 0
    for seller, number, kind, n in twice[:10]:
        problems.append(f"invoice {number} of {seller} ({kind}) stored {n} times")
    for sha, n in same_file[:10]:
        problems.append(f"the file {sha[:12]}… stored {n} times")
    if stored != expected_new:
        problems.append(f"{stored} of this run's invoices stored, expected {expected_new}")
    return problems


# --- Main ----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    url = args.database_url
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "The soak needs PostgreSQL: --database-url or DATABASE_URL (scripts/with_postgres.py gives one)."
        )
    if urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("The soak runs on loopback only: the database must be on 127.0.0.1.")
    duration = args.seconds or args.minutes * 60
    rnd = random.Random(args.seed)
    run_id = f"{int(time.time()) % 100000:05d}{rnd.randrange(100):02d}"
    var_dir = Path(tempfile.mkdtemp(prefix="kravspar-soak-"))
    (var_dir / "static").mkdir()
    env = server_env(url, var_dir)
    # This process writes the invoices with the project's generator (Django's settings).
    for key in ("DJANGO_SETTINGS_MODULE", "DJANGO_SECRET_KEY", "DATABASE_URL", "KRAVSPAR_VAR_DIR"):
        os.environ[key] = env[key]
    import django

    django.setup()
    t_prepare = time.perf_counter()
    prepare(env, args.setup, migrate=args.setup != "none" and not args.no_migrate)
    prepare_seconds = time.perf_counter() - t_prepare
    stats = Stats()
    invoices = Invoices(run_id, random.Random(args.seed + 1))
    org_counter = iter(range(10**5))
    org_lock = threading.Lock()

    def org_numbers() -> str:
        from stdnum import luhn

        with org_lock:
            base = f"5699{int(run_id[-3:]) % 100:02d}{next(org_counter):03d}"
        return base + luhn.calc_check_digit(base)

    postmaster = postmaster_pid(url)
    since = datetime.datetime.now(datetime.UTC)
    t_start = time.perf_counter()
    try:
        with gunicorn(env, args.workers, var_dir) as (base, proc), job_worker(env) as worker_proc:
            start_seconds = time.perf_counter() - t_start
            personas = warm_up(base)
            if not personas:
                raise SystemExit("No persona could log in.")
            importers = [p for p in personas if p.username in IMPORTERS]
            stop = threading.Event()
            warm_until = time.monotonic() + args.warmup
            end = warm_until + duration

            def client(n: int) -> None:
                crnd = random.Random(f"{args.seed}-{n}")
                kinds, weights = zip(*MIX, strict=True)
                # Each client first does every kind once (from its own place in the list), so
                # that even a run of seconds does every kind of work; then the mix decides.
                first_round = list(kinds[n % len(kinds) :] + kinds[: n % len(kinds)])
                while first_round or (not stop.is_set() and time.monotonic() < end):
                    kind = first_round.pop(0) if first_round else crnd.choices(kinds, weights)[0]
                    if kind in ("api_write", "upload", "api_import", "upload_job"):
                        pool = importers
                    elif kind in ("export", "job_export"):
                        pool = [p for p in personas if p.exports]
                    elif kind == "api_read":
                        pool = [p for p in personas if p.api]
                    else:
                        pool = [p for p in personas if p.pages]
                    if not pool:
                        continue
                    p = crnd.choice(pool)
                    with p.lock:
                        if not {"page": p.pages, "api_read": p.api, "export": p.exports, "job_export": p.exports}.get(
                            kind, [1]
                        ):
                            continue
                        step(p, kind, crnd, invoices, stats, org_numbers)
                    if args.think:
                        time.sleep(crnd.expovariate(1 / args.think))

            threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(args.clients)]
            for t in threads:
                t.start()
            while time.monotonic() < warm_until:
                time.sleep(0.2)
            watched = processes(proc.pid, postmaster)
            watched["job worker"] = worker_proc.process.pid
            memory_start = {name: memory(pid) for name, pid in watched.items()}
            backends_start = backends_rss(postmaster)
            started = time.monotonic()
            next_command = started + min(args.command_every, duration / 2)
            # RSS over time, so that a leak (growth all along) can be told from warming up
            # (growth that flattens): a sample every --sample-every seconds.
            samples = [(0.0, stats.count(), {name: (m or (0, 0))[0] for name, m in memory_start.items()})]
            next_sample = started + args.sample_every
            while time.monotonic() < end:
                if time.monotonic() >= next_command:
                    night_import(env, var_dir, invoices, stats)
                    next_command += args.command_every
                if time.monotonic() >= next_sample:
                    samples.append(
                        (
                            round(time.monotonic() - started),
                            stats.count(),
                            {name: (memory(pid) or (0, 0))[0] for name, pid in watched.items()},
                        )
                    )
                    next_sample += args.sample_every
                time.sleep(0.2)
            memory_end = {name: memory(pid) for name, pid in watched.items()}
            samples.append(
                (
                    round(time.monotonic() - started),
                    stats.count(),
                    {name: (m or (0, 0))[0] for name, m in memory_end.items()},
                )
            )
            backends_end = backends_rss(postmaster)
            stop.set()
            for t in threads:
                t.join(3 * TIMEOUT)  # a client finishes its first round of every kind of work
            elapsed = time.monotonic() - started
            job_problems = wait_for_jobs(url, stats, invoices)
            worker_log = worker_proc.log()
            server_errors = [
                line
                for line in (var_dir / "gunicorn.log").read_text(errors="replace").splitlines()
                # Django logs each 500 as "Internal Server Error: <path>"; gunicorn its own faults.
                if line.startswith("Internal Server Error") or "[ERROR]" in line or "[CRITICAL]" in line
            ]
    finally:
        log_path = var_dir / "gunicorn.log"
        gunicorn_log = log_path.read_text(errors="replace") if log_path.exists() else ""
        if args.log and log_path.exists():
            shutil.copyfile(log_path, args.log)
        shutil.rmtree(var_dir, ignore_errors=True)
    history_problems, import_deviations = check_history(url, since, stats.expected_events, run_id)
    problems = job_problems + history_problems
    problems += check_invoices(url, run_id, stats.new_invoices)
    all_times = [t for ts in stats.times.values() for t in ts]
    growth = {}
    for name in watched:
        a, b = memory_start.get(name), memory_end.get(name)
        growth[name] = {
            "rss_start_kib": a[0] if a else None,
            "rss_end_kib": b[0] if b else None,
            "anon_start_kib": a[1] if a else None,
            "anon_end_kib": b[1] if b else None,
            "growth_pct": round(100 * (b[0] - a[0]) / a[0], 1) if a and b and a[0] else None,
        }
    return {
        "setup": args.setup,
        "prepare_seconds": round(prepare_seconds, 1),
        "start_seconds": round(start_seconds, 1),
        "not_visible": sorted(stats.not_visible),
        "seconds": round(elapsed, 1),
        "workers": args.workers,
        "clients": args.clients,
        "personas": [p.username for p in personas],
        "requests": len(all_times),
        "errors": sum(stats.errors.values()),
        "error_samples": stats.error_samples,
        "server_errors": server_errors[:20],
        "p50_ms": round(1000 * percentile(all_times, 0.5)),
        "p95_ms": round(1000 * percentile(all_times, 0.95)),
        "by_kind": {
            kind: {
                "requests": len(ts),
                "errors": stats.errors.get(kind, 0),
                "p50_ms": round(1000 * percentile(ts, 0.5)),
                "p95_ms": round(1000 * percentile(ts, 0.95)),
            }
            for kind, ts in sorted(stats.times.items())
        },
        "changes": dict(stats.expected_events),
        "import_deviations": import_deviations,
        "new_invoices": stats.new_invoices,
        "memory": growth,
        "backends_rss_kib": [backends_start, backends_end],
        "memory_samples": samples,
        "check_problems": problems,
        "load_average": os.getloadavg(),
        "gunicorn_log_tail": gunicorn_log[-3000:] if (stats.errors or server_errors) else "",
        "worker_log_tail": worker_log[-2000:] if job_problems else "",
        "jobs": len(stats.jobs),
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"Soak: {result['seconds']:.0f} s of load, {result['workers']} gunicorn workers, {result['clients']} clients; "
        f"set-up {result['setup']} ({result['prepare_seconds']:.0f} s), gunicorn started in "
        f"{result['start_seconds']:.0f} s; personas: {', '.join(result['personas'])}"
    )
    print(f"load average at the end {result['load_average'][0]:.1f} on {os.cpu_count()} CPUs")
    print()
    print(f"{'kind':<12}{'requests':>10}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}")
    for kind, row in result["by_kind"].items():
        print(f"{kind:<12}{row['requests']:>10}{row['errors']:>8}{row['p50_ms']:>8}{row['p95_ms']:>8}")
    print(f"{'all':<12}{result['requests']:>10}{result['errors']:>8}{result['p50_ms']:>8}{result['p95_ms']:>8}")
    for sample in result["error_samples"]:
        print(f"  error: {sample}")
    for line in result["server_errors"]:
        print(f"  server: {line}")
    print()
    print(f"{'process':<40}{'RSS start':>11}{'RSS end':>10}{'growth':>8}{'anon start':>12}{'anon end':>10}")
    for name, m in result["memory"].items():
        pct = "gone" if m["growth_pct"] is None else f"{m['growth_pct']:+.1f}%"
        print(
            f"{name[:39]:<40}{m['rss_start_kib'] or 0:>8} KiB{m['rss_end_kib'] or 0:>7} KiB{pct:>8}"
            f"{m['anon_start_kib'] or 0:>8} KiB{m['anon_end_kib'] or 0:>6} KiB"
        )
    samples = result["memory_samples"]
    if len(samples) >= 3:
        # First half against second half of the run: a leak grows in both, warming up flattens.
        middle = min(samples, key=lambda s: abs(s[0] - samples[-1][0] / 2))
        print(
            f"RSS growth per half (at {middle[0]} s, after {middle[1]} requests; "
            f"the end at {samples[-1][0]} s, after {samples[-1][1]}):"
        )
        for name in result["memory"]:
            first, mid, last = samples[0][2].get(name), middle[2].get(name), samples[-1][2].get(name)
            if first and mid and last:
                print(f"  {name[:38]:<38}{100 * (mid - first) / first:+6.1f} % then {100 * (last - mid) / mid:+6.1f} %")
    a, b = result["backends_rss_kib"]
    print(f"{'postgres backends (all, summed)':<40}{a:>8} KiB{b:>7} KiB")
    over = [n for n, m in result["memory"].items() if (m["growth_pct"] or 0) > 10]
    print(f"Memory goal (no process grows above 10 %): {'not met by ' + ', '.join(over) if over else 'met'}")
    print()
    print(f"Changes made: {result['changes']}; new invoices accepted: {result['new_invoices']}")
    deviations = result["import_deviations"]
    print(
        f"Deviations the imports' price check raised (expected as deviation.raised): {sum(deviations.values())}"
        + (f" ({', '.join(f'{k} {n}' for k, n in deviations.items())})" if deviations else "")
    )
    if result["check_problems"]:
        for problem in result["check_problems"]:
            print(f"  CHECK FAILED: {problem}")
    else:
        print("Checks: one history event per successful change; no invoice stored twice.")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args)
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    return 0 if not result["errors"] and not result["check_problems"] and not result["server_errors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
