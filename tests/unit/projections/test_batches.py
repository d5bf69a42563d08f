"""Replay equals live processing: a read model's core gives the same documents however the
stream is cut into batches, with the documents stored between batches as the database does."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from iro_ledger.projections import challenges, measures, officers, timeline
from iro_ledger.projections.base import Envelope
from iro_ledger.projections.docs import Doc, Docs, Key, Table, encode
from tests.unit.projections.story import MOVES, random_history

CORES: dict[str, Callable[[Docs, list[Envelope]], None]] = {
    "timeline": timeline.apply_events, "challenges": challenges.apply_events,
    "officers": officers.apply_events, "measures": measures.apply_events,
}
moves = st.lists(st.tuples(st.sampled_from(MOVES), st.integers(0, 3), st.integers(0, 2),
                           st.integers(0, 3), st.integers(0, 12)), max_size=60)


def in_batches(core: Callable[[Docs, list[Envelope]], None], events: list[Envelope],
               cuts: list[int]) -> dict[tuple[str, Key], str]:
    """Run the core batch by batch; between batches only the stored JSON survives."""
    stored: dict[tuple[str, Key], str] = {}

    def load(table: Table, key: Key) -> Doc | None:
        found = stored.get((table.name, key))
        return None if found is None else dict(json.loads(found))

    bounds = sorted({0, len(events), *(c % (len(events) + 1) for c in cuts)})
    for start, end in itertools.pairwise(bounds):
        docs = Docs(load)
        core(docs, events[start:end])
        for name, changed in docs.changed().items():
            for doc in changed:
                table = next(t for t in _tables() if t.name == name)
                stored[(name, table.key_of(doc))] = encode(doc)
    return stored


def _tables() -> list[Table]:
    return [*timeline.TABLES, challenges.REGISTER, *officers.TABLES, measures.CASES]


@settings(max_examples=40, deadline=None)
@given(moves, st.lists(st.integers(0, 400), max_size=8))
def test_any_cutting_of_the_stream_into_batches_gives_the_same_documents(
        history: list[Any], cuts: list[int]) -> None:
    events = random_history(history).envelopes()
    for name, core in CORES.items():
        assert in_batches(core, events, cuts) == in_batches(core, events, []), name
