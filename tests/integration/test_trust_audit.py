"""`iro-ledger audit` on both stores: tampering behind the application's back is found.

The attacker has the tables' owner rights: they drop the append-only triggers first, then
change, delete or insert a row of the event table directly. The audit names the first position
and record that diverge, and the signed checkpoints still catch a tampered store whose Merkle
log was rebuilt to match it.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from iro_ledger.trust import checkpoint_store
from iro_ledger.trust.log import merkle_log
from iro_ledger.trust.signing import generate_signing_key, public_key_pem
from tests.integration.trust_story import CHALLENGE, Store, fresh_store

LA, CH = CHALLENGE


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Store:
    """A fresh store with the batch ingested, logged and signed."""
    made = fresh_store(database_url, tmp_path)
    made.ok("checkpoint")
    return made


def raised(store: Store) -> dict[str, int]:
    """Where the challenge's first event is: its store position and leaf index."""
    found = store.leaf("challenge", LA, CH, 1)
    return {"position": int(found["position"]), "leaf_index": int(found["leaf_index"])}


def test_a_store_nobody_touched_audits_clean(store: Store) -> None:
    result = store.cli("audit")

    assert result.exit_code == 0, result.output
    assert "clean: the store matches the log and every signed checkpoint" in result.stdout


def test_an_event_changed_behind_the_applications_back_is_found_at_its_position(
        store: Store) -> None:
    where = raised(store)
    original = store.stored(where["position"]).state
    store.drop_guard()
    store.attack(f"UPDATE {store.events} SET state = ? WHERE {store.position_column} = ?",
                 (original.replace(b'"la_code":"EMR"', b'"la_code":"EMQ"'), where["position"]))

    status, report = store.audit()

    assert status == 1
    first = report["findings"][0]
    assert (first["kind"], first["position"], first["leaf_index"]) == (
        "changed", where["position"], where["leaf_index"])
    assert first["record"] == f"challenge {LA}/{CH} event 1"
    assert "changed after it was logged; it breaks the signed checkpoint" in first["message"]
    assert [f["kind"] for f in report["findings"]] == ["changed", "guard"]


def test_a_deleted_event_is_found_at_its_position(store: Store) -> None:
    where = raised(store)
    store.drop_guard()
    store.attack(f"DELETE FROM {store.events} WHERE {store.position_column} = ?",
                 (where["position"],))

    status, report = store.audit()

    assert status == 1
    first = report["findings"][0]
    assert (first["kind"], first["position"], first["record"]) == (
        "deleted", where["position"], f"challenge {LA}/{CH} event 1")


def test_an_event_inserted_into_the_logged_history_is_found(store: Store) -> None:
    copied = store.stored(raised(store)["position"])
    forged_id = uuid.uuid4()
    if store.postgres:
        store.attack(f"INSERT INTO {store.events} (notification_id, originator_id,"
                     " originator_version, topic, state) VALUES (0, ?, 1, ?, ?)",
                     (forged_id, copied.topic, copied.state))
    else:
        store.attack(f"INSERT INTO {store.events} (rowid, originator_id, originator_version,"
                     " topic, state) VALUES (0, ?, 1, ?, ?)",
                     (forged_id.hex, copied.topic, copied.state))

    status, report = store.audit()

    assert status == 1
    first = report["findings"][0]
    assert (first["kind"], first["position"]) == ("inserted", 0)
    assert first["record"] == f"unknown record {forged_id} event 1"


def test_a_changed_event_is_caught_by_the_signatures_even_after_the_log_is_rebuilt(
        store: Store) -> None:
    where = raised(store)
    original = store.stored(where["position"]).state
    store.drop_guard()
    store.attack(f"UPDATE {store.events} SET state = ? WHERE {store.position_column} = ?",
                 (original.replace(b'"la_code":"EMR"', b'"la_code":"EMQ"'), where["position"]))
    store.ok("projections", "rebuild", "merkle")

    status, report = store.audit()

    assert status == 1
    kinds = {f["kind"]: f["message"] for f in report["findings"]}
    assert sorted(kinds) == ["checkpoint", "guard", "log"]
    assert "the store's events no longer hash to the signed root" in kinds["checkpoint"]


def test_rebuilding_the_merkle_log_reproduces_every_signed_root(database_url: str,
                                                               tmp_path: Path) -> None:
    store = fresh_store(database_url, tmp_path)
    with store.services(checkpoint_every_events=40) as built:
        built.projections.batch_size = 25  # a checkpoint falls due every other batch
        built.trust.catch_up()
        with built.projections.db.reading() as tx:
            signed = checkpoint_store.listing(tx)
        assert len(signed) >= 5

        built.projections.rebuild(["merkle"])

        with built.projections.db.reading() as tx:
            log = merkle_log(tx)
            assert [log.root(c.tree_size) for c in signed] == [c.root for c in signed]
            assert checkpoint_store.listing(tx) == signed
    status, report = store.audit()
    assert (status, report["checkpoints"]) == (0, len(signed))


