"""Idempotent commands: a `command_id` seen before is answered the same and stores nothing new.

The receipt is an aggregate saved atomically with the command's own events, so a crash can
never leave events without their receipt or the reverse; a concurrent duplicate loses the race
on the receipt's unique id and is answered from the winner's receipt.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from iro_ledger.domain.record import LedgerRecord, Stamp

_NAMESPACE = uuid5(NAMESPACE_URL, "https://iro-ledger.invalid/commands")


def receipt_id(recorded_by: str, command_id: str) -> UUID:
    """Command ids are the client's: scoped to the principal who sent them."""
    return uuid5(_NAMESPACE, f"{recorded_by}/{command_id}")


def fingerprint(command: dict[str, Any]) -> str:
    """A hash of the command's content, to tell a true repeat from a reused id."""
    canonical = json.dumps(command, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class CommandReceipt(LedgerRecord):
    """The answer given to a command that carried a `command_id`."""

    KIND = "command"

    def __init__(self, la_code: str, ref: str, occurred_on: date, fingerprint: str,
                 answer: dict[str, Any]) -> None:
        super().__init__(la_code, ref, occurred_on)
        self.fingerprint = fingerprint
        self.answer = answer

    class Accepted(LedgerRecord.Created):
        fingerprint: str
        answer: dict[str, Any]

    @classmethod
    def accept(cls, la_code: str, fingerprint: str, answer: dict[str, Any],
               stamp: Stamp) -> CommandReceipt:
        assert stamp.command_id is not None
        return cls._create(
            cls.Accepted, id=receipt_id(stamp.recorded_by, stamp.command_id), la_code=la_code,
            ref=stamp.command_id, fingerprint=fingerprint, answer=answer, **stamp.fields(),
        )
