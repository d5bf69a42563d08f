"""The database's own refusal, on both stores: no UPDATE, DELETE or TRUNCATE of events or
checkpoints, triggers restored when services are built, and (PostgreSQL) an application role
that can only append and read, as `iro-ledger db setup` makes it."""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from iro_ledger.application import Principal, Role
from iro_ledger.identity.sessions import SignIns
from iro_ledger.projections.db import Database, libpq_url
from iro_ledger.trust import guard
from tests.integration.trust_story import STORES, Store, authorities, fresh_store, module_store

FEW = authorities("ZGA", "ZGB", "ZGC")
"""A few events are enough to be refused changes to."""
REFUSED = (psycopg.errors.RestrictViolation, sqlite3.IntegrityError)


@pytest.fixture(scope="module", params=STORES)
def guarded(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store with a few events and a checkpoint, which every test here fails to change."""
    with module_store(request, tmp_path_factory.mktemp("guarded"), FEW) as made:
        made.ok("checkpoint")
        yield made


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Store:
    made = fresh_store(database_url, tmp_path, FEW)
    made.ok("checkpoint")
    return made


def refused(store: Store, statement: str) -> str:
    with pytest.raises(REFUSED) as refusal:
        store.attack(statement)
    return str(refusal.value)


def test_the_store_refuses_to_change_delete_or_truncate_events(guarded: Store) -> None:
    before = guarded.ok("stats", "--json").stdout
    table = guarded.events
    statements = [f"UPDATE {table} SET state = state", f"DELETE FROM {table}",
                  f"DELETE FROM {table} WHERE originator_version = 1"]
    if guarded.postgres:  # SQLite has no TRUNCATE; its DELETE without WHERE is refused above
        statements.append(f"TRUNCATE {table}")

    for statement in statements:
        operation = statement.split()[0]
        assert (f"{operation} on {table} is refused: the table is append-only"
                in refused(guarded, statement))
    if guarded.postgres:  # replica mode skips ordinary triggers, not ones enabled ALWAYS
        with (psycopg.connect(libpq_url(guarded.url)) as conn,
              pytest.raises(psycopg.errors.RestrictViolation)):
            conn.execute("SET session_replication_role = replica")
            conn.execute(f"DELETE FROM {table}")
    assert guarded.ok("stats", "--json").stdout == before


def test_the_store_refuses_to_change_delete_or_truncate_checkpoints(guarded: Store) -> None:
    statements = ["UPDATE checkpoints SET note = note", "DELETE FROM checkpoints"]
    if guarded.postgres:
        statements.append("TRUNCATE checkpoints")

    for statement in statements:
        operation = statement.split()[0]
        assert (f"{operation} on checkpoints is refused: the table is append-only"
                in refused(guarded, statement))
    assert len(guarded.query("SELECT tree_size FROM checkpoints")) == 1


def test_dropped_or_disabled_triggers_are_restored_when_services_are_built(store: Store) -> None:
    store.drop_guard()
    if store.postgres:
        store.attack("ALTER TABLE checkpoints DISABLE TRIGGER checkpoints_append_only")
    with store.services() as built:
        found = guard.status(built.projections.db, built.trust.guarded_tables)
        assert found == dict.fromkeys(found, True)
        assert {built.trust.guarded_tables[0], "checkpoints", "guard_log"} <= set(found)

    refused(store, f"DELETE FROM {store.events}")
    refused(store, "DELETE FROM checkpoints")


def test_installing_the_guard_again_changes_nothing(store: Store) -> None:
    with store.services() as built:
        built.trust.install_guard()
        built.trust.install_guard()
        triggers = _triggers(store)
    with store.services():
        assert _triggers(store) == triggers
    # events, checkpoints, checkpoint_cosignatures, guard_log and the Merkle log's two tables
    assert len(triggers) == 6 * 2


def _triggers(store: Store) -> list[str]:
    if store.postgres:
        query = ("SELECT tgname AS name FROM pg_trigger WHERE NOT tgisinternal"
                 " ORDER BY tgname")
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    return [str(r["name"]) for r in store.query(query)]


# PostgreSQL: `db setup` makes an owner and an application role that can only append and read


@pytest.fixture
def app_store(postgres_url: str, tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """A store set up by `db setup`: (as the superuser, as the application role)."""
    owner, app = f"iro_owner_{secrets.token_hex(4)}", f"iro_app_{secrets.token_hex(4)}"
    admin = fresh_store(postgres_url, tmp_path, FEW)
    try:
        done = admin.ok("db", "setup", "--owner", owner, "--app", app).stdout
        assert f"{app} may append events and read" in done
        yield admin, Store(postgres_url.replace("postgres@", f"{app}@", 1), admin.home,
                           allow_superuser=False)
    finally:
        with psycopg.connect(libpq_url(postgres_url), autocommit=True) as conn:
            for role in (owner, app):
                conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def attempt(store: Store, statement: str, params: tuple[object, ...] = ()) -> None:
    """Run one statement in a transaction as the store's role, outside the application."""
    with psycopg.connect(libpq_url(store.url)) as conn, conn.transaction():
        conn.execute(statement.replace("?", "%s"), params)


def test_the_application_role_appends_events_and_checkpoints_as_the_application_does(
        app_store: tuple[Store, Store]) -> None:
    admin, app = app_store

    app.ingest(authorities("ZZR", "ZZS"))
    app.ok("checkpoint")

    assert json.loads(app.ok("stats", "--json").stdout)["events"] == len(FEW) + 2
    assert admin.audit()[0] == 0
    assert app.audit()[0] == 0  # the audit runs as the application role too


def test_the_application_role_is_refused_every_attack_on_the_record(
        app_store: tuple[Store, Store]) -> None:
    admin, app = app_store
    events = admin.events
    copied = admin.stored(1)
    before = admin.ok("stats", "--json").stdout
    attacks = [
        f"UPDATE {events} SET state = state", f"DELETE FROM {events}", f"TRUNCATE {events}",
        f"ALTER TABLE {events} DISABLE TRIGGER ALL",
        f"DROP TRIGGER {events}_append_only ON {events}",
        f"CREATE OR REPLACE FUNCTION {guard.FUNCTION}() RETURNS trigger LANGUAGE plpgsql"
        " AS $$ BEGIN RETURN OLD; END $$",
        f"DROP TABLE {events}", "DROP TABLE checkpoints", "DROP TABLE merkle_leaves_v1",
        f"LOCK TABLE {events} IN ACCESS EXCLUSIVE MODE",
        "DELETE FROM checkpoints", "UPDATE checkpoints SET note = note", "TRUNCATE checkpoints",
        "DELETE FROM merkle_leaves_v1", "UPDATE merkle_nodes_v1 SET hash = hash",
        "TRUNCATE merkle_nodes_v1", "DELETE FROM guard_log",
        "CREATE TABLE shadow (x int)",
    ]
    for statement in attacks:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            attempt(app, statement)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        attempt(app, f"INSERT INTO {events} (notification_id, originator_id, originator_version,"
                " topic, state) VALUES (0, ?, 1, ?, ?)",
                (uuid.uuid4(), copied.topic, copied.state))

    assert admin.ok("stats", "--json").stdout == before
    assert admin.audit()[0] == 0


def test_the_application_role_takes_the_event_lock_only_through_the_owners_function(
        app_store: tuple[Store, Store]) -> None:
    admin, app = app_store
    with psycopg.connect(libpq_url(app.url)) as conn, conn.transaction():
        conn.execute("SELECT iro_ledger_lock_events()")
        modes = conn.execute("SELECT mode FROM pg_locks WHERE relation = to_regclass(%s)"
                             " AND pid = pg_backend_pid()", (admin.events,)).fetchall()
    assert ("ExclusiveLock",) in modes
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        attempt(app, f"LOCK TABLE {admin.events} IN EXCLUSIVE MODE")


def test_the_application_refuses_to_run_as_a_superuser_unless_told(
        postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(postgres_url, tmp_path, allow_superuser=False)

    refused = store.cli("stats")
    allowed = store.cli("stats", IRO_LEDGER_ALLOW_SUPERUSER="true")

    assert refused.exit_code == 2
    assert "a superuser, who can remove the append-only guard" in refused.stderr
    assert "IRO_LEDGER_ALLOW_SUPERUSER=true" in refused.stderr
    assert allowed.exit_code == 0, allowed.output


def test_the_owner_rebuilds_and_the_application_role_carries_on(
        postgres_url: str, tmp_path: Path) -> None:
    owner, app = f"iro_owner_{secrets.token_hex(4)}", f"iro_app_{secrets.token_hex(4)}"
    admin = fresh_store(postgres_url, tmp_path, FEW)
    try:
        admin.ok("db", "setup", "--owner", owner, "--app", app, "--owner-password", "o")
        as_owner = Store(postgres_url.replace("postgres@", f"{owner}:o@", 1), admin.home,
                         allow_superuser=False)
        as_app = Store(postgres_url.replace("postgres@", f"{app}@", 1), admin.home,
                       allow_superuser=False)
        admin.ok("checkpoint")

        refused = as_app.cli("projections", "rebuild", "merkle")
        as_owner.ok("projections", "rebuild", "merkle")
        as_owner.ok("projections", "rebuild", "flags")
        as_app.ingest(authorities("ZZT"))
        as_app.ok("checkpoint")

        assert refused.exit_code == 2
        assert "only the tables' owner may rebuild them" in refused.stderr
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            attempt(as_app, "TRUNCATE merkle_leaves_v1")
        with pytest.raises(psycopg.errors.RestrictViolation):
            attempt(as_app, "DELETE FROM merkle_leaves_v1")
        assert admin.audit()[0] == 0
    finally:
        with psycopg.connect(libpq_url(postgres_url), autocommit=True) as conn:
            for role in (owner, app):
                conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_a_trigger_a_superuser_dropped_is_reported_by_the_application_roles_audit(
        app_store: tuple[Store, Store]) -> None:
    admin, app = app_store
    table = admin.events
    admin.attack(f"DROP TRIGGER {table}_append_only ON {table}")

    status, report = app.audit()

    assert status == 1
    assert [f["kind"] for f in report["findings"]] == ["guard"]
    assert "are missing or disabled now" in report["findings"][0]["message"]


def test_the_application_role_keeps_and_ends_sessions_and_revokes_tokens(
        app_store: tuple[Store, Store]) -> None:
    _, app = app_store
    sign_ins = SignIns(Database(app.url))
    iro = Principal("iro-ada", Role.IRO, "ZGA")
    try:
        cookie, _ = sign_ins.start(iro, "jti-1", int(time.time()) + 60)
        assert sign_ins.session(cookie) is not None
        code = sign_ins.issue_code(iro, ttl_seconds=60)
        assert sign_ins.redeem_code(code) == iro

        assert sign_ins.revoke("jti-1", int(time.time()) + 60, "cli:admin", "test") == 1

        assert sign_ins.session(cookie) is None
        assert sign_ins.is_revoked("jti-1")
    finally:
        sign_ins.db.close()
