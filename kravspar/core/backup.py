"""Backups of the database and the stored files, and their check.

A backup is a folder:

- ``database.sqlite3`` (SQLite's online backup API: consistent while Kravspår runs, unlike
  a copy of a live database file and its WAL) or ``database.dump`` (``pg_dump -Fc``);
- ``media/``: the stored files (evidence, documents, answer files, invoice originals, job
  inputs and results), copied from the file storage — local files or the S3 bucket — *after*
  the database, so that no record in the backup points at a file the backup lacks;
- ``manifest.json``: the database vendor, when, and each copied file's SHA-256.

``check(path)`` restores the database into a throw-away database (a temporary SQLite
file, or a scratch PostgreSQL database that is dropped afterwards) and compares it with
the source, the running installation: the row count of every table, the history's last
event, and the SHA-256 of every file a record refers to, in the backup and in storage.
``restore(path)`` puts a backup onto an empty installation: an empty database and empty
file storage (local or a new bucket).

The files are read and written through Django's storage API (``core.filestore``), so the
same commands back up a local MEDIA_ROOT and an S3 bucket.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

from kravspar.core import filestore

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA = "media"
CHECK_ALIAS = "backup_check"


class BackupError(Exception):
    """The backup cannot be made, read or restored; the message says why."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env(conf: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if conf.get(key):
            env[var] = str(conf[key])
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    try:
        # Fixed programs (pg_dump, pg_restore) with paths and names from the settings.
        result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=3600, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{args[0]} is not installed (Debian: postgresql-client)") from None
    if result.returncode != 0:
        raise BackupError(f"{' '.join(args[:2])} failed ({result.returncode}): {result.stderr.strip()[:2000]}")


# --- Making a backup ---------------------------------------------------------------------


def create(target: Path, *, using: str = "default") -> dict[str, Any]:
    """Write a backup of the database and the stored files into the new folder ``target``."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} exists and is not empty")
    target.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target / SQLITE_FILE)
        try:
            connection.connection.backup(destination)  # the online backup API
        finally:
            destination.close()
        database = SQLITE_FILE
    elif connection.vendor == "postgresql":
        conf = connection.settings_dict
        _run(["pg_dump", "-Fc", "--no-owner", "-f", str(target / PG_FILE), "-d", str(conf["NAME"])], _pg_env(conf))
        database = PG_FILE
    else:
        raise BackupError(f"no backup for the {connection.vendor} database")
    # The files after the database: a file uploaded meanwhile is in the copy without a
    # record (harmless; prune_orphan_files removes it), never a record without its file.
    files: dict[str, str] = {}
    for stored in sorted(filestore.walk(default_storage), key=lambda f: f.name):
        copy = target / MEDIA / stored.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(stored.name, "rb") as source, copy.open("wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
        files[stored.name] = sha256_file(copy)
    manifest = {
        "vendor": connection.vendor,
        "database": database,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return manifest


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} is not a Kravspår backup: {exc}") from None
    if manifest.get("database") not in (SQLITE_FILE, PG_FILE) or not (path / manifest["database"]).is_file():
        raise BackupError(f"{path} lacks its database file")
    return manifest


# --- What a database holds ---------------------------------------------------------------


@dataclass
class Snapshot:
    counts: dict[str, int]
    last_event: dict[str, Any] | None
    files: set[str]


def snapshot(using: str) -> Snapshot:
    connection = connections[using]
    tables = sorted(connection.introspection.table_names())
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in tables:
            # Table names come from the database's own catalogue, quoted by the backend.
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    last_event = None
    if "audit_auditevent" in tables:
        AuditEvent = apps.get_model("audit", "AuditEvent")
        event = AuditEvent.objects.using(using).order_by("-id").values("id", "uuid", "action", "created_at").first()
        if event is not None:
            last_event = {k: str(v) for k, v in event.items()}
    files: set[str] = set()
    for model in apps.get_models():
        if model._meta.db_table not in counts:
            continue
        for f in model._meta.get_fields():
            if isinstance(f, models.FileField):
                names = model._default_manager.using(using).exclude(**{f.name: ""}).values_list(f.name, flat=True)
                files.update(str(n) for n in names if n)
    return Snapshot(counts=counts, last_event=last_event, files=files)


@contextlib.contextmanager
def _alias(conf: dict[str, Any]) -> Iterator[BaseDatabaseWrapper]:
    connections.settings[CHECK_ALIAS] = conf
    try:
        yield connections[CHECK_ALIAS]
    finally:
        with contextlib.suppress(Exception):
            connections[CHECK_ALIAS].close()
        with contextlib.suppress(Exception):
            del connections[CHECK_ALIAS]
        connections.settings.pop(CHECK_ALIAS, None)


@contextlib.contextmanager
def restored(path: Path, manifest: dict[str, Any], *, using: str = "default") -> Iterator[str]:
    """The backup's database restored into a throw-away database, as a connection alias."""
    source = connections[using]
    conf = dict(source.settings_dict)
    if manifest["database"] == SQLITE_FILE:
        if source.vendor != "sqlite":
            raise BackupError("an SQLite backup is checked by an installation on SQLite")
        with tempfile.TemporaryDirectory(prefix="kravspar-check-") as scratch:
            copy = Path(scratch) / "restored.sqlite3"
            backup_db = sqlite3.connect(f"file:{path / SQLITE_FILE}?mode=ro", uri=True)
            target = sqlite3.connect(copy)
            try:
                backup_db.backup(target)
                [result] = target.execute("PRAGMA integrity_check").fetchone()
            finally:
                target.close()
                backup_db.close()
            if result != "ok":
                raise BackupError(f"the backup's database is damaged: {result}")
            conf.update(NAME=str(copy), TEST={"NAME": str(copy)})
            with _alias(conf):
                yield CHECK_ALIAS
        return
    if source.vendor != "postgresql":
        raise BackupError("a PostgreSQL backup is checked by an installation on PostgreSQL")
    scratch_name = f"kravspar_check_{secrets.token_hex(4)}"
    with source.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{scratch_name}"')
    try:
        conf.update(NAME=scratch_name)
        _run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", scratch_name, str(path / PG_FILE)],
            _pg_env(conf),
        )
        with _alias(conf):
            yield CHECK_ALIAS
    finally:
        with source.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch_name}"')


