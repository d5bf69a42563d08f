"""Receipts through the CLI on both stores: the "Done when" of issue 4.

After a batch is ingested into a fresh store, a receipt for a challenge verifies offline with the
public key alone; one flipped byte, or a checkpoint forged with another key, fails with a clear
reason and exit 1; a later checkpoint is shown to extend the receipt's; receipts exist within a
second of the write they prove.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from iro_ledger.application import Principal, Role
from iro_ledger.application.commands import parse_command
from iro_ledger.cli import app
from iro_ledger.trust.signing import generate_signing_key, public_key_pem, sign_checkpoint
from iro_ledger.trust.verifier import parse_checkpoint, verify_receipt
from tests.integration.trust_story import (
    CHALLENGE,
    STORES,
    Store,
    authorities,
    flip_byte,
    fresh_authorities,
    module_store,
    read_json,
    write_json,
)

LA, CH = CHALLENGE
ADMIN = Principal(sub="admin-test", role=Role.ADMIN)


NO_STORE = "postgresql://nobody@127.0.0.1:1/no-such-store"
"""Where verification runs, no store can be reached."""


@pytest.fixture(scope="module", params=STORES)
def store(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One store per module and backend; tests only add to it, as the log only grows."""
    with module_store(request, tmp_path_factory.mktemp("trust")) as made:
        yield made


@pytest.fixture(scope="module")
def receipt(store: Store) -> Path:
    return store.receipt(LA, f"challenge:{CH}")


@dataclass
class Verified:
    returncode: int
    stdout: str
    stderr: str


def verify_offline(store: Store, receipt: Path, *options: str,
                   key: Path | None = None) -> Verified:
    """`iro-ledger verify-receipt` with only files and no reachable store."""
    result = CliRunner().invoke(app, ["verify-receipt", str(receipt), "--public-key",
                                      str(key or store.public_key), *options],
                                env={"IRO_LEDGER_DATABASE_URL": NO_STORE})
    return Verified(result.exit_code, result.stdout, result.stderr)


def flip_signature_byte(note: str) -> str:
    """The note with one bit flipped in its signature (past the 4-byte key hash)."""
    text, _, line = note[:-1].rpartition("\n")
    name, _, blob = line.rpartition(" ")
    return f"{text}\n{name} {flip_byte(blob, at=20)}\n"


def edited(store: Store, receipt: Path, change: Any) -> Path:
    document = read_json(receipt)
    change(document["receipts"][0])
    return write_json(store.file("edited.json"), document)


def test_a_receipt_for_a_challenge_verifies_offline_with_the_public_key_alone(
        store: Store, receipt: Path) -> None:
    # A separate process, without the store's settings, that could not reach a store anyway.
    env = {k: v for k, v in os.environ.items() if not k.startswith("IRO_LEDGER_")}
    command = [str(Path(sys.executable).parent / "iro-ledger"), "verify-receipt", str(receipt),
               "--public-key", str(store.public_key)]
    verified = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False,
                              env={**env, "IRO_LEDGER_DATABASE_URL": NO_STORE})

    assert verified.returncode == 0, verified.stdout + verified.stderr
    raised = store.leaf("challenge", LA, CH, 1)
    first, second = verified.stdout.splitlines()
    assert first.startswith("PROVEN: receipt 1 of 2: ")
    assert f"leaf {raised['leaf_index']} of tree size" in first
    assert "in log iro-ledger.invalid/log" in first
    assert f"challenge {LA}/{CH} event 1 Challenge.Raised" in first
    assert f"challenge {LA}/{CH} event 2 Challenge.Withdrawn" in second


def test_the_receipts_hold_every_event_of_the_record_in_one_checkpoint(receipt: Path) -> None:
    bundle = read_json(receipt)

    assert bundle["format"] == "iro-ledger-receipts/1"
    assert bundle["record"] == {"kind": "challenge", "la_code": LA, "id": CH}
    assert [r["event"]["number"] for r in bundle["receipts"]] == [1, 2]
    assert {r["tree_size"] for r in bundle["receipts"]} == {bundle["tree_size"]}
    assert len({r["checkpoint"] for r in bundle["receipts"]}) == 1


