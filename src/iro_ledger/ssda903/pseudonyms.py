"""Pseudonyms for children named in a return: a keyed hash of the CHILD id, never the id.

CHILD is the authority's own child identifier, the key to the child's social care record: kept
as it is, anyone with access to the authority's systems could name the child. A plain hash
would be no better, since CHILD ids are short and can be enumerated. So the pseudonym is
HMAC-SHA256 under a secret key that stays with the authority's import (a key file), over the
authority's code and the CHILD id: stable for every import made with the same key, and
unlinkable to the child without it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from datetime import date
from pathlib import Path

KEY_MIN_CHARS = 32
DIGEST_CHARS = 20
"""80 bits of the HMAC: no collision among any realistic number of children."""


class PseudonymKeyError(ValueError):
    """The key file cannot be read or is too short to be a secret."""


class Pseudonyms:
    """The child_ref and case ids for one authority under one key."""

    def __init__(self, key: bytes, la_code: str) -> None:
        if len(key) < KEY_MIN_CHARS:
            raise PseudonymKeyError(f"a pseudonym key needs at least {KEY_MIN_CHARS} bytes")
        self._key = key
        self._la_code = la_code

    def digest(self, child: str) -> str:
        message = f"{self._la_code}\x00{child}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:DIGEST_CHARS]

    def child_ref(self, child: str) -> str:
        return f"child-{self.digest(child)}"

    def case_id(self, child: str, began: date) -> str:
        """A period of care's case: the child's pseudonym and the day the period began."""
        return f"case-{self.digest(child)}-{began:%Y%m%d}"


def default_key_path(keys_dir: Path, la_code: str) -> Path:
    """One key per authority, beside the checkpoint signing key."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", la_code)
    return keys_dir / f"ssda903-{safe}.key"


def load_or_make_key(path: Path) -> tuple[bytes, bool]:
    """The key in `path`, made (random, owner-only) if there is none; True when made."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        return load_key(path), True
    return load_key(path), False


def load_key(path: Path) -> bytes:
    try:
        key = path.read_bytes().strip()
    except OSError as unreadable:
        raise PseudonymKeyError(f"cannot read {path}: {unreadable.strerror}") from None
    if len(key) < KEY_MIN_CHARS:
        raise PseudonymKeyError(f"{path} holds {len(key)} bytes; a pseudonym key needs at least "
                        f"{KEY_MIN_CHARS}")
    return key
