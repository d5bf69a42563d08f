"""Signing: checkpoint notes signed by the log, and cosignatures made by a witness.

The note format, key hash and checkpoint body come from `verifier`, so what is signed
here is by construction what the standalone verifier reads.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from iro_ledger.trust.verifier import (
    SIGNATURE_PREFIX,
    Checkpoint,
    checkpoint_body,
    cosigned_message,
    cosigner_key_hash,
    key_hash,
    seal_text,
)


def generate_signing_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 key for signing checkpoints."""
    return Ed25519PrivateKey.generate()


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The SubjectPublicKeyInfo PEM that verifiers are given (see verifier.load_public_key_pem)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def sign_note(text: str, key_name: str, key: Ed25519PrivateKey) -> str:
    """A C2SP signed note: the text, a blank line, and one signature line by `key_name`."""
    if not text.endswith("\n") or not key_name or " " in key_name or "+" in key_name:
        raise ValueError("note text must end in a newline; key names have no spaces or '+'")
    blob = key_hash(key_name, key.public_key()) + key.sign(text.encode())
    return f"{text}\n{SIGNATURE_PREFIX}{key_name} {base64.b64encode(blob).decode()}\n"


def sign_checkpoint(origin: str, tree_size: int, root_hash: bytes, key: Ed25519PrivateKey,
                    issued_at: datetime | None = None) -> str:
    """A checkpoint note for the tree, signed under the log's origin as key name; with
    `issued_at`, the note carries the time it was signed as an extension line."""
    if "\n" in origin or len(root_hash) != 32 or tree_size < 0:
        raise ValueError("origin must be one line, root hash 32 bytes, tree size not negative")
    time = None if issued_at is None else issued_at_line(issued_at)
    return sign_note(checkpoint_body(origin, tree_size, root_hash, time), origin, key)


def seal(origin: str, tree_size: int, digest: bytes, key: Ed25519PrivateKey) -> str:
    """The log's seal over a dispute bundle's content digest (`verifier.seal_text`)."""
    return sign_note(seal_text(origin, tree_size, digest), origin, key)


def issued_at_line(moment: datetime) -> str:
    """A checkpoint's time as its extension line holds it: UTC to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cosign(checkpoint: Checkpoint, name: str, key: Ed25519PrivateKey, timestamp: int) -> str:
    """A witness's C2SP cosignature/v1 line over the checkpoint, made at `timestamp`."""
    if not name or " " in name or "+" in name or not 0 <= timestamp < 2**63:
        raise ValueError("witness names have no spaces or '+'; the time must fit 63 bits")
    signature = key.sign(cosigned_message(checkpoint.body, timestamp))
    blob = cosigner_key_hash(name, key.public_key()) + timestamp.to_bytes(8, "big") + signature
    return f"{SIGNATURE_PREFIX}{name} {base64.b64encode(blob).decode()}\n"
