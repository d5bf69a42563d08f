"""Timing rules that hold for every record, whatever its kind."""

from datetime import UTC, date, datetime

import pytest

from iro_ledger.domain.errors import BadTiming
from iro_ledger.domain.record import Stamp


def _stamp(occurred_on: date, recorded_at: datetime) -> Stamp:
    return Stamp(occurred_on, recorded_at, "iro-1", "iro-1", "api")


def test_a_summer_event_recorded_just_after_midnight_in_england_is_not_in_the_future() -> None:
    # 00:30 BST on 1 July is 23:30 UTC on 30 June.
    _stamp(date(2026, 7, 1), datetime(2026, 6, 30, 23, 30, tzinfo=UTC)).check_not_future()


def test_tomorrow_in_england_is_in_the_future() -> None:
    with pytest.raises(BadTiming, match="in the future"):
        _stamp(date(2026, 7, 2), datetime(2026, 6, 30, 23, 30, tzinfo=UTC)).check_not_future()
