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

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.pq import TransactionStatus
from psycopg.sql import SQL, Composed, Identifier

LOCK_FUNCTION = "iro_ledger_lock_events"
INSERT_CHUNK = 1000
"""Events per INSERT statement: each message stays well under a megabyte or so."""


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

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        """Insert in one transaction under the event lock, chunk by chunk (see the module)."""
        if not stored_events:
            return []
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
