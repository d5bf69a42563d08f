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
"""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Composed, Identifier

LOCK_FUNCTION = "iro_ledger_lock_events"


class Recorder(PostgresApplicationRecorder):
    """eventsourcing's recorder, locking through the owner's function (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock_table_statements = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(self.datastore.lock_timeout),
            SQL("SELECT {0}.{1}()").format(Identifier(self.datastore.schema),
                                           Identifier(LOCK_FUNCTION)),
        ]

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
