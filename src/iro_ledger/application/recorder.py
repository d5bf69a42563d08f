"""The PostgreSQL event recorder: positions in commit order without granting the table lock.

eventsourcing takes `LOCK TABLE events IN EXCLUSIVE MODE` before each insert, so that
positions are handed out in commit order and a reader never passes a gap that fills later.
PostgreSQL (15 and 16) allows any LOCK stronger than ROW EXCLUSIVE only to a role with UPDATE,
DELETE or TRUNCATE on the table (17 adds MAINTAIN), and whoever may take EXCLUSIVE may also
take ACCESS EXCLUSIVE, which stops every reader. So the lock is taken instead by a small
SECURITY DEFINER function that the tables' owner owns and that can take that one lock on that
one table and nothing else: the application role needs no UPDATE on the events at all.

The recorder also leaves the tables alone when they are already in place, so that a role
without DDL rights (the application role `iro-ledger db setup` makes) starts without
`CREATE_TABLE=false`.

It inserts without psycopg's pipeline mode, in statements of at most `INSERT_CHUNK` events,
each a column of binary arrays unnested (not the library's array of a composite type, which
psycopg dumps as text in Python: that dumping cost more than the insert).
The library sends a whole save as one parameter in pipeline mode, and psycopg (3.3, C and
Python implementations alike) deadlocks there once a message passes a few megabytes: the
server waits for the rest of the insert ("active", wait event ClientRead) while the client
waits in the pipeline's sync, for ever. An `ingest --atomic` of a few thousand commands hung
so; `tests/integration/test_atomic_bulk.py` repeats it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.pq import TransactionStatus
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

LOCK_FUNCTION = "iro_ledger_lock_events"
INSERT_CHUNK = 1000
"""Events per INSERT statement: each message stays well under a megabyte or so."""


@dataclass
class Guard:
    """What a unit of work that took records from the cache without looking at the store
    first asks of its insert (`Recorder.insert_events(..., guard=)`): store nothing if
    another process stored an event of a record the unit read after `after`, the position
    the cache reflected. Checked under the event lock, in the insert's own statement, so
    nothing can slip in between. `scan` or more events stored after `after` store nothing
    too (the guard reads no further); `changes` is filled with what was stored after
    `after` (at most `scan` events), for the cache to drop what others changed."""

    after: int
    own: frozenset[int]
    """Positions after `after` this process stored itself."""
    used: frozenset[UUID]
    """The records the unit read (taken from the cache or loaded)."""
    scan: int
    erasure_topics: tuple[str, ...] = ()
    erasures: bool = False
    """Set when the unit sealed with keys kept in memory: then an erasure stored by another
    process after `after` (an event of `erasure_topics`) stores nothing too."""
    changes: list[tuple[int, UUID]] = field(default_factory=list)


_TOPIC = re.compile(r"[A-Za-z0-9_.:]+")


def _topic(topic: str) -> str:
    """A topic (`module:Class`) as an SQL literal; anything else is refused, not escaped."""
    if not _TOPIC.fullmatch(topic):
        raise ValueError(f"unexpected characters in event topic {topic!r}")
    return f"'{topic}'"


class StaleRecords(IntegrityError):
    """Another process changed a record a unit read from the cache: nothing was stored, and
    the unit's commands are applied again from the store."""