def test_audit_with_another_logs_public_key_finds_every_signature_foreign(
        store: Store) -> None:
    other = store.file("other.pem")
    other.write_bytes(public_key_pem(generate_signing_key()))

    status, report = store.audit("--public-key", str(other))

    assert status == 1
    assert {f["kind"] for f in report["findings"]} == {"checkpoint"}
    assert all("signature does not verify" in f["message"] for f in report["findings"])


def test_audit_without_any_key_is_refused(store: Store) -> None:
    store.key_path.unlink()

    result = store.cli("audit")

    assert result.exit_code == 2
    assert "iro-ledger keys generate" in result.stderr


def test_a_damaged_merkle_log_is_named_by_the_audit_and_gives_no_proofs(store: Store) -> None:
    signed = store.query("SELECT tree_size FROM checkpoints")[0]["tree_size"]
    drop_triggers(store, "merkle_nodes_v1")
    store.attack("DELETE FROM merkle_nodes_v1 WHERE level = 0 AND idx > 300")

    consistency = store.cli("consistency", "--from", "10")
    status, report = store.audit()

    assert status == 1
    log = [f for f in report["findings"] if f["kind"] == "log"]
    assert [(f["kind"], f["tree_size"]) for f in log] == [("log", signed)]
    assert f"fewer than the checkpoint at tree size {signed}" in log[0]["message"]
    assert consistency.exit_code == 1
    assert "the Merkle log is behind its checkpoints" in consistency.stderr


def drop_triggers(store: Store, table: str) -> None:
    """What an owner does first to any guarded table."""
    if store.postgres:
        store.attack(f"DROP TRIGGER {table}_append_only ON {table}")
    else:
        store.attack(f"DROP TRIGGER {table}_append_only_update")
        store.attack(f"DROP TRIGGER {table}_append_only_delete")


def test_one_changed_event_is_one_line_however_many_checkpoints_it_breaks(
        database_url: str, tmp_path: Path) -> None:
    store = fresh_store(database_url, tmp_path)
    with store.services(checkpoint_every_events=20) as built:
        built.projections.batch_size = 10
        built.trust.catch_up()
    assert len(store.query("SELECT tree_size FROM checkpoints")) > 10
    where = raised(store)
    state = store.stored(where["position"]).state
    store.drop_guard()
    store.attack(f"UPDATE {store.events} SET state = ? WHERE {store.position_column} = ?",
                 (state + b" ", where["position"]))

    status, report = store.audit()

    assert status == 1
    assert [f["kind"] for f in report["findings"]] == ["changed", "guard"]
    assert "signed checkpoints from tree size" in report["findings"][0]["message"]


def test_a_state_stored_as_text_is_a_changed_type_not_a_crash(store: Store) -> None:
    where = raised(store)
    store.drop_guard()
    if store.postgres:
        store.attack(f"ALTER TABLE {store.events} ALTER COLUMN state TYPE text"
                     " USING convert_from(state, 'UTF8')")
    else:
        store.attack(f"UPDATE {store.events} SET state = CAST(state AS TEXT)"
                     f" WHERE {store.position_column} = ?", (where["position"],))

    result = store.cli("audit")
    _, report = store.audit()

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    kinds = [f["kind"] for f in report["findings"]]
    if store.postgres:  # one cause, one line: the column, not every row
        assert kinds == ["table", "guard"]
        assert "the column state of" in report["findings"][0]["message"]
        assert "is text, not bytea" in report["findings"][0]["message"]
    else:
        assert kinds == ["changed", "guard"]
        changed = report["findings"][0]
        assert (changed["position"], changed["record"]) == (
            where["position"], f"challenge {LA}/{CH} event 1")
        assert "its state is stored as str, not bytes (its type was changed)" in \
            changed["message"]


def test_two_events_swapped_are_one_reordering(store: Store) -> None:
    first = raised(store)["position"]
    second = store.leaf("challenge", LA, CH, 2)["position"]
    column = store.position_column
    store.drop_guard()
    for old, new in ((first, -5), (second, first), (-5, second)):
        store.attack(f"UPDATE {store.events} SET {column} = ? WHERE {column} = ?", (new, old))

    status, report = store.audit()

    assert status == 1
    assert [f["kind"] for f in report["findings"]] == ["reordered", "guard"]
    swapped = report["findings"][0]
    assert swapped["position"] == first
    assert f"positions {first} and {second} were swapped" in swapped["message"]


def test_an_event_moved_to_an_unused_position_is_one_move(store: Store) -> None:
    where = raised(store)
    store.drop_guard()
    store.attack(f"UPDATE {store.events} SET {store.position_column} = -7"
                 f" WHERE {store.position_column} = ?", (where["position"],))

    status, report = store.audit()

    assert status == 1
    assert [f["kind"] for f in report["findings"]] == ["moved", "guard"]
    moved = report["findings"][0]
    assert (moved["position"], moved["record"]) == (where["position"],
                                                    f"challenge {LA}/{CH} event 1")
    assert "is now at position -7" in moved["message"]


def test_a_dropped_trigger_is_found_even_after_it_was_put_back(store: Store) -> None:
    drop_triggers(store, "checkpoints")

    status, report = store.audit()

    assert status == 1
    assert [(f["kind"], f["record"]) for f in report["findings"]] == [("guard", "checkpoints")]
    assert "were found missing or disabled" in report["findings"][0]["message"]
