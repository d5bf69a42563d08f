"""Proof generation over an append-only RFC 9162 Merkle log, independent of storage.

A log of n leaves is kept as the hashes of its complete perfect subtrees, keyed by
(level, index): level 0 holds the leaf hashes, and node (l, i) covers the leaves
[i * 2**l, (i + 1) * 2**l). Those nodes never change once written, so any root or
proof for any tree size is assembled from O(log n) of them; nothing is ever updated.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import NamedTuple, Protocol

from iro_ledger.trust.verifier import EMPTY_ROOT, HASH_SIZE, node_hash


class Node(NamedTuple):
    """The hash of one complete perfect subtree; a row (level, idx, hash) in SQL."""

    level: int
    idx: int  # Not `index`, which tuples already have.
    hash: bytes


class NodeStore(Protocol):
    """Where the nodes live; a SQL table `merkle_nodes(level, idx, hash)` fits."""

    def get(self, level: int, index: int) -> bytes:
        """The hash of node (level, index); raises KeyError if it is not stored."""
        ...

    def get_many(self, keys: Collection[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """The hashes of the (level, index) nodes stored of `keys`, at once."""
        ...

    def put_many(self, nodes: Sequence[Node]) -> None:
        """Store new nodes; called once per append with the leaves and their parents."""
        ...

    def size(self) -> int:
        """The number of leaves (level-0 nodes) stored."""
        ...


class InMemoryNodeStore:
    """A NodeStore in a dict, for tests and for short-lived logs."""

    def __init__(self) -> None:
        self._nodes: dict[tuple[int, int], bytes] = {}
        self._leaves = 0

    def get(self, level: int, index: int) -> bytes:
        return self._nodes[(level, index)]

    def get_many(self, keys: Collection[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        return {key: self._nodes[key] for key in keys if key in self._nodes}

    def put_many(self, nodes: Sequence[Node]) -> None:
        taken = [(level, index) for level, index, _ in nodes if (level, index) in self._nodes]
        if taken:  # Like a primary key: nodes are written once, never replaced.
            raise ValueError(f"nodes already stored: {taken}")
        self._nodes.update(((level, index), hash_) for level, index, hash_ in nodes)
        self._leaves += sum(1 for node in nodes if node.level == 0)

    def size(self) -> int:
        return self._leaves


class MerkleLog:
    """Appends leaf hashes and builds roots and proofs from the perfect-subtree nodes."""

    def __init__(self, store: NodeStore) -> None:
        self._store = store

    def append(self, leaf_hashes: Iterable[bytes]) -> list[Node]:
        """Add leaves; store them with every subtree they complete, in one put_many call.

        The new nodes are also returned, so a caller can see what was written. Appends
        must be serialised (one writer, or inside the transaction that orders the
        leaves): two concurrent appends would both claim the same leaf indices.
        """
        size = self._store.size()
        new: dict[tuple[int, int], bytes] = {}
        for index, leaf in enumerate(leaf_hashes, start=size):
            if len(leaf) != HASH_SIZE:
                raise ValueError(f"leaf hash {index} is not {HASH_SIZE} bytes long")
            new[(0, index)] = leaf
            level, node = 0, index
            while node & 1:  # A right child completes its parent.
                parent = node_hash(self._node(new, level, node - 1), new[(level, node)])
                level, node = level + 1, node >> 1
                new[(level, node)] = parent
        nodes = [Node(level, index, hash_) for (level, index), hash_ in new.items()]
        self._store.put_many(nodes)
        return nodes

    def root(self, tree_size: int) -> bytes:
        """The RFC 9162 Merkle Tree Hash of the first `tree_size` leaves."""
        self._check_size(tree_size)
        return self._range_hash(0, tree_size) if tree_size else EMPTY_ROOT

    def inclusion_proof(self, index: int, tree_size: int) -> list[bytes]:
        """RFC 9162 2.1.3.1 PATH(index, D[0:tree_size]), leaf-side hash first."""
        self._check_size(tree_size)
        if not 0 <= index < tree_size:
            raise ValueError(f"leaf index {index} is not inside a tree of {tree_size}")
        proof: list[bytes] = []
        start, end = 0, tree_size
        while end - start > 1:
            split = start + _largest_power_of_two_below(end - start)
            if index < split:
                proof.append(self._range_hash(split, end))
                end = split
            else:
                proof.append(self._range_hash(start, split))
                start = split
        return proof[::-1]

    def inclusion_proofs(self, indexes: Sequence[int], tree_size: int) -> list[list[bytes]]:
        """`inclusion_proof` of each leaf of `indexes`, the nodes they need read from the
        store at once (`get_many`): a record's receipts in one query, not one a node."""
        self._check_size(tree_size)
        planned = _Planned(tree_size)
        for index in indexes:
            MerkleLog(planned).inclusion_proof(index, tree_size)
        known = MerkleLog(_Known(self._store.get_many(planned.keys), tree_size))
        return [known.inclusion_proof(index, tree_size) for index in indexes]

    def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        """RFC 9162 2.1.4.1 PROOF(size1, D[0:size2]); empty when the sizes are equal."""
        self._check_size(size2)
        if not 0 < size1 <= size2:
            raise ValueError(f"no consistency proof from size {size1} to size {size2}")
        proof: list[bytes] = []
        start, end, whole = 0, size2, True  # `whole`: the old tree is a whole subtree here.
        while size1 != end:
            split = start + _largest_power_of_two_below(end - start)
            if size1 <= split:
                proof.append(self._range_hash(split, end))
                end = split
            else:
                proof.append(self._range_hash(start, split))
                start, whole = split, False
        if not whole:
            proof.append(self._range_hash(start, end))
        return proof[::-1]

    def _range_hash(self, start: int, end: int) -> bytes:
        """MTH of leaves [start, end), where start is aligned to the range's size.

        Such a range splits into perfect subtrees of decreasing size (the binary digits
        of its length); folding them from the right is the RFC's MTH recursion.
        """
        subtrees: list[bytes] = []
        while start < end:
            level = (end - start).bit_length() - 1
            subtrees.append(self._store.get(level, start >> level))
            start += 1 << level
        result = subtrees.pop()
        while subtrees:
            result = node_hash(subtrees.pop(), result)
        return result

    def _node(self, new: dict[tuple[int, int], bytes], level: int, index: int) -> bytes:
        if (level, index) in new:
            return new[(level, index)]
        return self._store.get(level, index)

    def _check_size(self, tree_size: int) -> None:
        if not 0 <= tree_size <= self._store.size():
            raise ValueError(f"the log has no tree of size {tree_size}")


