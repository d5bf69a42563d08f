"""The audit: recompute every leaf from the store and hold it against the log and its signatures.

Three sources are compared. The store's events, hashed afresh, are walked beside the Merkle
log's leaves by position: a leaf whose event hashes differently was changed (UPDATE), a leaf
whose position is gone was deleted, and an event at a position the log has already passed
that no leaf holds was inserted behind the application's back. Then every signed checkpoint is
checked: its signature, and its root against the root of the store's events recomputed at its
size (which also catches a tampered store whose Merkle log was rebuilt to match), and against
the stored log's own root. Events past the log's position are counted as not yet logged.
The audit reads only: it never catches the log up, so it cannot absorb what it is checking.

It reads the event table's rows itself, as stored, so that no tampering can make it fail:
a state stored as text (or NULL) instead of bytes, an id that is not a UUID, an altered
column are each a finding. Each cause is one line: an event moved to another position is one
`moved` finding (a swap of two, one `reordered`), not a change and a deletion; the signed
checkpoints a leaf-level finding breaks are counted on that finding's line, and checkpoints
that fail for one reason are one line; a table found without its append-only triggers
(`guard_log`, or now) is a `guard` finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from iro_ledger.projections.db import Database, Row
from iro_ledger.trust import checkpoint_store, guard
from iro_ledger.trust.canonical import NotCanonical, stored_leaf_hash
from iro_ledger.trust.log import Leaf, SqlNodeStore, leaves_from, merkle_log
from iro_ledger.trust.verifier import (
    EMPTY_ROOT,
    VerificationError,
    leaf_hash,
    node_hash,
    verify_checkpoint,
)

PAGE = 1000
MOST_FINDINGS = 100
MOST_PENDING = 10_000
"""Leaf-level findings held back to pair moves; past this many they are reported as found."""
Name = Callable[[str], str]
"""A record's description from its stored id."""


@dataclass(frozen=True)
class Finding:
    kind: str
    """changed, deleted, inserted, moved, reordered, checkpoint, log, guard or table."""
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


@dataclass(frozen=True)
class StoredEvent:
    """One row of the event table as stored, whatever was done to it."""

    position: int
    originator_id: Any
    originator_version: Any
    topic: Any
    state: Any


def audit(db: Database, events_table: str, public_key: Ed25519PublicKey, origin: str,
          name: Name, merkle_key: str, guarded: Sequence[str] = ()) -> AuditReport:
    """Compare store, log and checkpoints (see the module docstring)."""
    report = AuditReport()
    with db.reading() as tx:
        signed = checkpoint_store.listing(tx)
        row = tx.one("SELECT position FROM projection_tracking WHERE name = ?", (merkle_key,))
        report.logged_position = int(row["position"]) if row else 0
    report.checkpoints = len(signed)
    altered = _check_table(report, db, events_table)
    roots = _RootsAt([c.tree_size for c in signed])
    pending = _walk(report, _rows(db, events_table), _leaves(db), roots, name, altered)
    found = _pair_moves(pending)
    broken: list[int] = []
    failures: dict[str, list[int]] = {}
    for checkpoint in signed:
        _check_checkpoint(checkpoint, roots.found.get(checkpoint.tree_size), public_key, origin,
                          broken, failures)
    _explain(found, broken, failures)
    for item in found:
        report.add(item.finding)
    for reason, sizes in failures.items():
        report.add(_grouped("checkpoint", sizes, reason))
    _check_log_roots(report, db, signed)
    _check_guard(report, db, guarded)
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


@dataclass
class _Pending:
    """A leaf-level finding, held so that a moved event is told as one move."""

    finding: Finding
    at: int
    """How many of the store's events come before it: checkpoints past this are broken."""
    event_hash: bytes | None = None
    leaf: Leaf | None = None


def _digest(row: StoredEvent) -> tuple[bytes, str | None]:
    """The leaf hash of a stored row, and what is wrong with its form, if anything.

    A row that is not in the store's form is hashed as the bytes it still says (text as
    UTF-8), so that a change of type alone breaks no checkpoint it did not change.
    """
    try:
        return stored_leaf_hash(row), None
    except NotCanonical as odd:
        problem = str(odd)
    state = row.state
    as_bytes = (state.encode() if isinstance(state, str)
                else b"" if state is None else str(state).encode())
    try:
        fixed = StoredEvent(row.position, row.originator_id, row.originator_version,
                            str(row.topic), as_bytes)
        return stored_leaf_hash(fixed), problem
    except NotCanonical:
        return leaf_hash(repr(row).encode()), problem


