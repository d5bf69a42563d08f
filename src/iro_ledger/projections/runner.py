"""Runs the read models over the ledger's notification log: catch-up, follow, rebuild, status.

Each read model has its own row in `projection_tracking` (keyed `name_vN`). A batch of events is
applied to every model in one transaction that first locks the models' tracking rows (in name
order), names the batch's new records, skips for each model what its row says is done, writes
the models' rows and then their new positions: so a crash anywhere loses nothing and repeats
nothing, and two processes running the same models take turns. A rebuild reads in batches of
`REBUILD_BATCH_SIZE`; memory stays flat in the number of events (the records' names are
kept for at most `NAMES_KEPT` records, the rest read back from `projection_records`).

On SQLite the projections catch up in-process before reads. On PostgreSQL `iro-ledger worker`
follows new events through the event store's LISTEN/NOTIFY subscription and announces each
committed batch on `CHANNEL`, which readers waiting for their own write LISTEN to.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification
from psycopg.sql import SQL, Identifier

from iro_ledger.application import Ledger
from iro_ledger.application.sealing import SealingMapper
from iro_ledger.projections.base import Envelope, EventRef, ReadModel
from iro_ledger.projections.db import Database, Tx

CHANNEL = "iro_ledger_projections"
BATCH_SIZE = 500
REBUILD_BATCH_SIZE = 5000
"""Events per batch in a rebuild: fewer transactions, still little memory."""
GATHER_SECONDS = 0.02
"""How long the follower waits after a notification for more (up to its batch size) before
applying them: fewer, larger transactions while commands arrive, at most this much added to a
read that waits for its own write (`wait_for`)."""
IDLE_SECONDS = 60.0
"""How long a follower with idle work waits for an event before doing that work again: a
new day begins without one (today's flags and measures then stored before any reader)."""
NAMES_KEPT = 20_000
"""Records whose names the decoder keeps in memory before forgetting them all (a forgotten
name is read back from `projection_records`, a query a batch)."""
Page = tuple[Sequence[Notification], list[Envelope]]
"""Stored notifications and their envelopes, in store order."""
Progress = Callable[[int, int], None]
"""Called with (position reached, position aimed at) after each batch."""

_DDL = (
    "CREATE TABLE IF NOT EXISTS projection_tracking ("
    " name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
    # Which record each stored id names: events after the first carry only the stored id.
    "CREATE TABLE IF NOT EXISTS projection_records ("
    " record_id TEXT PRIMARY KEY, kind TEXT NOT NULL, la_code TEXT NOT NULL,"
    " ref TEXT NOT NULL)",
)
_END = object()


@dataclass(frozen=True)
class Status:
    name: str
    key: str
    position: int
    ledger_position: int

    @property
    def lag(self) -> int:
        """Store positions not yet applied (ids may have gaps on PostgreSQL)."""
        return max(self.ledger_position - self.position, 0)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "key": self.key, "position": self.position,
                "ledger_position": self.ledger_position, "lag": self.lag}


