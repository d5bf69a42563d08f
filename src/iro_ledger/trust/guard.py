"""The database's own refusal: no UPDATE, DELETE or TRUNCATE on the event and checkpoint tables.

Triggers make the tables append-only for every role, the owner's included, until someone with
the owner's rights drops them; running the application under a role that does not own the
tables (docs/operations.md) leaves nobody but the owner able to. On PostgreSQL the triggers are
enabled ALWAYS, so that `session_replication_role = replica` does not silence them either.
`install` is idempotent and cheap when the triggers are in place: it is run whenever services
are built, and reinstalls triggers an owner dropped or disabled.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from eventsourcing.persistence import PersistenceError

from iro_ledger.projections.db import Database, Tx
from iro_ledger.trust import checkpoint_store

FUNCTION = "iro_ledger_append_only"
_INSTALL_LOCK = 0x1A0_6A4D


class GuardError(PersistenceError):
    """The triggers are missing and this database role cannot create them: the store is not
    fit to run on (a PersistenceError, so callers report it like an unreachable store)."""


def trigger_names(table: str) -> tuple[str, str]:
    """The (row, statement) trigger names for a table, schema left out."""
    bare = table.rpartition(".")[2]
    return f"{bare}_append_only", f"{bare}_no_truncate"


def install(db: Database, tables: Sequence[str]) -> None:
    """Create the checkpoints table and the append-only triggers on `tables` where missing."""
    with db.transaction() as tx:
        if tx.dialect == "postgres":
            tx.execute("SELECT pg_advisory_xact_lock(?)", (_INSTALL_LOCK,))
            if not all(_pg_exists(tx, table) for table in checkpoint_store.TABLES):
                checkpoint_store.create_table(tx)
        else:
            checkpoint_store.create_table(tx)
        missing = [t for t in tables if not _guarded(tx, t)]
        if not missing:
            return
        try:
            for table in missing:
                _create(tx, table)
        except psycopg.errors.InsufficientPrivilege as refused:
            raise GuardError(
                f"the append-only triggers on {', '.join(missing)} are missing and this role "
                f"cannot create them ({refused.diag.message_primary}); run iro-ledger once "
                "as the tables' owner (docs/operations.md)") from refused


def status(db: Database, tables: Sequence[str]) -> dict[str, bool]:
    """Whether each table's triggers are in place (and enabled)."""
    with db.reading() as tx:
        return {table: _guarded(tx, table) for table in tables}


def _pg_exists(tx: Tx, table: str) -> bool:
    row = tx.one("SELECT to_regclass(?) IS NOT NULL AS found", (table,))
    return bool(row and row["found"])


def _guarded(tx: Tx, table: str) -> bool:
    names = trigger_names(table)
    if tx.dialect == "postgres":
        rows = tx.query("SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(?)"
                        " AND tgenabled = 'A' AND NOT tgisinternal", (table,))
        return set(names) <= {r["tgname"] for r in rows}
    wanted = {f"{names[0]}_update", f"{names[0]}_delete"}
    rows = tx.query("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                    (table,))
    return wanted <= {r["name"] for r in rows}


def _create(tx: Tx, table: str) -> None:
    row_trigger, statement_trigger = trigger_names(table)
    if tx.dialect == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            message = f"iro-ledger: {operation} on {table} is refused: the table is append-only"
            tx.execute(f"CREATE TRIGGER IF NOT EXISTS {row_trigger}_{operation.lower()}"
                       f" BEFORE {operation} ON {table}"
                       f" BEGIN SELECT RAISE(ABORT, '{message}'); END")
        return
    schema = table.rpartition(".")[0]
    function = f"{schema}.{FUNCTION}" if schema else FUNCTION
    tx.execute(f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$"
               " BEGIN RAISE EXCEPTION USING ERRCODE = 'restrict_violation', MESSAGE ="
               " 'iro-ledger: ' || TG_OP || ' on ' || TG_TABLE_NAME"
               " || ' is refused: the table is append-only'; END $$")
    tx.execute(f"CREATE OR REPLACE TRIGGER {row_trigger} BEFORE UPDATE OR DELETE ON {table}"
               f" FOR EACH ROW EXECUTE FUNCTION {function}()")
    tx.execute(f"CREATE OR REPLACE TRIGGER {statement_trigger} BEFORE TRUNCATE ON {table}"
               f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
    for name in (row_trigger, statement_trigger):
        tx.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}")
