"""The Merkle log's leaf: a canonical encoding of one event exactly as the store holds it.

A leaf covers the stored row, not the decoded event, so that nothing the application does
when reading (upcasting, decryption, a library upgrade) can change what was proven, and
erasing an encryption key later never breaks a proof: the state bytes are whatever the store
holds, ciphertext included.

The canonical bytes of an event are the UTF-8 (in fact ASCII) JSON object

    {"format":"iro-ledger-leaf/1","originator_id":ID,"originator_version":N,
     "state":STATE,"topic":TOPIC}

with keys sorted, no whitespace, and:

- ID: the record's stored id as a lowercase hyphenated UUID (`str(uuid.UUID(...))`);
- N: the event's number within its record (1 for the record's first event);
- STATE: standard base64 (RFC 4648, with padding) of the stored state bytes;
- TOPIC: the stored topic, `module:Class.Event`.

Every value is ASCII, so this equals RFC 8785 (JCS) and Python's
`json.dumps(obj, sort_keys=True, separators=(",", ":"))`. The leaf hash is RFC 9162's
SHA-256(0x00 || canonical bytes). The notification id (store position) is deliberately left
out: it is a property of one database, not of the event.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Protocol
from uuid import UUID

from iro_ledger.trust.verifier import leaf_hash

LEAF_FORMAT = "iro-ledger-leaf/1"


class StoredRow(Protocol):
    """What the store holds for one event (eventsourcing's StoredEvent and Notification)."""

    @property
    def originator_id(self) -> UUID | str: ...
    @property
    def originator_version(self) -> int: ...
    @property
    def topic(self) -> str: ...
    @property
    def state(self) -> bytes: ...


class NotCanonical(ValueError):
    """A stored row that no leaf can be made of as it is (a state that is not bytes, an id
    that is not a UUID): what tampering with the table behind the store's back leaves."""


def canonical(stored: StoredRow) -> bytes:
    """The canonical bytes of a stored event (see the module docstring)."""
    state: object = stored.state
    if not isinstance(state, bytes | bytearray | memoryview):
        raise NotCanonical(f"its state is stored as {type(state).__name__}, not bytes")
    try:
        raw_id = stored.originator_id
        originator_id = str(raw_id if isinstance(raw_id, UUID) else UUID(str(raw_id)))
        version = int(stored.originator_version)
    except (TypeError, ValueError) as bad:
        raise NotCanonical(f"its id or number is not what the store writes ({bad})") from None
    if not isinstance(stored.topic, str):
        raise NotCanonical(f"its topic is stored as {type(stored.topic).__name__}, not text")
    # The keys in sorted order, written out: the id (hex and hyphens) and base64 need no
    # escaping, the topic is escaped by json.dumps; equal to json.dumps of the whole object
    # with sort_keys, separators (",", ":") and ensure_ascii (tests/unit/trust).
    state_text = base64.b64encode(state).decode("ascii")
    return (f'{_HEAD}"originator_id":"{originator_id}","originator_version":{version},'
            f'"state":"{state_text}","topic":{json.dumps(stored.topic)}}}').encode("ascii")


_HEAD = '{"format":' + json.dumps(LEAF_FORMAT) + ","


def stored_leaf_hash(stored: StoredRow) -> bytes:
    """The RFC 9162 leaf hash of a stored event."""
    return leaf_hash(canonical(stored))


def describe(data: bytes) -> dict[str, Any]:
    """What canonical bytes say, for people: topic, record id, number, and the readable state.

    Raises ValueError when the bytes are not a leaf of this format. The state is shown only
    when it is readable JSON (an encrypted state is reported as such).
    """
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError("the leaf is not JSON") from error
    if not isinstance(document, dict) or document.get("format") != LEAF_FORMAT:
        raise ValueError(f"the leaf is not in the {LEAF_FORMAT} format")
    try:
        state_bytes = base64.b64decode(str(document["state"]), validate=True)
    except (KeyError, binascii.Error) as error:
        raise ValueError("the leaf's state is not base64") from error
    topic = str(document.get("topic", ""))
    summary: dict[str, Any] = {
        "type": topic.partition(":")[2] or topic,
        "topic": topic,
        "originator_id": document.get("originator_id"),
        "number": document.get("originator_version"),
    }
    try:
        state = json.loads(state_bytes)
    except (UnicodeDecodeError, json.JSONDecodeError):
        summary["state"] = None
        summary["state_note"] = "the state is not readable JSON (encrypted or binary)"
        return summary
    summary["state"] = _unwrapped(state)
    return summary


def _unwrapped(value: Any) -> Any:
    """The transcoder's `{"_type_": ..., "_data_": ...}` wrappers (dates) as plain values."""
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            return _unwrapped(value["_data_"])
        return {k: _unwrapped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrapped(v) for v in value]
    return value
