"""Records as this process last committed them, so that a command need not replay a history.

Loading a record replays every event it has; a case with years of reviews costs more each
year. The cache keeps the records this process's units committed, least recently used
dropped first. It is kept true by the store itself: before each unit of work it reads the
ids of the records of events stored since it last looked (a single indexed query that
returns nothing while this process is the only writer) and drops those another process
changed. A unit takes a record out while it works on it and puts it back only once its
changes are committed, so a refused or failed unit never leaves its half-made state here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Protocol
from uuid import UUID

from iro_ledger.application.recorder import Guard
from iro_ledger.domain.record import LedgerRecord

DEFAULT_SIZE = 20_000
"""Records kept; a case with a few years of history is some kilobytes."""
_SCAN = 5_000
"""Events read per look at what others stored; beyond it the cache is emptied instead."""


class _Store(Protocol):
    recorder: Any

    def position(self) -> int: ...


class RecordCache:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._records: OrderedDict[UUID, LedgerRecord] = OrderedDict()
        self._lock = threading.Lock()
        self._position: int | None = None
        """The store position up to which every change is reflected here."""
        self._own: set[int] = set()
        """Positions of events this process stored after `_position`."""

    def take(self, aggregate_id: UUID) -> LedgerRecord | None:
        """The record, now owned by the caller until `put_back`; None when not cached."""
        with self._lock:
            return self._records.pop(aggregate_id, None)

    def knows(self, aggregate_id: UUID) -> bool:
        with self._lock:
            return aggregate_id in self._records

    def put_back(self, records: Iterable[LedgerRecord], positions: Iterable[int]) -> None:
        """Committed records (at most `size` kept) and the positions their events took."""
        if self.size <= 0:
            return
        with self._lock:
            for record in records:
                self._records[record.id] = record
                self._records.move_to_end(record.id)
            while len(self._records) > self.size:
                self._records.popitem(last=False)
            if self._position is not None:
                self._own.update(p for p in positions if p > self._position)

    def forget(self, ids: Iterable[UUID]) -> None:
        with self._lock:
            for aggregate_id in ids:
                self._records.pop(aggregate_id, None)

    def clear(self) -> None:
        """Drop every record (after an erasure: a cached record may hold erased text)."""
        with self._lock:
            self._records.clear()

    @property
    def ready(self) -> bool:
        """Whether the cache has looked at the store once (it knows a position)."""
        return self._position is not None

    def refresh(self, store: _Store) -> set[UUID] | None:
        """Drop the records other processes changed since the last look: their ids, or None
        when they were too many to name (everything was dropped)."""
        with self._lock:
            if self._position is None:
                self._records.clear()
                self._position = store.position()
                return set()
            changed = _stored_after(store.recorder, self._position, _SCAN)
            if len(changed) >= _SCAN:
                self._records.clear()
                self._own.clear()
                self._position = store.position()
                return None
            return self._observe(changed)

    def guard(self, used: Iterable[UUID]) -> Guard | None:
        """A guard for an insert by a unit that read `used` without a refresh first (None
        before the cache's first look: refresh then)."""
        with self._lock:
            if self._position is None:
                return None
            return Guard(self._position, frozenset(self._own), frozenset(used), _SCAN)

    def observe(self, guard: Guard) -> set[UUID] | None:
        """What a guarded insert saw stored before it: drop what others changed, and name
        it (None when too many to name: everything was dropped)."""
        with self._lock:
            if self._position is None:
                return set()
            if len(guard.changes) >= _SCAN:
                self._records.clear()
                self._own.clear()
                self._position = max(self._position, guard.changes[-1][0])
                return None
            return self._observe([c for c in guard.changes if c[0] > self._position])

    def _observe(self, changed: list[tuple[int, UUID]]) -> set[UUID]:
        others = {aggregate_id for position, aggregate_id in changed
                  if position not in self._own}
        for aggregate_id in others:
            self._records.pop(aggregate_id, None)
        if changed:
            self._position = changed[-1][0]
            self._own = {p for p in self._own if p > self._position}
        return others


def _stored_after(recorder: Any, position: int, limit: int) -> list[tuple[int, UUID]]:
    """(position, record id) of events after `position`: the PostgreSQL recorder's light
    query where there is one, else the notifications themselves (SQLite)."""
    light = getattr(recorder, "originators_after", None)
    if light is not None:
        found: list[tuple[int, UUID]] = light(position, limit)
        return found
    notes = recorder.select_notifications(start=position + 1, limit=limit)
    return [(note.id, note.originator_id) for note in notes]