def _walk(report: AuditReport, rows: Iterator[StoredEvent], leaves: Iterator[Leaf],
          roots: _RootsAt, name: Name, altered: bool) -> list[_Pending]:
    """Store and log side by side by position; `altered`: a row's odd form is the column's
    doing, already one finding, so it is not repeated on every row."""
    pending: list[_Pending] = []

    def hold(item: _Pending) -> None:
        if len(pending) < MOST_PENDING:
            pending.append(item)
        else:
            report.add(item.finding)

    row, leaf = next(rows, None), next(leaves, None)
    expected_index = 0
    while row is not None or leaf is not None:
        if leaf is not None and leaf.leaf_index != expected_index:
            report.add(Finding("log", f"the Merkle log has no leaf {expected_index}: its "
                               "tables are damaged (rebuild them: projections rebuild "
                               "merkle)", leaf_index=expected_index))
            expected_index = leaf.leaf_index
        at = roots.range.size
        if leaf is None or (row is not None and row.position < leaf.position):
            assert row is not None
            report.events += 1
            digest, problem = _digest(row)
            problem = None if altered else problem
            roots.append(digest)
            if row.position <= report.logged_position:
                record = _name(name, row)
                hold(_Pending(Finding(
                    "inserted", f"the event at position {row.position} ({record}) is in the "
                    "store but not in the Merkle log, which has passed that position: "
                    "inserted behind the application's back" + (f"; {problem}" if problem
                                                                else ""),
                    position=row.position, record=record), at, event_hash=digest))
            else:
                report.unlogged += 1
            row = next(rows, None)
        elif row is None or leaf.position < row.position:
            report.leaves += 1
            expected_index += 1
            hold(_Pending(Finding("deleted", f"leaf {leaf.leaf_index} ({leaf.record}, position "
                                  f"{leaf.position}) is no longer in the store: deleted",
                                  leaf.position, leaf.leaf_index, leaf.record), at, leaf=leaf))
            leaf = next(leaves, None)
        else:
            report.events += 1
            report.leaves += 1
            expected_index += 1
            digest, problem = _digest(row)
            problem = None if altered else problem
            roots.append(digest)
            if digest != leaf.leaf_hash or problem:
                what = ("changed after it was logged" if digest != leaf.leaf_hash
                        else "its bytes are the same")
                hold(_Pending(Finding(
                    "changed", f"leaf {leaf.leaf_index} ({leaf.record}, position "
                    f"{leaf.position}) no longer matches the stored event: "
                    + (f"{problem} (its type was changed); {what}" if problem else what),
                    leaf.position, leaf.leaf_index, leaf.record), at, event_hash=digest,
                    leaf=leaf))
            row, leaf = next(rows, None), next(leaves, None)
    return pending


def _name(name: Name, row: StoredEvent) -> str:
    try:
        stored_id = str(UUID(str(row.originator_id)))
    except ValueError:
        return f"a record with the malformed id {row.originator_id!r}"
    return name(stored_id) + f" event {row.originator_version}"


def _pair_moves(pending: list[_Pending]) -> list[_Pending]:
    """Findings, with each event found at another position than its leaf told as one move."""
    by_leaf_hash = {p.leaf.leaf_hash: p for p in pending
                    if p.leaf is not None and p.finding.kind in ("changed", "deleted")}
    moves: dict[int, tuple[_Pending, _Pending]] = {}  # id(destination) -> (source, destination)
    for item in pending:
        source = by_leaf_hash.get(item.event_hash) if item.event_hash else None
        if source is not None and source is not item and source.leaf is not None:
            moves[id(item)] = (source, item)
    if not moves:
        return pending
    moved_to = {id(src): dst for src, dst in moves.values()}
    told: set[int] = set()
    result: list[_Pending] = []
    for item in pending:
        if id(item) in told:
            continue
        if id(item) not in moves:
            if id(item) in moved_to:
                continue  # its leaf's event moved away: told at the destination
            result.append(item)
            continue
        source, destination = moves[id(item)]
        leaf = source.leaf
        assert leaf is not None
        back = moves.get(id(source))
        told.update({id(source), id(destination)})
        if back is not None and back[0] is destination and destination.leaf is not None:
            leaf, other = sorted((leaf, destination.leaf), key=lambda x: x.position)
            result.append(_Pending(Finding(
                "reordered", f"positions {leaf.position} and {other.position} were swapped: "
                f"leaf {leaf.leaf_index} ({leaf.record}) is now at position {other.position} "
                f"and leaf {other.leaf_index} ({other.record}) at position {leaf.position}",
                min(leaf.position, other.position), min(leaf.leaf_index, other.leaf_index),
                leaf.record), min(source.at, destination.at)))
            continue
        place = destination.finding.position
        result.append(_Pending(Finding(
            "moved", f"leaf {leaf.leaf_index} ({leaf.record}, position {leaf.position}) is now "
            f"at position {place}: moved behind the application's back",
            leaf.position, leaf.leaf_index, leaf.record), min(source.at, destination.at)))
    return result


def _check_checkpoint(checkpoint: checkpoint_store.StoredCheckpoint, store_root: bytes | None,
                      public_key: Ed25519PublicKey, origin: str, broken: list[int],
                      failures: dict[str, list[int]]) -> None:
    size = checkpoint.tree_size
    try:
        parsed = verify_checkpoint(checkpoint.note, public_key, origin)
    except VerificationError as bad:
        failures.setdefault(bad.reason, []).append(size)
        return
    if (parsed.tree_size, parsed.root_hash) != (size, checkpoint.root):
        failures.setdefault("its row does not match its signed note", []).append(size)
    if store_root is None or store_root != parsed.root_hash:
        broken.append(size)


