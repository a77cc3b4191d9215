"""Migrate once per test run, not once per pytest-xdist worker.

Each worker of ``pytest -n 2`` gets its own test database, and pytest-django builds it with
Django's ``create_test_db``, whose ``migrate`` of the ~100 migrations costs 25-31 s of CPU on
this machine, in each worker of each database run. With this module the first worker to get
there migrates as before and keeps a copy of the result, the *template*; every other worker
copies the template instead of running ``migrate``:

- SQLite: the template is a file, written from the first worker's in-memory test database and
  read into the next one's with SQLite's backup API (what Django's own parallel test runner
  does to clone a SQLite test database);
- PostgreSQL: the template is a database, made with ``CREATE DATABASE … TEMPLATE`` from the
  first worker's test database; the next worker's test database is made the same way from it.

Only ``migrate`` is replaced, inside pytest-django's ``setup_databases``; everything else in
``create_test_db`` (``createcachetable``, the serialization pytest-django asks for) runs as
before. The copy is taken right after ``migrate``, before any test ran, so it holds exactly
what ``migrate`` puts into a fresh database: the schema, ``django_migrations``, the data
migrations' rows and what the ``post_migrate`` handlers create (content types, permissions).

The workers of one run share a folder (the parent of their pytest ``basetemp``) in which a
file lock makes them take turns: the one that migrates holds it until the template exists.
``make test`` (``scripts/test_all.sh``) names one folder for all its runs in
``KRAVSPAR_TEST_TEMPLATE_DIR``: the SQLite run's workers and the browser tests' app server
(``tests/browser/conftest.py``, ``sqlite_file``) then share one SQLite template, so one
``migrate`` of SQLite per ``make test`` instead of two (about 30 s of CPU).
The template's name carries a hash of every installed app's migration files and Django's
version, so a template is never used for other migrations. Without xdist (one process, one
migrate), with ``--reuse-db`` or without migrations, nothing changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def migrations_key() -> str:
    """A hash of every installed app's migration files (names and contents) and Django's
    version: a template migrated from other migrations never matches."""
    import django
    from django.apps import apps

    digest = hashlib.sha256(django.get_version().encode())
    for app_config in sorted(apps.get_app_configs(), key=lambda config: config.label):
        folder = Path(app_config.path) / "migrations"
        for path in sorted(folder.glob("*.py")):
            digest.update(f"{app_config.label}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _migrate_or_copy(alias: str, shared: Path, key: str, migrate: Callable[[], object]) -> None:
    """Give the test database ``alias`` (created empty, and now current) its migrated
    contents: from the template when there is one, else by ``migrate``, keeping the result
    as the template."""
    from django.db import connections

    connection = connections[alias]
    # One lock per engine: the SQLite and PostgreSQL runs may share the folder, and never
    # wait for each other's migrate.
    with _locked(shared / f"template-{key}-{connection.vendor}.lock"):
        if connection.vendor == "sqlite":
            _sqlite(connection, shared / f"template-{key}.sqlite3", migrate)
        elif connection.vendor == "postgresql":
            _postgresql(connection, _pg_template_name(shared, key), migrate)
        else:
            migrate()


def _sqlite(connection: Any, template: Path, migrate: Callable[[], object]) -> None:
    connection.ensure_connection()
    if template.exists():
        source = sqlite3.connect(template)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    migrate()
    connection.ensure_connection()
    partial = template.with_suffix(".partial")
    copy = sqlite3.connect(partial)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()
    partial.rename(template)  # whole or not at all: a worker never reads half a template


def shared_folder(default: Path) -> Path:
    """The folder the runs' templates are kept in: ``KRAVSPAR_TEST_TEMPLATE_DIR`` when set
    (``make test``, for all its runs), else ``default`` (this run's own)."""
    named = os.environ.get("KRAVSPAR_TEST_TEMPLATE_DIR")
    if not named:
        return default
    folder = Path(named)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sqlite_file(shared: Path, target: Path, migrate: Callable[[], object]) -> bool:
    """Give the SQLite file ``target`` (not yet existing) a migrated database: a copy of the
    SQLite template in ``shared`` when there is one, else ``migrate()`` (which must migrate
    ``target``, e.g. ``manage.py migrate`` in a subprocess), keeping the result as the
    template. True when it was copied. Used by the browser tests' app server; the template is
    the same one the SQLite run's workers use (one lock, one key)."""
    key = migrations_key()
    template = shared / f"template-{key}.sqlite3"
    with _locked(shared / f"template-{key}-sqlite.lock"):
        if template.exists():
            _backup(template, target)
            return True
        migrate()
        partial = template.with_suffix(".partial")
        _backup(target, partial)
        partial.rename(template)
        return False


def _backup(source_path: Path, target_path: Path) -> None:
    """Copy one SQLite file to another with the backup API (consistent even in WAL mode)."""
    source = sqlite3.connect(source_path)
    try:
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _pg_template_name(shared: Path, key: str) -> str:
    # The run's shared folder in the name: two runs against one server never share a template.
    run = hashlib.sha256(str(shared.resolve()).encode()).hexdigest()[:8]
    return f"test_template_{key[:12]}_{run}"


def _postgresql(connection: Any, template: str, migrate: Callable[[], object]) -> None:
    own = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
        exists = cursor.fetchone() is not None
    if not exists:
        migrate()
    # PostgreSQL copies a database only while nobody is connected to it.
    connection.close()
    with connection._nodb_cursor() as cursor:
        if exists:
            cursor.execute(f'DROP DATABASE "{own}"')
            cursor.execute(f'CREATE DATABASE "{own}" TEMPLATE "{template}"')
        else:
            cursor.execute(f'CREATE DATABASE "{template}" TEMPLATE "{own}"')


def drop_postgresql_template(shared: Path) -> None:
    """Drop this run's PostgreSQL template, if this process's database is PostgreSQL
    (at the end of a worker's session; under the lock, so never while a worker copies it)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    key = migrations_key()
    with _locked(shared / f"template-{key}-postgresql.lock"), connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{_pg_template_name(shared, key)}"')


@contextlib.contextmanager
def installed(shared: Path) -> Iterator[None]:
    """While active, ``django.test.utils.setup_databases`` (which pytest-django's
    ``django_db_setup`` calls) builds each test database from the run's template in
    ``shared``, the folder all workers of the run share."""
    import django.core.management
    import django.test.utils

    real_setup = django.test.utils.setup_databases
    real_call_command = django.core.management.call_command

    def setup_databases(*args: Any, **kwargs: Any) -> Any:
        from django.conf import settings

        if kwargs.get("keepdb") or any(
            db.get("TEST", {}).get("MIGRATE") is False for db in settings.DATABASES.values()
        ):
            return real_setup(*args, **kwargs)
        key = migrations_key()

        def call_command(command_name: Any, *args: Any, **options: Any) -> str:
            if command_name == "migrate" and not args and options.get("database"):
                _migrate_or_copy(options["database"], shared, key, lambda: real_call_command("migrate", **options))
                return ""
            return real_call_command(command_name, *args, **options)

        django.core.management.call_command = call_command
        try:
            return real_setup(*args, **kwargs)
        finally:
            django.core.management.call_command = real_call_command

    django.test.utils.setup_databases = setup_databases
    try:
        yield
    finally:
        django.test.utils.setup_databases = real_setup
