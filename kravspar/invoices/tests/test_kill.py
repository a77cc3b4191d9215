"""A killed import leaves whole invoices only, and running it again completes the work.

The import runs as ``manage.py import_invoices`` in a separate process on a throw-away
SQLite file database and is killed with SIGKILL:
1. from inside, in the middle of a document (its header row written, its lines not yet),
   which is the worst moment; the transaction must roll that document back;
2. from outside, as soon as the progress output shows that some files are done.
Then the same command runs again, and every invoice must be stored exactly once, with
all its lines, and no line may belong to a missing document.

The subprocess always uses its own SQLite file, also when the suite runs against
PostgreSQL (DATABASE_URL is removed from its environment, as the browser tests do):
what is tested is the import's transaction boundaries, which both databases honour.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kravspar.invoices.generate import write_many
from kravspar.testing import sqlitecopy

# The subprocess never uses the suite's database, so the PostgreSQL run would repeat the
# SQLite run's work exactly (about a minute); it runs once, in the SQLite run.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="uses its own SQLite file; runs in the SQLite run"
)

ROOT = Path(__file__).resolve().parents[3]
COUNT = 300
LINES = 5

# Runs the real command, but kills the process with SIGKILL while it stores document
# number KILL_AT + 1: after its header row was inserted and before its lines are.
KILL_INSIDE = """
import os, signal, sys
import django
django.setup()
from kravspar.invoices import services
kill_at = int(sys.argv[1])
original = services.insert_lines
calls = [0]
def insert_lines(items):
    calls[0] += len(items)
    if calls[0] > kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(items)
services.insert_lines = insert_lines
from django.core.management import call_command
call_command("import_invoices", *sys.argv[2:])
"""


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None) -> Path:
    """A migrated SQLite database, copied by each test: the suite's migrated test database
    (``sqlitecopy``), which the SQLite run has created anyway, instead of a ``migrate`` of
    its own in a subprocess (about 24 s of CPU)."""
    var_dir = tmp_path_factory.mktemp("kill-template")
    if not sqlitecopy.copy_to(var_dir / "db.sqlite3"):
        _run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], var_dir, check=True)
    return var_dir / "db.sqlite3"


def _env(var_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kravspar.settings",
        "DJANGO_SECRET_KEY": "insecure-key-for-tests-only",
        "KRAVSPAR_VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),
        "LANGUAGE": "sv",
    }
    env.pop("DATABASE_URL", None)
    return env


def _run(args: list[str], var_dir: Path, *, check: bool = False) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=ROOT, env=_env(var_dir), capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def _prepare(tmp_path: Path, migrated: Path) -> tuple[Path, Path]:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    (var_dir / "db.sqlite3").write_bytes(migrated.read_bytes())
    inbox = tmp_path / "inbox"
    write_many(inbox, COUNT, LINES, per_folder=100, seed=7)
    return var_dir, inbox


def _counts(var_dir: Path) -> dict[str, int]:
    with sqlite3.connect(var_dir / "db.sqlite3") as db:

        def one(sql: str) -> int:
            value: int = db.execute(sql).fetchone()[0]
            return value

        return {
            "documents": one("SELECT COUNT(*) FROM invoices_invoicedocument"),
            "distinct": one("SELECT COUNT(DISTINCT seller_key || '/' || number) FROM invoices_invoicedocument"),
            "lines": one("SELECT COUNT(*) FROM invoices_invoiceline"),
            "orphans": one(
                "SELECT COUNT(*) FROM invoices_invoiceline l LEFT JOIN invoices_invoicedocument d "
                "ON d.id = l.document_id WHERE d.id IS NULL"
            ),
            "incomplete": one(
                "SELECT COUNT(*) FROM invoices_invoicedocument d WHERE d.line_count != "
                "(SELECT COUNT(*) FROM invoices_invoiceline l WHERE l.document_id = d.id)"
            ),
        }


def _rerun_completes(var_dir: Path, inbox: Path, already: int) -> None:
    result = _run([sys.executable, "manage.py", "import_invoices", str(inbox), "--progress-every", "100"], var_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{COUNT - already} importerade" in result.stdout
    assert f"{already} dubbletter, 0 avvisade" in result.stdout
    assert _counts(var_dir) == {
        "documents": COUNT,
        "distinct": COUNT,
        "lines": COUNT * LINES,
        "orphans": 0,
        "incomplete": 0,
    }


def test_killed_in_the_middle_of_a_document(tmp_path: Path, migrated: Path) -> None:
    var_dir, inbox = _prepare(tmp_path, migrated)
    kill_at = 137
    killed = _run(
        [sys.executable, "-c", KILL_INSIDE, str(kill_at), str(inbox), "--progress-every", "10"],
        var_dir,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    after_kill = _counts(var_dir)
    # Document 138 had its header inserted when the process died: it was rolled back with
    # the rest of its group (131-140; --progress-every 10 makes groups of 10 documents).
    stored = kill_at // 10 * 10
    assert after_kill == {
        "documents": stored,
        "distinct": stored,
        "lines": stored * LINES,
        "orphans": 0,
        "incomplete": 0,
    }
    _rerun_completes(var_dir, inbox, stored)


def test_killed_from_outside_after_progress(tmp_path: Path, migrated: Path) -> None:
    var_dir, inbox = _prepare(tmp_path, migrated)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_invoices", str(inbox), "--progress-every", "10"],
        cwd=ROOT,
        env=_env(var_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if line.startswith("50 filer"):
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "".join(seen)
    after_kill = _counts(var_dir)
    assert 50 <= after_kill["documents"] < COUNT
    assert after_kill["orphans"] == after_kill["incomplete"] == 0
    assert after_kill["lines"] == after_kill["documents"] * LINES
    _rerun_completes(var_dir, inbox, after_kill["documents"])
