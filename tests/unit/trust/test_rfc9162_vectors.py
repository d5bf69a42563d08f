"""Conformance with the RFC 9162 proof vectors of transparency-dev/merkle, read in place.

Every vector file is its own test case. Vectors marked wantErr must be rejected by the
verifier; the others must verify. The happy paths in the numbered folders are built
over the RFC 6962 test leaves, so they also pin down our root and proof generation.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from iro_ledger.trust.merkle import InMemoryNodeStore, MerkleLog
from iro_ledger.trust.verifier import (
    VerificationError,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from tests.shared_data import shared_dir

VECTORS = shared_dir() / "vectors" / "rfc9162"
INCLUSION = sorted(VECTORS.glob("inclusion/**/*.json"))
CONSISTENCY = sorted(VECTORS.glob("consistency/**/*.json"))

# The leaves of the RFC 6962 test tree, from which the numbered vector folders are built.
RFC6962_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]


def load(path: Path) -> dict[str, Any]:
    vector: dict[str, Any] = json.loads(path.read_text())
    return vector


def hashes(encoded: list[str] | None) -> list[bytes]:
    return [base64.b64decode(item) for item in encoded or []]


def case_id(path: Path) -> str:
    return str(path.relative_to(VECTORS))


def rfc6962_log() -> MerkleLog:
    log = MerkleLog(InMemoryNodeStore())
    log.append(leaf_hash(leaf) for leaf in RFC6962_LEAVES)
    return log


def built_from_rfc6962_leaves(path: Path) -> bool:
    folder = path.relative_to(VECTORS).parts[1]
    return folder.isdigit() and path.name == "happy-path.json"


def test_every_vector_file_is_found() -> None:
    assert (len(INCLUSION), len(CONSISTENCY)) == (98, 98)
    expected_to_verify = [p for p in INCLUSION + CONSISTENCY if not load(p)["wantErr"]]
    assert len(expected_to_verify) == 12


@pytest.mark.parametrize("path", INCLUSION, ids=case_id)
def test_inclusion_vector_is_judged_as_the_reference_does(path: Path) -> None:
    v = load(path)

    def verify() -> None:
        verify_inclusion(
            v["leafIdx"],
            v["treeSize"],
            base64.b64decode(v["leafHash"]),
            hashes(v["proof"]),
            base64.b64decode(v["root"]),
        )

    if v["wantErr"]:
        with pytest.raises(VerificationError):
            verify()
    else:
        verify()


@pytest.mark.parametrize("path", CONSISTENCY, ids=case_id)
def test_consistency_vector_is_judged_as_the_reference_does(path: Path) -> None:
    v = load(path)

    def verify() -> None:
        verify_consistency(
            v["size1"],
            v["size2"],
            hashes(v["proof"]),
            base64.b64decode(v["root1"]),
            base64.b64decode(v["root2"]),
        )

    if v["wantErr"]:
        with pytest.raises(VerificationError):
            verify()
    else:
        verify()


@pytest.mark.parametrize(
    "path", [p for p in INCLUSION if built_from_rfc6962_leaves(p)], ids=case_id
)
def test_generated_inclusion_proof_and_root_equal_the_vector(path: Path) -> None:
    v, log = load(path), rfc6962_log()
    assert leaf_hash(RFC6962_LEAVES[v["leafIdx"]]) == base64.b64decode(v["leafHash"])
    assert log.root(v["treeSize"]) == base64.b64decode(v["root"])
    assert log.inclusion_proof(v["leafIdx"], v["treeSize"]) == hashes(v["proof"])


@pytest.mark.parametrize(
    "path", [p for p in CONSISTENCY if built_from_rfc6962_leaves(p)], ids=case_id
)
def test_generated_consistency_proof_and_roots_equal_the_vector(path: Path) -> None:
    v, log = load(path), rfc6962_log()
    assert log.root(v["size1"]) == base64.b64decode(v["root1"])
    assert log.root(v["size2"]) == base64.b64decode(v["root2"])
    assert log.consistency_proof(v["size1"], v["size2"]) == hashes(v["proof"])


def test_every_rfc6962_happy_path_is_checked_against_generation() -> None:
    checked = [p for p in INCLUSION + CONSISTENCY if built_from_rfc6962_leaves(p)]
    assert len(checked) == 10
