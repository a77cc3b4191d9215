"""Faults (issue 18): the web server killed in the middle of an upload, and PostgreSQL going
away in the middle of the night's import. Afterwards no partial record is visible (every
stored invoice has all its lines, every batch's counts are what it stored), nothing is stored
twice, and doing the work again (the upload, the command) stores what is missing and
reports the rest as duplicates.

Real processes on loopback (kravspar.testing.servers): gunicorn and ``manage.py
import_invoices`` against the PostgreSQL test database; the test kills them or cuts their
database off. PostgreSQL only: the PostgreSQL run of ``make test``. (The background-job
worker killed mid-job: kravspar/jobs/tests/test_worker_kill.py.)
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from django.db import connection, connections

from kravspar.invoices import generate
from kravspar.invoices.models import ImportBatch, InvoiceDocument
from kravspar.testing.servers import ROOT, app_env, gunicorn
from kravspar.testing.servers import shared_database_url as database_url

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Korrekt-hast-batteri-42"


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("faults need a database other processes share: runs in the PostgreSQL run of make test")


def invoices(prefix: str, count: int, lines: int) -> list[tuple[str, bytes]]:
    out = []
    for n in range(1, count + 1):
        spec = generate.InvoiceSpec(
            number=f"{prefix}-{n}",
            issue_date=datetime.date(2026, 3, 2),
            due_date=datetime.date(2026, 4, 1),
            seller=generate.SUPPLIERS[n % len(generate.SUPPLIERS)],
            buyer=generate.REGION_VASTMANLAND,
            buyer_reference="Fel",
            lines=[
                generate.Line(f"ART-{i}", f"Artikel {i}", Decimal(i % 5 + 1), "EA", Decimal("12.50"))
                for i in range(lines)
            ],
        )
        out.append((f"{prefix}-{n}.xml", generate.render(spec)))
    return out


def assert_whole(prefix: str, expected: int | None = None) -> list[InvoiceDocument]:
    """Every stored invoice of ``prefix`` once, with all its lines; every batch that stored
    them counts exactly what it stored."""
    documents = list(InvoiceDocument.objects.filter(number__startswith=f"{prefix}-"))
    numbers = [d.number for d in documents]
    assert len(numbers) == len(set(numbers)), f"stored twice: {sorted(numbers)}"
    for document in documents:
        assert document.lines.count() == document.line_count > 0, document.number
    for batch in ImportBatch.objects.filter(documents__in=documents).distinct():
        assert batch.imported_count == batch.documents.count(), (batch.status, batch.imported_count)
    if expected is not None:
        assert len(documents) == expected
    return documents


def login(base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/logga-in/", timeout=30)
    answer = session.post(
        f"{base}/logga-in/",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"], "username": "officer", "password": PASSWORD},
        headers={"Referer": f"{base}/logga-in/"},
        timeout=30,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:300]
    return session


def upload(session: requests.Session, base: str, files: list[tuple[str, bytes]]) -> requests.Response:
    return session.post(
        f"{base}/fakturor/ladda-upp/",
        files=[("invoice_files", (name, data, "application/xml")) for name, data in files],
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{base}/fakturor/ladda-upp/"},
        timeout=60,
        allow_redirects=False,
    )


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_the_web_server_killed_mid_upload_leaves_no_partial_invoice(world: Any, settings: Any) -> None:
    # The server checks passwords with the production hasher (the tests' own is MD5).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    world.officer.set_password(PASSWORD)
    world.officer.save(update_fields=["password"])
    files = invoices("KILL", 8, 300)
    env = app_env(database_url())
    answers: list[Any] = []
    with gunicorn(env, workers=1, timeout=60) as server:
        session = login(server.url)

        def send() -> None:
            try:
                answers.append(upload(session, server.url, files))
            except requests.RequestException as exc:
                answers.append(exc)

        sender = threading.Thread(target=send)
        sender.start()
        # The upload's batch is written as soon as the files are in; the invoices follow.
        wait_until(lambda: ImportBatch.objects.filter(label__contains="KILL-1.xml").exists(), 30, "the upload")
        os.killpg(server.process.pid, signal.SIGKILL)
        sender.join(60)
    (answer,) = answers
    assert isinstance(answer, requests.RequestException), f"the upload ended before the kill: {answer}"
    connections.close_all()
    stored_before = assert_whole("KILL")
    # What a person does next: upload the same files again, to a server started afresh.
    with gunicorn(env, workers=1, timeout=60) as server:
        again = upload(login(server.url), server.url, files)
        assert again.status_code == 302, again.text[:300]
    assert_whole("KILL", expected=8)
    batch = ImportBatch.objects.filter(label__contains="KILL-1.xml").latest("id")
    assert (batch.imported_count, batch.duplicate_count) == (8 - len(stored_before), len(stored_before))


def test_postgresql_going_away_mid_import_leaves_no_partial_invoice(world: Any, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name, data in invoices("PGSTOP", 12, 40):
        (folder / name).write_bytes(data)
    url = database_url()
    name = connection.settings_dict["NAME"]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    env = app_env(url)
    command = [sys.executable, "manage.py", "import_invoices", str(folder), "--progress-every", "1"]
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until(
            lambda: (
                InvoiceDocument.objects.filter(number__startswith="PGSTOP-").count() >= 2 or first.poll() is not None
            ),
            60,
            "the first invoices",
        )
        assert first.poll() is None, "the import ended before the database went away"
        connections.close_all()
        # The database goes away for two seconds: no new connections, every open one cut.
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            try:
                until = time.monotonic() + 2
                while time.monotonic() < until:
                    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
                    time.sleep(0.1)
            finally:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        output = first.communicate(timeout=120)[0].decode(errors="replace")
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode != 0, output  # the run says that it did not finish
    stored_before = assert_whole("PGSTOP")
    assert 2 <= len(stored_before) < 12, output
    # The operator runs the night's import again: the rest is stored, nothing twice.
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{len(stored_before)} duplicates" in again.stdout or f"{len(stored_before)} dubbletter" in again.stdout
    assert_whole("PGSTOP", expected=12)
