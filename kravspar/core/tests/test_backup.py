"""Backup and restore (issue 18): a backup, with nothing changed, restores identical to its
source; a restore onto an empty installation is identical too; a changed file or row is
found. The commands run as separate processes on their own database (the test suite's
database lives in a transaction other processes cannot see): a throw-away SQLite file, and
in the PostgreSQL run also a throw-away database on the suite's cluster."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from kravspar.invoices.generate import write_many
from kravspar.testing import sqlitecopy

ROOT = Path(__file__).resolve().parents[3]
PG_URL = os.environ.get("DATABASE_URL", "")

SEED = """
import sys
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from kravspar.accounts.management.commands.setup_roles import setup_roles
from kravspar.audit.services import audit_record
from kravspar.portal.models import SupplierDocument
from kravspar.testing.factories import SupplierFactory
call_command("migrate", "--no-input", verbosity=0)
setup_roles()
supplier = SupplierFactory.create(name="Glans Städ AB")
for n in range(3):
    document = SupplierDocument(
        supplier=supplier, kind="other", title=f"Intyg {n}", valid_from="2026-01-01",
        original_name=f"intyg-{n}.pdf", content_type="application/pdf", size=7, sha256="-",
    )
    document.file.save("x", ContentFile(f"intyg {n}".encode()), save=False)
    document.save()
with transaction.atomic():
    audit_record(actor=None, action="backup_test.seeded", obj=supplier, after={"documents": 3})
try:
    call_command("import_invoices", sys.argv[1], "--progress-every", "0")
except SystemExit:
    pass
"""


def _env(var_dir: Path, database_url: str = "", extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kravspar.settings",
        "DJANGO_SECRET_KEY": "insecure-key-for-tests-only",
        "KRAVSPAR_VAR_DIR": str(var_dir),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra or {})
    return env


def manage(var_dir: Path, *args: str, database_url: str = "", check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(var_dir, database_url),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


# Several commands in one process: each process start costs seconds on a busy machine.
MANY = """
import io, json, sys
import django
django.setup()
from django.core.management import call_command
from django.core.management.base import CommandError
results = []
for args in json.loads(sys.argv[1]):
    out, err, code = io.StringIO(), "", 0
    try:
        call_command(*args, stdout=out)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except CommandError as exc:
        code, err = 1, str(exc)
    results.append({"out": out.getvalue(), "err": err, "code": code})
print(json.dumps(results))
"""


def manage_many(
    var_dir: Path, *commands: list[str], database_url: str = "", extra: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-c", MANY, json.dumps(list(commands))],
        cwd=ROOT,
        env=_env(var_dir, database_url, extra),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    outcomes: list[dict[str, Any]] = json.loads(result.stdout.strip().splitlines()[-1])
    return outcomes


def seed(var_dir: Path, tmp_path: Path, database_url: str = "", extra: dict[str, str] | None = None) -> None:
    inbox = tmp_path / f"inbox-{uuid.uuid4().hex[:6]}"
    write_many(inbox, 12, 3, per_folder=100, seed=3)
    subprocess.run(
        [sys.executable, "-c", SEED, str(inbox)],
        cwd=ROOT,
        env=_env(var_dir, database_url, extra),
        check=True,
        capture_output=True,
        timeout=600,
    )


sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="uses its own SQLite file; runs in the SQLite run")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None) -> Path:
    """A migrated and seeded installation (SQLite file and stored files), copied by each test.
    It starts from a copy of the suite's migrated test database (``sqlitecopy``), on which
    the seed's ``migrate`` finds nothing to apply (about 26 s of CPU less)."""
    var_dir = tmp_path_factory.mktemp("backup-template")
    if not PG_URL:
        sqlitecopy.copy_to(var_dir / "db.sqlite3")
        seed(var_dir, var_dir.parent)  # migrates first (whatever the copy lacks)
    return var_dir


@pytest.fixture
def installation(tmp_path: Path, seeded: Path) -> Path:
    var_dir = tmp_path / "var"
    shutil.copytree(seeded, var_dir)
    return var_dir


