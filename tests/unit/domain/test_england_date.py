"""England's date: the day the domain judges "never in the future" by, and every read counts to."""

from __future__ import annotations

from datetime import UTC, date, datetime

from iro_ledger.domain.record import england_date


def test_just_after_midnight_in_summer_time_is_already_the_next_day_in_england() -> None:
    assert england_date(datetime(2024, 6, 30, 23, 30, tzinfo=UTC)) == date(2024, 7, 1)


def test_in_winter_england_keeps_the_utc_date() -> None:
    assert england_date(datetime(2024, 12, 31, 23, 30, tzinfo=UTC)) == date(2024, 12, 31)
