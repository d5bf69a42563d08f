"""Many rows at once on PostgreSQL: the same rows as one statement per row would leave."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from iro_ledger.projections.db import Database


@pytest.fixture
def db(postgres_url: str) -> Iterator[Database]:
    db = Database(postgres_url)
    with db.transaction() as tx:
        tx.execute("CREATE TABLE tally (k TEXT PRIMARY KEY, n BIGINT, note TEXT)")
    yield db
    db.close()


def rows(db: Database) -> list[tuple[str, int, str | None]]:
    return [(r["k"], r["n"], r["note"]) for r in db.query("SELECT * FROM tally ORDER BY k")]


def test_an_overwriting_upsert_keeps_the_last_row_of_each_key(db: Database) -> None:
    with db.transaction() as tx:
        tx.executemany("INSERT INTO tally (k, n, note) VALUES (?, ?, ?) ON CONFLICT (k)"
                       " DO UPDATE SET n = excluded.n, note = excluded.note",
                       [("a", 1, "first"), ("b", 2, None), ("a", 3, "last")]
                       + [(f"z{i:04}", i, "x") for i in range(2500)])

    found = rows(db)
    assert found[:2] == [("a", 3, "last"), ("b", 2, None)]
    assert len(found) == 2502


def test_an_insert_that_does_nothing_on_conflict_keeps_the_first(db: Database) -> None:
    with db.transaction() as tx:
        tx.execute("INSERT INTO tally (k, n, note) VALUES (?, ?, ?)", ("a", 0, "stored"))
        tx.executemany("INSERT INTO tally (k, n, note) VALUES (?, ?, ?)"
                       " ON CONFLICT (k) DO NOTHING", [("a", 1, "new"), ("b", 2, "b1"),
                                                       ("b", 3, "b2")])

    assert rows(db) == [("a", 0, "stored"), ("b", 2, "b1")]


def test_an_upsert_that_reads_the_old_row_sees_each_row_in_turn(db: Database) -> None:
    with db.transaction() as tx:
        tx.executemany("INSERT INTO tally (k, n, note) VALUES (?, ?, ?) ON CONFLICT (k)"
                       " DO UPDATE SET n = tally.n + excluded.n",
                       [("a", 1, None), ("a", 2, None), ("a", 4, None)])

    assert rows(db) == [("a", 7, None)]
