"""England's working days and calendar months, for the statutory timescales the generator keeps.

Bank holidays come from the maintained `holidays` library (GB, ENG), never a hand-written
list. Months add as the Care Planning Regulations count them: the same day of the month, or
the month's last day when it is shorter.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Any

import holidays


@lru_cache(maxsize=1)
def _bank_holidays() -> Any:
    return holidays.country_holidays("GB", subdiv="ENG")


@cache
def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays()


def add_working_days(start: date, count: int) -> date:
    """The `count`th working day after `start` (`start` itself not counted)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_months(start: date, months: int) -> date:
    """The same day `months` later (or earlier), or that month's last day if it is shorter."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