@pytest.mark.parametrize(("change", "reason"), [
    (lambda r: r["leaf"].update(canonical=flip_byte(r["leaf"]["canonical"], at=40)),
     "inclusion proof does not lead to the checkpoint root"),
    (lambda r: r["inclusion_proof"].__setitem__(0, flip_byte(r["inclusion_proof"][0], at=7)),
     "inclusion proof does not lead to the checkpoint root"),
    (lambda r: r.update(checkpoint=flip_signature_byte(r["checkpoint"])),
     "checkpoint signature does not verify"),
], ids=["canonical-bytes", "inclusion-proof", "signature"])
def test_a_receipt_with_one_flipped_byte_is_not_proven(store: Store, receipt: Path,
                                                        change: Any, reason: str) -> None:
    verified = verify_offline(store, edited(store, receipt, change))

    assert verified.returncode == 1
    assert f"NOT PROVEN: receipt 1 of 2: {reason}" in verified.stdout
    assert "PROVEN: receipt 2 of 2" in verified.stdout


def test_a_receipt_checked_against_a_forged_checkpoint_is_not_proven(store: Store,
                                                                     receipt: Path) -> None:
    honest = parse_checkpoint(read_json(receipt)["receipts"][0]["checkpoint"])
    forged = sign_checkpoint(honest.origin, honest.tree_size, honest.root_hash,
                             generate_signing_key())

    verified = verify_offline(store, edited(store, receipt, lambda r: r.update(checkpoint=forged)))

    assert verified.returncode == 1
    assert "NOT PROVEN: receipt 1 of 2: checkpoint signature does not verify" in verified.stdout


def test_a_readable_copy_that_names_another_record_is_not_proven(store: Store,
                                                                receipt: Path) -> None:
    copy = edited(store, receipt, lambda r: r["event"]["record"].update(id="ch-004"))

    verified = verify_offline(store, copy)

    assert verified.returncode == 1
    assert "readable copy names another event" in verified.stdout


def test_a_later_checkpoint_is_shown_to_extend_the_receipts_checkpoint(store: Store,
                                                                       receipt: Path) -> None:
    size = read_json(receipt)["tree_size"]
    store.ingest(authorities(*fresh_authorities(2)))
    later = parse_checkpoint(store.ok("checkpoint").stdout)
    assert later.tree_size >= size + 2
    against = store.file("against.json")
    store.ok("consistency", "--from", str(size), "--out", str(against))

    verified = verify_offline(store, receipt, "--against", str(against))

    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"still contained at tree size {later.tree_size}" in verified.stdout


def test_a_consistency_file_for_another_tree_size_says_which_to_make(store: Store,
                                                                      receipt: Path) -> None:
    size = read_json(receipt)["tree_size"]
    store.ingest(authorities(*fresh_authorities()))
    store.ok("checkpoint")
    against = store.file("against.json")
    store.ok("consistency", "--from", str(size - 1), "--out", str(against))

    verified = verify_offline(store, receipt, "--against", str(against))

    assert verified.returncode == 1
    assert f"iro-ledger consistency --from {size}" in verified.stdout


def test_a_later_checkpoint_forged_by_another_key_is_not_proven(store: Store,
                                                                receipt: Path) -> None:
    size = read_json(receipt)["tree_size"]
    store.ingest(authorities(*fresh_authorities()))
    store.ok("checkpoint")
    against = store.file("against.json")
    store.ok("consistency", "--from", str(size), "--out", str(against))
    document = read_json(against)
    honest = parse_checkpoint(document["checkpoint"])
    document["checkpoint"] = sign_checkpoint(honest.origin, honest.tree_size, honest.root_hash,
                                             generate_signing_key())

    verified = verify_offline(store, receipt, "--against",
                              str(write_json(store.file("forged.json"), document)))

    assert verified.returncode == 1
    assert "checkpoint signature does not verify" in verified.stdout


