"""Working days in England: weekdays that are not bank holidays.

Bank holidays come from the maintained `holidays` library (GB, subdivision ENG), never from a
hand-written list, so the calendar stays right as holidays are announced or moved.
"""

from __future__ import annotations

import calendar as _months
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import holidays


class WorkingCalendar:
    """Counts working days for one country (and subdivision) of `holidays`."""

    def __init__(self, country: str = "GB", subdivision: str | None = "ENG") -> None:
        self.country = country
        self.subdivision = subdivision
        self._holidays: Any = holidays.country_holidays(country, subdiv=subdivision)
        self._working: dict[date, bool] = {}
        """Answers already given: deadline rules ask about the same days very often."""

    def is_working_day(self, day: date) -> bool:
        known = self._working.get(day)
        if known is None:
            known = self._working[day] = day.weekday() < 5 and day not in self._holidays
        return known

    def add_working_days(self, start: date, count: int) -> date:
        """The `count`th working day after `start` (`start` itself is not counted)."""
        day = start
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


@lru_cache(maxsize=8)
def working_calendar(country: str = "GB", subdivision: str | None = "ENG") -> WorkingCalendar:
    """One shared calendar per country: the holiday tables are built once per process."""
    return WorkingCalendar(country, subdivision)


def add_months(start: date, months: int) -> date:
    """The same day `months` later (or earlier), or that month's last day if it is shorter."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = _months.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))
