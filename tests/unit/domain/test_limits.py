"""The limits on free-form input: what every reader can store and serialise, and no more."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from iro_ledger.domain.limits import (
    DETAILS_MAX_CHARS,
    DETAILS_MAX_DEPTH,
    DETAILS_MAX_KEY_CHARS,
    LARGEST_INTEGER,
    check_details,
    check_text,
    iso_day,
)


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def test_tabs_newlines_and_returns_are_text() -> None:
    assert check_text("a\tb\nc\r\nd \u202e\U0001f600") == "a\tb\nc\r\nd \u202e\U0001f600"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800", "\udfff"])
def test_control_characters_and_lone_surrogates_are_not_text(char: str) -> None:
    with pytest.raises(ValueError, match=f"U\\+{ord(char):04X} at 3"):
        check_text(f"abc{char}def")


def test_details_may_nest_to_the_limit_and_no_further() -> None:
    assert check_details(nested(DETAILS_MAX_DEPTH)) == nested(DETAILS_MAX_DEPTH)

    with pytest.raises(ValueError, match=f"deeper than {DETAILS_MAX_DEPTH} levels"):
        check_details(nested(DETAILS_MAX_DEPTH + 1))


def test_lists_count_as_levels_of_nesting() -> None:
    value: Any = []
    for _ in range(DETAILS_MAX_DEPTH - 1):
        value = [value]
    check_details({"x": value[0]})

    with pytest.raises(ValueError, match="deeper than"):
        check_details({"x": value})


def test_details_are_limited_in_size_as_json() -> None:
    check_details({"x": "y" * (DETAILS_MAX_CHARS - len('{"x":""}'))})

    with pytest.raises(ValueError, match=f"at most {DETAILS_MAX_CHARS}"):
        check_details({"x": "y" * (DETAILS_MAX_CHARS - len('{"x":""}') + 1)})


@pytest.mark.parametrize("bad", [
    {"n": float("nan")}, {"n": float("inf")}, {"n": LARGEST_INTEGER + 1},
    {"n": -LARGEST_INTEGER - 1}, {"k" * (DETAILS_MAX_KEY_CHARS + 1): 1},
    {"t": "nul\x00"}, {"nul\x00": 1}, {"s": {1, 2}},
], ids=["nan", "infinity", "big", "small", "long-key", "nul-value", "nul-key", "set"])
def test_details_hold_only_plain_json_every_reader_keeps_exactly(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="details"):
        check_details(bad)


def test_the_largest_exact_integers_and_finite_floats_are_allowed() -> None:
    check_details({"n": [LARGEST_INTEGER, -LARGEST_INTEGER, 1e308, -0.0, True, None]})


def test_a_day_is_only_ever_written_yyyy_mm_dd() -> None:
    assert iso_day("2024-02-29") == date(2024, 2, 29)
    assert iso_day(date(2024, 2, 29)) == date(2024, 2, 29)
    for bad in (0, 20240101, "20240101", "2024-W01-1", "2024-060", " 2024-01-01",
                "2023-02-29", datetime(2024, 1, 1)):
        with pytest.raises(ValueError):
            iso_day(bad)
