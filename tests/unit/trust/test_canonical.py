"""The leaf's canonical encoding: the stored row, recomputable by an outsider from the docs."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, replace
from uuid import UUID

import pytest

from iro_ledger.trust.canonical import LEAF_FORMAT, canonical, describe, stored_leaf_hash

RECORD = UUID("6f1c1a52-3d4e-5b8a-9c1d-2e3f4a5b6c7d")
STATE = (b'{"occurred_on":{"_type_":"date_iso","_data_":"2024-06-13"},"recorded_by":"iro-2",'
         b'"la_code":"EMR","ref":"ch-002","grounds":"The move separates the child from school."}')


@dataclass(frozen=True)
class Row:
    originator_id: UUID | str
    originator_version: int
    topic: str
    state: bytes


RAISED = Row(RECORD, 1, "iro_ledger.domain.challenge:Challenge.Raised", STATE)


def test_the_leaf_is_compact_sorted_json_of_the_stored_row_with_base64_state() -> None:
    assert canonical(RAISED) == (
        b'{"format":"iro-ledger-leaf/1",'
        b'"originator_id":"6f1c1a52-3d4e-5b8a-9c1d-2e3f4a5b6c7d",'
        b'"originator_version":1,'
        b'"state":"' + base64.b64encode(STATE) + b'",'
        b'"topic":"iro_ledger.domain.challenge:Challenge.Raised"}')


def test_an_outsider_recomputes_the_leaf_hash_from_the_documented_recipe() -> None:
    document = {"format": LEAF_FORMAT, "originator_id": str(RECORD), "originator_version": 1,
                "state": base64.b64encode(STATE).decode(),
                "topic": "iro_ledger.domain.challenge:Challenge.Raised"}
    recomputed = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()

    assert hashlib.sha256(b"\x00" + recomputed).digest() == stored_leaf_hash(RAISED)


@pytest.mark.parametrize("topic", ['odd:Topic."quoted"\\back', "caf\u00e9:R\u00e9cord.Made",
                                   "tab\there:line\nbreak", ""])
@pytest.mark.parametrize("version", [1, 10**12])
def test_the_leaf_equals_the_recipe_whatever_the_topic_holds(topic: str, version: int) -> None:
    row = replace(RAISED, topic=topic, originator_version=version, state=bytes(range(256)))
    document = {"format": LEAF_FORMAT, "originator_id": str(RECORD),
                "originator_version": version,
                "state": base64.b64encode(bytes(range(256))).decode(), "topic": topic}

    assert canonical(row) == json.dumps(document, sort_keys=True, separators=(",", ":"),
                                        ensure_ascii=True).encode("ascii")


@pytest.mark.parametrize("spelling", [RECORD.hex, str(RECORD).upper(), str(RECORD)])
def test_the_leaf_is_the_same_however_the_store_spells_the_record_id(spelling: str) -> None:
    assert canonical(replace(RAISED, originator_id=spelling)) == canonical(RAISED)


@pytest.mark.parametrize("change", [
    {"state": STATE.replace(b"school", b"scho0l")},
    {"originator_version": 2},
    {"topic": "iro_ledger.domain.challenge:Challenge.Withdrawn"},
    {"originator_id": UUID(int=RECORD.int + 1)},
])
def test_any_change_to_the_stored_row_changes_the_leaf(change: dict[str, object]) -> None:
    assert stored_leaf_hash(replace(RAISED, **change)) != stored_leaf_hash(RAISED)  # type: ignore[arg-type]


def test_ciphertext_state_is_covered_byte_for_byte() -> None:
    sealed = replace(RAISED, state=bytes(range(256)))

    leaf = json.loads(canonical(sealed))

    assert base64.b64decode(leaf["state"]) == bytes(range(256))


def test_describe_reads_the_event_back_with_plain_dates() -> None:
    event = describe(canonical(RAISED))

    assert event["type"] == "Challenge.Raised"
    assert (event["originator_id"], event["number"]) == (str(RECORD), 1)
    assert event["state"]["occurred_on"] == "2024-06-13"
    assert event["state"]["ref"] == "ch-002"


def test_describe_says_when_the_state_is_not_readable() -> None:
    event = describe(canonical(replace(RAISED, state=b"\x8f\x00sealed")))

    assert event["state"] is None
    assert "encrypted" in event["state_note"]


@pytest.mark.parametrize("data", [b"not json", b'{"format":"other/1"}', b"[]",
                                  b'{"format":"iro-ledger-leaf/1","state":"%%%"}'])
def test_describe_refuses_bytes_that_are_not_a_leaf(data: bytes) -> None:
    with pytest.raises(ValueError):
        describe(data)
