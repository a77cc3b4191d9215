"""Values as OCDS writes them: date-times in the local zone, money, compact objects."""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from kravspar.opendata.ocds.codes import (
    CURRENCY,
)

# --- Values ----------------------------------------------------------------------------

_ZONE: ZoneInfo | None = None


def ocds_datetime(value: datetime.date | datetime.datetime) -> str:
    """OCDS dates are RFC 3339 date-times: a date is midnight in Swedish time."""
    global _ZONE
    if _ZONE is None:
        _ZONE = ZoneInfo(settings.TIME_ZONE)
    if isinstance(value, datetime.datetime):
        aware = value if timezone.is_aware(value) else timezone.make_aware(value, _ZONE)
        return aware.astimezone(_ZONE).replace(microsecond=0).isoformat()
    return _midnight(value, _ZONE)


@lru_cache(maxsize=8192)
def _midnight(day: datetime.date, zone: ZoneInfo) -> str:
    # Due dates repeat across contracts: formatting each once is measurably faster.
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone).isoformat()


def money(amount: Decimal | int | None) -> dict[str, Any] | None:
    return None if amount is None else {"amount": int(amount), "currency": CURRENCY}


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values: OCDS prefers a missing field to an empty one."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}
