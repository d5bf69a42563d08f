"""The audit's running root: the same RFC 9162 root as the Merkle log, in O(log n) memory."""

from __future__ import annotations

from iro_ledger.trust.audit import CompactRange
from iro_ledger.trust.merkle import InMemoryNodeStore, MerkleLog
from iro_ledger.trust.verifier import EMPTY_ROOT, leaf_hash


def test_the_running_root_equals_the_logs_root_at_every_size() -> None:
    leaves = [leaf_hash(f"event {i}".encode()) for i in range(70)]
    log = MerkleLog(InMemoryNodeStore())
    log.append(leaves)
    running = CompactRange()

    roots = []
    for leaf in leaves:
        running.append(leaf)
        roots.append(running.root())

    assert roots == [log.root(n) for n in range(1, 71)]


def test_the_running_root_of_nothing_is_the_empty_tree() -> None:
    assert CompactRange().root() == EMPTY_ROOT
