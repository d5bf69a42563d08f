"""A witness: cosigns a log's checkpoints only while each one extends the last it cosigned.

The witness is someone other than the log's operator (NAIRO, a union, a regulator) running
`iro-ledger witness` with its own Ed25519 key and a small state file: the origin, tree size and
root of the last checkpoint it cosigned. Shown a new checkpoint, it checks the log's signature,
then an RFC 9162 consistency proof from its remembered tree to the new one, and only then
cosigns (C2SP tlog-cosignature, cosignature/v1, with its own clock's time) and remembers the new
tree. A log that shows it a history not extending the remembered one (a fork: the same origin,
another history; or a smaller tree) is refused with `Fork`, and the state is left as it was, so
the witness goes on refusing that history. It needs no database: only the log's public key and
what the log serves (`sources`).
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from iro_ledger.trust.signing import cosign
from iro_ledger.trust.verifier import (
    Checkpoint,
    VerificationError,
    verify_checkpoint,
    verify_consistency,
    witness_vkey,
)

STATE_FORMAT = "iro-ledger-witness-state/1"
FUTURE_SKEW_SECONDS = 300
"""A checkpoint claiming to be signed further ahead of the witness's clock is refused."""


class Fork(Exception):
    """The log showed a checkpoint that does not extend the one this witness last cosigned."""

    def __init__(self, reason: str, evidence: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.evidence = evidence


class Refused(Exception):
    """The checkpoint cannot be cosigned (bad signature, another log, a time ahead of ours)."""


@dataclass(frozen=True)
class Offer:
    """What the log shows a witness: a checkpoint note and a consistency proof to it from
    `old_size` (the size the witness last cosigned; 0 and no proof on first contact)."""

    note: str
    old_size: int
    proof: list[bytes]


@dataclass(frozen=True)
class LastCosigned:
    """The witness's memory of one log: the last checkpoint it cosigned."""

    origin: str
    tree_size: int
    root_hash: bytes
    note: str
    cosigned_at: int
    line: str
    """The cosignature line made, kept until the log is seen to serve it."""


@dataclass(frozen=True)
class Cosignature:
    """A witness's cosignature line of the checkpoint at `tree_size`; `new` is False when
    the checkpoint was cosigned before (the line is the one made then)."""

    tree_size: int
    line: str
    timestamp: int
    new: bool

    def served_in(self, note: str) -> bool:
        """Whether the log already serves this line with its checkpoint."""
        return self.line in note


class StateFile:
    """The witness's state, one small JSON file per log, replaced atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> LastCosigned | None:
        if not self.path.exists():
            return None
        document = json.loads(self.path.read_text(encoding="utf-8"))
        if not isinstance(document, dict) or document.get("format") != STATE_FORMAT:
            raise ValueError(f"{self.path} is not a witness state file ({STATE_FORMAT})")
        return LastCosigned(str(document["origin"]), int(document["tree_size"]),
                    base64.b64decode(document["root_hash"]), str(document["note"]),
                    int(document["cosigned_at"]), str(document["line"]))

    def save(self, seen: LastCosigned) -> None:
        text = json.dumps({"format": STATE_FORMAT, "origin": seen.origin,
                           "tree_size": seen.tree_size,
                           "root_hash": base64.b64encode(seen.root_hash).decode(),
                           "note": seen.note, "cosigned_at": seen.cosigned_at,
                           "line": seen.line}, indent=2)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, self.path)


class Witness:
    """One witness of one log: its name and key, the log's key and origin, and its state."""

    def __init__(self, name: str, key: Ed25519PrivateKey, log_key: Ed25519PublicKey,
                 origin: str, state: StateFile, clock: Callable[[], float] = time.time) -> None:
        self.name = name
        self.key = key
        self.log_key = log_key
        self.origin = origin
        self.state = state
        self.clock = clock

    @property
    def vkey(self) -> str:
        return witness_vkey(self.name, self.key.public_key())

    def last(self) -> LastCosigned | None:
        return self.state.load()

    def cosign(self, offer: Offer) -> Cosignature:
        """Check the offer and cosign it (or give back the line made before, for the tree
        already cosigned). Raises Fork or Refused; the state is saved before the line is
        returned, so a cosigned tree is never forgotten."""
        try:
            checkpoint = verify_checkpoint(offer.note, self.log_key, self.origin)
        except VerificationError as bad:
            raise Refused(f"the checkpoint is not the log's: {bad.reason}") from None
        now = int(self.clock())
        self._check_time(checkpoint, now)
        last = self.state.load()
        if last is not None:
            if last.origin != self.origin:
                raise Refused(f"the state file {self.state.path} is for {last.origin!r}, "
                              f"not {self.origin!r}")
            if (checkpoint.tree_size, checkpoint.root_hash) == (last.tree_size, last.root_hash):
                return Cosignature(last.tree_size, last.line, last.cosigned_at, new=False)
            self._check_extends(last, checkpoint, offer)
        elif offer.old_size != 0:
            raise Refused(f"this witness has cosigned nothing of {self.origin} yet, but the "
                          f"proof starts at tree size {offer.old_size}")
        line = cosign(checkpoint, self.name, self.key, now)
        self.state.save(LastCosigned(self.origin, checkpoint.tree_size, checkpoint.root_hash,
                             offer.note, now, line))
        return Cosignature(checkpoint.tree_size, line, now, new=True)

    def _check_time(self, checkpoint: Checkpoint, now: int) -> None:
        if checkpoint.issued_at is None:
            return
        try:
            issued = datetime.strptime(checkpoint.issued_at, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            raise Refused(f"the checkpoint's time {checkpoint.issued_at!r} is not "
                          "YYYY-MM-DDTHH:MM:SSZ") from None
        if issued.replace(tzinfo=UTC).timestamp() > now + FUTURE_SKEW_SECONDS:
            raise Refused(f"the checkpoint claims to be signed at {checkpoint.issued_at}, "
                          "ahead of this witness's clock")

    def _check_extends(self, last: LastCosigned, checkpoint: Checkpoint, offer: Offer) -> None:
        said = (f"tree size {checkpoint.tree_size} (root "
                f"{base64.b64encode(checkpoint.root_hash).decode()})")
        cosigned = (f"tree size {last.tree_size} (root "
                    f"{base64.b64encode(last.root_hash).decode()}) that this witness cosigned")
        if checkpoint.tree_size < last.tree_size:
            raise Fork(f"the log {self.origin} shows {said}, smaller than {cosigned}",
                       offer.note)
        if offer.old_size != last.tree_size:
            raise Refused(f"the consistency proof starts at tree size {offer.old_size}, but this "
                          f"witness last cosigned tree size {last.tree_size}")
        try:
            verify_consistency(last.tree_size, checkpoint.tree_size, offer.proof,
                               last.root_hash, checkpoint.root_hash)
        except VerificationError as bad:
            raise Fork(f"the log {self.origin} shows {said}, which does not extend {cosigned}: "
                       f"{bad.reason}", offer.note) from None
