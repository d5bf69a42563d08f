"""Witness cosignatures (C2SP tlog-cosignature, cosignature/v1) and checkpoints that carry
their time, as the standalone verifier reads them."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from iro_ledger.trust.signing import cosign, generate_signing_key, sign_checkpoint
from iro_ledger.trust.verifier import (
    VerificationError,
    Witness,
    cosigned_message,
    parse_checkpoint,
    parse_witness_vkey,
    verify_checkpoint,
    verify_cosignature,
    witness_vkey,
    witnessed_by,
)

ORIGIN = "iro-ledger.example/log"
LOG_KEY = generate_signing_key()
ROOT = hashlib.sha256(b"a root").digest()
SIGNED_AT = datetime(2026, 11, 30, 9, 15, 42, 123456, tzinfo=UTC)
NAIRO = "witness.nairo.example/1"
UNION = "witness.union.example/1"


def witness(name: str, key: Ed25519PrivateKey) -> Witness:
    return Witness(name, key.public_key())


def checkpoint_note(size: int = 7, root: bytes = ROOT) -> str:
    return sign_checkpoint(ORIGIN, size, root, LOG_KEY, issued_at=SIGNED_AT)


def cosigned(note: str, *signers: tuple[str, Ed25519PrivateKey, int]) -> str:
    checkpoint = parse_checkpoint(note)
    return note + "".join(cosign(checkpoint, name, key, at) for name, key, at in signers)


def test_a_checkpoint_carries_the_time_the_log_signed_it_to_the_second() -> None:
    note = checkpoint_note()

    assert note.splitlines()[3] == "issued_at 2026-11-30T09:15:42Z"
    assert verify_checkpoint(note, LOG_KEY.public_key(), ORIGIN).issued_at == \
        "2026-11-30T09:15:42Z"


def test_a_checkpoint_without_a_time_line_still_verifies() -> None:
    note = sign_checkpoint(ORIGIN, 7, ROOT, LOG_KEY)

    assert verify_checkpoint(note, LOG_KEY.public_key(), ORIGIN).issued_at is None


def test_a_witness_signs_the_cosignature_v1_message_over_the_whole_checkpoint_body() -> None:
    key = generate_signing_key()
    note = checkpoint_note()
    line = cosign(parse_checkpoint(note), NAIRO, key, 1_764_494_142)
    blob = base64.b64decode(line.removeprefix(f"\u2014 {NAIRO} ").strip())
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    assert blob[:4] == hashlib.sha256(NAIRO.encode() + b"\n\x04" + raw).digest()[:4]
    assert int.from_bytes(blob[4:12], "big") == 1_764_494_142
    body = note[: note.index("\n\n") + 1]
    message = f"cosignature/v1\ntime 1764494142\n{body}".encode()
    assert cosigned_message(parse_checkpoint(note).body, 1_764_494_142) == message
    key.public_key().verify(blob[12:], message)


def test_a_cosignature_verifies_with_the_witness_key_and_gives_the_witness_time() -> None:
    key = generate_signing_key()
    note = cosigned(checkpoint_note(), (NAIRO, key, 1_764_494_142))

    found = verify_cosignature(parse_checkpoint(note), witness(NAIRO, key))

    assert found is not None
    assert (found.witness, found.timestamp, found.tree_size) == (NAIRO, 1_764_494_142, 7)
    assert verify_checkpoint(note, LOG_KEY.public_key(), ORIGIN).tree_size == 7


def test_a_cosignature_moved_onto_another_checkpoint_does_not_verify() -> None:
    key = generate_signing_key()
    line = cosign(parse_checkpoint(checkpoint_note(7)), NAIRO, key, 1_764_494_142)
    other = checkpoint_note(7, hashlib.sha256(b"another history").digest())

    with pytest.raises(VerificationError, match=f"cosignature by {NAIRO} does not verify"):
        verify_cosignature(parse_checkpoint(other + line), witness(NAIRO, key))


def test_a_cosignature_with_its_time_changed_does_not_verify() -> None:
    key = generate_signing_key()
    note = checkpoint_note()
    line = cosign(parse_checkpoint(note), NAIRO, key, 1_764_494_142)
    name, encoded = line.strip().removeprefix("\u2014 ").split(" ")
    blob = bytearray(base64.b64decode(encoded))
    blob[11] ^= 1
    forged = f"\u2014 {name} {base64.b64encode(bytes(blob)).decode()}\n"

    with pytest.raises(VerificationError, match="does not verify"):
        verify_cosignature(parse_checkpoint(note + forged), witness(NAIRO, key))


def test_lines_by_keys_the_verifier_does_not_trust_are_ignored() -> None:
    trusted, stranger = generate_signing_key(), generate_signing_key()
    note = cosigned(checkpoint_note(), (NAIRO, stranger, 1))

    assert verify_cosignature(parse_checkpoint(note), witness(NAIRO, trusted)) is None


def test_the_log_key_cannot_pass_for_a_witness_because_key_ids_differ() -> None:
    note = checkpoint_note()

    assert verify_cosignature(parse_checkpoint(note), witness(ORIGIN, LOG_KEY)) is None


def test_a_quorum_counts_each_trusted_witness_once_across_checkpoints() -> None:
    nairo, union = generate_signing_key(), generate_signing_key()
    first = parse_checkpoint(cosigned(checkpoint_note(7), (NAIRO, nairo, 10)))
    later = parse_checkpoint(cosigned(checkpoint_note(9), (NAIRO, nairo, 20), (UNION, union, 21)))

    found = witnessed_by([first, later], [witness(NAIRO, nairo), witness(UNION, union)], 2)

    assert [(c.witness, c.tree_size) for c in found] == [(NAIRO, 7), (UNION, 9)]


def test_too_few_witnesses_is_not_proven_and_names_the_missing_one() -> None:
    nairo, union = generate_signing_key(), generate_signing_key()
    only = parse_checkpoint(cosigned(checkpoint_note(), (NAIRO, nairo, 10)))

    with pytest.raises(VerificationError, match=f"1 of the 2 required .*not cosigned by: {UNION}"):
        witnessed_by([only], [witness(NAIRO, nairo), witness(UNION, union)], 2)


def test_a_witness_vkey_names_the_witness_and_its_key() -> None:
    key = generate_signing_key()
    vkey = witness_vkey(NAIRO, key.public_key())

    parsed = parse_witness_vkey(vkey + "\n")

    assert parsed.name == NAIRO
    assert parsed.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw) == \
        key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


@pytest.mark.parametrize("damage", [
    lambda v: v.replace("witness.nairo", "witness.other"),
    lambda v: v.split("+", 2)[0] + "+00000000+" + v.split("+", 2)[2],
    lambda v: "+".join(v.split("+", 2)[:2]) + "+" + base64.b64encode(b"\x01" + bytes(32)).decode(),
    lambda v: "+".join(v.split("+", 2)[:2]),
])
def test_a_damaged_witness_vkey_is_refused(damage: object) -> None:
    vkey = witness_vkey(NAIRO, generate_signing_key().public_key())

    with pytest.raises(VerificationError):
        parse_witness_vkey(damage(vkey))  # type: ignore[operator]


def test_a_witness_name_with_a_space_or_plus_cannot_cosign() -> None:
    with pytest.raises(ValueError):
        cosign(parse_checkpoint(checkpoint_note()), "two words", generate_signing_key(), 1)
