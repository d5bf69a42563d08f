"""Crypto-shredding: personal free text is stored sealed with its record's key, kept outside
the event store, so destroying the key erases the text without touching an event.

`SealingMapper` is the ledger's eventsourcing mapper. Storing an event, it replaces each
field its class names `ERASABLE` (grounds, responses, summaries, instruction text, the child's
reference, a correction's reason and details) by `sealed:v1:` and base64 of a 12-byte nonce
and the AES-256-GCM ciphertext of the value's JSON, bound to the record and field. Reading,
it opens them again, or shows `ERASED` when the key is gone. Values stored before sealing
existed (plain text) are read as they are: no key can shred them.

Keys are per record. A record's key also names its *subject*: a case's own key, and the keys
of challenges and concerns raised on a case (their first event names the case), have the
case as subject, so `destroy(case)` erases the case's text and all raised about it. A key
made for a record's later event (one made after an erasure) takes its first event's subject.

Keys live in `KeyStore`s outside the event store: for SQLite a file beside the ledger
(`PATH.keys`, with secure_delete so a destroyed key's bytes are overwritten), for PostgreSQL
the table `iro_ledger_keys.record_keys` in its own schema. The Merkle log's leaves cover the
stored (sealed) bytes, so every receipt still verifies after an erasure.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Cipher,
    Compressor,
    EventStore,
    Mapper,
    Notification,
    Recording,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import get_topic

from iro_ledger.application.decoding import LeanDecoder
from iro_ledger.application.recorder import Guard
from iro_ledger.domain.record import record_id

SEALED = "sealed:v1:"
ERASED = "[erased]"
"""What an erased text reads as, on every surface."""
ERASED_DETAILS = {"erased": ERASED}
"""What an erased `details` object reads as."""
KEYS_SCHEMA = "iro_ledger_keys"
_SQLITE_CHUNK = 500
"""Record ids per SQLite `IN (...)` (its parameter limit is 999 on old builds)."""


SEALING_KEYS_KEPT = 20_000
"""Sealing keys a process keeps for guarded saves (all forgotten beyond it)."""


class KeyStore(Protocol):
    """Where record keys are kept, outside the event store.

    The `_many` forms take a whole batch (a save, a page of notifications) in one query:
    keys are fetched and created per batch, never per event. Nothing is cached beyond the
    call, so a key another process destroys is gone for this one at its next batch.
    """

    def get(self, record: UUID) -> bytes | None: ...
    def get_or_create(self, record: UUID, subject: UUID) -> bytes: ...
    def get_many(self, records: Iterable[UUID]) -> dict[UUID, bytes]:
        """The keys found of `records` (a destroyed or never made key is absent)."""
        ...
    def get_or_create_many(self, subjects: Mapping[UUID, UUID]) -> dict[UUID, bytes]:
        """The key of each record in `subjects` (record: subject), made where missing."""
        ...
    def destroy(self, subject: UUID) -> int:
        """Destroy the keys of `subject` (its own and those naming it); how many."""
        ...
    def close(self) -> None: ...


class MemoryKeys:
    """Keys in this process's memory: for in-memory stores (tests, `POPO`)."""

    def __init__(self) -> None:
        self._keys: dict[UUID, tuple[UUID, bytes]] = {}
        self._lock = threading.Lock()

    def get(self, record: UUID) -> bytes | None:
        found = self._keys.get(record)
        return None if found is None else found[1]

    def get_or_create(self, record: UUID, subject: UUID) -> bytes:
        return self.get_or_create_many({record: subject})[record]

    def get_many(self, records: Iterable[UUID]) -> dict[UUID, bytes]:
        keys = self._keys
        return {r: keys[r][1] for r in records if r in keys}

    def get_or_create_many(self, subjects: Mapping[UUID, UUID]) -> dict[UUID, bytes]:
        with self._lock:
            return {r: self._keys.setdefault(r, (s, AESGCM.generate_key(256)))[1]
                    for r, s in subjects.items()}

    def destroy(self, subject: UUID) -> int:
        with self._lock:
            gone = [r for r, (s, _) in self._keys.items() if subject in (r, s)]
            for record in gone:
                del self._keys[record]
            return len(gone)

    def close(self) -> None:
        return None


