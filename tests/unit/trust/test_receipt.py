"""Receipts: an event's canonical bytes, proven into a signed checkpoint and beyond."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from iro_ledger.trust.merkle import InMemoryNodeStore, MerkleLog
from iro_ledger.trust.signing import (
    generate_signing_key,
    public_key_pem,
    sign_checkpoint,
    sign_note,
)
from iro_ledger.trust.verifier import (
    RECEIPT_FORMAT,
    VerificationError,
    checkpoint_body,
    leaf_hash,
    verify_receipt,
)

ORIGIN = "iro-ledger.example/receipts"
KEY = generate_signing_key()
PEM = public_key_pem(KEY)


def canonical(i: int) -> bytes:
    return f'{{"type":"ChallengeRaised","n":{i}}}'.encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def log_of(n: int, make: Any = canonical) -> MerkleLog:
    log = MerkleLog(InMemoryNodeStore())
    log.append(leaf_hash(make(i)) for i in range(n))
    return log


def receipt_for(index: int, tree_size: int, log: MerkleLog | None = None) -> dict[str, Any]:
    log = log or log_of(tree_size)
    return {
        "format": RECEIPT_FORMAT,
        "leaf": {"canonical": b64(canonical(index)), "index": index},
        "event": {"type": "ChallengeRaised", "n": index},
        "tree_size": tree_size,
        "inclusion_proof": [b64(h) for h in log.inclusion_proof(index, tree_size)],
        "checkpoint": sign_checkpoint(ORIGIN, tree_size, log.root(tree_size), KEY),
        "key_name": ORIGIN,
    }


def against(size1: int, size2: int, log: MerkleLog, key: Ed25519PrivateKey = KEY) -> dict[str, Any]:
    return {
        "checkpoint": sign_checkpoint(ORIGIN, size2, log.root(size2), key),
        "consistency_proof": [b64(h) for h in log.consistency_proof(size1, size2)],
    }


def flip_byte(encoded: str, at: int = 0) -> str:
    data = bytearray(base64.b64decode(encoded))
    data[at] ^= 0x01
    return b64(bytes(data))


def test_a_receipt_verifies_and_says_what_it_proved() -> None:
    log = log_of(11)
    verified = verify_receipt(receipt_for(6, 11, log), PEM)
    assert (verified.leaf_index, verified.tree_size, verified.origin) == (6, 11, ORIGIN)
    assert verified.root_hash == log.root(11)
    assert verified.canonical == canonical(6)
    assert verified.later_tree_size is None


def test_a_receipt_verifies_against_a_later_checkpoint_that_extends_it() -> None:
    log = log_of(30)
    verified = verify_receipt(receipt_for(6, 11, log), PEM, against(11, 30, log))
    assert (verified.later_tree_size, verified.later_root_hash) == (30, log.root(30))


def test_a_receipt_verifies_against_the_same_checkpoint() -> None:
    log = log_of(11)
    verified = verify_receipt(receipt_for(0, 11, log), PEM, against(11, 11, log))
    assert verified.later_tree_size == 11


def test_a_receipt_for_the_only_leaf_of_a_tree_verifies() -> None:
    assert verify_receipt(receipt_for(0, 1), PEM).tree_size == 1


def test_receipt_with_one_flipped_byte_in_the_canonical_bytes_is_rejected() -> None:
    receipt = receipt_for(6, 11)
    receipt["leaf"]["canonical"] = flip_byte(receipt["leaf"]["canonical"], at=5)
    with pytest.raises(VerificationError, match="inclusion proof does not lead to the checkpoint"):
        verify_receipt(receipt, PEM)


@pytest.mark.parametrize("step", [0, 1, 2, 3])
def test_receipt_with_one_flipped_byte_in_the_proof_is_rejected(step: int) -> None:
    receipt = receipt_for(6, 11)
    receipt["inclusion_proof"][step] = flip_byte(receipt["inclusion_proof"][step], at=31)
    with pytest.raises(VerificationError, match="inclusion proof does not lead to the checkpoint"):
        verify_receipt(receipt, PEM)


def test_receipt_with_one_flipped_byte_in_the_checkpoint_root_is_rejected() -> None:
    receipt = receipt_for(6, 11)
    origin, size, root, rest = receipt["checkpoint"].split("\n", 3)
    receipt["checkpoint"] = "\n".join([origin, size, flip_byte(root), rest])
    with pytest.raises(VerificationError, match="checkpoint signature does not verify"):
        verify_receipt(receipt, PEM)


def test_receipt_with_a_forged_checkpoint_signed_by_another_key_is_rejected() -> None:
    forger = generate_signing_key()
    log = log_of(11)
    receipt = receipt_for(6, 11, log)
    receipt["checkpoint"] = sign_checkpoint(ORIGIN, 11, log.root(11), forger)
    with pytest.raises(VerificationError, match="checkpoint signature does not verify"):
        verify_receipt(receipt, PEM)


def test_receipt_checked_with_the_wrong_public_key_is_rejected() -> None:
    with pytest.raises(VerificationError, match="checkpoint signature does not verify"):
        verify_receipt(receipt_for(6, 11), public_key_pem(generate_signing_key()))


def test_a_later_checkpoint_that_does_not_extend_the_earlier_is_rejected() -> None:
    honest, rewritten = log_of(30), log_of(30, lambda i: canonical(100 + i if i == 3 else i))
    receipt = receipt_for(6, 11, honest)
    with pytest.raises(VerificationError, match="does not extend the receipt's checkpoint"):
        verify_receipt(receipt, PEM, against(11, 30, rewritten))


def test_a_later_checkpoint_by_another_key_is_rejected() -> None:
    log = log_of(30)
    later = against(11, 30, log, key=generate_signing_key())
    with pytest.raises(VerificationError, match="checkpoint signature does not verify"):
        verify_receipt(receipt_for(6, 11, log), PEM, later)


def test_a_later_checkpoint_that_is_smaller_is_rejected() -> None:
    log = log_of(30)
    later = {"checkpoint": sign_checkpoint(ORIGIN, 10, log.root(10), KEY), "consistency_proof": []}
    with pytest.raises(VerificationError, match="smaller"):
        verify_receipt(receipt_for(6, 11, log), PEM, later)


def test_a_receipt_whose_tree_size_differs_from_its_checkpoint_is_rejected() -> None:
    receipt = receipt_for(6, 11)
    receipt["tree_size"] = 12
    with pytest.raises(VerificationError, match="tree size"):
        verify_receipt(receipt, PEM)


@pytest.mark.parametrize("index", [5, 7, 11, -1])
def test_a_receipt_that_claims_another_leaf_index_is_rejected(index: int) -> None:
    receipt = receipt_for(6, 11)
    receipt["leaf"]["index"] = index
    with pytest.raises(VerificationError, match="inclusion proof does not lead to the checkpoint"):
        verify_receipt(receipt, PEM)


def test_a_checkpoint_of_another_log_signed_by_the_same_key_is_rejected() -> None:
    log = log_of(11)
    receipt = receipt_for(6, 11, log)
    receipt["checkpoint"] = sign_checkpoint("another-log", 11, log.root(11), KEY)
    with pytest.raises(VerificationError, match="checkpoint signature does not verify"):
        verify_receipt(receipt, PEM)


def test_a_checkpoint_whose_origin_is_not_the_key_name_is_rejected() -> None:
    log = log_of(11)
    receipt = receipt_for(6, 11, log)
    receipt["checkpoint"] = sign_note(checkpoint_body("another-log", 11, log.root(11)), ORIGIN, KEY)
    with pytest.raises(VerificationError, match="origin"):
        verify_receipt(receipt, PEM)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("format",), "iro-ledger-receipt/2"),
        (("tree_size",), "11"),
        (("tree_size",), True),
        (("leaf", "index"), None),
        (("leaf", "canonical"), "not base64!"),
        (("inclusion_proof",), "AAAA"),
        (("inclusion_proof",), [1, 2]),
        (("checkpoint",), None),
        (("key_name",), 7),
    ],
)
def test_a_receipt_with_a_malformed_field_is_rejected(path: tuple[str, ...], value: Any) -> None:
    receipt = copy.deepcopy(receipt_for(6, 11))
    container = receipt
    for name in path[:-1]:
        container = container[name]
    container[path[-1]] = value
    with pytest.raises(VerificationError):
        verify_receipt(receipt, PEM)


def test_the_event_copy_is_informational_and_not_what_is_proven() -> None:
    receipt = receipt_for(6, 11)
    receipt["event"] = {"type": "SomethingElse"}
    assert verify_receipt(receipt, PEM).canonical == canonical(6)
