"""The decoder keeps the names of a bounded number of records: memory flat in the number of
events. Names it forgot are read back from the store's table of names; the names of the last
batches, maybe not yet committed there, are never forgotten before they are used."""

from __future__ import annotations

import pytest

from iro_ledger.projections import runner
from iro_ledger.projections.runner import Decoder, Name
from tests.unit.projections.story import Story


def batches(story: Story, size: int) -> list[list[object]]:
    notes = story.ledger.recorder.select_notifications(start=1, limit=1_000_000)
    return [list(notes[i:i + size]) for i in range(0, len(notes), size)]


def told(cases: int) -> Story:
    story = Story().authority().officer("iro-1")
    for n in range(cases):
        story.case(f"case-{n}", "2024-02-01", iro="iro-1")
    for n in range(cases):
        story.do("close_case", "2024-03-01", case_id=f"case-{n}", reason="E11")
    return story


def test_names_are_kept_for_a_bounded_number_of_records_and_read_back_when_forgotten(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "NAMES_KEPT", 5)
    story = told(12)
    everything = Decoder(story.ledger.mapper).decode(
        story.ledger.recorder.select_notifications(start=1, limit=1_000_000))
    table: dict[str, Name] = {}  # the store's names, as committed batch by batch
    asked: list[set[str]] = []

    def lookup(ids: set[str]) -> dict[str, Name]:
        asked.append(ids)
        return {i: table[i] for i in ids if i in table}

    decoder = Decoder(story.ledger.mapper, lookup)
    got = []
    for notes in batches(story, 4):
        envelopes = decoder.decode(notes)  # type: ignore[arg-type]
        got.extend(envelopes)
        assert len(decoder.names) <= runner.NAMES_KEPT + 4
        table.update({str(e.event.originator_id): (e.kind, e.la_code, e.record)
                      for e in envelopes if e.number == 1})
    assert [e.ref for e in got] == [e.ref for e in everything]
    assert any(asked), "forgotten names were read back"


def test_the_last_batchs_names_survive_a_turn_even_before_they_are_stored(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "NAMES_KEPT", 5)
    story = told(12)
    notes = story.ledger.recorder.select_notifications(start=1, limit=1_000_000)
    opened = [n for n in notes if n.originator_version == 1]
    later = [n for n in notes if n.originator_version > 1 and n.id > opened[6].id]
    table: dict[str, Name] = {}
    decoder = Decoder(story.ledger.mapper, lambda ids: {i: table[i] for i in ids if i in table})
    first = decoder.decode(opened[:6])
    table.update({str(e.event.originator_id): (e.kind, e.la_code, e.record) for e in first})
    decoder.decode(opened[6:])  # being written while the next batch is read: not stored yet
    named = decoder.decode(later)
    assert len(named) == len(later)
