"""PostgreSQL roles for a database that defends itself: an owner, and an application that appends.

`iro-ledger db setup` runs this once as a superuser (and again after an upgrade adds tables).
The owner role owns every table, sequence, type, function and trigger of the ledger; it need
not log in. The application role, which the API, the worker and the CLI log in as, may:

- on the events: SELECT, and INSERT of the four event columns only (positions come from the
  table's own sequence: an explicit `notification_id` is refused); the EXCLUSIVE table lock
  the event store takes is taken by the owner's function `iro_ledger_lock_events`
  (application.recorder), so the role holds no UPDATE, DELETE or TRUNCATE, and may not take
  ACCESS EXCLUSIVE;
- on `checkpoints` and the Merkle log's tables: SELECT and INSERT (and the append-only
  triggers refuse UPDATE, DELETE and TRUNCATE to everyone); on `guard_log`: SELECT;
- on the other read models (timeline, flags, measures ...), which are derived from the
  events and rebuilt from them: SELECT, INSERT, UPDATE and DELETE, and on their tracking
  table the same less DELETE; on the sign-in tables (sessions, codes, revoked tokens) the
  same as on read models. Dropping or rebuilding any table is the owner's.

Nothing granted lets the application role alter, drop or disable a table, trigger or
function, create objects, or change a stored event, checkpoint or Merkle row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from iro_ledger.application.recorder import LOCK_FUNCTION
from iro_ledger.application.sealing import KEYS_SCHEMA
from iro_ledger.projections.db import libpq_url
from iro_ledger.trust import checkpoint_store, guard
from iro_ledger.trust.log import MerkleLogModel
from iro_ledger.trust.service import Trust

EVENT_COLUMNS = ("originator_id", "originator_version", "topic", "state")
TRACKING = ("projection_tracking", "projection_records")


class RolesError(Exception):
    """The roles cannot be set up as asked (the message says why)."""


@dataclass(frozen=True)
class Layout:
    """The ledger's objects in one schema, sorted by what the application role may do."""

    schema: str
    events: str
    row_type: str
    insert_function: str
    append_only: tuple[str, ...] = (*checkpoint_store.TABLES, *MerkleLogModel.tables)
    read_models: tuple[str, ...] = ()
    sign_ins: tuple[str, ...] = ()
    """Dashboard sessions, sign-in codes and revoked tokens (`identity.sessions`): not
    evidence, kept and ended by the application."""

    @property
    def tables(self) -> list[str]:
        return [self.events, *self.append_only, guard.LOG, *TRACKING, *self.read_models,
                *self.sign_ins]


def layout_of(trust: Trust) -> Layout:
    """The layout of the store `trust` runs on (its tables must exist: set up first)."""
    recorder: Any = trust.ledger.recorder
    merkle = set(MerkleLogModel.tables)
    models = [t for m in trust.projections.models.values() for t in m.tables if t not in merkle]
    return Layout(schema=str(recorder.datastore.schema), events=str(recorder.events_table_name),
                  row_type=str(recorder.stored_event_type_name),
                  insert_function=str(recorder.pg_function_name_insert_events),
                  read_models=tuple(models))


@dataclass
class Roles:
    owner: str = "iro_owner"
    app: str = "iro_app"
    app_password: str | None = None
    owner_password: str | None = None
    """Given, the owner may log in (for rebuilds); without, it never logs in."""
    done: list[str] = field(default_factory=list)


def set_up(url: str, layout: Layout, roles: Roles) -> list[str]:
    """Create or adjust the roles, hand every object to the owner and grant the application
    role its due (see the module docstring); what was done, a line each. Idempotent."""
    if roles.owner == roles.app:
        raise RolesError("the owner and the application role must be different roles")
    with _admin(libpq_url(url)) as conn:
        _make_roles(conn, roles)
        _hand_over(conn, layout, roles)
        _grant(conn, layout, roles)
    return roles.done


@contextmanager
def _admin(conninfo: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute("SELECT current_user, rolsuper FROM pg_roles"
                           " WHERE rolname = current_user").fetchone()
        if not row or not row[1]:
            raise RolesError(f"db setup creates roles and hands tables over: run it as a "
                             f"PostgreSQL superuser, not {row[0] if row else 'this role'}")
        with conn.transaction():
            yield conn


def _run(conn: psycopg.Connection[Any], statement: sql.Composed) -> None:
    conn.execute(statement)


def _make_roles(conn: psycopg.Connection[Any], roles: Roles) -> None:
    for name, login, password in ((roles.owner, roles.owner_password is not None,
                                   roles.owner_password),
                                  (roles.app, True, roles.app_password)):
        found = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        role = sql.Identifier(name)
        if found is None:
            _run(conn, sql.SQL("CREATE ROLE {}").format(role))
            roles.done.append(f"created role {name}")
        options = sql.SQL("LOGIN" if login else "NOLOGIN")
        _run(conn, sql.SQL("ALTER ROLE {} {} NOSUPERUSER NOCREATEDB NOCREATEROLE"
                           " NOREPLICATION NOBYPASSRLS").format(role, options))
        if password is not None:
            _run(conn, sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(password)))
    member = conn.execute("SELECT pg_has_role(%s, %s, 'MEMBER')",
                          (roles.app, roles.owner)).fetchone()
    if member and member[0]:
        raise RolesError(f"{roles.app} is a member of {roles.owner}, so it holds the owner's "
                         f"rights: REVOKE {roles.owner} FROM {roles.app} first")


