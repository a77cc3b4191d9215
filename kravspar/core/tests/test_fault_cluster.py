"""Fault (issue 18): the whole PostgreSQL server stops in the middle of the night's import.

``test_faults.py`` cuts one database off; here the cluster itself goes down (``pg_ctl stop
-m immediate``: every server process quits at once, as in a crash or a host restart) while
``manage.py import_invoices`` runs, and comes back. The cluster is a throw-away one of this
test's own (``kravspar.testing.pgcluster``, as ``scripts/with_postgres.py`` makes them), holding
a copy of the migrated test database, so that no other test's database goes down with it.

Afterwards: the command ended with its own exit status (101) and said, without a traceback,
that the database went away, every invoice stored before the stop is whole, and running the command again (the
operator's next step) stores the rest and reports the stored ones as duplicates: every
invoice once. PostgreSQL run only.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from kravspar.invoices import generate
from kravspar.invoices.management.commands.import_invoices import DATABASE_GONE_EXIT_STATUS
from kravspar.testing import pgcluster, scratchdb
from kravspar.testing.servers import ROOT, app_env

pytestmark = pytest.mark.skipif(
    not scratchdb.available() or pgcluster.pg_bin() is None,
    reason="needs the PostgreSQL run (scripts/with_postgres.py) and the server programs",
)
COUNT = 12


def write_invoices(folder: Path, prefix: str) -> None:
    for n in range(1, COUNT + 1):
        spec = generate.InvoiceSpec(
            number=f"{prefix}-{n}",
            issue_date=datetime.date(2026, 3, 2),
            due_date=datetime.date(2026, 4, 1),
            seller=generate.SUPPLIERS[n % len(generate.SUPPLIERS)],
            buyer=generate.REGION_VASTMANLAND,
            buyer_reference="Fel",
            lines=[
                generate.Line(f"ART-{i}", f"Artikel {i}", Decimal(i % 5 + 1), "EA", Decimal("12.50")) for i in range(40)
            ],
        )
        (folder / f"{prefix}-{n}.xml").write_bytes(generate.render(spec))


def stored(url: str, prefix: str) -> list[tuple[str, int, int]]:
    """(number, lines stored, line_count) of each stored invoice of ``prefix``."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT d.number, (SELECT count(*) FROM invoices_invoiceline l WHERE l.document_id = d.id), d.line_count"
            " FROM invoices_invoicedocument d WHERE d.number LIKE %s ORDER BY d.number",
            (f"{prefix}-%",),
        ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def assert_whole(url: str, prefix: str) -> list[str]:
    rows = stored(url, prefix)
    numbers = [number for number, _lines, _count in rows]
    assert len(numbers) == len(set(numbers)), f"stored twice: {numbers}"
    for number, lines, count in rows:
        assert lines == count > 0, (number, lines, count)
    with psycopg.connect(url) as conn:
        for status, imported, documents in conn.execute(
            "SELECT b.status, b.imported_count, (SELECT count(*) FROM invoices_invoicedocument d"
            " WHERE d.batch_id = b.id) FROM invoices_importbatch b"
        ).fetchall():
            assert imported == documents, (status, imported, documents)
    return numbers


def count_stored(url: str, prefix: str) -> int:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            row = conn.execute(
                "SELECT count(*) FROM invoices_invoicedocument WHERE number LIKE %s", (f"{prefix}-%",)
            ).fetchone()
            return int(row[0]) if row else 0
    except psycopg.OperationalError:
        return 0


def copy_test_database(target_url: str) -> None:
    """The migrated test database (schema and the migrations' rows) into the new cluster."""
    from django.db import connection

    source = scratchdb.PG_URL.rsplit("/", 1)[0] + f"/{connection.settings_dict['NAME']}"
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "--no-privileges", source], capture_output=True, check=True, timeout=300
    )
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", target_url],
        input=dump.stdout,
        capture_output=True,
        check=True,
        timeout=300,
    )


# The test database (the copy's source) exists only for a test that asks for the database.
@pytest.mark.django_db
def test_the_whole_postgresql_server_stopping_mid_import(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    write_invoices(folder, "CLUSTER")
    with pgcluster.throwaway_cluster() as cluster:
        copy_test_database(cluster.url)
        # The invoices' buyers are not in the copy: they are stored without one (a warning).
        env = app_env(cluster.url, KRAVSPAR_VAR_DIR=str(tmp_path / "var"))
        os.makedirs(tmp_path / "var" / "static", exist_ok=True)
        command = [sys.executable, "manage.py", "import_invoices", str(folder), "--progress-every", "1"]
        first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while count_stored(cluster.url, "CLUSTER") < 2 and first.poll() is None:
                assert time.monotonic() < deadline, "the import stored nothing"
                time.sleep(0.05)
            assert first.poll() is None, "the import ended before the server stopped"
            cluster.stop("immediate")
            down_at = time.monotonic()
            output = first.communicate(timeout=120)[0].decode(errors="replace")
            ended_after = time.monotonic() - down_at
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
        # The run ends (it does not hang on a server that is gone) and says what happened.
        assert first.returncode == DATABASE_GONE_EXIT_STATUS, output
        assert ended_after < 60, output
        # Its last words are the clear report (the tracebacks before it are the log's, for the
        # operators: the matching of the stored invoices, which met the stopped server too).
        last = output.strip().splitlines()[-1]
        assert "the database could not be reached" in last or "databasen gick inte att nå" in last, output
        cluster.start()
        stored_before = assert_whole(cluster.url, "CLUSTER")
        assert 2 <= len(stored_before) < COUNT, output
        # The operator runs the night's import again: the rest is stored, nothing twice.
        again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False)
        assert again.returncode == 0, again.stdout + again.stderr
        assert f"{len(stored_before)} duplicates" in again.stdout or f"{len(stored_before)} dubbletter" in again.stdout
        assert len(assert_whole(cluster.url, "CLUSTER")) == COUNT
