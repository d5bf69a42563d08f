"""The database's own refusal: no UPDATE, DELETE or TRUNCATE on the tables that are evidence.

Triggers make the event table, `checkpoints`, the Merkle log's tables and `guard_log`
append-only for every role, the owner's included, until someone with the owner's rights drops
them; `iro-ledger db setup` (trust.roles) leaves nobody but the owner able to. On PostgreSQL
the triggers are enabled ALWAYS, so that `session_replication_role = replica` does not silence
them either.

`install` runs whenever services are built. It is cheap when the triggers are in place,
reinstalls triggers an owner dropped or disabled where this role may, and writes each such
finding to `guard_log`, so that `iro-ledger audit` reports a dropped trigger even after it
was put back. A role that may not reinstall them (the application role) is not refused: its
privileges already forbid what the triggers forbid, and the audit names the gap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from eventsourcing.persistence import PersistenceError

from iro_ledger.projections.db import Database, Tx

FUNCTION = "iro_ledger_append_only"
LOG = "guard_log"
"""When the triggers on a table were found missing or disabled (and put back)."""
_INSTALL_LOCK = 0x1A0_6A4D
_log = logging.getLogger(__name__)


class GuardError(PersistenceError):
    """The database refuses to be used as asked (a PersistenceError, so callers report it
    like an unreachable store): e.g. the application is connected as a superuser."""


@dataclass(frozen=True)
class Lapse:
    """One row of `guard_log`: a table found without its triggers, which were put back."""

    seen_at: datetime
    table: str


def trigger_names(table: str) -> tuple[str, str]:
    """The (row, statement) trigger names for a table, schema left out."""
    bare = table.rpartition(".")[2]
    return f"{bare}_append_only", f"{bare}_no_truncate"


def install(db: Database, tables: Sequence[str],
            create: Callable[[Tx], None] = lambda tx: None) -> list[str]:
    """Create what `create` makes and `guard_log`, then the triggers on every existing table
    in `tables` where missing; the tables left unguarded because this role may not guard them.
    """
    try:
        with db.transaction() as tx:
            if tx.dialect == "postgres":
                tx.execute("SELECT pg_advisory_xact_lock(?)", (_INSTALL_LOCK,))
            first = not tx.has_tables(LOG)
            if first or tx.dialect == "sqlite":
                create(tx)
                tx.execute(f"CREATE TABLE IF NOT EXISTS {LOG} (seen_at TEXT NOT NULL,"
                           " table_name TEXT NOT NULL)")
            unguarded = [t for t in [*tables, LOG] if tx.has_tables(t) and not guarded(tx, t)]
            for table in unguarded:
                _create(tx, table)
            if unguarded and not first:  # on a new store they are put in place, not back
                now = datetime.now(UTC).isoformat()
                tx.executemany(f"INSERT INTO {LOG} (seen_at, table_name) VALUES (?, ?)",
                               [(now, table) for table in unguarded])
        return []
    except psycopg.errors.InsufficientPrivilege as refused:
        with db.reading() as tx:
            if not tx.has_tables(LOG):
                raise GuardError(
                    f"this role may not set the store up ({refused.diag.message_primary}): "
                    "run `iro-ledger db setup` as a superuser first (docs/operations.md)"
                ) from refused
            unguarded = [t for t in [*tables, LOG] if tx.has_tables(t) and not guarded(tx, t)]
    _log.error("the append-only triggers on %s are missing and this role cannot put them "
               "back: run `iro-ledger guard` as the tables' owner (docs/operations.md)",
               ", ".join(unguarded))
    return unguarded


def protect(tx: Tx, tables: Sequence[str]) -> None:
    """Put the triggers on freshly created tables (the Merkle log's, when it is rebuilt)."""
    for table in tables:
        if not guarded(tx, table):
            _create(tx, table)


def status(db: Database, tables: Sequence[str]) -> dict[str, bool]:
    """Whether each existing table's triggers are in place (and enabled)."""
    with db.reading() as tx:
        return {table: guarded(tx, table) for table in [*tables, LOG] if tx.has_tables(table)}


def lapses(db: Database) -> list[Lapse]:
    """Every time a table was found without its triggers, oldest first."""
    with db.reading() as tx:
        if not tx.has_tables(LOG):
            return []
        rows = tx.query(f"SELECT seen_at, table_name FROM {LOG} ORDER BY seen_at")
    return [Lapse(datetime.fromisoformat(str(r["seen_at"])), str(r["table_name"]))
            for r in rows]


def guarded(tx: Tx, table: str) -> bool:
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


def refuse_superuser(db: Database, allowed: bool) -> None:
    """Refuse to run on PostgreSQL as a superuser, who could drop every guard, unless allowed."""
    if db.dialect != "postgres" or allowed:
        return
    try:
        with psycopg.connect(db.conninfo, connect_timeout=5) as conn:
            row = conn.execute("SELECT current_user, rolsuper FROM pg_roles"
                               " WHERE rolname = current_user").fetchone()
    except psycopg.OperationalError:
        return  # unreachable: opening the store reports it
    if row and row[1]:
        raise GuardError(
            f"connected to PostgreSQL as {row[0]}, a superuser, who can remove the "
            "append-only guard: run as the application role `iro-ledger db setup` makes "
            "(docs/operations.md), or set IRO_LEDGER_ALLOW_SUPERUSER=true for development")
