"""A throw-away PostgreSQL database for tests that run the app in other processes (the
short soak, the fault tests): a copy of the suite's migrated test database, made in a
second or two with ``CREATE DATABASE … TEMPLATE`` instead of migrating for most of a minute.

The test database is empty between tests (each test rolls back), so the copy holds what
the migrations put there and nothing else. PostgreSQL copies a template only while nobody
else is connected to it, so this process's connections are closed first; each xdist worker
has its own test database, so the other worker is never in the way.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

PG_URL = os.environ.get("DATABASE_URL", "")


def available() -> bool:
    return PG_URL.startswith(("postgres://", "postgresql://"))


@dataclass
class Scratch:
    url: str
    migrated: bool  # False: an empty database (run migrate first)


@contextlib.contextmanager
def scratch_database(django_db_blocker: object) -> Iterator[Scratch]:
    """A new database copied from the test database, dropped afterwards.
    ``django_db_blocker`` is pytest-django's fixture of that name; the test also asks for
    ``django_db_setup``. pytest-django creates the test database only when a collected test
    uses the database: when this test runs alone there is none, and the new database is
    empty (``migrated`` False) instead."""
    import psycopg
    from django.db import connections

    name = f"kravspar_scratch_{uuid.uuid4().hex[:10]}"
    base = PG_URL.rsplit("/", 1)[0]
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        template = connections["default"].settings_dict["NAME"]
        connections.close_all()
    copy = template.startswith("test_")
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if copy else ""))
    try:
        yield Scratch(f"{base}/{name}", migrated=copy)
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
