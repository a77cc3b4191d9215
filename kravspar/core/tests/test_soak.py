"""The short soak (issue 18): ``bench/soak.py`` itself, for a few seconds, against gunicorn
and a copy of the PostgreSQL test database: every persona of the small installation views
pages, reads and writes through the API, exports, uploads invoices (new ones and ones already
sent) and the night's ``import_invoices`` runs once. No request may fail, the history must
have exactly one event per successful change (the deviations the imports' price check raised
included, one each) and no invoice may be stored twice: the same
code and checks as the 30-minute run in docs/benchmarks.md. Runs in the PostgreSQL run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kravspar.testing import scratchdb

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(not scratchdb.available(), reason="needs the PostgreSQL run (scripts/with_postgres.py)")


def test_a_short_soak_has_no_errors_and_its_history_and_invoices_add_up(
    django_db_setup: Any, django_db_blocker: Any, tmp_path: Path
) -> None:
    out = tmp_path / "soak.json"
    with scratchdb.scratch_database(django_db_blocker) as scratch:
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "soak.py"),
                "--database-url",
                scratch.url,
                "--setup",
                "minimal",
                *(["--no-migrate"] if scratch.migrated else []),
                "--seconds",
                "6",
                "--workers",
                "1",
                "--clients",
                "3",
                "--think",
                "0.05",
                "--json",
                str(out),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,  # set-up and start-ups on a loaded machine; the run itself is seconds
            check=False,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(out.read_text())
    assert figures["errors"] == 0
    assert figures["check_problems"] == []
    # Every kind of work was done, and the changes were counted: had the checks counted
    # nothing, they could not fail.
    assert {
        "page",
        "api_read",
        "export",
        "api_write",
        "upload",
        "api_import",
        "job_export",
        "upload_job",
        "command",
    } <= set(figures["by_kind"])
    assert figures["jobs"] >= 2 and figures["changes"]["job.started"] == figures["jobs"]
    assert figures["changes"]["invoices.import"] >= 3 and figures["changes"]["supplier.created"] >= 1
    assert figures["new_invoices"] >= 5
    # The imports' price check raised deviations (the small installation's contract prices
    # the generated gloves below the invoices): the history check expected each one's event.
    assert sum(figures["import_deviations"].values()) >= 1
    assert set(figures["personas"]) == {"admin", "inkopare", "bestallare", "lasare", "leverantor"}
    assert all(m["rss_end_kib"] for m in figures["memory"].values())
