"""The signing side of checkpoints: Ed25519 keys on disk and signed checkpoint notes.

The note format, key hash and checkpoint body come from `verifier`, so what is signed
here is by construction what the standalone verifier reads.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from iro_ledger.trust.verifier import SIGNATURE_PREFIX, checkpoint_body, key_hash


def generate_signing_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 key for signing checkpoints."""
    return Ed25519PrivateKey.generate()


def save_private_key(key: Ed25519PrivateKey, path: Path) -> None:
    """Write the key as unencrypted PKCS#8 PEM, readable by its owner only.

    Refuses to overwrite an existing file: replacing a log's signing key by accident
    would orphan every checkpoint it signed.
    """
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read a PEM private key written by `save_private_key`; it must be Ed25519."""
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


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


def sign_checkpoint(origin: str, tree_size: int, root_hash: bytes, key: Ed25519PrivateKey) -> str:
    """A checkpoint note for the tree, signed under the log's origin as key name."""
    if "\n" in origin or len(root_hash) != 32 or tree_size < 0:
        raise ValueError("origin must be one line, root hash 32 bytes, tree size not negative")
    return sign_note(checkpoint_body(origin, tree_size, root_hash), origin, key)
