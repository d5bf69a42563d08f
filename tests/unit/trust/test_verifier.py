"""Edge cases of the RFC 9162 verifier that the reference vectors do not single out."""

from __future__ import annotations

import pytest

from iro_ledger.trust.merkle import InMemoryNodeStore, MerkleLog
from iro_ledger.trust.verifier import (
    VerificationError,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [leaf_hash(bytes([i])) for i in range(7)]
LOG = MerkleLog(InMemoryNodeStore())
LOG.append(LEAVES)


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    assert leaf_hash(b"") != node_hash(b"", b"")
    assert leaf_hash(b"\x01" + LEAVES[0] + LEAVES[1]) != node_hash(LEAVES[0], LEAVES[1])


def test_an_inclusion_proof_with_a_hash_too_many_is_rejected_as_too_long() -> None:
    proof = LOG.inclusion_proof(2, 7)
    with pytest.raises(VerificationError, match="longer than the tree is deep"):
        verify_inclusion(2, 7, LEAVES[2], [*proof, LEAVES[0]], LOG.root(7))


def test_an_inclusion_proof_with_a_hash_too_few_is_rejected_as_too_short() -> None:
    proof = LOG.inclusion_proof(2, 7)
    with pytest.raises(VerificationError, match="too short"):
        verify_inclusion(2, 7, LEAVES[2], proof[:-1], LOG.root(7))


@pytest.mark.parametrize(("index", "size"), [(7, 7), (8, 7), (-1, 7), (0, 0)])
def test_an_inclusion_proof_for_a_leaf_outside_the_tree_is_rejected(index: int, size: int) -> None:
    with pytest.raises(VerificationError, match="is not inside a tree"):
        verify_inclusion(index, size, LEAVES[0], [], LOG.root(7))


def test_a_consistency_proof_with_a_hash_too_many_is_rejected_as_too_long() -> None:
    proof = LOG.consistency_proof(3, 7)
    with pytest.raises(VerificationError, match="longer than the tree is deep"):
        verify_consistency(3, 7, [*proof, LEAVES[0]], LOG.root(3), LOG.root(7))


@pytest.mark.parametrize("size1", [0, -1, -6])
def test_a_consistency_proof_from_an_empty_or_negative_tree_is_rejected(size1: int) -> None:
    with pytest.raises(VerificationError, match="empty tree"):
        verify_consistency(size1, 7, [LEAVES[0]], LOG.root(0), LOG.root(7))


def test_a_proof_hash_of_the_wrong_length_is_rejected() -> None:
    proof = LOG.inclusion_proof(2, 7)
    with pytest.raises(VerificationError, match="not 32 bytes"):
        verify_inclusion(2, 7, LEAVES[2], [proof[0][:31], *proof[1:]], LOG.root(7))
