"""Signed checkpoints of the Merkle log and witnesses' cosignatures of them, kept forever.

`checkpoints` is not a read model's table: a rebuild never drops it, the guard triggers refuse
to change or delete its rows, and a rebuilt Merkle log must reproduce every root in it. A
checkpoint is a C2SP tlog-checkpoint note signed with Ed25519 under the log's origin
(`trust.signing.sign_checkpoint`). Issuing reads the clock, so it happens outside the read
model's `apply` (which must stay deterministic): after a batch commits, on a timer, or when a
receipt needs one. Each note carries the time it was signed (`issued_at` extension line).

`checkpoint_cosignatures` holds the cosignature lines witnesses sent back (C2SP
tlog-cosignature), one per witness key and checkpoint, guarded like `checkpoints`: the log
serves a checkpoint with its cosignatures appended as further signature lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from iro_ledger.projections.db import Database, Row, Tx
from iro_ledger.trust.log import SqlNodeStore, blob, merkle_log
from iro_ledger.trust.signing import sign_checkpoint

TABLE = "checkpoints"
COSIGNATURES = "checkpoint_cosignatures"
TABLES = (TABLE, COSIGNATURES)
_ISSUE_LOCK = 0x1A0_C4EC  # serialises issuers on PostgreSQL (pg_advisory_xact_lock)


@dataclass(frozen=True)
class StoredCheckpoint:
    tree_size: int
    root: bytes
    note: str
    issued_at: datetime


def create_table(tx: Tx) -> None:
    tx.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} ("
               f" tree_size BIGINT PRIMARY KEY, root {blob(tx.dialect)} NOT NULL,"
               " note TEXT NOT NULL, issued_at TEXT NOT NULL)")
    tx.execute(f"CREATE TABLE IF NOT EXISTS {COSIGNATURES} ("
               " tree_size BIGINT NOT NULL, witness TEXT NOT NULL, line TEXT NOT NULL,"
               " signed_at BIGINT NOT NULL, received_at TEXT NOT NULL,"
               " PRIMARY KEY (tree_size, witness))")


def _checkpoint(row: Row) -> StoredCheckpoint:
    return StoredCheckpoint(int(row["tree_size"]), bytes(row["root"]), str(row["note"]),
                            datetime.fromisoformat(str(row["issued_at"])))


_COLUMNS = "tree_size, root, note, issued_at"


def latest(tx: Tx) -> StoredCheckpoint | None:
    row = tx.one(f"SELECT {_COLUMNS} FROM {TABLE} ORDER BY tree_size DESC LIMIT 1")
    return None if row is None else _checkpoint(row)


def covering(tx: Tx, leaf_index: int) -> StoredCheckpoint | None:
    """The earliest checkpoint whose tree contains leaf `leaf_index`."""
    row = tx.one(f"SELECT {_COLUMNS} FROM {TABLE} WHERE tree_size > ?"
                 " ORDER BY tree_size LIMIT 1", (leaf_index,))
    return None if row is None else _checkpoint(row)


def at_size(tx: Tx, tree_size: int) -> StoredCheckpoint | None:
    row = tx.one(f"SELECT {_COLUMNS} FROM {TABLE} WHERE tree_size = ?", (tree_size,))
    return None if row is None else _checkpoint(row)


def listing(tx: Tx, limit: int | None = None, offset: int = 0) -> list[StoredCheckpoint]:
    """Checkpoints in the order issued (by tree size)."""
    if limit is None:
        rows = tx.query(f"SELECT {_COLUMNS} FROM {TABLE} ORDER BY tree_size")
    else:
        rows = tx.query(f"SELECT {_COLUMNS} FROM {TABLE} ORDER BY tree_size LIMIT ? OFFSET ?",
                        (limit, offset))
    return [_checkpoint(r) for r in rows]


def count(tx: Tx) -> int:
    row = tx.one(f"SELECT COUNT(*) AS n FROM {TABLE}")
    return 0 if row is None else int(row["n"])


def due(size: int, last: StoredCheckpoint | None, now: datetime, every_events: int,
        every_seconds: float) -> bool:
    """Whether a new checkpoint is due: the log grew by `every_events`, or it grew at all and
    the last checkpoint is older than `every_seconds` (or there is none)."""
    if last is None:
        return size > 0
    grown = size - last.tree_size
    if grown <= 0:
        return False
    return grown >= every_events or (now - last.issued_at).total_seconds() >= every_seconds


def issue(db: Database, key: Ed25519PrivateKey, origin: str, now: datetime | None = None,
          every_events: int = 1, every_seconds: float = 0.0) -> StoredCheckpoint | None:
    """Sign the log at its current size if a checkpoint is due; the latest checkpoint after.

    The defaults make any growth due (on demand). Two issuers take turns; a checkpoint of the
    current size is never issued twice.
    """
    moment = now or datetime.now(UTC)
    with db.transaction() as tx:
        if tx.dialect == "postgres":
            tx.execute("SELECT pg_advisory_xact_lock(?)", (_ISSUE_LOCK,))
        size = SqlNodeStore(tx).size()
        last = latest(tx)
        if not due(size, last, moment, every_events, every_seconds):
            return last
        root = merkle_log(tx).root(size)
        note = sign_checkpoint(origin, size, root, key, issued_at=moment)
        tx.execute(f"INSERT INTO {TABLE} ({_COLUMNS}) VALUES (?, ?, ?, ?)"
                   " ON CONFLICT (tree_size) DO NOTHING",
                   (size, root, note, moment.isoformat()))
        return StoredCheckpoint(size, root, note, moment)


# Cosignatures


@dataclass(frozen=True)
class StoredCosignature:
    tree_size: int
    witness: str
    """The witness's vkey (`verifier.witness_vkey`): its name and public key."""
    line: str
    signed_at: int
    """The witness's own timestamp, POSIX seconds, as it signed it."""


def add_cosignature(tx: Tx, cosignature: StoredCosignature, received_at: datetime) -> bool:
    """Keep a (verified) cosignature; False when this witness's is already kept."""
    before = cosignatures(tx, cosignature.tree_size)
    if any(c.witness == cosignature.witness for c in before):
        return False
    tx.execute(f"INSERT INTO {COSIGNATURES} (tree_size, witness, line, signed_at, received_at)"
               " VALUES (?, ?, ?, ?, ?) ON CONFLICT (tree_size, witness) DO NOTHING",
               (cosignature.tree_size, cosignature.witness, cosignature.line,
                cosignature.signed_at, received_at.isoformat()))
    return True


def cosignatures(tx: Tx, tree_size: int) -> list[StoredCosignature]:
    rows = tx.query(f"SELECT tree_size, witness, line, signed_at FROM {COSIGNATURES}"
                    " WHERE tree_size = ? ORDER BY witness", (tree_size,))
    return [StoredCosignature(int(r["tree_size"]), str(r["witness"]), str(r["line"]),
                              int(r["signed_at"])) for r in rows]


def witnessed_note(tx: Tx, checkpoint: StoredCheckpoint) -> str:
    """The checkpoint's note with every kept cosignature appended as a signature line."""
    return checkpoint.note + "".join(c.line for c in cosignatures(tx, checkpoint.tree_size))