class Recorder(PostgresApplicationRecorder):
    """eventsourcing's recorder, locking through the owner's function (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.insert_columns_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state)"
            " SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[])"
            " RETURNING notification_id").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name),
            id_type=SQL(self.datastore.originator_id_type))
        self.lock_table_statements = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(self.datastore.lock_timeout),
            SQL("SELECT {0}.{1}()").format(Identifier(self.datastore.schema),
                                           Identifier(LOCK_FUNCTION)),
        ]
        self._guarded: tuple[str, str] | None = None

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        """Insert in one transaction under the event lock, chunk by chunk (see the module)."""
        if not stored_events:
            return []
        guard = kwargs.get("guard")
        if isinstance(guard, Guard):
            return self.insert_guarded(stored_events, guard)
        ids: list[int] = []
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            # BEGIN, the lock and NOTIFY in one round trip (no parameters: simple protocol).
            curs.execute(SQL("; ").join([SQL("BEGIN"), *self.lock_table_statements,
                                         SQL("NOTIFY {0}").format(
                                             Identifier(self.channel_name))]))
            try:
                for start in range(0, len(stored_events), INSERT_CHUNK):
                    ids.extend(self.insert_chunk(curs, stored_events[start:start + INSERT_CHUNK]))
                curs.execute("COMMIT")
            except BaseException:
                if conn.info.transaction_status != TransactionStatus.IDLE:
                    conn.execute("ROLLBACK")
                raise
        return ids

    def insert_guarded(self, stored_events: Sequence[StoredEvent], guard: Guard) -> list[int]:
        """A group's events in one round trip: BEGIN, the lock, NOTIFY, what was stored
        since the cache last looked, the insert (of nothing if `guard` finds a record the
        group read changed by another process) and COMMIT, as one simple-protocol message
        (no parameters, so no pipeline: see the module). Values are written as literals
        that need no escaping: uuids, integers, topics (checked) and states in hex.
        Raises StaleRecords when the guard stored nothing."""
        rows = ", ".join(
            f"('{e.originator_id}'::uuid, {int(e.originator_version)}, {_topic(e.topic)},"
            f" decode('{bytes(e.state).hex()}', 'hex'))" for e in stored_events)
        after = int(guard.after)
        used = ",".join(str(u) for u in guard.used)
        own = ",".join(str(int(p)) for p in guard.own)
        watched = f"originator_id = ANY('{{{used}}}'::uuid[])"
        if guard.erasures and guard.erasure_topics:
            topics = ",".join(_topic(t).strip("'") for t in guard.erasure_topics)
            watched = f"({watched} OR topic = ANY('{{{topics}}}'::text[]))"
        results: list[list[Any]] = []
        # Rows as tuples, and never prepared (each statement is sent once): psycopg's row
        # dicts and prepared-statement bookkeeping cost a lone command more than its answer.
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            table, begin = self._guarded_parts(conn)
            statement = (
                f"{begin}; SELECT notification_id, originator_id FROM {table}"
                f" WHERE notification_id > {after} ORDER BY notification_id"
                f" LIMIT {int(guard.scan)};"
                f" INSERT INTO {table} (originator_id, originator_version, topic, state)"
                f" SELECT * FROM (VALUES {rows}) AS new (originator_id, originator_version,"
                f" topic, state) WHERE {_unchanged(table, after, watched, own, guard.scan)}"
                f" RETURNING notification_id; COMMIT")
            try:
                curs.execute(statement.encode(), prepare=False)
                while True:
                    results.append(curs.fetchall() if curs.description is not None else [])
                    if not curs.nextset():
                        break
            except BaseException:
                if conn.info.transaction_status != TransactionStatus.IDLE:
                    conn.execute("ROLLBACK")
                raise
        changes, inserted = results[-3], results[-2]
        guard.changes = [(row[0], row[1]) for row in changes]
        if not inserted:
            raise StaleRecords("a record this group read was changed by another process")
        return [row[0] for row in inserted]

    def _guarded_parts(self, conn: Any) -> tuple[str, str]:
        """The events table's quoted name and the BEGIN, lock and NOTIFY statements, as text
        (made once)."""
        if self._guarded is None:
            table = SQL("{0}.{1}").format(Identifier(self.datastore.schema),
                                          Identifier(self.events_table_name))
            begin = SQL("; ").join([SQL("BEGIN"), *self.lock_table_statements,
                                    SQL("NOTIFY {0}").format(Identifier(self.channel_name))])
            self._guarded = (table.as_string(conn), begin.as_string(conn))
        return self._guarded

    def insert_chunk(self, curs: Any, chunk: Sequence[StoredEvent]) -> list[int]:
        """One INSERT statement of a transaction's events: their notification ids."""
        columns = ([e.originator_id for e in chunk], [e.originator_version for e in chunk],
                   [e.topic for e in chunk], [bytes(e.state) for e in chunk])
        curs.execute(self.insert_columns_statement, columns, prepare=True)
        return [row["notification_id"] for row in curs.fetchall()]

    def originators_after(self, position: int, limit: int) -> list[tuple[int, UUID]]:
        """(position, record id) of the events stored after `position`, oldest first."""
        statement = SQL("SELECT notification_id, originator_id FROM {0}.{1}"
                        " WHERE notification_id > %s ORDER BY notification_id LIMIT %s").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (position, limit), prepare=True)
            return [(row["notification_id"], row["originator_id"]) for row in curs.fetchall()]

    @property
    def lock_function(self) -> str:
        """The lock function's qualified name, as `db setup` grants it."""
        return f"{self.datastore.schema}.{LOCK_FUNCTION}()"

    def lock_function_sql(self) -> Composed:
        """CREATE OR REPLACE for the lock function; runs as (and is owned by) its creator."""
        return SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS void"
            " LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS"
            " $$ BEGIN LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; END $$"
        ).format(schema=Identifier(self.datastore.schema), function=Identifier(LOCK_FUNCTION),
                 table=Identifier(self.events_table_name))

    def create_table(self) -> None:
        if self._in_place():
            return
        super().create_table()
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.lock_function_sql())
            curs.execute(SQL("REVOKE ALL ON FUNCTION {0}.{1}() FROM PUBLIC").format(
                Identifier(self.datastore.schema), Identifier(LOCK_FUNCTION)))

    def _in_place(self) -> bool:
        """Whether the events table, its row type and the lock function all exist."""
        schema = self.datastore.schema
        with self.datastore.transaction(commit=False) as curs:
            curs.execute("SELECT to_regclass(%s) IS NOT NULL AND to_regtype(%s) IS NOT NULL"
                         " AND to_regprocedure(%s) IS NOT NULL AS ready",
                         (f"{schema}.{self.events_table_name}",
                          f"{schema}.{self.stored_event_type_name}", self.lock_function))
            row = curs.fetchone()
        return bool(row and row["ready"])


def _unchanged(table: str, after: int, watched: str, own: str, scan: int) -> str:
    """SQL true when no other process stored an event `watched` names after `after`, read
    through the position index from `after` on (at most `scan` events, more is "changed").

    A `NOT EXISTS` over `notification_id > after` let the planner, its statistics behind
    the table's newest positions, scan the whole event store for each group: 110-140 ms a
    command at 390,000 events, growing with the store. An ordered `LIMIT` is read through
    the index whatever the statistics say.
    """
    return (f"(SELECT count(*) < {int(scan)} AND NOT coalesce(bool_or({watched}"
            f" AND NOT notification_id = ANY('{{{own}}}'::bigint[])), false)"
            f" FROM (SELECT originator_id, topic, notification_id FROM {table}"
            f" WHERE notification_id > {after} ORDER BY notification_id"
            f" LIMIT {int(scan)}) AS recent)")