class SqliteKeys:
    """Keys in their own SQLite file; destroyed keys are overwritten (secure_delete)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False,
                                   isolation_level=None)
        self._db.execute("PRAGMA secure_delete = ON")
        self._db.execute("CREATE TABLE IF NOT EXISTS record_keys (record_id TEXT PRIMARY KEY,"
                         " subject TEXT NOT NULL, key BLOB NOT NULL)")
        self._db.execute("CREATE INDEX IF NOT EXISTS record_keys_subject"
                         " ON record_keys (subject)")
        if os.name == "posix":
            path.chmod(0o600)

    def get(self, record: UUID) -> bytes | None:
        return self.get_many([record]).get(record)

    def get_or_create(self, record: UUID, subject: UUID) -> bytes:
        return self.get_or_create_many({record: subject})[record]

    def get_many(self, records: Iterable[UUID]) -> dict[UUID, bytes]:
        wanted = {str(r): r for r in records}
        found: dict[UUID, bytes] = {}
        names = list(wanted)
        with self._lock:
            for start in range(0, len(names), _SQLITE_CHUNK):
                chunk = names[start:start + _SQLITE_CHUNK]
                marks = ", ".join("?" for _ in chunk)
                for record, key in self._db.execute(
                        f"SELECT record_id, key FROM record_keys WHERE record_id IN ({marks})",
                        chunk):
                    found[wanted[record]] = bytes(key)
        return found

    def get_or_create_many(self, subjects: Mapping[UUID, UUID]) -> dict[UUID, bytes]:
        found = self.get_many(subjects)
        missing = [r for r in subjects if r not in found]
        if missing:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany(
                        "INSERT OR IGNORE INTO record_keys VALUES (?, ?, ?)",
                        [(str(r), str(subjects[r]), AESGCM.generate_key(256))
                         for r in missing])
                finally:
                    self._db.execute("COMMIT")
            found.update(self.get_many(missing))
        return found

    def destroy(self, subject: UUID) -> int:
        with self._lock:
            gone = self._db.execute("DELETE FROM record_keys WHERE record_id = ? OR subject = ?",
                                    (str(subject), str(subject))).rowcount
            self._db.execute("VACUUM")
        return int(gone)

    def close(self) -> None:
        self._db.close()


class PostgresKeys:
    """Keys in `iro_ledger_keys.record_keys`, a schema of their own beside the event store."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._lock = threading.Lock()
        self._db: psycopg.Connection[Any] | None = None
        with self._lock:
            found = self._run("SELECT to_regclass(%s)", (f"{KEYS_SCHEMA}.record_keys",))
            row = found.fetchone()
            if row is not None and row[0] is not None:
                return  # made by an earlier start (or by `db setup`'s owner)
            self._run(f"CREATE SCHEMA IF NOT EXISTS {KEYS_SCHEMA}", ())
            self._run(f"CREATE TABLE IF NOT EXISTS {KEYS_SCHEMA}.record_keys (record_id uuid"
                      " PRIMARY KEY, subject uuid NOT NULL, key bytea NOT NULL)", ())
            self._run(f"CREATE INDEX IF NOT EXISTS record_keys_subject ON"
                      f" {KEYS_SCHEMA}.record_keys (subject)", ())

    def _run(self, sql: str, args: tuple[Any, ...]) -> psycopg.Cursor[Any]:
        for attempt in (1, 2):
            try:
                if self._db is None or self._db.closed:
                    self._db = psycopg.connect(self._conninfo, autocommit=True)
                return self._db.execute(sql, args)
            except psycopg.OperationalError:
                if attempt == 2:
                    raise
                self._db = None
        raise AssertionError("unreachable")  # pragma: no cover

    def get(self, record: UUID) -> bytes | None:
        return self.get_many([record]).get(record)

    def get_or_create(self, record: UUID, subject: UUID) -> bytes:
        return self.get_or_create_many({record: subject})[record]

    def get_many(self, records: Iterable[UUID]) -> dict[UUID, bytes]:
        wanted = list(dict.fromkeys(records))
        if not wanted:
            return {}
        with self._lock:
            rows = self._run(f"SELECT record_id, key FROM {KEYS_SCHEMA}.record_keys"
                             " WHERE record_id = ANY(%s)", (wanted,)).fetchall()
        return {row[0]: bytes(row[1]) for row in rows}

    def get_or_create_many(self, subjects: Mapping[UUID, UUID]) -> dict[UUID, bytes]:
        """One round trip: the keys already kept, and those this call made (RETURNING); a key
        another process made meanwhile (its insert here did nothing) is read once more."""
        if not subjects:
            return {}
        records = list(subjects)
        made = [AESGCM.generate_key(256) for _ in records]
        with self._lock:
            rows = self._run(
                f"WITH new AS (INSERT INTO {KEYS_SCHEMA}.record_keys (record_id, subject, key)"
                " SELECT * FROM unnest(%s::uuid[], %s::uuid[], %s::bytea[])"
                " ON CONFLICT (record_id) DO NOTHING RETURNING record_id, key)"
                f" SELECT record_id, key FROM {KEYS_SCHEMA}.record_keys"
                " WHERE record_id = ANY(%s) UNION ALL SELECT record_id, key FROM new",
                (records, [subjects[r] for r in records], made, records)).fetchall()
        found = {row[0]: bytes(row[1]) for row in rows}
        missing = [r for r in records if r not in found]
        if missing:
            found.update(self.get_many(missing))
        return found

    def destroy(self, subject: UUID) -> int:
        with self._lock:
            gone = self._run(f"DELETE FROM {KEYS_SCHEMA}.record_keys WHERE record_id = %s"
                             " OR subject = %s", (subject, subject)).rowcount
        return int(gone)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def keys_for(env: Mapping[str, str]) -> KeyStore:
    """The key store beside the event store an eventsourcing environment names."""
    module = env.get("PERSISTENCE_MODULE", "")
    if module == "eventsourcing.sqlite":
        path = env.get("SQLITE_DBNAME", ":memory:")
        if path == ":memory:" or path.startswith("file:"):
            return MemoryKeys()
        return SqliteKeys(Path(path + ".keys"))
    if module == "eventsourcing.postgres":
        conninfo = psycopg.conninfo.make_conninfo(
            dbname=env.get("POSTGRES_DBNAME", "postgres"),
            host=env.get("POSTGRES_HOST", "127.0.0.1"), port=env.get("POSTGRES_PORT", "5432"),
            user=env.get("POSTGRES_USER", "postgres"),
            password=env.get("POSTGRES_PASSWORD", ""),
            connect_timeout=env.get("POSTGRES_CONNECT_TIMEOUT", "5"))
        return PostgresKeys(conninfo)
    return MemoryKeys()


