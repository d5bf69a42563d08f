"""The database's own refusal, on both stores: no UPDATE, DELETE or TRUNCATE of events or
checkpoints, triggers restored when services are built, and (PostgreSQL) an application role
that can write but cannot remove them, as docs/operations.md sets it up."""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from iro_ledger.application import Principal, Role
from iro_ledger.commands import parse_command
from iro_ledger.projections.db import libpq_url
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
        tables = built.trust.guarded_tables
        assert guard.status(built.projections.db, tables) == dict.fromkeys(tables, True)

    refused(store, f"DELETE FROM {store.events}")
    refused(store, "DELETE FROM checkpoints")


def test_installing_the_guard_again_changes_nothing(store: Store) -> None:
    with store.services() as built:
        built.trust.install_guard()
        built.trust.install_guard()
        triggers = _triggers(store)
    with store.services():
        assert _triggers(store) == triggers
    assert len(triggers) == 6  # events, checkpoints, checkpoint_cosignatures


def _triggers(store: Store) -> list[str]:
    if store.postgres:
        query = ("SELECT tgname AS name FROM pg_trigger WHERE NOT tgisinternal"
                 " ORDER BY tgname")
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    return [str(r["name"]) for r in store.query(query)]


# PostgreSQL: the owner runs migrations, the application runs as a role that cannot drop triggers


@pytest.fixture
def app_role(postgres_url: str) -> Iterator[tuple[str, str]]:
    """A login role granted what docs/operations.md grants; its name and its database URL."""
    role = f"iro_app_{secrets.token_hex(4)}"
    with psycopg.connect(libpq_url(postgres_url), autocommit=True) as owner:
        owner.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    try:
        yield role, postgres_url.replace("postgres@", f"{role}@", 1)
    finally:
        with psycopg.connect(libpq_url(postgres_url), autocommit=True) as owner:
            owner.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            owner.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def documented_grants() -> list[str]:
    """The GRANT statements docs/operations.md tells an owner to run."""
    text = (Path(__file__).parents[2] / "docs" / "operations.md").read_text()
    blocks = re.findall(r"```sql\n(.*?)```", text, flags=re.DOTALL)
    grants = [line.strip() for block in blocks for line in block.splitlines()
              if line.strip().startswith("GRANT")]
    assert grants, "docs/operations.md shows no GRANT statements"
    return grants


def test_an_application_role_writes_events_but_cannot_undo_the_guard(
        postgres_url: str, tmp_path: Path, app_role: tuple[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    owner = fresh_store(postgres_url, tmp_path, FEW)
    role, url = app_role
    with psycopg.connect(libpq_url(postgres_url), autocommit=True) as conn:
        for grant in documented_grants():
            conn.execute(grant.replace("iro_app", role)
                         .replace("iro_ledger_db", postgres_url.rsplit("/", 1)[1]))
    monkeypatch.setenv("CREATE_TABLE", "false")
    app = Store(url, owner.home)

    with app.services() as built:
        command = parse_command(authorities("ZZR")[0])
        built.ledger.execute(command, Principal(sub="admin-app", role=Role.ADMIN), "api")
        assert built.trust.checkpoint_now() is not None

    # Refused by the trigger where the role holds the privilege (UPDATE, for the table lock),
    # by the privileges everywhere else.
    with pytest.raises(psycopg.errors.RestrictViolation):
        app.attack(f"UPDATE {owner.events} SET state = state")
    for statement in (f"DELETE FROM {owner.events}", "DELETE FROM checkpoints",
                      "UPDATE checkpoints SET note = note",
                      f"DROP TRIGGER {owner.events}_append_only ON {owner.events}",
                      f"ALTER TABLE {owner.events} DISABLE TRIGGER ALL",
                      f"TRUNCATE {owner.events}", f"DROP TABLE {owner.events}",
                      "DROP TABLE checkpoints"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.attack(statement)
    assert owner.audit()[0] == 0
