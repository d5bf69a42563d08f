"""The audit: recompute every leaf from the store and hold it against the log and its signatures.

Three sources are compared. The store's events, hashed afresh, are walked beside the Merkle
log's leaves by position: a leaf whose event hashes differently was changed (UPDATE), a leaf
whose position is gone was deleted, and an event at a position the log has already passed
that no leaf holds was inserted behind the application's back. Then every signed checkpoint is
checked: its signature, and its root against the root of the store's events recomputed at its
size (which also catches a tampered store whose Merkle log was rebuilt to match), and against
the stored log's own root. Events past the log's position are counted as not yet logged.
The audit reads only: it never catches the log up, so it cannot absorb what it is checking.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import Notification

from iro_ledger.projections.db import Database
from iro_ledger.trust import checkpoint_store
from iro_ledger.trust.canonical import stored_leaf_hash
from iro_ledger.trust.log import Leaf, SqlNodeStore, leaves_from, merkle_log
from iro_ledger.trust.verifier import (
    EMPTY_ROOT,
    VerificationError,
    node_hash,
    verify_checkpoint,
)

PAGE = 1000
MOST_FINDINGS = 100
Select = Callable[[int | None, int], list[Notification]]
"""Store notifications from a position (None: the very first), at most so many."""
Name = Callable[[str], str]
"""A record's description from its stored id."""


@dataclass(frozen=True)
class Finding:
    kind: str
    """changed, deleted, inserted, checkpoint or log."""
    message: str
    position: int | None = None
    leaf_index: int | None = None
    record: str | None = None
    tree_size: int | None = None


@dataclass
class AuditReport:
    events: int = 0
    leaves: int = 0
    logged_position: int = 0
    unlogged: int = 0
    checkpoints: int = 0
    findings: list[Finding] = field(default_factory=list)
    more_findings: int = 0

    @property
    def clean(self) -> bool:
        return not self.findings

    def add(self, finding: Finding) -> None:
        if len(self.findings) < MOST_FINDINGS:
            self.findings.append(finding)
        else:
            self.more_findings += 1

    def as_dict(self) -> dict[str, Any]:
        return {"clean": self.clean, "events": self.events, "leaves": self.leaves,
                "logged_position": self.logged_position, "unlogged": self.unlogged,
                "checkpoints": self.checkpoints, "more_findings": self.more_findings,
                "findings": [asdict(f) for f in self.findings]}


class CompactRange:
    """The root of a growing list of leaf hashes in O(log n) memory (RFC 9162 MTH)."""

    def __init__(self) -> None:
        self._subtrees: list[tuple[int, bytes]] = []  # perfect subtrees, sizes decreasing
        self.size = 0

    def append(self, leaf: bytes) -> None:
        size, node = 1, leaf
        while self._subtrees and self._subtrees[-1][0] == size:
            node = node_hash(self._subtrees.pop()[1], node)
            size *= 2
        self._subtrees.append((size, node))
        self.size += 1

    def root(self) -> bytes:
        if not self._subtrees:
            return EMPTY_ROOT
        result = self._subtrees[-1][1]
        for _, left in reversed(self._subtrees[:-1]):
            result = node_hash(left, result)
        return result


def audit(select: Select, db: Database, public_key: Ed25519PublicKey, origin: str,
          name: Name, merkle_key: str) -> AuditReport:
    """Compare store, log and checkpoints (see the module docstring)."""
    report = AuditReport()
    with db.reading() as tx:
        signed = checkpoint_store.listing(tx)
        row = tx.one("SELECT position FROM projection_tracking WHERE name = ?", (merkle_key,))
        report.logged_position = int(row["position"]) if row else 0
    report.checkpoints = len(signed)
    roots = _RootsAt([c.tree_size for c in signed])
    _walk(report, _notes(select), _leaves(db), roots, name)
    for checkpoint in signed:
        _check_checkpoint(report, checkpoint, roots.found.get(checkpoint.tree_size),
                          public_key, origin)
    _check_log_roots(report, db, signed)
    report.findings.sort(key=lambda f: (f.position is None, f.position or 0, f.tree_size or 0))
    return report


class _RootsAt:
    """Feeds the store's recomputed leaves and keeps the root at each wanted size."""

    def __init__(self, sizes: list[int]) -> None:
        self.wanted = set(sizes)
        self.found: dict[int, bytes] = {}
        self.range = CompactRange()

    def append(self, leaf: bytes) -> None:
        self.range.append(leaf)
        if self.range.size in self.wanted:
            self.found[self.range.size] = self.range.root()


