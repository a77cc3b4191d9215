"""The demo's clock: ``seed_demo --today DAY`` tells the demo's dated story as if today were
DAY, before or after the real day.

The services check dates against ``timezone.localdate()`` (a deviation cannot be found in
the future, a deadline cannot be in the past, …). Seeding from another day therefore runs
with Django's clock moved by whole days: ``timezone.now()`` (and with it ``localdate()``,
``auto_now`` fields and history timestamps) reads the real time plus the offset, so every
rule holds relative to DAY, exactly as it would had the demo been loaded on that day. The
clock is restored when seeding ends, also on failure; outside seeding nothing moves."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.utils import timezone


def offset_to(day: datetime.date | None, *, real_today: datetime.date | None = None) -> datetime.timedelta:
    """How far the clock moves so that the local date is ``day`` (none: no move)."""
    if day is None:
        return datetime.timedelta(0)
    return datetime.timedelta(days=(day - (real_today or timezone.localdate())).days)


@contextmanager
def told_from(day: datetime.date | None) -> Iterator[datetime.timedelta]:
    """Within the block, Django's ``timezone.now()`` is the real time moved to ``day``."""
    offset = offset_to(day)
    if not offset:
        yield offset
        return
    real_now: Callable[[], datetime.datetime] = timezone.now

    def moved_now() -> datetime.datetime:
        # Move the local wall clock by whole days, not the UTC instant: 300 days from a
        # winter evening at 23:30 (UTC+1) land at 00:30 summer time (UTC+2) the day after
        # if the instant is moved, so the local date would be one day past ``day``.
        zone = timezone.get_current_timezone()
        wall = real_now().astimezone(zone).replace(tzinfo=None) + offset
        return wall.replace(tzinfo=zone).astimezone(datetime.UTC)

    timezone.now = moved_now
    try:
        yield offset
    finally:
        timezone.now = real_now
