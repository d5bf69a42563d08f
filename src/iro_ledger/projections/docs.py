"""Keyed JSON documents: the shape most read models keep, and how a pure core changes them.

A read model's core is a pure function of (events, documents): it asks `Docs` for the
documents it needs by key, changes or creates them, and appends rows. In unit tests `Docs`
starts empty and nothing is stored; in the read model, `Docs` fetches a missing document from
the model's table within the batch's transaction, and `save` writes back what changed. So the
same core serves literal event lists and the database.

A `Table` keeps each document as JSON in a `doc` column beside its key columns and a few
columns copied from the document for queries (filters, ordering, pagination).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from iro_ledger.projections.db import Row, Tx

Doc = dict[str, Any]
Key = tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of documents: key columns, query columns (copied from the document), the doc."""

    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...] = ()
    integers: frozenset[str] = frozenset()
    """Columns holding integers (BIGINT); all others are TEXT."""
    indexes: tuple[tuple[str, ...], ...] = ()
    append_only: bool = False
    """Each document is written once and never changed (a timeline's entries): saved by a
    plain INSERT, which a large batch sends as a COPY (`Tx.executemany`)."""

    def create(self, tx: Tx) -> None:
        names = (*self.key, *self.columns)
        cols = ", ".join(f"{c} {'BIGINT' if c in self.integers else 'TEXT'}" for c in names)
        tx.execute(f"CREATE TABLE IF NOT EXISTS {self.name} ({cols}, doc TEXT NOT NULL,"
                   f" PRIMARY KEY ({', '.join(self.key)}))")
        for number, index in enumerate(self.indexes):
            tx.execute(f"CREATE INDEX IF NOT EXISTS {self.name}_i{number} "
                       f"ON {self.name} ({', '.join(index)})")

    def load(self, tx: Tx, key: Key) -> Doc | None:
        where = " AND ".join(f"{c} = ?" for c in self.key)
        row = tx.one(f"SELECT doc FROM {self.name} WHERE {where}", key)
        return None if row is None else decode(row)

    def load_many(self, tx: Tx, keys: Sequence[Key]) -> dict[Key, Doc]:
        """The documents found under `keys`, fetched a few hundred keys a query."""
        found: dict[Key, Doc] = {}
        if tx.dialect == "postgres":  # an array a key column: one statement text, any count
            types = tx.column_types(self.name)
            arrays = ", ".join(f"?::{types[c]}[]" for c in self.key)
            sql = (f"SELECT doc FROM {self.name} WHERE ({', '.join(self.key)}) IN"
                   f" (SELECT * FROM unnest({arrays}))")
            for start in range(0, len(keys), 5000):
                chunk = keys[start:start + 5000]
                columns = [list(c) for c in zip(*chunk, strict=True)]
                for doc in map(decode, tx.query(sql, columns)):
                    found[self.key_of(doc)] = doc
            return found
        row = "(" + ", ".join("?" for _ in self.key) + ")"
        for start in range(0, len(keys), 200):
            chunk = keys[start:start + 200]
            sql = (f"SELECT doc FROM {self.name} WHERE ({', '.join(self.key)}) IN"
                   f" (VALUES {', '.join(row for _ in chunk)})")
            for doc in map(decode, tx.query(sql, [v for key in chunk for v in key])):
                found[self.key_of(doc)] = doc
        return found

    def save(self, tx: Tx, docs: Iterable[Doc]) -> None:
        names = (*self.key, *self.columns, "doc")
        marks = ", ".join("?" for _ in names)
        updates = ", ".join(f"{c} = excluded.{c}" for c in (*self.columns, "doc"))
        upsert = ("" if self.append_only else
                  f" ON CONFLICT ({', '.join(self.key)}) DO UPDATE SET {updates}")
        tx.executemany(
            f"INSERT INTO {self.name} ({', '.join(names)}) VALUES ({marks}){upsert}",
            [self.values(doc) for doc in docs])

    def values(self, doc: Doc) -> tuple[Any, ...]:
        return (*(doc[c] for c in self.key), *(doc.get(c) for c in self.columns), encode(doc))

    def key_of(self, doc: Doc) -> Key:
        return tuple(doc[c] for c in self.key)

    def select(self, tx: Tx, where: str = "", params: Sequence[Any] = (),
               order: str = "", limit: int | None = None, offset: int = 0) -> list[Doc]:
        """Documents matching a WHERE clause over the key and query columns."""
        sql = f"SELECT doc FROM {self.name}"
        if where:
            sql += f" WHERE {where}"
        sql += f" ORDER BY {order or ', '.join(self.key)}"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return [decode(row) for row in tx.query(sql, params)]

    def count(self, tx: Tx, where: str = "", params: Sequence[Any] = ()) -> int:
        sql = f"SELECT COUNT(*) AS n FROM {self.name}" + (f" WHERE {where}" if where else "")
        row = tx.one(sql, params)
        return int(row["n"]) if row else 0


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)
"""Made once: `json.dumps` with options builds an encoder per call."""


