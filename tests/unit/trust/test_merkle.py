"""MerkleLog against a naive, literal transcription of RFC 9162 section 2.1."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iro_ledger.trust.merkle import InMemoryNodeStore, MerkleLog, Node
from iro_ledger.trust.verifier import (
    EMPTY_ROOT,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

# --- The naive reference: RFC 9162 2.1.1, 2.1.3.1 and 2.1.4.1, word for word ---


def split_point(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_root(leaves: Sequence[bytes]) -> bytes:
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = split_point(len(leaves))
    return node_hash(naive_root(leaves[:k]), naive_root(leaves[k:]))


def naive_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = split_point(len(leaves))
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_root(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_root(leaves[:k])]


def naive_subproof(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [naive_root(leaves)]
    k = split_point(n)
    if m <= k:
        return [*naive_subproof(m, leaves[:k], whole), naive_root(leaves[k:])]
    return [*naive_subproof(m - k, leaves[k:], False), naive_root(leaves[:k])]


# --- Helpers ---


def leaves_of(n: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


def log_of(leaves: Sequence[bytes], batch: int = 7) -> MerkleLog:
    log = MerkleLog(InMemoryNodeStore())
    for start in range(0, len(leaves), batch):
        log.append(leaves[start : start + batch])
    return log


class SyntheticStore:
    """A huge log whose nodes are made up on demand; counts how many are read."""

    def __init__(self, leaves: int) -> None:
        self.leaves, self.reads = leaves, 0

    def get(self, level: int, index: int) -> bytes:
        assert (index + 1) << level <= self.leaves, "read a node that is not complete"
        self.reads += 1
        return hashlib.sha256(f"{level}/{index}".encode()).digest()

    def get_many(self, keys: Collection[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        return {(level, index): self.get(level, index) for level, index in keys}

    def put_many(self, nodes: Sequence[Node]) -> None:
        self.leaves += sum(1 for node in nodes if node.level == 0)

    def size(self) -> int:
        return self.leaves


# --- Tests ---


@given(
    st.integers(min_value=1, max_value=300).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.integers(1, n).flatmap(lambda m: st.tuples(st.just(m), st.integers(0, m - 1))),
            st.integers(1, n),
            st.integers(1, 40),
        )
    )
)
@settings(max_examples=300, deadline=None)
def test_generated_proofs_verify_and_equal_the_naive_ones(
    case: tuple[int, tuple[int, int], int, int],
) -> None:
    n, (size2, index), size1, batch = case
    size1 = min(size1, size2)
    leaves = leaves_of(n)
    log = log_of(leaves, batch)
    root1, root2 = naive_root(leaves[:size1]), naive_root(leaves[:size2])
    assert log.root(size2) == root2

    inclusion = log.inclusion_proof(index, size2)
    assert inclusion == naive_path(index, leaves[:size2])
    verify_inclusion(index, size2, leaves[index], inclusion, root2)

    consistency = log.consistency_proof(size1, size2)
    expected = [] if size1 == size2 else naive_subproof(size1, leaves[:size2], True)
    assert consistency == expected
    verify_consistency(size1, size2, consistency, root1, root2)


def test_every_proof_of_every_small_tree_equals_the_naive_one() -> None:
    leaves = leaves_of(33)
    log = log_of(leaves, batch=5)
    for size2 in range(1, 34):
        assert log.root(size2) == naive_root(leaves[:size2])
        for index in range(size2):
            assert log.inclusion_proof(index, size2) == naive_path(index, leaves[:size2])
        for size1 in range(1, size2):
            proof = naive_subproof(size1, leaves[:size2], True)
            assert log.consistency_proof(size1, size2) == proof


def test_proofs_of_several_leaves_at_once_equal_each_proof_alone() -> None:
    leaves = leaves_of(33)
    log = log_of(leaves, batch=7)
    for size2 in range(1, 34):
        indexes = [i for i in range(size2) if i % 3 != 1]
        assert log.inclusion_proofs(indexes, size2) == [
            naive_path(index, leaves[:size2]) for index in indexes]


def test_proofs_of_several_leaves_of_a_million_read_their_nodes_in_one_call() -> None:
    class Counted(SyntheticStore):
        calls: list[int] = []

        def get_many(self, keys: Collection[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
            self.calls.append(len(keys))
            return super().get_many(keys)

    store = Counted(1_000_000)
    proofs = MerkleLog(store).inclusion_proofs([5, 700_001, 999_998], 1_000_000)
    alone = [MerkleLog(store).inclusion_proof(i, 1_000_000) for i in (5, 700_001, 999_998)]
    assert proofs == alone
    assert len(store.calls) == 1 and store.calls[0] <= 3 * 20


def test_the_empty_tree_has_the_hash_of_nothing() -> None:
    assert MerkleLog(InMemoryNodeStore()).root(0) == hashlib.sha256(b"").digest()


def test_append_returns_the_leaves_and_every_subtree_they_complete() -> None:
    log = log_of(leaves_of(3))
    new = log.append(leaves_of(5)[3:])
    assert sorted((node.level, node.idx) for node in new) == [(0, 3), (0, 4), (1, 1), (2, 0)]


def test_proofs_for_a_million_leaves_read_a_logarithmic_number_of_nodes() -> None:
    store = SyntheticStore(1_000_000)
    log = MerkleLog(store)
    depth = (1_000_000).bit_length()  # 20
    reads: list[Callable[[], object]] = [
        lambda: log.root(1_000_000),
        lambda: log.root(999_999),
        lambda: log.inclusion_proof(0, 1_000_000),
        lambda: log.inclusion_proof(765_431, 999_999),
        lambda: log.consistency_proof(1, 1_000_000),
        lambda: log.consistency_proof(524_287, 999_999),
        lambda: log.consistency_proof(765_431, 1_000_000),
    ]
    for read in reads:
        store.reads = 0
        read()
        assert store.reads <= 2 * depth


def test_appending_to_a_million_leaves_reads_a_logarithmic_number_of_nodes() -> None:
    store = SyntheticStore(2**20 - 1)
    log = MerkleLog(store)
    new = log.append([leaf_hash(b"the one that completes the tree")])
    assert store.reads == 20
    assert max(node.level for node in new) == 20


def test_a_proof_beyond_the_stored_leaves_is_refused() -> None:
    log = log_of(leaves_of(4))
    with pytest.raises(ValueError):
        log.inclusion_proof(0, 5)
    with pytest.raises(ValueError):
        log.inclusion_proof(4, 4)
    with pytest.raises(ValueError):
        log.consistency_proof(0, 4)
    with pytest.raises(ValueError):
        log.consistency_proof(3, 2)


def test_a_leaf_hash_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError):
        MerkleLog(InMemoryNodeStore()).append([b"not a hash"])


def test_the_in_memory_store_never_replaces_a_node() -> None:
    store = InMemoryNodeStore()
    store.put_many([Node(0, 0, leaf_hash(b"a"))])
    with pytest.raises(ValueError):
        store.put_many([Node(0, 1, leaf_hash(b"b")), Node(0, 0, leaf_hash(b"c"))])
    assert store.size() == 1
    assert store.get(0, 0) == leaf_hash(b"a")