# --- The check ---------------------------------------------------------------------------


@dataclass
class Report:
    tables: int = 0
    rows: int = 0
    files: int = 0
    last_event: dict[str, Any] | None = None
    differences: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.differences


def check(path: Path, *, using: str = "default") -> Report:
    """Restore the backup into a throw-away database and compare it with the source."""
    manifest = read_manifest(path)
    report = Report()
    live = snapshot(using)
    with restored(path, manifest, using=using) as alias:
        backup = snapshot(alias)
    report.tables = len(backup.counts)
    report.rows = sum(backup.counts.values())
    report.last_event = backup.last_event
    for table in sorted(set(live.counts) | set(backup.counts)):
        a, b = live.counts.get(table), backup.counts.get(table)
        if a != b:
            report.differences.append(f"table {table}: {a} rows in the source, {b} in the backup")
    if live.last_event != backup.last_event:
        report.differences.append(
            f"last history event: {live.last_event} in the source, {backup.last_event} in the backup"
        )
    recorded: dict[str, str] = manifest.get("files", {})
    for name in sorted(backup.files | live.files):
        report.files += 1
        copy = path / MEDIA / name
        if name not in backup.files:
            report.differences.append(f"file {name}: referred to in the source, not in the backup's database")
            continue
        if not copy.is_file():
            report.differences.append(f"file {name}: missing from the backup")
            continue
        digest = sha256_file(copy)
        if recorded.get(name) != digest:
            report.differences.append(f"file {name}: SHA-256 {digest} differs from the manifest's")
        in_storage = filestore.sha256_stored(name, default_storage)
        if in_storage is None:
            report.differences.append(f"file {name}: missing from the source's storage")
        elif in_storage != digest:
            report.differences.append(f"file {name}: SHA-256 differs between the source and the backup")
    return report


# --- Restoring ---------------------------------------------------------------------------


def _is_empty(connection: BaseDatabaseWrapper) -> bool:
    return not connection.introspection.table_names()


def restore(path: Path, *, using: str = "default") -> dict[str, Any]:
    """Put the backup onto an empty installation: a database without tables and empty file
    storage (MEDIA_ROOT or the bucket). Refuses anything else, so a mistyped command cannot
    overwrite live data."""
    manifest = read_manifest(path)
    connection = connections[using]
    if not _is_empty(connection):
        raise BackupError("the database is not empty: restore only onto a new, empty database")
    if next(filestore.walk(default_storage), None) is not None:
        raise BackupError("the file storage holds files: restore only onto empty file storage")
    if manifest["database"] == SQLITE_FILE:
        if connection.vendor != "sqlite":
            raise BackupError("an SQLite backup is restored onto SQLite")
        connection.ensure_connection()
        backup_db = sqlite3.connect(f"file:{path / SQLITE_FILE}?mode=ro", uri=True)
        try:
            backup_db.backup(connection.connection)
        finally:
            backup_db.close()
    else:
        if connection.vendor != "postgresql":
            raise BackupError("a PostgreSQL backup is restored onto PostgreSQL")
        conf = connection.settings_dict
        connection.close()
        _run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", str(conf["NAME"]), str(path / PG_FILE)], _pg_env(conf)
        )
    for name, digest in manifest.get("files", {}).items():
        source = path / MEDIA / name
        if sha256_file(source) != digest:
            raise BackupError(f"file {name} in the backup differs from its SHA-256 in the manifest")
        with source.open("rb") as handle:
            saved = default_storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"file {name} was stored as {saved}: the storage was not empty")
    return manifest
