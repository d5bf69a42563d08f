"""Reads by outsiders are themselves records."""

from __future__ import annotations

from iro_ledger.domain.access_log import RecordRead
from tests.builders import LA, stamp


def test_a_read_by_an_inspector_is_recorded_with_what_was_read() -> None:
    read = RecordRead.record(LA, "read-1", "inspector", "challenge:ch-1",
                             stamp(actor="insp-vale"))

    event = read.collect_events()[0]
    assert isinstance(event, RecordRead.Recorded)
    assert (event.role, event.what, event.actor, event.la_code) == (
        "inspector", "challenge:ch-1", "insp-vale", LA)