def _explain(found: list[_Pending], broken: list[int], failures: dict[str, list[int]]) -> None:
    """Count on the earliest leaf-level finding the checkpoints it breaks; the rest fail alone.

    A checkpoint covering no leaf-level finding, yet not the store's root, means the store
    and the Merkle log were changed together (the log rebuilt to match).
    """
    first = min(found, key=lambda p: p.at, default=None)
    explained = [s for s in broken if first is not None and s > first.at]
    if first is not None and explained:
        count = len(explained)
        what = "the signed checkpoint" if count == 1 else f"{count} signed checkpoints"
        first.finding = replace(first.finding, message=f"{first.finding.message}; it breaks "
                                f"{what} from tree size {explained[0]} on")
    alone = [s for s in broken if s not in set(explained)]
    if alone:
        failures.setdefault("the store's events no longer hash to the signed root: one of the "
                            "events it covers was changed, deleted or inserted", []).extend(alone)


def _grouped(kind: str, sizes: list[int], reason: str) -> Finding:
    sizes = sorted(sizes)
    where = (f"checkpoint at tree size {sizes[0]}" if len(sizes) == 1 else
             f"{len(sizes)} checkpoints, tree sizes {sizes[0]} to {sizes[-1]}")
    return Finding(kind, f"{where}: {reason}", tree_size=sizes[0])


def _check_log_roots(report: AuditReport, db: Database,
                     signed: list[checkpoint_store.StoredCheckpoint]) -> None:
    with db.reading() as tx:
        size = SqlNodeStore(tx).size()
        log = merkle_log(tx)
        short = [c.tree_size for c in signed if c.tree_size > size]
        wrong = [c.tree_size for c in signed
                 if c.tree_size <= size and log.root(c.tree_size) != c.root]
    if short:
        report.add(Finding("log", f"the Merkle log has {size} leaves, fewer than the checkpoint "
                           f"at tree size {short[0]}" + (f" and {len(short) - 1} later ones"
                                                         if len(short) > 1 else ""),
                           tree_size=short[0]))
    if wrong:
        report.add(_grouped("log", wrong, "the Merkle log's root is not the signed root"))


def _check_guard(report: AuditReport, db: Database, guarded: Sequence[str]) -> None:
    for lapse in guard.lapses(db):
        report.add(Finding("guard", f"the append-only triggers on {lapse.table} were found "
                           f"missing or disabled at {lapse.seen_at.isoformat()} (put back "
                           "then): someone with the owner's rights removed them",
                           record=lapse.table))
    if guarded:
        for table, ok in guard.status(db, guarded).items():
            if not ok:
                report.add(Finding("guard", f"the append-only triggers on {table} are missing "
                                   "or disabled now: run `iro-ledger guard` as the owner",
                                   record=table))


def _check_table(report: AuditReport, db: Database, table: str) -> bool:
    """On PostgreSQL, a column of the event table altered from what the store made."""
    if db.dialect != "postgres":
        return False
    altered = False
    schema, _, bare = table.rpartition(".")
    with db.reading() as tx:
        rows = tx.query("SELECT column_name, data_type FROM information_schema.columns"
                        " WHERE table_schema = ? AND table_name = ?", (schema or "public", bare))
    wanted = {"originator_id": "uuid", "originator_version": "bigint", "topic": "text",
              "state": "bytea", "notification_id": "bigint"}
    for row in rows:
        want = wanted.get(str(row["column_name"]))
        if want is not None and row["data_type"] != want:
            report.add(Finding("table", f"the column {row['column_name']} of {table} is "
                               f"{row['data_type']}, not {want}: the table was altered",
                               record=table))
            altered = True
    return altered


def _rows(db: Database, table: str) -> Iterator[StoredEvent]:
    position = "notification_id" if db.dialect == "postgres" else "rowid"
    ident = "originator_id::text" if db.dialect == "postgres" else "originator_id"
    start = -(2**62)
    while True:
        with db.reading() as tx:
            page: list[Row] = tx.query(
                f"SELECT {position} AS position, {ident} AS originator_id, originator_version,"
                f" topic, state FROM {table} WHERE {position} >= ? ORDER BY {position} LIMIT ?",
                (start, PAGE))
        for r in page:
            yield StoredEvent(int(r["position"]), r["originator_id"], r["originator_version"],
                              r["topic"], r["state"])
        if len(page) < PAGE:
            return
        start = int(page[-1]["position"]) + 1


def _leaves(db: Database) -> Iterator[Leaf]:
    start = 0
    while True:
        with db.reading() as tx:
            page = leaves_from(tx, start, PAGE)
        yield from page
        if len(page) < PAGE:
            return
        start = page[-1].leaf_index + 1
