"""A migrated SQLite file for tests that run the app in other processes (the kill and backup
tests): a copy of this worker's test database, taken right after pytest-django migrated it,
instead of a ``manage.py migrate`` of a fresh file in a subprocess (about 24 s of CPU on this
machine for the 105 migrations, paid again by each module that did it).

The copy is taken once per session, at the moment the test database is created (the root
conftest's ``django_db_setup``), before any test ran: later a transactional test's flush
would have emptied the tables the data migrations fill. It holds exactly what ``migrate``
puts into a fresh database (schema, ``django_migrations``, the data migrations' rows); the
subprocess's own ``migrate`` on it finds nothing to apply. Only on SQLite: on PostgreSQL
the tests copy the test database with ``CREATE DATABASE … TEMPLATE`` (``scratchdb``).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

_template: Path | None = None


def snapshot(target: Path) -> None:
    """Copy the (migrated, still untouched) test database into ``target``; SQLite only."""
    global _template
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if not ("mode=memory" in name or name == ":memory:" or Path(name).name.startswith("test_")):
        # pytest-django created no test database (no collected test uses one): this is
        # the installation's own database, never a template.
        return
    connection.ensure_connection()
    source = connection.connection
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(target) as copy:
        source.backup(copy)
    copy.close()
    _template = target


def copy_to(target: Path) -> bool:
    """Write the migrated database to ``target``; False when there is no snapshot (not on
    SQLite, or this session did not create the test database)."""
    if _template is None:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template, target)
    return True