def _walk(report: AuditReport, notes: Iterator[Notification], leaves: Iterator[Leaf],
          roots: _RootsAt, name: Name) -> None:
    note, leaf = next(notes, None), next(leaves, None)
    expected_index = 0
    while note is not None or leaf is not None:
        if leaf is not None and leaf.leaf_index != expected_index:
            report.add(Finding("log", f"the Merkle log has no leaf {expected_index}: its "
                               "tables are damaged (rebuild them: projections rebuild "
                               "merkle)", leaf_index=expected_index))
            expected_index = leaf.leaf_index
        if leaf is None or (note is not None and note.id < leaf.position):
            assert note is not None
            report.events += 1
            roots.append(stored_leaf_hash(note))
            if note.id <= report.logged_position:
                record = name(str(note.originator_id)) + f" event {note.originator_version}"
                report.add(Finding("inserted", f"the event at position {note.id} ({record}) "
                                   "is in the store but not in the Merkle log, which has "
                                   "passed that position: inserted behind the application's "
                                   "back", position=note.id, record=record))
            else:
                report.unlogged += 1
            note = next(notes, None)
        elif note is None or leaf.position < note.id:
            report.leaves += 1
            expected_index += 1
            report.add(Finding("deleted", f"leaf {leaf.leaf_index} ({leaf.record}, position "
                               f"{leaf.position}) is no longer in the store: deleted",
                               leaf.position, leaf.leaf_index, leaf.record))
            leaf = next(leaves, None)
        else:
            report.events += 1
            report.leaves += 1
            expected_index += 1
            digest = stored_leaf_hash(note)
            roots.append(digest)
            if digest != leaf.leaf_hash:
                report.add(Finding("changed", f"leaf {leaf.leaf_index} ({leaf.record}, "
                                   f"position {leaf.position}) no longer matches the stored "
                                   "event: changed after it was logged", leaf.position,
                                   leaf.leaf_index, leaf.record))
            note, leaf = next(notes, None), next(leaves, None)


def _check_checkpoint(report: AuditReport, checkpoint: checkpoint_store.StoredCheckpoint,
                      store_root: bytes | None, public_key: Ed25519PublicKey,
                      origin: str) -> None:
    size = checkpoint.tree_size
    try:
        parsed = verify_checkpoint(checkpoint.note, public_key, origin)
    except VerificationError as bad:
        report.add(Finding("checkpoint", f"checkpoint at tree size {size}: {bad.reason}",
                           tree_size=size))
        return
    if (parsed.tree_size, parsed.root_hash) != (size, checkpoint.root):
        report.add(Finding("checkpoint", f"checkpoint at tree size {size}: its row does not "
                           "match its signed note", tree_size=size))
    if store_root is None:
        report.add(Finding("checkpoint", f"checkpoint at tree size {size}: the store holds "
                           "fewer events than were signed: events were deleted",
                           tree_size=size))
    elif store_root != parsed.root_hash:
        report.add(Finding("checkpoint", f"checkpoint at tree size {size} (issued "
                           f"{checkpoint.issued_at.isoformat()}): the store's events no longer "
                           "hash to the signed root: one of the first "
                           f"{size} events was changed, deleted or inserted", tree_size=size))


def _check_log_roots(report: AuditReport, db: Database,
                     signed: list[checkpoint_store.StoredCheckpoint]) -> None:
    with db.reading() as tx:
        size = SqlNodeStore(tx).size()
        log = merkle_log(tx)
        for checkpoint in signed:
            if checkpoint.tree_size > size:
                report.add(Finding("log", f"the Merkle log has {size} leaves, fewer than the "
                                   f"checkpoint at tree size {checkpoint.tree_size}",
                                   tree_size=checkpoint.tree_size))
            elif log.root(checkpoint.tree_size) != checkpoint.root:
                report.add(Finding("log", "the Merkle log's root at tree size "
                                   f"{checkpoint.tree_size} is not the signed root",
                                   tree_size=checkpoint.tree_size))


def _notes(select: Select) -> Iterator[Notification]:
    start: int | None = None
    while True:
        page = select(start, PAGE)
        yield from page
        if len(page) < PAGE:
            return
        start = page[-1].id + 1


def _leaves(db: Database) -> Iterator[Leaf]:
    start = 0
    while True:
        with db.reading() as tx:
            page = leaves_from(tx, start, PAGE)
        yield from page
        if len(page) < PAGE:
            return
        start = page[-1].leaf_index + 1