def encode(doc: Doc) -> str:
    return _ENCODER.encode(doc)


def decode(row: Row) -> Doc:
    doc: Doc = json.loads(row["doc"])
    return doc


Loader = Callable[[Table, Key], Doc | None]
BulkLoader = Callable[[Table, Sequence[Key]], dict[Key, Doc]]


def _nothing(table: Table, key: Key) -> Doc | None:
    return None


@dataclass
class Docs:
    """The documents one batch reads and writes, with those it changed."""

    loader: Loader = _nothing
    bulk: BulkLoader | None = None
    _docs: dict[tuple[str, Key], Doc | None] = field(default_factory=dict)
    _tables: dict[str, Table] = field(default_factory=dict)
    _dirty: dict[tuple[str, Key], None] = field(default_factory=dict)

    def get(self, table: Table, *key: str) -> Doc | None:
        slot = (table.name, key)
        if slot not in self._docs:
            self._docs[slot] = self.loader(table, key)
            self._tables[table.name] = table
        return self._docs[slot]

    def prefetch(self, table: Table, keys: Iterable[Key]) -> None:
        """Fetch the documents a batch will ask for in one go (saves a query a document)."""
        wanted = list(dict.fromkeys(k for k in keys if (table.name, k) not in self._docs))
        if self.bulk is None or not wanted:
            return
        found = self.bulk(table, wanted)
        self._tables[table.name] = table
        for key in wanted:
            self._docs[(table.name, key)] = found.get(key)

    def put(self, table: Table, doc: Doc) -> Doc:
        """Create or replace a document; it is saved with the batch."""
        slot = (table.name, table.key_of(doc))
        self._docs[slot] = doc
        self._tables[table.name] = table
        self._dirty[slot] = None
        return doc

    def touch(self, table: Table, doc: Doc) -> None:
        """Mark a document fetched with `get` and changed in place as changed."""
        self.put(table, doc)

    def changed(self) -> dict[str, list[Doc]]:
        """Changed documents by table name, in the order first changed."""
        out: dict[str, list[Doc]] = {}
        for name, key in self._dirty:
            doc = self._docs[(name, key)]
            assert doc is not None
            out.setdefault(name, []).append(doc)
        return out

    def all(self, table: Table) -> list[Doc]:
        """Every document of `table` this batch has seen (for unit tests' in-memory world)."""
        return [d for (name, _), d in self._docs.items() if name == table.name and d is not None]

    def save(self, tx: Tx) -> None:
        for name, docs in self.changed().items():
            self._tables[name].save(tx, docs)


def tx_docs(tx: Tx) -> Docs:
    """Documents fetched from their tables within the batch's transaction."""
    return Docs(lambda table, key: table.load(tx, key),
                lambda table, keys: table.load_many(tx, keys))


def keys_of(batch: Iterable[Any], kinds: Iterable[str]) -> list[Key]:
    """(la_code, ref) of the batch's records of the given kinds (envelopes)."""
    chosen = set(kinds)
    return [(e.la_code, e.record) for e in batch if e.kind in chosen]
