"""Calendar arithmetic shared by every app: one rule for "N months later".

Contracts run in whole months and follow-ups recur every N months, so every date
Kravspår states (a contract's end, an extension's new end, a follow-up's due date)
comes from ``add_months``. A date on a month's last day stays on the last day: a
contract signed for six months from 30 June ends on 31 December, not 30 December.
"""

from __future__ import annotations

import calendar
import datetime


def last_day_of_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def is_month_end(day: datetime.date) -> bool:
    return day.day == last_day_of_month(day.year, day.month)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved ``months`` whole months (negative goes back).

    A month's last day maps to the target month's last day (2026-04-30 + 1 = 2026-05-31,
    2026-06-30 + 6 = 2026-12-31); any other day keeps its number, clipped to a shorter
    month (2026-01-30 + 1 = 2026-02-28).
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = last_day_of_month(year, month)
    if is_month_end(day):
        return datetime.date(year, month, last)
    return datetime.date(year, month, min(day.day, last))
