"""Signing keys and signed checkpoint notes, checked by the standalone verifier."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from iro_ledger.trust.keys import load_private_key, save_private_key
from iro_ledger.trust.signing import (
    generate_signing_key,
    public_key_pem,
    sign_checkpoint,
    sign_note,
)
from iro_ledger.trust.verifier import (
    VerificationError,
    leaf_hash,
    load_public_key_pem,
    open_note,
    parse_checkpoint,
    verify_checkpoint,
    vkey,
)

ORIGIN = "iro-ledger.example/test-log"
ROOT = leaf_hash(b"a root for the test")

# The worked example of golang.org/x/mod/sumdb/note, the origin of C2SP signed notes.
GO_SKEY_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSN"
    "XgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_signing_the_go_example_reproduces_its_note_and_verifier_key() -> None:
    key = Ed25519PrivateKey.from_private_bytes(GO_SKEY_SEED)
    assert vkey("PeterNeumann", key.public_key()) == GO_VKEY
    assert sign_note(GO_TEXT, "PeterNeumann", key) == GO_NOTE
    assert open_note(GO_NOTE, key.public_key(), "PeterNeumann") == GO_TEXT


def test_a_signed_checkpoint_round_trips() -> None:
    key = generate_signing_key()
    note = sign_checkpoint(ORIGIN, 42, ROOT, key)
    checkpoint = verify_checkpoint(note, key.public_key(), ORIGIN)
    assert (checkpoint.origin, checkpoint.tree_size, checkpoint.root_hash) == (ORIGIN, 42, ROOT)
    assert checkpoint.body == f"{ORIGIN}\n42\n{base64.b64encode(ROOT).decode()}\n"
    assert note.startswith(checkpoint.body + "\n\u2014 " + ORIGIN + " ")


def test_a_checkpoint_signed_by_a_different_key_is_rejected() -> None:
    note = sign_checkpoint(ORIGIN, 42, ROOT, generate_signing_key())
    with pytest.raises(VerificationError, match="does not verify with the given public key"):
        verify_checkpoint(note, generate_signing_key().public_key(), ORIGIN)


def test_a_checkpoint_with_a_tampered_body_is_rejected() -> None:
    key = generate_signing_key()
    note = sign_checkpoint(ORIGIN, 42, ROOT, key).replace("\n42\n", "\n43\n")
    with pytest.raises(VerificationError, match="signature over the note text is invalid"):
        verify_checkpoint(note, key.public_key(), ORIGIN)


def test_a_checkpoint_verified_under_another_key_name_is_rejected() -> None:
    key = generate_signing_key()
    note = sign_checkpoint(ORIGIN, 42, ROOT, key)
    with pytest.raises(VerificationError):
        verify_checkpoint(note, key.public_key(), "someone-else")


@pytest.mark.parametrize(
    "note",
    [
        pytest.param("origin\n1\n" + "A" * 43 + "=\n", id="no-signatures"),
        pytest.param("origin\n01\n{root}\n\n\u2014 origin AAAAAAAA\n", id="leading-zero-size"),
        pytest.param("origin\n-1\n{root}\n\n\u2014 origin AAAAAAAA\n", id="negative-size"),
        pytest.param("origin\n1\nAAAA\n\n\u2014 origin AAAAAAAA\n", id="short-root"),
        pytest.param("origin\n1\n{root}\n\n- origin AAAAAAAA\n", id="hyphen-not-em-dash"),
        pytest.param("origin\n1\n{root}\n\n\u2014 origin AAAA\n", id="signature-too-short"),
        pytest.param("origin\n1\n{root}\n\n\u2014 origin AAAAAAAA", id="no-final-newline"),
        pytest.param("origin\n1\n\n\u2014 origin AAAAAAAA\n", id="no-root-line"),
        pytest.param("origin\t\n1\n{root}\n\n\u2014 origin AAAAAAAA\n", id="control-char"),
    ],
)
def test_a_malformed_checkpoint_note_is_rejected(note: str) -> None:
    with pytest.raises(VerificationError):
        parse_checkpoint(note.replace("{root}", base64.b64encode(ROOT).decode()))


def test_the_private_key_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    key, path = generate_signing_key(), tmp_path / "signing.pem"
    save_private_key(key, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        save_private_key(generate_signing_key(), path)
    assert public_key_pem(load_private_key(path)) == public_key_pem(key)


def test_a_private_key_that_is_not_ed25519_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ec.pem"
    other = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(other.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    with pytest.raises(ValueError, match="Ed25519"):
        load_private_key(path)


def test_the_public_key_pem_loads_in_the_verifier() -> None:
    key = generate_signing_key()
    assert vkey("k", load_public_key_pem(public_key_pem(key))) == vkey("k", key.public_key())


def test_a_public_key_that_is_not_ed25519_is_refused_by_the_verifier() -> None:
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    pem = other.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(VerificationError, match="not an Ed25519 key"):
        load_public_key_pem(pem)
    with pytest.raises(VerificationError, match="not a readable PEM"):
        load_public_key_pem(b"not a key")


def test_a_checkpoint_cannot_be_signed_with_a_multiline_origin() -> None:
    with pytest.raises(ValueError):
        sign_checkpoint("two\nlines", 1, ROOT, generate_signing_key())
