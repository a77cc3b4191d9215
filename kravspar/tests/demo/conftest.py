"""The demo data `make run` loads, seeded once for this package (``demo_data``).

Every test here reads the seeded demo; seeding runs every capability's story through the
services and costs most of a minute of CPU, so it happens once for the package (under
``--dist loadgroup`` the package's tests go to one worker together, see the root conftest)
instead of once per module as before, when the same tests lived in their apps' folders.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="package")
def demo_data(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The demo, seeded inside a transaction that is rolled back when the package's tests
    are done. Tests using it also take ``db``: each runs in a savepoint inside this
    transaction, so what one test changes the next does not see. Yields what
    ``seed_demo`` printed."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


class _Sink:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


@pytest.fixture
def export(tmp_path: Path) -> Callable[..., dict[str, Any]]:
    """export(*args) -> the package written by ``export_ocds`` with those arguments."""
    from django.core.management import call_command

    def run(*args: str) -> dict[str, Any]:
        path = tmp_path / "ocds.json"
        call_command("export_ocds", "--output", str(path), *args, stdout=_Sink(), stderr=_Sink())
        with path.open(encoding="utf-8") as handle:
            package: dict[str, Any] = json.load(handle)
            return package

    return run
