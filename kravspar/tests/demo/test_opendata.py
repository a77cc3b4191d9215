"""The whole demo (seed_demo, as `make run` loads it) exports to a package that validates
against the release-package schema with its extensions, and withholds what it must."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kravspar.accounts.models import User
from kravspar.opendata import validation

pytestmark = pytest.mark.django_db


def test_the_demo_export_validates_and_withholds(demo_data: str, export: Any) -> None:
    package = export("--validate")

    assert validation.package_errors(package) == []
    assert len(package["releases"]) > 100
    text = json.dumps(package, ensure_ascii=False)
    assert "@demo.kravspar.se" not in text  # the demo people's e-mail addresses
    people = [f"{u.first_name} {u.last_name}" for u in User.objects.exclude(first_name="")]
    assert people
    for name in people:
        assert name not in text, name
    milestones = [
        m
        for r in package["releases"]
        for c in r.get("contracts", [])
        for m in c.get("implementation", {}).get("milestones", [])
    ]
    assert {m["type"] for m in milestones} >= {"assessment", "delivery"}