@sqlite_only
def test_a_backup_restores_identical_to_its_source_and_onto_an_empty_installation(
    installation: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "backup"
    made, checked, refused = manage_many(
        installation, ["backup", str(backup)], ["check_backup", str(backup)], ["restore_backup", str(backup)]
    )
    assert "15 files" in made["out"]  # three supplier documents and twelve invoice originals
    # Nothing changed: the backup restored into a throw-away database is identical.
    assert checked["code"] == 0, checked
    assert "The backup is identical to this installation." in checked["out"]
    assert "backup_test.seeded" in checked["out"] or "invoices.import" in checked["out"]
    # A restore never overwrites an installation that has data.
    assert refused["code"] != 0
    assert "not empty" in refused["err"]
    # Onto an empty installation (no database file, no stored files): identical again.
    empty = tmp_path / "empty-var"
    empty.mkdir()
    restored, checked_again = manage_many(empty, ["restore_backup", str(backup)], ["check_backup", str(backup)])
    assert "15 files" in restored["out"]
    assert checked_again["code"] == 0, checked_again
    assert "The backup is identical" in checked_again["out"]
    assert sorted(p.relative_to(empty).as_posix() for p in (empty / "media").rglob("*") if p.is_file()) == sorted(
        p.relative_to(installation).as_posix() for p in (installation / "media").rglob("*") if p.is_file()
    )


@sqlite_only
def test_the_check_finds_a_changed_file_a_new_row_and_a_damaged_copy(installation: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup"
    manage(installation, "backup", str(backup))
    stored = sorted((installation / "media").rglob("*"))
    files = [p for p in stored if p.is_file()]
    files[0].write_bytes(b"changed after the backup")
    copies = sorted(p for p in (backup / "media").rglob("*") if p.is_file())
    copies[1].write_bytes(b"bit rot")
    more = tmp_path / "more"
    write_many(more, 1, 1, per_folder=10, seed=99)
    _imported, result = manage_many(
        installation, ["import_invoices", str(more), "--progress-every", "0"], ["check_backup", str(backup)]
    )
    assert result["code"] == 1, result
    out = result["out"]
    assert "table invoices_invoicedocument: 13 rows in the source, 12 in the backup" in out
    assert "last history event" in out
    assert f"file {files[0].relative_to(installation / 'media').as_posix()}: SHA-256 differs" in out
    assert f"file {copies[1].relative_to(backup / 'media').as_posix()}: SHA-256" in out
    assert "differs from the manifest" in out


@pytest.mark.skipif(not PG_URL, reason="needs the PostgreSQL run (scripts/with_postgres.py)")
def test_postgresql_and_s3_backup_check_and_restore_onto_an_empty_installation(
    tmp_path: Path, django_db_setup: None, django_db_blocker: Any
) -> None:
    """Production's shape: the database on PostgreSQL, the files in an S3 bucket (a real
    S3-compatible server on loopback). The backup reads the bucket, the restore fills a new,
    empty bucket, and both checks compare the files in the bucket, not in a local folder.
    The source starts as a copy of the suite's migrated test database (``scratchdb``), on which
    the seed's ``migrate`` finds nothing to apply (a migrate of PostgreSQL in the subprocess
    cost about 25 s of CPU); the target is an empty database, as a restore finds it."""
    import psycopg

    from kravspar.testing import scratchdb
    from kravspar.testing.servers import s3_server

    name = f"kravspar_bk_{uuid.uuid4().hex[:8]}"
    base = PG_URL.rsplit("/", 1)[0]
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with scratchdb.scratch_database(django_db_blocker) as scratch, s3_server(bucket="kravspar-source") as s3:
            s3.client().create_bucket(  # type: ignore[attr-defined]
                Bucket="kravspar-target", CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
            )
            source_url, target_url = scratch.url, f"{base}/{name}"
            source, target = tmp_path / "source", tmp_path / "target"
            source.mkdir()
            target.mkdir()
            on_source = s3.env()
            on_target = {**on_source, "KRAVSPAR_S3_BUCKET": "kravspar-target"}
            seed(source, tmp_path, source_url, on_source)  # migrates first (whatever the copy lacks)
            stored = s3.object_keys()
            assert len(stored) >= 3 and not (source / "media").exists()
            assert any("invoices/" in key for key in stored)  # the invoice originals are in the bucket too
            backup = tmp_path / "backup"
            made, checked = manage_many(
                source, ["backup", str(backup)], ["check_backup", str(backup)], database_url=source_url, extra=on_source
            )
            assert (backup / "database.dump").is_file(), made
            assert sorted(json.loads((backup / "manifest.json").read_text())["files"]) == sorted(stored)
            assert "The backup is identical" in checked["out"], checked
            restored, again = manage_many(
                target,
                ["restore_backup", str(backup)],
                ["check_backup", str(backup)],
                database_url=target_url,
                extra=on_target,
            )
            assert restored["code"] == 0, restored
            assert "The backup is identical" in again["out"], again
            target_keys = s3.client().list_objects_v2(Bucket="kravspar-target")["Contents"]  # type: ignore[attr-defined]
            assert sorted(item["Key"] for item in target_keys) == sorted(stored)
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
