"""Erasure by crypto-shredding, on both stores: after `iro-ledger erase`, a child's free text
is gone from the database byte for byte, yet every surface still renders (showing `[erased]`),
the flags are the same, and every receipt and the audit still verify.

The texts are made unmistakable (`ZEBEDEE-...`) so that a byte search of the database proves
they are gone; they are fictional.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import Mapper
from typer.testing import CliRunner

from iro_ledger.application import Principal, Role
from iro_ledger.application.commands import parse_command
from iro_ledger.application.sealing import ERASED
from iro_ledger.cli import app
from iro_ledger.identity.tokens import TokenPolicy, mint_token
from iro_ledger.projections.db import libpq_url
from tests.integration.trust_story import Store, fresh_store

LA, CASE, OTHER_CASE = "EMR", "case-zeb", "case-kept"
SECRETS = ("ZEBEDEE-CHILD-REF", "ZEBEDEE-RECOMMENDATION", "ZEBEDEE-GROUNDS",
           "ZEBEDEE-RESPONSE", "ZEBEDEE-CONCERN", "ZEBEDEE-CORRECTION")
KEPT = "KEPT-GROUNDS-OF-ANOTHER-CHILD"
ADMIN = Principal(sub="admin-1", role=Role.ADMIN)


def story(on: str = "2024-05-02") -> list[dict[str, Any]]:
    base = {"la_code": LA, "occurred_on": on}
    return [
        {**base, "command": "open_case", "case_id": CASE, "child_ref": SECRETS[0],
         "legal_status": "C2", "entered_care_on": "2024-05-01"},
        {**base, "command": "assign_iro", "case_id": CASE, "officer_id": "iro-1",
         "reason": "first_allocation"},
        {**base, "command": "make_recommendation", "case_id": CASE, "recommendation_id": "r-z",
         "text": f"{SECRETS[1]}: weekly contact with a sister", "due_on": "2024-06-01"},
        {**base, "command": "raise_challenge", "challenge_id": "ch-zeb", "case_id": CASE,
         "officer_id": "iro-1", "about": "care_plan", "grounds": f"{SECRETS[2]} at school"},
        {**base, "command": "respond_to_challenge", "challenge_id": "ch-zeb",
         "response": f"{SECRETS[3]}: the plan stands"},
        {**base, "command": "record_concern", "concern_id": "con-zeb", "officer_id": "iro-1",
         "case_id": CASE, "raised_in": "review_minutes", "summary": f"{SECRETS[4]} housing"},
        {**base, "command": "correct_record", "kind": "case", "record_id": CASE,
         "corrects_event": 1, "reason": "typo", "details": {"note": SECRETS[5]}},
        {**base, "command": "open_case", "case_id": OTHER_CASE, "child_ref": "child-kept-1",
         "legal_status": "C2", "entered_care_on": "2024-05-01"},
        {**base, "command": "raise_challenge", "challenge_id": "ch-kept", "case_id": OTHER_CASE,
         "officer_id": "iro-1", "about": "care_plan", "grounds": KEPT},
    ]


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Store:
    made = fresh_store(database_url, tmp_path)
    made.ingest(story())
    made.ok("checkpoint")
    return made


def database_bytes(store: Store) -> bytes:
    """Every byte the store keeps: the SQLite files, or PostgreSQL's event table and the
    read models' tables, as stored."""
    if not store.postgres:
        return b"".join(path.read_bytes() for path in store.home.glob("ledger.sqlite*"))
    with psycopg.connect(libpq_url(store.url)) as conn:
        found = b"".join(bytes(row[0]) for row in conn.execute(
            f"SELECT state FROM {store.events}"))
        tables = [row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                found += repr(row).encode()
    return found


def erase(store: Store, *args: str, **env: str) -> Any:
    return store.cli("erase", "--case", CASE, "--la", LA, "--reason", "request SAR-0042", *args,
                     **env)


def test_free_text_is_stored_sealed_and_reads_back_whole(store: Store) -> None:
    stored = database_bytes(store) if store.postgres else b"".join(
        bytes(r[0]) for r in _sqlite_states(store))

    assert not any(secret.encode() in stored for secret in SECRETS)
    with store.services() as built:
        view = built.ledger.read("challenge", LA, "ch-zeb", ADMIN)
    assert view.events[0]["grounds"] == f"{SECRETS[2]} at school"


def test_after_erasure_the_text_is_gone_from_the_database_byte_for_byte(store: Store) -> None:
    assert SECRETS[2] in store.ok("timeline", CASE, "--la", LA, "--json").stdout
    assert SECRETS[2].encode() in database_bytes(store)  # the timeline's rows hold it

    result = erase(store)

    assert result.exit_code == 0, result.output
    remaining = database_bytes(store)
    assert [s for s in SECRETS if s.encode() in remaining] == []
    assert KEPT.encode() in remaining


def test_after_erasure_every_surface_renders_erased_text(store: Store) -> None:
    erase(store)

    with store.services() as built:
        challenge = built.ledger.read("challenge", LA, "ch-zeb", ADMIN)
        case = built.ledger.read("case", LA, CASE, ADMIN)
        kept = built.ledger.read("challenge", LA, "ch-kept", ADMIN)
    assert challenge.events[0]["grounds"] == ERASED
    assert challenge.events[1]["response"] == ERASED
    assert case.events[0]["child_ref"] == ERASED
    assert case.events[-2]["details"] == {"erased": ERASED}
    assert case.events[-1]["type"] == "Erased"
    assert case.events[-1]["reason"] == "request SAR-0042"
    assert kept.events[0]["grounds"] == KEPT
    timeline = store.ok("timeline", CASE, "--la", LA, "--json").stdout
    assert ERASED in timeline
    assert not any(secret in timeline for secret in SECRETS)
    store.ok("flags", "--la", LA)


def test_erasure_changes_no_flag(store: Store) -> None:
    before = json.loads(store.ok("flags", "--la", LA, "--json").stdout)

    erase(store)

    after = json.loads(store.ok("flags", "--la", LA, "--json").stdout)
    assert _decisions(after) == _decisions(before)


def test_receipts_and_the_audit_still_verify_after_erasure(store: Store) -> None:
    before = store.receipt(LA, "challenge:ch-zeb")

    erase(store)
    store.ok("checkpoint")
    after = store.receipt(LA, "challenge:ch-zeb")

    for receipt in (before, after):
        verified = CliRunner().invoke(app, ["verify-receipt", str(receipt), "--public-key",
                                            str(store.public_key)])
        assert verified.exit_code == 0, verified.output
    assert store.audit()[0] == 0


def test_only_an_admin_may_erase_and_nothing_is_recorded_otherwise(store: Store) -> None:
    secret = "x" * 40
    manager = mint_token(TokenPolicy(secret), "mgr-1", "la_manager", la_code=LA)

    refused = erase(store, "--token", manager, IRO_LEDGER_JWT_SECRET=secret)

    assert refused.exit_code == 2
    assert "only an admin may erase" in refused.stderr
    with store.services() as built:
        assert built.ledger.read("challenge", LA, "ch-zeb", ADMIN).events[0]["grounds"] != ERASED


def test_erasing_an_unknown_case_is_refused(store: Store) -> None:
    refused = store.cli("erase", "--case", "case-none", "--la", LA, "--reason", "SAR-1")

    assert refused.exit_code == 2
    assert "case-none" in refused.stderr


def test_events_stored_in_plain_text_before_sealing_still_read(store: Store) -> None:
    with store.services() as built:
        sealing = built.ledger.events.mapper
        built.ledger.events.mapper = Mapper(transcoder=sealing.transcoder)  # as before sealing
        built.ledger.execute(parse_command({
            "command": "raise_challenge", "la_code": LA, "occurred_on": "2024-05-03",
            "challenge_id": "ch-old", "case_id": OTHER_CASE, "officer_id": "iro-1",
            "about": "care_plan", "grounds": "OLD-PLAIN-GROUNDS"}), ADMIN, source="cli")
    assert b"OLD-PLAIN-GROUNDS" in b"".join(bytes(r[0]) for r in _states(store))

    with store.services() as built:
        view = built.ledger.read("challenge", LA, "ch-old", ADMIN)
    assert view.events[0]["grounds"] == "OLD-PLAIN-GROUNDS"


def _states(store: Store) -> list[Any]:
    if store.postgres:
        with psycopg.connect(libpq_url(store.url)) as conn:
            return list(conn.execute(f"SELECT state FROM {store.events}"))
    return _sqlite_states(store)


def _sqlite_states(store: Store) -> list[Any]:
    with sqlite3.connect(store.url.removeprefix("sqlite:///")) as conn:
        return list(conn.execute(f"SELECT state FROM {store.events}"))


def _decisions(flags: Any) -> list[tuple[str, str]]:
    items = flags["items"] if isinstance(flags, dict) else flags
    return sorted((f["id"], f["status"]) for f in items)


def test_text_recorded_after_an_erasure_is_sealed_anew_and_the_old_stays_erased(
        store: Store) -> None:
    erase(store)
    store.ingest([{"command": "record_decision", "la_code": LA, "occurred_on": "2024-05-03",
                   "case_id": CASE, "decision_id": "d-after", "kind": "placement",
                   "summary": "NEWER-SUMMARY"}])

    with store.services() as built:
        case = built.ledger.read("case", LA, CASE, ADMIN)
    assert case.events[0]["child_ref"] == ERASED
    assert case.events[-1]["summary"] == "NEWER-SUMMARY"


def test_text_recorded_on_a_challenge_after_its_case_was_erased_goes_with_a_second_erasure(
        store: Store) -> None:
    later = "ZEBEDEE-LATER-RESPONSE"
    erase(store)
    store.ingest([{"la_code": LA, "occurred_on": "2024-05-03",
                   "command": "respond_to_challenge", "challenge_id": "ch-zeb",
                   "response": f"{later}: still stands"}])
    with store.services() as built:
        assert built.ledger.read("challenge", LA, "ch-zeb", ADMIN).events[-1]["response"] == (
            f"{later}: still stands")

    again = erase(store)

    assert again.exit_code == 0, again.output
    assert later.encode() not in database_bytes(store)
    with store.services() as built:
        challenge = built.ledger.read("challenge", LA, "ch-zeb", ADMIN)
    assert [e["response"] for e in challenge.events if "response" in e] == [ERASED, ERASED]