def subject_of(originator: UUID, state: Mapping[str, Any]) -> UUID:
    """Whose erasure erases this record's text: the case a record's first event names (a
    challenge or concern raised on it), else the record itself."""
    case_id, la_code = state.get("case_id"), state.get("la_code")
    if isinstance(case_id, str) and isinstance(la_code, str) and "ref" in state:
        return record_id("case", la_code, case_id)
    return originator


class SealingMapper(Mapper[UUID]):
    """The ledger's mapper: seals `ERASABLE` fields on the way in, opens them on the way out.

    `to_stored_events` and `to_domain_events` map a whole batch with one key-store query
    (the single-event forms are batches of one); `SealingEventStore` saves and loads through
    them, and the projections decode their pages of notifications with them.
    """

    def __init__(self, transcoder: Transcoder, keys: KeyStore,
                 compressor: Compressor | None = None, cipher: Cipher | None = None) -> None:
        super().__init__(transcoder, compressor=compressor, cipher=cipher)
        self.keys = keys
        self._sealing: dict[UUID, bytes] = {}
        """Keys this process sealed with lately, by record, for guarded saves only: a save
        that takes one has its guard watch for erasures (`Guard.erasures`), so one another
        process stored since makes it store nothing and be applied again with the key
        store's keys. Forgotten whenever another process is seen to store anything, and on
        an erasure here. Never used to open anything."""
        self._sealing_lock = threading.Lock()
        self._lean = LeanDecoder.of(self)
        """The library's decoding without its per-object hook (`decoding`), when it can
        stand in for it."""

    def forget_keys(self) -> None:
        """Forget every sealing key kept (another process stored something, or an erasure
        was made here)."""
        with self._sealing_lock:
            self._sealing.clear()

    def _sealing_keys(self, subjects: Mapping[UUID, UUID], guard: Guard | None
                      ) -> dict[UUID, bytes]:
        if guard is None:
            found = self.keys.get_or_create_many(subjects)
        else:
            with self._sealing_lock:
                kept = {r: k for r in subjects if (k := self._sealing.get(r)) is not None}
            missing = {r: s for r, s in subjects.items() if r not in kept}
            found = {**kept, **(self.keys.get_or_create_many(missing) if missing else {})}
            guard.erasures = guard.erasures or bool(kept)
        with self._sealing_lock:
            if len(self._sealing) > SEALING_KEYS_KEPT:
                self._sealing.clear()
            self._sealing.update(found)
        return found

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        return self.to_stored_events([domain_event])[0]

    def to_stored_events(self, domain_events: Sequence[DomainEventProtocol[UUID]],
                         guard: Guard | None = None,
                         first_of: Callable[[UUID], Mapping[str, Any] | None] | None = None
                         ) -> list[StoredEvent]:
        """Every event stored, its erasable fields sealed with keys got in one query (none,
        for a guarded save whose keys this process sealed with lately).

        A later event names no case, so its record's subject is its first event's
        (`first_of`, the stored state of a record's first event): a key made after an
        erasure destroyed the record's own is filed under the case again, and a second
        erasure of the case destroys it."""
        sealing: list[tuple[int, list[str], dict[str, Any]]] = []
        subjects: dict[UUID, UUID] = {}
        first_sealed: dict[UUID, int] = {}  # each record's first event sealed here: version
        for index, event in enumerate(domain_events):
            fields = [f for f in getattr(type(event), "ERASABLE", ())
                      if _worth_sealing(getattr(event, f, None))]
            if fields:
                state = dict(vars(event))
                originator = event.originator_id
                first_sealed.setdefault(originator, getattr(event, "originator_version", 1))
                if subjects.get(originator, originator) == originator:
                    subjects[originator] = subject_of(originator, state)
                sealing.append((index, fields, state))
        # Records none of whose events here names a subject, and not created here.
        later = {r for r, s in subjects.items() if s == r and first_sealed[r] != 1}
        if later and guard is not None:
            with self._sealing_lock:
                later -= set(self._sealing)  # a key sealed with lately exists (or the guard
                # sees it erased, and the save is applied again with these forgotten)
        if later and first_of is not None:
            for record in later - set(self.keys.get_many(later)):
                first = first_of(record)
                if first is not None:
                    subjects[record] = subject_of(record, first)
        keys = self._sealing_keys(subjects, guard) if subjects else {}
        states: dict[int, dict[str, Any]] = {}
        for index, fields, state in sealing:
            originator = state["originator_id"]
            for name in fields:
                state[name] = seal(keys[originator], originator, name, state[name])
            states[index] = state
        return [self._stored(event, states.get(index))
                for index, event in enumerate(domain_events)]

    def _stored(self, event: DomainEventProtocol[UUID], state: dict[str, Any] | None
                ) -> StoredEvent:
        """The library's `to_stored_event`, of `state` (the event's, sealed) when given:
        without a second copy of the state or an event object made to hold it."""
        if state is None:
            state = dict(vars(event))
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        class_version = getattr(type(event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        stored = self.transcoder.encode(state)
        if self.compressor:
            stored = self.compressor.compress(stored)
        if self.cipher:
            stored = self.cipher.encrypt(stored)
        return StoredEvent(originator_id=originator_id, originator_version=originator_version,
                           topic=get_topic(type(event)), state=stored)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        return self.to_domain_events([stored_event])[0]

    def to_domain_events(self, stored_events: Iterable[StoredEvent]
                         ) -> list[DomainEventProtocol[UUID]]:
        """Every event read, its sealed fields opened with keys got in one query (shown
        erased where the key is gone)."""
        if self._lean is not None:
            events = self._lean.decode(stored_events)
        else:
            to_domain = super().to_domain_event
            events = [to_domain(stored) for stored in stored_events]
        opening: list[tuple[dict[str, Any], list[str]]] = []
        for event in events:
            fields = getattr(type(event), "ERASABLE", ())
            if not fields:
                continue
            state = vars(event)
            sealed = [f for f in fields
                      if isinstance(state.get(f), str) and state[f].startswith(SEALED)]
            if sealed:
                opening.append((state, sealed))
        if not opening:
            return events
        keys = self.keys.get_many({state["originator_id"] for state, _ in opening})
        for state, sealed in opening:
            originator = state["originator_id"]
            key = keys.get(originator)
            for name in sealed:
                state[name] = (open_sealed(key, originator, name, state[name])
                               if key is not None else erased(name))
        return events


class SealingEventStore(EventStore[UUID]):
    """The ledger's event store: saves and loads a batch of events with one key query
    (with any other mapper, as eventsourcing's own)."""

    def put(self, domain_events: Sequence[DomainEventProtocol[UUID]],
            **kwargs: Any) -> list[Recording[UUID]]:
        if not isinstance(self.mapper, SealingMapper):
            return super().put(domain_events, **kwargs)
        guard = kwargs.get("guard")
        stored = self.mapper.to_stored_events(
            domain_events, guard if isinstance(guard, Guard) else None, self._first_of)
        ids = self.recorder.insert_events(stored, **kwargs)
        if not ids:
            return []
        return [Recording(d, Notification(originator_id=s.originator_id,
                                          originator_version=s.originator_version,
                                          topic=s.topic, state=s.state, id=n))
                for d, s, n in zip(domain_events, stored, ids, strict=True)]

    def _first_of(self, record: UUID) -> Mapping[str, Any] | None:
        """The state of a record's first stored event (none if it has none yet)."""
        stored = self.recorder.select_events(record, lte=1, limit=1)
        if not stored:
            return None
        return vars(self.mapper.to_domain_event(stored[0]))

    def get(self, originator_id: UUID, *, gt: int | None = None, lte: int | None = None,
            desc: bool = False, limit: int | None = None
            ) -> Iterator[DomainEventProtocol[UUID]]:
        if not isinstance(self.mapper, SealingMapper):
            return super().get(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
        stored = self.recorder.select_events(originator_id, gt=gt, lte=lte, desc=desc,
                                             limit=limit)
        return iter(self.mapper.to_domain_events(stored))


def _worth_sealing(value: Any) -> bool:
    return bool(value) and not (isinstance(value, str) and value.startswith(SEALED))


def seal(key: bytes, originator: UUID, field: str, value: Any) -> str:
    nonce = os.urandom(12)
    plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    sealed = AESGCM(key).encrypt(nonce, plain, f"{originator}/{field}".encode())
    return SEALED + base64.b64encode(nonce + sealed).decode("ascii")


def open_sealed(key: bytes, originator: UUID, field: str, value: str) -> Any:
    """The value, or what an erased one reads as when it was sealed with a key since destroyed
    (a record written to after its erasure has a new key, which opens only the newer text)."""
    raw = base64.b64decode(value.removeprefix(SEALED))
    try:
        plain = AESGCM(key).decrypt(raw[:12], raw[12:], f"{originator}/{field}".encode())
    except InvalidTag:
        return erased(field)
    return json.loads(plain)


def erased(field: str) -> Any:
    """What an erased field reads as."""
    return dict(ERASED_DETAILS) if field == "details" else ERASED
