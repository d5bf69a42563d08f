"""A witness cosigns a log's checkpoints only while each extends the last it cosigned, and
refuses a fork: the same origin and key showing another history, or a smaller tree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from iro_ledger.trust.merkle import InMemoryNodeStore, MerkleLog
from iro_ledger.trust.signing import generate_signing_key, sign_checkpoint
from iro_ledger.trust.verifier import (
    Witness as Trusted,
)
from iro_ledger.trust.verifier import (
    leaf_hash,
    parse_checkpoint,
    verify_cosignature,
)
from iro_ledger.trust.witness import Fork, Offer, Refused, StateFile, Witness

ORIGIN = "iro-ledger.example/log"
LOG_KEY = generate_signing_key()
NOW = 1_764_494_142


def history(n: int, told: str = "as it happened") -> MerkleLog:
    log = MerkleLog(InMemoryNodeStore())
    log.append(leaf_hash(f"event {i} {told}".encode()) for i in range(n))
    return log


def note(log: MerkleLog, size: int, at: datetime | None = None) -> str:
    return sign_checkpoint(ORIGIN, size, log.root(size), LOG_KEY,
                           issued_at=at or datetime.fromtimestamp(NOW, UTC))


def offer(log: MerkleLog, old: int, size: int) -> Offer:
    proof = log.consistency_proof(old, size) if 0 < old < size else []
    return Offer(note(log, size), old, proof)


@pytest.fixture
def state(tmp_path: Path) -> StateFile:
    return StateFile(tmp_path / "nairo" / "state.json")


def nairo(state: StateFile) -> Witness:
    return Witness("witness.nairo.example/1", NAIRO_KEY, LOG_KEY.public_key(), ORIGIN, state,
                   clock=lambda: NOW)


NAIRO_KEY = generate_signing_key()


def test_a_witness_cosigns_the_first_checkpoint_it_sees(state: StateFile) -> None:
    log = history(5)

    made = nairo(state).cosign(offer(log, 0, 5))

    assert made.new and made.tree_size == 5 and made.timestamp == NOW
    found = verify_cosignature(parse_checkpoint(note(log, 5) + made.line),
                               Trusted("witness.nairo.example/1", NAIRO_KEY.public_key()))
    assert found is not None and found.timestamp == NOW
    seen = state.load()
    assert seen is not None and (seen.tree_size, seen.root_hash) == (5, log.root(5))


def test_a_witness_cosigns_a_checkpoint_proven_to_extend_the_last(state: StateFile) -> None:
    log = history(12)
    nairo(state).cosign(offer(log, 0, 5))

    made = nairo(state).cosign(offer(log, 5, 12))

    assert made.new and made.tree_size == 12


def test_the_same_checkpoint_again_gives_back_the_line_made_before(state: StateFile) -> None:
    log = history(5)
    first = nairo(state).cosign(offer(log, 0, 5))

    again = nairo(state).cosign(offer(log, 5, 5))

    assert not again.new and again.line == first.line
    assert again.served_in(note(log, 5) + first.line)


def test_another_history_under_the_same_origin_and_key_is_refused_as_a_fork(
        state: StateFile) -> None:
    nairo(state).cosign(offer(history(5), 0, 5))
    forked = history(12, told="as management would have it")

    with pytest.raises(Fork, match="does not extend tree size 5") as caught:
        nairo(state).cosign(offer(forked, 5, 12))

    assert caught.value.evidence == note(forked, 12)
    seen = state.load()
    assert seen is not None and seen.tree_size == 5


def test_a_fork_of_the_same_size_is_refused(state: StateFile) -> None:
    nairo(state).cosign(offer(history(5), 0, 5))

    with pytest.raises(Fork, match="equal size have different roots"):
        nairo(state).cosign(offer(history(5, told="otherwise"), 5, 5))


def test_a_smaller_tree_than_the_one_cosigned_is_refused_as_a_fork(state: StateFile) -> None:
    log = history(9)
    nairo(state).cosign(offer(log, 0, 9))

    with pytest.raises(Fork, match="smaller than tree size 9"):
        nairo(state).cosign(Offer(note(log, 4), 9, []))


def test_a_witness_remembers_a_fork_across_restarts(state: StateFile) -> None:
    nairo(state).cosign(offer(history(5), 0, 5))
    forked = history(12, told="rewritten")
    with pytest.raises(Fork):
        nairo(state).cosign(offer(forked, 5, 12))

    with pytest.raises(Fork):
        Witness("witness.nairo.example/1", NAIRO_KEY, LOG_KEY.public_key(), ORIGIN,
                StateFile(state.path)).cosign(offer(forked, 5, 12))


def test_a_checkpoint_signed_by_another_key_is_refused(state: StateFile) -> None:
    log = history(5)
    impostor = sign_checkpoint(ORIGIN, 5, log.root(5), generate_signing_key())

    with pytest.raises(Refused, match="not the log's"):
        nairo(state).cosign(Offer(impostor, 0, []))
    assert state.load() is None


def test_a_proof_from_another_size_than_the_one_cosigned_is_refused(state: StateFile) -> None:
    log = history(12)
    nairo(state).cosign(offer(log, 0, 5))

    with pytest.raises(Refused, match="starts at tree size 3"):
        nairo(state).cosign(offer(log, 3, 12))


def test_a_checkpoint_dated_ahead_of_the_witness_clock_is_refused(state: StateFile) -> None:
    log = history(5)
    ahead = datetime.fromtimestamp(NOW, UTC) + timedelta(hours=1)

    with pytest.raises(Refused, match="ahead of this witness's clock"):
        nairo(state).cosign(Offer(note(log, 5, at=ahead), 0, []))
