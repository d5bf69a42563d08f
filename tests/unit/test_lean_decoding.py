"""The lean decoder makes the events eventsourcing's mapper makes, for every stored topic."""

from __future__ import annotations

import json
from collections.abc import Iterator
from uuid import uuid4

import pytest
from eventsourcing.persistence import Mapper, StoredEvent

from iro_ledger.application import Ledger, Principal, Role
from iro_ledger.application.commands import parse_command_json
from iro_ledger.application.decoding import LeanDecoder
from iro_ledger.application.store import store_env
from iro_ledger.generator import GeneratorSpec, generate

TOPIC = "iro_ledger.domain.case:Case.ReviewHeld"


@pytest.fixture(scope="module")
def ledger() -> Iterator[Ledger]:
    history = generate(GeneratorSpec(authorities=1, children=25, years=4, seed=21, healthy=1))
    ledger = Ledger(env=store_env("sqlite:///:memory:"))
    admin = Principal(sub="decoding-test", role=Role.ADMIN)
    for line in history.lines:
        ledger.execute(parse_command_json(line), admin, "import")
    yield ledger
    ledger.close()


def library(ledger: Ledger, stored: StoredEvent) -> object:
    return Mapper.to_domain_event(ledger.mapper, stored)


def same(one: object, other: object) -> bool:
    return type(one) is type(other) and vars(one) == vars(other)


def test_every_stored_event_of_a_generated_history_decodes_as_the_library_decodes_it(
        ledger: Ledger) -> None:
    stored = ledger.recorder.select_notifications(start=1, limit=1_000_000)
    lean = LeanDecoder(ledger.mapper)
    decoded = lean.decode(stored)
    assert len({s.topic for s in stored}) >= 25  # a varied history: 29 topics
    assert [s.topic for s, d in zip(stored, decoded, strict=True)
            if not same(d, library(ledger, s))] == []
    again = lean.decode(stored)  # the topics' tagged keys now known from the start
    assert all(same(d, library(ledger, s)) for s, d in zip(stored, again, strict=True))


def stored_as(ledger: Ledger, change: dict[str, object]) -> StoredEvent:
    """A stored review with its state changed."""
    first = next(s for s in ledger.recorder.select_notifications(start=1, limit=1_000_000)
                 if s.topic == TOPIC)
    state = {**json.loads(first.state), **change}
    return StoredEvent(originator_id=uuid4(), originator_version=2, topic=TOPIC,
                       state=json.dumps(state, separators=(",", ":")).encode())


@pytest.mark.parametrize("change", [
    {"extra": {"when": {"_type_": "date_iso", "_data_": "2024-01-02"}}},
    {"extra": [{"_type_": "date_iso", "_data_": "2024-01-02"}]},
    {"extra": "_type_"},
    {"extra": {"_type_": "date_iso", "_data_": "2024-01-02"}},
    {"extra": {"_type_": "date_iso", "other": 1}},
    {"extra": "\ud800"},
    {"extra": 2 ** 64, "less": -(2 ** 63) - 1},
], ids=["nested-in-an-object", "in-a-list", "a-string", "a-new-top-level-key", "not-a-tag",
        "a-lone-surrogate-orjson-refuses", "integers-past-64-bits"])
def test_tags_the_lean_path_does_not_expect_decode_as_the_library_decodes_them(
        ledger: Ledger, change: dict[str, object]) -> None:
    stored = stored_as(ledger, change)
    assert same(LeanDecoder(ledger.mapper).decode_one(stored), library(ledger, stored))
