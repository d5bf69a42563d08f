"""Shared steps for the trust tests: a store with a batch ingested and a signing key, the CLI
run against it, and an attacker with the tables' owner rights working on the database directly.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import Result
from eventsourcing.persistence import Notification
from typer.testing import CliRunner

from iro_ledger.cli import app
from iro_ledger.projections.db import libpq_url
from iro_ledger.settings import Settings
from iro_ledger.wiring import Services, build_services
from tests.conftest import fresh_database
from tests.fixtures_data import batch_commands, write_jsonl

CASES_PER_AUTHORITY = 4
CHALLENGE = ("EMR", "ch-002")
"""A challenge the synthetic batch raises (then withdraws under instruction)."""


@dataclass
class Store:
    """A fresh store, a signing key beside it, and the public key an IRO is given."""

    url: str
    home: Path
    allow_superuser: bool = True
    """The tests connect as a superuser; the application refuses that unless told."""

    @property
    def key_path(self) -> Path:
        return self.home / "keys" / "checkpoint.pem"

    @property
    def public_key(self) -> Path:
        return self.home / "public.pem"

    def env(self, **more: str) -> dict[str, str]:
        return {"IRO_LEDGER_DATABASE_URL": self.url,
                "IRO_LEDGER_SIGNING_KEY_PATH": str(self.key_path),
                "IRO_LEDGER_ALLOW_SUPERUSER": str(self.allow_superuser).lower(), **more}

    def cli(self, *args: str, **env: str) -> Result:
        return CliRunner().invoke(app, list(args), env=self.env(**env))

    def ok(self, *args: str, **env: str) -> Result:
        result = self.cli(*args, **env)
        assert result.exit_code == 0, result.output
        return result

    def settings(self, **more: Any) -> Settings:
        return Settings(database_url=self.url, signing_key_path=self.key_path,
                        **{"allow_superuser": self.allow_superuser, **more})

    @contextmanager
    def services(self, **more: Any) -> Iterator[Services]:
        built = build_services(self.settings(**more))
        try:
            yield built
        finally:
            built.close()

    def ingest(self, commands: Sequence[dict[str, Any]]) -> None:
        self.ok("ingest", "--atomic", str(write_jsonl(self.file("batch.jsonl"), commands)))

    def file(self, name: str) -> Path:
        """A new file's path in the store's directory (never one used before)."""
        stem, _, suffix = name.rpartition(".")
        return self.home / f"{stem}-{uuid.uuid4().hex[:8]}.{suffix}"

    def receipt(self, la_code: str, record: str) -> Path:
        out = self.file("receipt.json")
        self.ok("receipt", "--record", record, "--la", la_code, "--out", str(out))
        return out

    def leaf(self, kind: str, la_code: str, ref: str, number: int) -> dict[str, Any]:
        rows = self.query("SELECT leaf_index, position FROM merkle_leaves_v1 WHERE kind = ?"
                          " AND la_code = ? AND ref = ? AND number = ?",
                          (kind, la_code, ref, number))
        assert len(rows) == 1, rows
        return rows[0]

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.services() as built:
            return built.projections.db.query(sql, params)

    # The attacker: the tables' owner, working on the database behind the application's back

    @property
    def postgres(self) -> bool:
        return not self.url.startswith("sqlite")

    def attack(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement as the owner, outside the application."""
        if self.postgres:
            with psycopg.connect(libpq_url(self.url), autocommit=True) as conn:
                conn.execute(sql.replace("?", "%s"), tuple(params))
            return
        with sqlite3.connect(self.url.removeprefix("sqlite:///"), isolation_level=None) as conn:
            conn.execute(sql, tuple(params))

    @cached_property
    def events(self) -> str:
        """The event table's name (the store chooses it: ledger_events, stored_events).

        Asked once: building services reinstalls the guard an attacker has just dropped.
        """
        with self.services() as built:
            return str(built.ledger.recorder.events_table_name)  # type: ignore[attr-defined]

    def drop_guard(self) -> None:
        """What an owner does first: drop the append-only triggers on the event table."""
        table = self.events
        if self.postgres:
            self.attack(f"DROP TRIGGER {table}_append_only ON {table}")
            self.attack(f"DROP TRIGGER {table}_no_truncate ON {table}")
        else:
            self.attack(f"DROP TRIGGER {table}_append_only_update")
            self.attack(f"DROP TRIGGER {table}_append_only_delete")

    @property
    def position_column(self) -> str:
        return "notification_id" if self.postgres else "rowid"

    def stored(self, position: int) -> Notification:
        """The event stored at `position`, as the application reads it."""
        with self.services() as built:
            notes = built.ledger.recorder.select_notifications(start=position, limit=1)
        assert notes and notes[0].id == position
        return notes[0]

    def audit(self, *options: str) -> tuple[int, dict[str, Any]]:
        result = self.cli("audit", "--json", *options)
        assert result.exit_code in (0, 1), result.output
        report: dict[str, Any] = json.loads(result.stdout)
        return result.exit_code, report


STORES = [pytest.param("sqlite", id="sqlite"),
          pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]
"""Params for a module-scoped store (`module_store`)."""


@contextmanager
def module_store(request: pytest.FixtureRequest, home: Path,
                 commands: Sequence[dict[str, Any]] | None = None) -> Iterator[Store]:
    """One fresh store (SQLite or PostgreSQL, `request.param`) shared by a module's tests."""
    if request.param == "sqlite":
        yield fresh_store(f"sqlite:///{home / 'ledger.sqlite'}", home, commands)
        return
    with fresh_database(request.getfixturevalue("postgres_server_dsn")) as url:
        yield fresh_store(url, home, commands)


def fresh_authorities(count: int = 1) -> list[str]:
    """Codes of fictional authorities no other test has registered."""
    return [f"ZZ-{uuid.uuid4().hex[:8]}" for _ in range(count)]


def fresh_store(url: str, home: Path,
                commands: Sequence[dict[str, Any]] | None = None) -> Store:
    """A store with a signing key made by `keys generate` and a batch ingested (by default
    the synthetic history of several authorities)."""
    store = Store(url, home)
    store.public_key.write_text(store.ok("keys", "generate").stdout)
    store.ingest(batch_commands(CASES_PER_AUTHORITY) if commands is None else commands)
    assert store.events
    return store


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document))
    return path


def flip_byte(encoded: str, at: int) -> str:
    """The base64 of the same bytes with one bit of byte `at` flipped."""
    data = bytearray(base64.b64decode(encoded))
    data[at] ^= 0x01
    return base64.b64encode(bytes(data)).decode()


def authorities(*codes: str) -> list[dict[str, Any]]:
    """Commands registering more fictional authorities: new events to grow the log with."""
    return [{"command": "register_authority", "la_code": code, "name": f"Fictional {code}",
             "occurred_on": "2024-01-02"} for code in codes]
