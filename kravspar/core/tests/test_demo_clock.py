"""The demo's clock (``seed_demo --today``): inside ``told_from(day)`` the services' date
rules hold relative to that day, before or after the real one; outside, nothing moved."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kravspar.contracts import services as contract_services
from kravspar.core.demo_clock import offset_to, told_from
from kravspar.findings import services as finding_services
from kravspar.testing.factories import SupplierFactory


def test_the_offset_is_whole_days_to_the_day() -> None:
    real = datetime.date(2026, 12, 3)
    assert offset_to(None, real_today=real) == datetime.timedelta(0)
    assert offset_to(datetime.date(2027, 9, 15), real_today=real) == datetime.timedelta(days=286)
    assert offset_to(datetime.date(2026, 1, 1), real_today=real) == datetime.timedelta(days=-336)


@pytest.mark.parametrize("days", [400, -400, 0])
def test_the_clock_moves_inside_the_block_and_comes_back(days: int) -> None:
    real = timezone.localdate()
    day = real + datetime.timedelta(days=days)
    with told_from(day):
        assert timezone.localdate() == day
    assert timezone.localdate() == real


def test_the_clock_comes_back_after_a_failure() -> None:
    real = timezone.localdate()
    with pytest.raises(RuntimeError), told_from(real + datetime.timedelta(days=30)):
        raise RuntimeError
    assert timezone.localdate() == real


@pytest.mark.django_db
def test_a_deviation_found_on_a_future_demo_day_is_accepted_only_on_that_days_clock(world: Any) -> None:
    """The bug: ``seed_demo --today <future>`` failed because a deviation refused its day."""
    day = timezone.localdate() + datetime.timedelta(days=200)
    contract = contract_services.contract_register_direct(
        actor=world.officer,
        suppliers=[SupplierFactory.create()],
        buyers=[world.vastmanland],
        contract_number="KLOCKA-1",
        title="Klockan",
        signed_on=day - datetime.timedelta(days=100),
        starts_on=day - datetime.timedelta(days=90),
        ends_on=day + datetime.timedelta(days=700),
    )

    def raise_on(found: datetime.date) -> Any:
        return finding_services.deviation_raise_on_contract(
            actor=world.officer, contract=contract, kind="labour", severity="minor", title="Sen lön", raised_on=found
        )

    with pytest.raises(ValidationError) as exc:
        raise_on(day)  # on the real clock the day is in the future
    assert "raised_on" in exc.value.message_dict
    with told_from(day):
        deviation = raise_on(day)
        with pytest.raises(ValidationError):  # the rule still holds, relative to the demo's day
            raise_on(day + datetime.timedelta(days=1))
    assert deviation.raised_on == day


@pytest.mark.django_db
@pytest.mark.parametrize("days", [-300, 300])
def test_a_contract_terminated_on_a_demo_day_ends_that_day(world: Any, days: int) -> None:
    """The termination day is the project's clock (``localdate``), not the machine's
    ``date.today()``, so a demo seeded for another day ends its contracts on that day."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    contract = contract_services.contract_register_direct(
        actor=world.officer,
        suppliers=[SupplierFactory.create()],
        buyers=[world.vastmanland],
        contract_number=f"KLOCKA-H{days}",
        title="Hävs",
        signed_on=day - datetime.timedelta(days=100),
        starts_on=day - datetime.timedelta(days=90),
        ends_on=day + datetime.timedelta(days=700),
    )
    with told_from(day):
        contract_services.contract_set_status(
            actor=world.officer, contract=contract, to="terminated", reason="Hävt enligt 14.2 c."
        )
    contract.refresh_from_db()
    assert contract.ended_on == day


@pytest.mark.parametrize(
    ("real_utc", "days"),
    [
        # 23:30 in Stockholm in winter (UTC+1); 300 days later is summer time (UTC+2).
        (datetime.datetime(2026, 12, 3, 22, 30, tzinfo=datetime.UTC), 300),
        # 00:30 in Stockholm in summer (UTC+2), moved back into winter.
        (datetime.datetime(2027, 6, 30, 22, 30, tzinfo=datetime.UTC), -200),
        # Across the spring-forward night itself.
        (datetime.datetime(2027, 3, 27, 1, 30, tzinfo=datetime.UTC), 1),
    ],
)
def test_the_local_date_moves_by_whole_days_across_summer_time(
    monkeypatch: pytest.MonkeyPatch, real_utc: datetime.datetime, days: int
) -> None:
    """The bug: after 22:00 UTC in winter a demo day in summer came out one day late,
    because the instant, not the local wall clock, was moved."""
    monkeypatch.setattr(timezone, "now", lambda: real_utc)
    real = timezone.localdate()
    day = real + datetime.timedelta(days=days)
    with told_from(day):
        assert timezone.localdate() == day
    assert timezone.localdate() == real
