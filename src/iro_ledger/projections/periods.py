"""Days, working days and months for the read models' counts.

Working days are England's (weekdays that are not bank holidays), from the rules catalogue's
calendar, so the register and the rules count the same days.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, timedelta

from iro_ledger.projections.rules.calendar import add_months, working_calendar

__all__ = ["add_months", "add_working_days", "month_end", "months", "working_days_between"]


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    return working_calendar().working_days_between(start, end)


def add_working_days(start: date, count: int) -> date:
    """The `count`th working day after `start`."""
    return working_calendar().add_working_days(start, count)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months(first: date, last: date) -> Iterator[tuple[date, date]]:
    """(first day, last day) of each calendar month from `first`'s to `last`'s."""
    start = first.replace(day=1)
    while start <= last:
        end = month_end(start)
        yield start, end
        start = end + timedelta(days=1)
