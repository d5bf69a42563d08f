"""Event states encoded faster (orjson) read back exactly as the library's encoding does."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

from iro_ledger.application import Ledger
from iro_ledger.application.store import StateTranscoder, store_env


class Colour(StrEnum):
    RED = "red"


def _transcoders() -> tuple[JSONTranscoder, StateTranscoder]:
    ledger = Ledger(store_env("sqlite:///:memory:"))
    library = JSONTranscoder()
    ledger.register_transcodings(library)
    faster = ledger.mapper.transcoder
    assert isinstance(faster, StateTranscoder)
    return library, faster


MOMENT = datetime(2025, 3, 30, 1, 30, 15, 123456, tzinfo=UTC)
STATES: list[dict[str, Any]] = [
    {"timestamp": MOMENT, "occurred_on": date(2025, 3, 29), "recorded_by": "ada",
     "command_id": None, "on_behalf_of": None, "fte": 0.6, "miles": 12, "emergency": False},
    {"summary": 'quote " backslash \\ newline \n tab \t nul \x00 del \x7f é 💥 \u2028 </x>',
     "rows": ["a", "b"], "about": ("case:1", "challenge:2"), "colour": Colour.RED},
    {"details": {"nested": {"deeper": [1, 2.5, {"day": date(2024, 1, 1)}]}},
     "counts": {"x": 3}, "amount": Decimal("1.10"), "tiny": 1e-7, "huge": 1e16},
    {"empty": {}, "none": [], "text": ""},
]


@pytest.mark.parametrize("state", STATES)
def test_a_state_encoded_faster_decodes_to_what_the_library_encoding_decodes_to(
        state: dict[str, Any]) -> None:
    library, faster = _transcoders()
    assert library.decode(faster.encode(state)) == library.decode(library.encode(state))


def test_a_state_of_dates_and_text_is_stored_as_the_very_bytes_the_library_writes() -> None:
    library, faster = _transcoders()
    for state in STATES[:2]:
        assert faster.encode(state) == library.encode(state)


@pytest.mark.parametrize("state", [
    {"record": uuid4()},
    {"ratio": float("nan")},
    {"big": 2**70},
    {"counts": {1: "one"}},
    {"deep": [{"id": uuid4()}]},
])
def test_a_state_orjson_would_write_otherwise_is_encoded_by_the_library(
        state: dict[str, Any]) -> None:
    library, faster = _transcoders()
    assert faster.encode(state) == library.encode(state)


def test_a_type_without_a_transcoding_is_refused_as_the_library_refuses_it() -> None:
    _, faster = _transcoders()
    with pytest.raises(TranscodingNotRegisteredError):
        faster.encode({"what": object()})
