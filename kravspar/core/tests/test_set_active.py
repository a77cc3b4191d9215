"""core.services.set_active, the one sequence behind every deactivate/reactivate service:
lock the row, refuse a stale version, flip is_active, bump the version, save and record."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from kravspar.accounts.models import User
from kravspar.audit.models import AuditEvent
from kravspar.core.errors import ConcurrentEditError
from kravspar.core.services import set_active
from kravspar.organisations.models import Organisation
from kravspar.testing.factories import OrganisationFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def _events(obj: Any) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_id=str(getattr(obj, "uuid", obj.pk)), action__startswith="thing.").order_by(
            "id"
        )
    )


def _flip(obj: Any, active: bool, **kwargs: Any) -> Any:
    with transaction.atomic():
        return set_active(
            type(obj).objects.all(),
            obj.pk,
            actor=None,
            active=active,
            activated="thing.reactivated",
            deactivated="thing.deactivated",
            organisation=kwargs.pop("organisation", lambda locked: None),
            **kwargs,
        )


def test_deactivating_bumps_the_version_and_records_it_against_the_named_organisation() -> None:
    unit = UnitFactory.create()
    start = unit.version
    changed = _flip(unit, False, expected_version=start, organisation=lambda locked: locked.organisation)
    unit.refresh_from_db()
    assert (unit.is_active, unit.version) == (False, start + 1) and changed.version == start + 1
    (event,) = _events(unit)
    assert event.action == "thing.deactivated"
    assert (event.before, event.after) == ({"is_active": True}, {"is_active": False})
    assert event.organisation_id == unit.organisation_id

    _flip(unit, True)
    unit.refresh_from_db()
    assert (unit.is_active, unit.version) == (True, start + 2)
    assert [e.action for e in _events(unit)] == ["thing.deactivated", "thing.reactivated"]


def test_a_record_already_in_that_state_is_left_alone() -> None:
    org = OrganisationFactory.create()
    start = org.version
    calls: list[Any] = []
    _flip(org, True, on_change=calls.append)
    org.refresh_from_db()
    assert (org.is_active, org.version, _events(org), calls) == (True, start, [], [])


def test_a_stale_version_changes_nothing() -> None:
    org = OrganisationFactory.create()
    Organisation.objects.filter(pk=org.pk).update(version=3)  # someone saved after the page was loaded
    with pytest.raises(ConcurrentEditError):
        _flip(org, False, expected_version=0)
    org.refresh_from_db()
    assert (org.is_active, org.version, _events(org)) == (True, 3, [])
    _flip(org, False, expected_version=3)
    org.refresh_from_db()
    assert (org.is_active, org.version) == (False, 4)


def test_what_the_record_adds_runs_after_the_save_on_a_model_without_updated_at() -> None:
    person = UserFactory.create()
    seen: list[tuple[bool, int]] = []

    def on_change(locked: User) -> None:
        stored = User.objects.get(pk=locked.pk)
        seen.append((stored.is_active, stored.version))

    start = person.version
    _flip(person, False, on_change=on_change)
    assert seen == [(False, start + 1)]
    assert [e.action for e in _events(person)] == ["thing.deactivated"]
