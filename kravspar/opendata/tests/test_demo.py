"""The open-data demo seed adds nothing of its own (the whole demo's export is checked in
kravspar/tests/demo/test_opendata.py)."""

from __future__ import annotations

from typing import Any

import pytest

from kravspar.opendata import demo

pytestmark = pytest.mark.django_db


def test_the_opendata_demo_seed_adds_nothing(world: Any) -> None:
    assert demo.seed() == []