def _hand_over(conn: psycopg.Connection[Any], layout: Layout, roles: Roles) -> None:
    schema, to = sql.Identifier(layout.schema), sql.Identifier(roles.owner)
    _run(conn, sql.SQL("GRANT USAGE, CREATE ON SCHEMA {} TO {}").format(schema, to))
    _run(conn, sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(schema))
    for table in layout.tables:  # a table takes its indexes, sequences and triggers along
        _run(conn, sql.SQL("ALTER TABLE {}.{} OWNER TO {}").format(
            schema, sql.Identifier(table), to))
    _run(conn, sql.SQL("ALTER TYPE {}.{} OWNER TO {}").format(
        schema, sql.Identifier(layout.row_type), to))
    for function in _functions(conn, layout):
        _run(conn, sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(sql.SQL(function), to))
    if _keys_in_place(conn):
        keys = sql.Identifier(KEYS_SCHEMA)
        _run(conn, sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(keys, to))
        _run(conn, sql.SQL("ALTER TABLE {}.record_keys OWNER TO {}").format(keys, to))
    roles.done.append(f"{roles.owner} owns the {len(layout.tables)} tables, their triggers "
                      f"and the functions in schema {layout.schema}")


def _keys_in_place(conn: psycopg.Connection[Any]) -> bool:
    found = conn.execute("SELECT to_regclass(%s)", (f"{KEYS_SCHEMA}.record_keys",)).fetchone()
    return found is not None and found[0] is not None


def _functions(conn: psycopg.Connection[Any], layout: Layout) -> list[str]:
    """The ledger's functions, as regprocedure text (name and argument types)."""
    rows = conn.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n"
        " ON n.oid = p.pronamespace WHERE n.nspname = %s AND p.proname = ANY(%s)",
        (layout.schema, [guard.FUNCTION, LOCK_FUNCTION, layout.insert_function])).fetchall()
    return [str(r[0]) for r in rows]


def _grant(conn: psycopg.Connection[Any], layout: Layout, roles: Roles) -> None:
    schema, app = sql.Identifier(layout.schema), sql.Identifier(roles.app)
    database = conn.execute("SELECT current_database()").fetchone()
    assert database is not None
    _run(conn, sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
        sql.Identifier(str(database[0])), app))
    _run(conn, sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(schema, app))
    _run(conn, sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, app))

    def table(name: str, privileges: str) -> None:
        target = sql.SQL("{}.{}").format(schema, sql.Identifier(name))
        _run(conn, sql.SQL("REVOKE ALL ON {} FROM {}").format(target, app))
        _run(conn, sql.SQL("GRANT {} ON {} TO {}").format(sql.SQL(privileges), target, app))

    columns = sql.SQL(", ").join(sql.Identifier(c) for c in EVENT_COLUMNS)
    table(layout.events, "SELECT")
    _run(conn, sql.SQL("GRANT INSERT ({}) ON {}.{} TO {}").format(
        columns, schema, sql.Identifier(layout.events), app))
    sequence = conn.execute("SELECT pg_get_serial_sequence(%s, 'notification_id')",
                            (f"{layout.schema}.{layout.events}",)).fetchone()
    if sequence and sequence[0]:
        _run(conn, sql.SQL("REVOKE ALL ON SEQUENCE {} FROM {}").format(
            sql.SQL(sequence[0]), app))
        _run(conn, sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(sql.SQL(sequence[0]), app))
    for name in layout.append_only:
        table(name, "SELECT, INSERT")
    table(guard.LOG, "SELECT")
    table("projection_tracking", "SELECT, INSERT, UPDATE")
    table("projection_records", "SELECT, INSERT")
    for name in (*layout.read_models, *layout.sign_ins):
        table(name, "SELECT, INSERT, UPDATE, DELETE")
    if _keys_in_place(conn):  # record keys: made, read and destroyed (erasure), never changed
        keys = sql.Identifier(KEYS_SCHEMA)
        _run(conn, sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(keys, app))
        _run(conn, sql.SQL("REVOKE ALL ON {}.record_keys FROM {}").format(keys, app))
        _run(conn, sql.SQL("GRANT SELECT, INSERT, DELETE ON {}.record_keys TO {}").format(
            keys, app))
    for function in _functions(conn, layout):
        _run(conn, sql.SQL("REVOKE ALL ON FUNCTION {} FROM PUBLIC").format(sql.SQL(function)))
    _run(conn, sql.SQL("GRANT EXECUTE ON FUNCTION {}.{}() TO {}").format(
        schema, sql.Identifier(LOCK_FUNCTION), app))
    # Tables the owner makes later (a rebuilt or new read model) are open to the application
    # as read models are; a rebuilt Merkle table is re-guarded by its triggers at once.
    _run(conn, sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT, "
                       "INSERT, UPDATE, DELETE ON TABLES TO {}").format(
        sql.Identifier(roles.owner), schema, app))
    roles.done.append(f"{roles.app} may append events and read; it may not change or remove "
                      "an event, checkpoint, Merkle row, trigger or table")