class Projections:
    """The read models of one process, run over the ledger's notification log."""

    def __init__(self, ledger: Ledger, db: Database, models: Sequence[ReadModel],
                 batch_size: int = BATCH_SIZE, gather_seconds: float = GATHER_SECONDS) -> None:
        names = [m.name for m in models]
        if len(set(names)) != len(names):
            raise ValueError(f"read model names must be unique: {names}")
        self.ledger = ledger
        self.db = db
        self.models = {m.name: m for m in models}
        self.batch_size = batch_size
        self.gather_seconds = gather_seconds
        self.decoder = Decoder(ledger.mapper, self._load_names)
        self._ready = False
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._subscription: Any = None
        self.after_commit: list[Callable[[ReadModel, int], None]] = []
        """Called after a model's batch commits, with the position reached (e.g. to sign a
        checkpoint); a hook must not raise."""

    # Set-up and status

    def setup(self) -> None:
        """Create the tracking tables and every model's tables (idempotent)."""
        if self._ready:
            return
        with self.db.transaction() as tx:
            self._serialise_ddl(tx)
            if not self._tables_in_place(tx):  # else leave them be: this role may lack DDL
                for statement in _DDL:
                    tx.execute(statement)
                for model in self.models.values():
                    model.create(tx)
            for model in self.models.values():
                tx.execute("INSERT INTO projection_tracking (name, position) VALUES (?, 0)"
                           " ON CONFLICT (name) DO NOTHING", (model.key,))
        self._ready = True

    def select(self, names: Iterable[str] | None = None) -> list[ReadModel]:
        """The named models (all when None); an unknown name is a KeyError naming the known."""
        if names is None:
            return list(self.models.values())
        chosen = []
        for name in names:
            if name not in self.models:
                raise KeyError(f"no read model {name!r}; known: {', '.join(self.models)}")
            chosen.append(self.models[name])
        return chosen

    def positions(self, names: Iterable[str] | None = None) -> dict[str, int]:
        self.setup()
        models = self.select(names)
        rows = self.db.query("SELECT name, position FROM projection_tracking")
        found = {r["name"]: int(r["position"]) for r in rows}
        return {m.name: found.get(m.key, 0) for m in models}

    def status(self) -> list[Status]:
        positions = self.positions()
        top = self.ledger.position()
        return [Status(name, self.models[name].key, pos, top) for name, pos in positions.items()]

    # Catching up and rebuilding

    def catch_up(self, names: Iterable[str] | None = None, progress: Progress | None = None,
                 until: int | None = None, batch_size: int | None = None) -> int:
        """Apply every stored event not yet applied (up to `until`); return how many were read."""
        models = self.select(names)
        limit = batch_size or self.batch_size
        self.setup()
        with self._lock, ThreadPoolExecutor(1, thread_name_prefix="projection-read") as ahead:
            target = self.ledger.position() if until is None else until
            read = 0
            pending: tuple[int, Future[Page]] | None = None
            while True:
                low = min(self.positions([m.name for m in models]).values(), default=target)
                if low >= target or self._stop.is_set():
                    break
                if pending is not None and pending[0] == low + 1:
                    notes, envelopes = pending[1].result()
                else:  # nothing read ahead, or another process moved the models meanwhile
                    if pending is not None:
                        pending[1].result()  # the decoder is used by one thread at a time
                    notes, envelopes = self._read(low + 1, limit, target)
                pending = None
                if not notes:
                    break
                last = notes[-1].id
                if last < target:  # read and decode the next batch while this one is written
                    pending = (last + 1, ahead.submit(self._read, last + 1, limit, target))
                self._advance(models, low, last, envelopes)
                read += len(notes)
                if progress is not None:
                    progress(last, target)
            return read

    def _read(self, start: int, limit: int, stop: int) -> Page:
        """A batch of stored events from `start`, decoded and named."""
        notes = self.ledger.recorder.select_notifications(start=start, limit=limit, stop=stop)
        return notes, self.decoder.decode(notes)

    def is_current(self, names: Iterable[str] | None = None, position: int | None = None) -> bool:
        top = self.ledger.position() if position is None else position
        return all(p >= top for p in self.positions(names).values())

    def refresh(self, names: Iterable[str] | None = None) -> None:
        """Catch up if behind; cheap when already current (no write lock taken)."""
        chosen = list(names) if names is not None else None
        if not self.is_current(chosen):
            self.catch_up(chosen)

    def rebuild(self, names: Iterable[str] | None = None,
                progress: Progress | None = None, apart: bool = True) -> int:
        """Drop and recreate the models' tables, reset their positions, and replay from zero.

        On PostgreSQL, models that keep authorities apart (`ReadModel.apart`) are replayed one
        authority at a time unless `apart` is False (every model in store order)."""
        models = self.select(names)
        self.setup()
        with self._lock, self.db.transaction() as tx:
            for model in models:
                self._lock_position(tx, model)
                for table in model.tables:
                    tx.execute(f"DROP TABLE IF EXISTS {table}")
                model.create(tx)
                tx.execute("UPDATE projection_tracking SET position = 0 WHERE name = ?",
                           (model.key,))
        size = max(self.batch_size, REBUILD_BATCH_SIZE)
        one_by_one = [m for m in models if apart and m.apart and self.db.dialect == "postgres"]
        along = [m for m in models if m not in one_by_one]
        if not one_by_one:
            return self.catch_up([m.name for m in along], progress, batch_size=size)
        target = self.ledger.position()
        read = 0
        if along:  # in store order first: that names every record up to the target
            read = self.catch_up([m.name for m in along], progress, until=target,
                                 batch_size=size)
        else:
            self._name_records(target, size)
        return max(read, self._rebuild_apart(one_by_one, target, size))

    def replay(self, names: Iterable[str] | None = None) -> int:
        """Empty the models' tables and replay them from zero: what an erasure needs, so no
        read model keeps text whose key is gone. Unlike `rebuild` it drops nothing, so the
        application role, which may delete read-model rows, can do it."""
        models = self.select(names)
        self.setup()
        with self._lock, self.db.transaction() as tx:
            for model in models:
                self._lock_position(tx, model)
                for table in model.tables:
                    tx.execute(f"DELETE FROM {table}")
                tx.execute("UPDATE projection_tracking SET position = 0 WHERE name = ?",
                           (model.key,))
        return self.catch_up([m.name for m in models])

    def _rebuild_apart(self, models: Sequence[ReadModel], target: int, size: int) -> int:
        """Replay models that keep authorities apart (`ReadModel.apart`) up to `target`, one
        authority at a time: its records' events of the kinds the models read, in store
        order, in pages of `size`. One transaction: a crash leaves the models at zero."""
        read = 0
        with self._lock, self.db.transaction() as tx:
            self._lock_positions(tx, models)
            kinds = sorted(set().union(*(m.apart for m in models)))
            marks = ", ".join("?" for _ in kinds)
            las = [str(r["la_code"]) for r in tx.query(
                f"SELECT DISTINCT la_code FROM projection_records WHERE kind IN ({marks})"
                " ORDER BY la_code", kinds)]
            for la_code in las:
                ids = [UUID(str(r["record_id"])) for r in tx.query(
                    "SELECT record_id FROM projection_records WHERE la_code = ?"
                    f" AND kind IN ({marks})", [la_code, *kinds])]
                for notes in self._events_of(ids, target, size):
                    envelopes = self.decoder.decode(notes)
                    for model in models:
                        model.apply(tx, envelopes)
                    read += len(notes)
                for model in models:
                    model.authority_done()
            tx.executemany("UPDATE projection_tracking SET position = ? WHERE name = ?",
                           [(target, m.key) for m in models])
            tx.executemany("SELECT pg_notify(?, ?)", [(CHANNEL, f"{m.key}:{target}")
                                                     for m in models])
        for model in models:
            for hook in self.after_commit:
                hook(model, target)
        return read

    def _events_of(self, ids: Sequence[UUID], target: int, size: int
                   ) -> Iterator[list[Notification]]:
        """The stored events of the records `ids` up to `target`, in store order, in pages."""
        return self._stored("originator_id = ANY(%s) AND notification_id <= %s",
                            (list(ids), target), size)

    def _name_records(self, target: int, size: int) -> None:
        """Name every record up to `target` in `projection_records` (what a pass in store
        order does on the way), from the records' first events."""
        for notes in self._stored("originator_version = 1 AND notification_id <= %s",
                                  (target,), size):
            with self.db.transaction() as tx:
                self._remember(tx, self.decoder.decode(notes))

    def _stored(self, where: str, params: tuple[Any, ...], size: int
                ) -> Iterator[list[Notification]]:
        """Stored events matching `where`, in store order, in pages: a server-side cursor on
        the event store's own connection (PostgreSQL only).

        The cursor is held outside any transaction (`WITH HOLD`, its rows kept by the server
        once declared): between two pages the caller applies one, which may take longer than
        the store's `idle_in_transaction_session_timeout` (5 s by default), and that would
        end a cursor read inside a transaction, and with it the rebuild."""
        recorder: Any = self.ledger.recorder
        statement = SQL("SELECT notification_id, originator_id, originator_version, topic,"
                        " state FROM {}.{} WHERE " + where + " ORDER BY notification_id").format(
            Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
        with (recorder.datastore.get_connection() as conn,
              conn.cursor(name="iro_ledger_rebuild", withhold=True) as cursor):
            cursor.itersize = size
            cursor.execute(statement, params)
            while rows := cursor.fetchmany(size):
                yield [Notification(id=r["notification_id"], originator_id=r["originator_id"],
                                    originator_version=r["originator_version"],
                                    topic=r["topic"], state=bytes(r["state"])) for r in rows]

    # Following (the PostgreSQL worker) and waiting for a position

    def follow(self, on_batch: Callable[[int], None] | None = None,
               on_idle: Callable[[Callable[[], bool]], None] | None = None) -> None:
        """Catch up, then apply new events as the store announces them, until `stop()`.

        `on_idle` is called between batches, and again every `IDLE_SECONDS` while no event
        comes, with a function saying whether an event is waiting (it should then return
        soon: the events come first)."""
        self.catch_up()
        low = min(self.positions().values(), default=self.ledger.position())
        inbox: queue.Queue[object] = queue.Queue()
        subscription = self.ledger.recorder.subscribe(gt=low)
        self._subscription = subscription
        if self._stop.is_set():
            subscription.stop()
        pump = threading.Thread(target=_pump, args=(subscription, inbox), daemon=True,
                                name="projection-subscription")
        pump.start()
        try:
            while True:
                if on_idle is not None and not self._stop.is_set():
                    on_idle(lambda: not inbox.empty() or self._stop.is_set())
                notes = _take(inbox, self.batch_size, self.gather_seconds,
                              IDLE_SECONDS if on_idle is not None else None)
                if notes is None:
                    continue  # idle a while: `on_idle` again (a new day may have begun)
                if not notes:
                    return
                self._apply_followed(low, notes)
                low = notes[-1].id
                if on_batch is not None:
                    on_batch(low)
        finally:
            subscription.stop()
            pump.join(timeout=5)
            self._subscription = None

    def stop(self) -> None:
        """Ask `follow` to finish its current batch and return (safe from a signal handler)."""
        self._stop.set()
        if self._subscription is not None:
            self._subscription.stop()

    def wait_for(self, position: int, names: Iterable[str] | None = None,
                 timeout: float = 5.0) -> bool:
        """Whether the models reach `position` within `timeout` seconds.

        SQLite catches up in-process; PostgreSQL waits for the worker's announcements.
        """
        chosen = list(names) if names is not None else None
        if self.db.dialect == "sqlite":
            self.refresh(chosen)
            return self.is_current(chosen, position)
        if self.is_current(chosen, position):
            return True
        deadline = time.monotonic() + timeout
        with self.db.listen_connection() as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            while not self.is_current(chosen, position):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                for _ in conn.notifies(timeout=remaining, stop_after=1):
                    pass
            return True

    # Inside: one batch, one model, one transaction

    def _apply_followed(self, after: int, notes: list[Notification]) -> None:
        envelopes = self.decoder.decode(notes)
        for model in self._advance(list(self.models.values()), after, notes[-1].id, envelopes):
            self.catch_up([model.name])

    def _advance(self, models: Sequence[ReadModel], after: int, last: int,
                 envelopes: Sequence[Envelope]) -> list[ReadModel]:
        """Apply the events in (after, last] that each model has not applied yet, every model
        in one transaction; the models behind `after` (a concurrent rebuild reset them), which
        the caller must read for from their own positions."""
        behind: list[ReadModel] = []
        advanced: list[ReadModel] = []
        with self.db.transaction() as tx:
            done = self._lock_positions(tx, models)
            self._remember(tx, envelopes)
            for model in models:
                at = done[model.key]
                if at < after:
                    behind.append(model)
                    continue
                if at >= last:
                    continue
                model.apply(tx, [e for e in envelopes if e.position > at])
                advanced.append(model)
            if advanced:
                tx.executemany("UPDATE projection_tracking SET position = ? WHERE name = ?",
                               [(last, m.key) for m in advanced])
                if tx.dialect == "postgres":
                    tx.executemany("SELECT pg_notify(?, ?)",
                                   [(CHANNEL, f"{m.key}:{last}") for m in advanced])
        for model in advanced:
            for hook in self.after_commit:
                hook(model, last)
        return behind

    def _lock_positions(self, tx: Tx, models: Sequence[ReadModel]) -> dict[str, int]:
        """Lock the models' tracking rows, in name order (so two processes never wait on each
        other crosswise); their positions by key. A missing row is made at zero."""
        keys = sorted(m.key for m in models)
        lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
        marks = ", ".join("?" for _ in keys)
        rows = tx.query(f"SELECT name, position FROM projection_tracking WHERE name IN ({marks})"
                        f" ORDER BY name{lock}", keys)
        found = {str(r["name"]): int(r["position"]) for r in rows}
        for model in models:
            if model.key not in found:
                found[model.key] = self._lock_position(tx, model)
        return found

    def _lock_position(self, tx: Tx, model: ReadModel) -> int:
        lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
        row = tx.one(f"SELECT position FROM projection_tracking WHERE name = ?{lock}",
                     (model.key,))
        if row is None:
            tx.execute("INSERT INTO projection_tracking (name, position) VALUES (?, 0)"
                       " ON CONFLICT (name) DO NOTHING", (model.key,))
            model.create(tx)
            return 0
        return int(row["position"])

    def _tables_in_place(self, tx: Tx) -> bool:
        return tx.has_tables("projection_tracking", "projection_records",
                             *(t for m in self.models.values() for t in m.tables))

    def _serialise_ddl(self, tx: Tx) -> None:
        # Two processes creating the same tables at once collide on PostgreSQL's catalogue.
        if tx.dialect == "postgres":
            tx.execute("SELECT pg_advisory_xact_lock(?)", (0x1A0_1ED6E5,))

    def _load_names(self, record_ids: set[str]) -> dict[str, Name]:
        self.setup()
        ids, found = sorted(record_ids), {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self.db.query("SELECT record_id, kind, la_code, ref FROM projection_records"
                                 f" WHERE record_id IN ({marks})", chunk)
            found.update({r["record_id"]: (r["kind"], r["la_code"], r["ref"]) for r in rows})
        return found

    def _remember(self, tx: Tx, envelopes: Sequence[Envelope]) -> None:
        """Name the batch's new records, in the batch's transaction (idempotent)."""
        firsts = [e for e in envelopes if e.number == 1]
        if firsts:
            tx.executemany(
                "INSERT INTO projection_records (record_id, kind, la_code, ref)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (record_id) DO NOTHING",
                [(str(e.event.originator_id), e.kind, e.la_code, e.record) for e in firsts])


Name = tuple[str, str, str]
"""(kind, la_code, ref) of a stored record."""


class Decoder:
    """The one namer of records: stored notifications (or domain events) to envelopes, each
    event with the `EventRef` that names its record (kind, authority, client id).

    Only a record's first event carries its authority and id; later events are named from
    what earlier ones taught, or by `lookup` (the projections' `projection_records` table).
    Events of no ledger record (nothing names them) get no envelope.
    """

    def __init__(self, mapper: Mapper[UUID] | None = None,
                 lookup: Callable[[set[str]], dict[str, Name]] | None = None) -> None:
        self.mapper = mapper
        """Turns stored notifications into domain events; not needed by `name`."""
        self.lookup = lookup
        self.names: dict[str, Name] = {}
        self._older: dict[str, Name] = {}
        self._classes: dict[type, tuple[str, str, str]] = {}

    def decode(self, notes: Sequence[Notification]) -> list[Envelope]:
        if self.mapper is None:
            raise ValueError("a Decoder without a mapper can only name domain events")
        mapper = self.mapper
        if isinstance(mapper, SealingMapper):  # one key query for the whole page
            events = mapper.to_domain_events(notes)
        else:
            events = [mapper.to_domain_event(n) for n in notes]
        return self.name([(e, n.id, n) for e, n in zip(events, notes, strict=True)])

    def name(self, events: Sequence[tuple[Any, int, Any]]) -> list[Envelope]:
        """Envelopes for (domain event, store position, stored notification or None)."""
        if self.lookup is not None and len(self.names) > NAMES_KEPT:
            # Memory flat in the number of records: the older names go at the next turn (the
            # few still needed are read back), the last batches' stay, committed or not.
            self._older, self.names = self.names, {}
        ids = [str(e.originator_id) for e, _, _ in events]  # once an event, not per use
        names, older = self.names, self._older
        created = {i for i, (e, _, _) in zip(ids, events, strict=True) if hasattr(e, "ref")}
        missing = {i for i in ids if i not in names} - created
        for record_id in [r for r in missing if r in older]:
            names[record_id] = older[record_id]
            missing.discard(record_id)
        if missing and self.lookup is not None:
            names.update(self.lookup(missing))
        envelopes = []
        for record_id, (event, position, stored) in zip(ids, events, strict=True):
            envelope = self._envelope(record_id, event, position, stored)
            if envelope is not None:
                envelopes.append(envelope)
        return envelopes

    def _envelope(self, record_id: str, event: Any, position: int, stored: Any
                  ) -> Envelope | None:
        cls = type(event)
        known = self._classes.get(cls)
        if known is None:
            known = self._classes[cls] = _class_facts(cls)
        kind_made, event_type, inner = known
        if hasattr(event, "la_code") and hasattr(event, "ref"):
            self.names[record_id] = (kind_made, event.la_code, event.ref)
        named = self.names.get(record_id)
        if named is None or not inner:
            return None  # not a ledger record's event: nothing for a read model
        kind, la_code, ref = named
        return Envelope(EventRef(kind=kind, id=ref, event_number=event.originator_version,
                                 position=position, event_type=event_type,
                                 occurred_on=event.occurred_on), la_code, event, stored)


def _class_facts(cls: type) -> tuple[str, str, str]:
    """(the kind of record an event of `cls` makes, if it makes one, its `Outer.Inner`
    name, its inner name): worked out once a class, not once an event."""
    outer_name, _, inner = cls.__qualname__.partition(".")
    outer = getattr(sys.modules[cls.__module__], outer_name, None)
    return str(getattr(outer, "KIND", outer_name.lower())), cls.__qualname__, inner


def _take(inbox: queue.Queue[object], most: int, gather: float = 0.0,
          wait: float | None = None) -> list[Notification] | None:
    """Block for the next notification (at most `wait` seconds: None when none came), then
    take what else arrives within `gather` seconds of it, up to `most` (with no gathering,
    only what is already waiting).

    An empty list means the subscription has ended; its error, if any, is raised.
    """
    notes: list[Notification] = []
    until = 0.0
    while len(notes) < most:
        try:
            if not notes:
                try:
                    item = inbox.get(timeout=wait)
                except queue.Empty:
                    return None
                until = time.monotonic() + gather
            else:
                left = until - time.monotonic()
                item = inbox.get(timeout=left) if left > 0 else inbox.get_nowait()
        except queue.Empty:
            break
        if isinstance(item, Notification):
            notes.append(item)
            continue
        if notes:
            inbox.put(item)  # the end comes after this batch
            break
        if isinstance(item, BaseException):
            raise item
        break
    return notes


def _pump(subscription: Any, inbox: queue.Queue[object]) -> None:
    """Move the subscription's notifications into the follower's inbox, in order."""
    try:
        with subscription:
            for note in subscription:
                inbox.put(note)
    except BaseException as error:
        inbox.put(error)
    finally:
        inbox.put(_END)
