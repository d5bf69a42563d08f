"""The stored Merkle log: a read model whose leaves are every stored event, in commit order.

`merkle_leaves_v1` gives each event a gapless leaf index of its own (the store's notification
ids may have gaps) with its position, its record and its leaf hash; `merkle_nodes_v1` holds the
perfect-subtree hashes `trust.merkle.MerkleLog` builds roots and proofs from. Both are written
in the read model's batch transaction, so the log and its tracking position move together.
The tables are rebuildable like any read model's: a rebuild must reproduce every signed root,
and `trust.audit` checks that it does.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from iro_ledger.projections.base import Envelope, ReadModel
from iro_ledger.projections.db import Dialect, Row, Tx
from iro_ledger.trust import guard
from iro_ledger.trust.canonical import stored_leaf_hash
from iro_ledger.trust.merkle import MerkleLog, Node

LEAVES = "merkle_leaves_v1"
NODES = "merkle_nodes_v1"


def blob(dialect: Dialect) -> str:
    """The column type for raw bytes."""
    return "BYTEA" if dialect == "postgres" else "BLOB"


class SqlNodeStore:
    """A `trust.merkle.NodeStore` over `merkle_nodes_v1`, inside one transaction."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def get(self, level: int, index: int) -> bytes:
        row = self._tx.one(f"SELECT hash FROM {NODES} WHERE level = ? AND idx = ?",
                           (level, index))
        if row is None:
            raise KeyError((level, index))
        return bytes(row["hash"])

    def get_many(self, keys: Collection[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        if not keys:
            return {}
        pairs = sorted(keys)
        rows = self._tx.query(f"SELECT level, idx, hash FROM {NODES} WHERE (level, idx) IN"
                              f" (VALUES {', '.join(['(?, ?)'] * len(pairs))})",
                              tuple(value for pair in pairs for value in pair))
        return {(int(row["level"]), int(row["idx"])): bytes(row["hash"]) for row in rows}

    def put_many(self, nodes: Sequence[Node]) -> None:
        self._tx.executemany(f"INSERT INTO {NODES} (level, idx, hash) VALUES (?, ?, ?)",
                             [(n.level, n.idx, n.hash) for n in nodes])

    def size(self) -> int:
        row = self._tx.one(f"SELECT MAX(idx) AS top FROM {NODES} WHERE level = 0")
        return 0 if row is None or row["top"] is None else int(row["top"]) + 1


def merkle_log(tx: Tx) -> MerkleLog:
    """The stored log, for roots and proofs within `tx`."""
    return MerkleLog(SqlNodeStore(tx))


@dataclass(frozen=True)
class Leaf:
    """One row of `merkle_leaves_v1`: an event's place in the log and its record."""

    leaf_index: int
    position: int
    record_id: str
    kind: str
    la_code: str
    ref: str
    number: int
    leaf_hash: bytes

    @property
    def record(self) -> str:
        return f"{self.kind} {self.la_code}/{self.ref} event {self.number}"


def _record_id(value: Any) -> str:
    """A stored id as the leaves name it: lowercase and hyphenated."""
    return str(value if isinstance(value, UUID) else UUID(str(value)))


_LEAF_COLUMNS = "leaf_index, position, record_id, kind, la_code, ref, number, leaf_hash"


def _leaf(row: Row) -> Leaf:
    return Leaf(int(row["leaf_index"]), int(row["position"]), str(row["record_id"]),
                str(row["kind"]), str(row["la_code"]), str(row["ref"]), int(row["number"]),
                bytes(row["leaf_hash"]))


def leaves_of_record(tx: Tx, kind: str, la_code: str, ref: str) -> list[Leaf]:
    """A record's leaves in the order of its events."""
    rows = tx.query(f"SELECT {_LEAF_COLUMNS} FROM {LEAVES}"
                    " WHERE kind = ? AND la_code = ? AND ref = ? ORDER BY number",
                    (kind, la_code, ref))
    return [_leaf(r) for r in rows]


def leaves_from(tx: Tx, start: int, limit: int) -> list[Leaf]:
    """Leaves with index >= start, in order, at most `limit`."""
    rows = tx.query(f"SELECT {_LEAF_COLUMNS} FROM {LEAVES} WHERE leaf_index >= ?"
                    " ORDER BY leaf_index LIMIT ?", (start, limit))
    return [_leaf(r) for r in rows]


class MerkleLogModel(ReadModel):
    """Appends every stored event to the Merkle log, in the store's order."""

    name = "merkle"
    version = 1
    tables = (LEAVES, NODES)

    def create(self, tx: Tx) -> None:
        kind = blob(tx.dialect)
        tx.execute(f"CREATE TABLE IF NOT EXISTS {LEAVES} ("
                   " leaf_index BIGINT PRIMARY KEY, position BIGINT NOT NULL UNIQUE,"
                   " record_id TEXT NOT NULL, kind TEXT NOT NULL, la_code TEXT NOT NULL,"
                   f" ref TEXT NOT NULL, number BIGINT NOT NULL, leaf_hash {kind} NOT NULL)")
        tx.execute(f"CREATE INDEX IF NOT EXISTS {LEAVES}_record"
                   f" ON {LEAVES} (kind, la_code, ref, number)")
        tx.execute(f"CREATE TABLE IF NOT EXISTS {NODES} ("
                   f" level INTEGER NOT NULL, idx BIGINT NOT NULL, hash {kind} NOT NULL,"
                   " PRIMARY KEY (level, idx))")
        guard.protect(tx, self.tables)

    def apply(self, tx: Tx, batch: Sequence[Envelope]) -> None:
        if not batch:
            return
        if any(env.stored is None for env in batch):
            raise ValueError("the Merkle log needs each event's stored form (Envelope.stored)")
        log = merkle_log(tx)
        start = SqlNodeStore(tx).size()
        hashes = [stored_leaf_hash(env.stored) for env in batch]
        tx.executemany(
            f"INSERT INTO {LEAVES} ({_LEAF_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(start + i, env.position, _record_id(env.stored.originator_id), env.kind,
              env.la_code, env.record, env.number, digest)
             for i, (env, digest) in enumerate(zip(batch, hashes, strict=True))])
        log.append(hashes)