def test_a_receipt_is_ready_within_a_second_of_its_write(store: Store) -> None:
    with store.services() as built:
        pem = built.trust.public_key_pem()
        waits = []
        for _ in range(5):
            challenge_id = f"ch-{uuid.uuid4().hex[:8]}"
            command = parse_command({
                "command": "raise_challenge", "la_code": "EMR", "challenge_id": challenge_id,
                "case_id": "case-001", "officer_id": "iro-1", "about": "care_plan",
                "grounds": "The plan ignores the child's wishes.", "occurred_on": "2026-03-30"})
            started = time.perf_counter()
            built.ledger.execute(command, ADMIN, "api")
            bundle = built.trust.receipts("challenge", "EMR", challenge_id, ADMIN)
            waits.append(time.perf_counter() - started)
            assert verify_receipt(bundle["receipts"][0], pem).tree_size == bundle["tree_size"]

    print(f"\nwrite-to-receipt seconds on {store.url.split(':')[0]}: "
          f"max {max(waits):.4f}, each {', '.join(f'{w:.4f}' for w in waits)}")
    assert max(waits) < 1.0


@pytest.mark.parametrize("shape", ["bundle", "list", "single"])
def test_verify_receipt_accepts_a_bundle_a_list_or_one_receipt(store: Store, receipt: Path,
                                                              shape: str) -> None:
    bundle = read_json(receipt)
    document = {"bundle": bundle, "list": bundle["receipts"],
                "single": bundle["receipts"][1]}[shape]

    verified = verify_offline(store, write_json(store.file(f"{shape}.json"), document))

    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.count("PROVEN") == (1 if shape == "single" else 2)


@pytest.mark.parametrize(("content", "says"), [
    ("not json", "is not JSON"),
    (json.dumps({"format": "something-else"}), "not a receipt"),
    (json.dumps([]), "not a receipt"),
])
def test_verify_receipt_refuses_unusable_input_with_exit_2(store: Store, content: str,
                                                           says: str) -> None:
    path = store.file("unusable.json")
    path.write_text(content)

    verified = verify_offline(store, path)

    assert verified.returncode == 2
    assert says in verified.stderr


def test_verify_receipt_refuses_a_public_key_that_is_not_ed25519_pem(store: Store,
                                                                     receipt: Path) -> None:
    not_a_key = store.file("not-a-key.pem")
    not_a_key.write_text("not a key")

    verified = verify_offline(store, receipt, key=not_a_key)

    assert verified.returncode == 2
    assert "--public-key" in verified.stderr


def test_verify_receipt_with_another_logs_public_key_is_not_proven(store: Store,
                                                                   receipt: Path) -> None:
    other = store.file("other.pem")
    other.write_bytes(public_key_pem(generate_signing_key()))

    verified = verify_offline(store, receipt, key=other)

    assert verified.returncode == 1
    assert "checkpoint signature does not verify with the given public key" in verified.stdout


def test_a_receipt_file_is_never_overwritten(store: Store, receipt: Path) -> None:
    kept = receipt.read_text()

    result = store.cli("receipt", "--record", f"challenge:{CH}", "--la", LA, "--out",
                       str(receipt))

    assert result.exit_code == 2
    assert "never overwritten" in result.stderr
    assert receipt.read_text() == kept


@pytest.mark.parametrize(("record", "says"), [
    ("challenge:ch-999", "no challenge 'ch-999' is recorded in EMR"),
    ("dossier:ch-002", "is not KIND:ID"),
    ("challenge", "is not KIND:ID"),
])
def test_a_receipt_for_no_such_record_is_refused_with_exit_2(store: Store, record: str,
                                                             says: str) -> None:
    result = store.cli("receipt", "--record", record, "--la", LA)

    assert result.exit_code == 2
    assert says in result.stderr


def test_an_iro_of_another_authority_gets_no_receipt(store: Store) -> None:
    token = store.ok("token", "--sub", "iro-1", "--role", "iro", "--la", "FNW").stdout.strip()

    result = store.cli("receipt", "--record", f"challenge:{CH}", "--la", LA, "--token", token)

    assert result.exit_code == 2
    assert "may not read records of EMR" in result.stderr