class _Planned:
    """A store that hands out blank hashes and notes which nodes were asked for: the
    algorithm run once on it names the nodes a proof needs, whatever its shape."""

    def __init__(self, tree_size: int) -> None:
        self.keys: set[tuple[int, int]] = set()
        self._size = tree_size

    def get(self, level: int, index: int) -> bytes:
        self.keys.add((level, index))
        return bytes(HASH_SIZE)

    def get_many(self, keys: Collection[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        self.keys.update(keys)
        return dict.fromkeys(keys, bytes(HASH_SIZE))

    def put_many(self, nodes: Sequence[Node]) -> None:
        raise TypeError("a planned proof stores nothing")

    def size(self) -> int:
        return self._size


class _Known(_Planned):
    """The nodes a proof needs, read beforehand; any other is missing (KeyError)."""

    def __init__(self, nodes: dict[tuple[int, int], bytes], tree_size: int) -> None:
        super().__init__(tree_size)
        self._nodes = nodes

    def get(self, level: int, index: int) -> bytes:
        return self._nodes[(level, index)]

    def get_many(self, keys: Collection[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        return {key: self._nodes[key] for key in keys if key in self._nodes}


def _largest_power_of_two_below(n: int) -> int:
    """The k of RFC 9162 2.1.1: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)
