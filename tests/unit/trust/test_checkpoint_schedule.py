"""When a checkpoint falls due: N events since the last one, or T seconds after the log grew."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from iro_ledger.trust.checkpoint_store import StoredCheckpoint, due

EVERY_EVENTS, EVERY_SECONDS = 100, 60.0
SIGNED_AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LAST = StoredCheckpoint(500, b"\0" * 32, "a signed note", SIGNED_AT)


def falls_due(size: int, seconds_later: float, last: StoredCheckpoint | None = LAST) -> bool:
    return due(size, last, SIGNED_AT + timedelta(seconds=seconds_later), EVERY_EVENTS,
               EVERY_SECONDS)


@pytest.mark.parametrize(("size", "seconds_later", "expected"), [
    (600, 0.0, True),      # N events since the last checkpoint
    (599, 59.0, False),    # fewer, and not yet T seconds
    (501, 60.0, True),     # any growth once T seconds have passed
    (500, 3600.0, False),  # nothing new: nothing to sign, however long it has been
    (400, 3600.0, False),  # a log being rebuilt is behind its checkpoints: never re-signed
])
def test_a_checkpoint_falls_due_after_n_events_or_t_seconds(size: int, seconds_later: float,
                                                            expected: bool) -> None:
    assert falls_due(size, seconds_later) is expected


def test_the_first_checkpoint_is_due_as_soon_as_the_log_has_a_leaf() -> None:
    assert falls_due(1, 0.0, last=None) is True
    assert falls_due(0, 0.0, last=None) is False
