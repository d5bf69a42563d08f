"""Ed25519 private keys on disk: the log's checkpoint signing key and a witness's key.

A key file is PKCS#8 PEM, owner-readable only, never overwritten and never made inside a git
work tree: replacing a log's key would orphan every checkpoint it signed, and a witness's key
is its whole identity.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from iro_ledger.trust.signing import generate_signing_key


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


class NoSigningKey(Exception):
    """No signing key where the settings say: checkpoints cannot be issued."""


def inside_git_work_tree(path: Path) -> Path | None:
    """The git work tree `path` would lie in, if any: signing keys never go into a repository."""
    for directory in path.resolve().parents:
        if (directory / ".git").exists():
            return directory
    return None


def generate_key_file(path: Path) -> Ed25519PrivateKey:
    """Make a new signing key at `path`; refuses an existing file or a git work tree."""
    repository = inside_git_work_tree(path)
    if repository is not None:
        raise ValueError(f"{path} lies inside the git work tree {repository}; "
                         "keep signing keys out of repositories")
    if path.exists():
        raise FileExistsError(f"{path} already exists; a log's signing key is never replaced "
                              "by accident")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = generate_signing_key()
    save_private_key(key, path)
    return key


def ensure_signing_key(path: Path) -> bool:
    """Make a development key at `path` unless one is there; True when one was made."""
    if path.exists():
        return False
    generate_key_file(path)
    return True


class KeyFile:
    """The signing key at a path, read when first needed (a process may never sign)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: Ed25519PrivateKey | None = None

    def get(self) -> Ed25519PrivateKey:
        if self._key is None:
            if not self.path.exists():
                raise NoSigningKey(f"no checkpoint signing key at {self.path}; "
                                   "run `iro-ledger keys generate`")
            try:
                self._key = load_private_key(self.path)
            except ValueError as error:
                raise NoSigningKey(f"{self.path} is not a usable Ed25519 key: {error}") from error
        return self._key
