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

import orjson
from eventsourcing.utils import get_topic

from iro_ledger.application.store import orjson_alike
from iro_ledger.domain.record import LedgerRecord, Stamp

_NAMESPACE = uuid5(NAMESPACE_URL, "https://iro-ledger.invalid/commands")


def receipt_id(recorded_by: str, command_id: str) -> UUID:
    """Command ids are the client's: scoped to the principal who sent them."""
    return uuid5(_NAMESPACE, f"{recorded_by}/{command_id}")


def fingerprint(command: dict[str, Any]) -> str:
    """A hash of the command's content, to tell a true repeat from a reused id.

    The hash is of `json.dumps(command, sort_keys=True, separators=(",", ":"),
    default=str)`, as every stored receipt's was. orjson writes those very bytes, faster,
    for content of text, integers, booleans and nulls whose JSON is printable ASCII; anything
    else (a float; text json.dumps escapes: beyond ASCII, or DEL) is written by json.dumps."""
    if orjson_alike(command, floats=False):
        try:
            written = orjson.dumps(command, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # an integer past 64 bits
            written = b"\x7f"
        if written.isascii() and b"\x7f" not in written:
            return hashlib.sha256(written).hexdigest()
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
               stamp: Stamp, id: UUID | None = None) -> CommandReceipt:
        """The receipt of a command, with its one event pending; `id` is its `receipt_id`
        where the caller has worked it out already.

        Made as the library's `_create` makes it (the same event, the same state), without
        its work per call: finding, from signatures, which of the event's fields `__init__`
        takes. Every command with a `command_id` makes a receipt, a bulk load thousands."""
        assert stamp.command_id is not None
        if id is None:
            id = receipt_id(stamp.recorded_by, stamp.command_id)
        fields: dict[str, Any] = {
            "originator_id": id, "originator_version": cls.INITIAL_VERSION,
            "timestamp": cls.Accepted.create_timestamp(), "originator_topic": _TOPIC,
            "la_code": la_code, "ref": stamp.command_id, "fingerprint": fingerprint,
            "answer": answer, **stamp.fields()}
        event = cls.Accepted(**fields)
        receipt = object.__new__(cls)
        receipt.__base_init__(id, cls.INITIAL_VERSION, event.timestamp)
        receipt.__init__(la_code, stamp.command_id, stamp.occurred_on,  # type: ignore[misc]
                         fingerprint, answer)
        receipt.pending_events.append(event)
        return receipt


_TOPIC = get_topic(CommandReceipt)
