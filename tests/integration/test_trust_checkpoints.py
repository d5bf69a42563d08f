"""Signed checkpoints: every N events, T seconds after the log last grew, and on demand; the
signing key made by `keys generate` (never replaced, never in a repository) or by the demo."""

from __future__ import annotations

import stat
import threading
import time
from pathlib import Path

from iro_ledger.trust.keys import load_private_key
from iro_ledger.trust.signing import public_key_pem
from iro_ledger.trust.verifier import load_public_key_pem, verify_checkpoint
from tests.integration.trust_story import Store, authorities, fresh_store


def signed_sizes(store: Store) -> list[int]:
    return [int(r["tree_size"]) for r in
            store.query("SELECT tree_size FROM checkpoints ORDER BY tree_size")]


def test_a_checkpoint_is_signed_every_n_events(database_url: str, tmp_path: Path) -> None:
    store = fresh_store(database_url, tmp_path)
    with store.services(checkpoint_every_events=100) as built:
        built.projections.batch_size = 50
        built.trust.catch_up()
        events = built.ledger.count_events()

    assert events == 372
    # The first as soon as there is a log; then each time 100 more events have been logged.
    assert signed_sizes(store) == [50, 150, 250, 350]


def test_a_checkpoint_is_signed_t_seconds_after_the_log_last_grew(database_url: str,
                                                                  tmp_path: Path) -> None:
    store = fresh_store(database_url, tmp_path, authorities("ZTA"))
    # t is long enough that ingesting two events and catching up ends well inside it, even on
    # a busy machine running the suite in parallel (at 0.5 s that was not always so).
    t = 2.0
    with store.services(checkpoint_every_events=1000, checkpoint_every_seconds=t) as built:
        built.trust.catch_up()
        first = built.trust.latest()
        assert first is not None and first.tree_size == 1
        store.ingest(authorities("ZTB", "ZTC"))
        built.trust.catch_up()
        assert built.trust.latest() == first  # 2 events: not yet due
        deadline = time.monotonic() + t + 10
        while (latest := built.trust.latest()) == first and time.monotonic() < deadline:
            time.sleep(0.05)

    assert latest is not None and latest.tree_size == 3
    assert (latest.issued_at - first.issued_at).total_seconds() >= t


def test_a_size_already_signed_is_not_signed_again(database_url: str, tmp_path: Path) -> None:
    store = fresh_store(database_url, tmp_path, authorities("ZSA", "ZSB"))
    first = store.ok("checkpoint").stdout
    again = store.ok("checkpoint").stdout

    assert again == first
    assert signed_sizes(store) == [2]
    checkpoint = verify_checkpoint(first, load_public_key_pem(store.public_key.read_bytes()),
                                   "iro-ledger.invalid/log")
    assert checkpoint.tree_size == 2


def test_checkpoints_are_signed_under_the_configured_origin(sqlite_url: str,
                                                            tmp_path: Path) -> None:
    store = fresh_store(sqlite_url, tmp_path, authorities("ZOA"))

    note = store.ok("checkpoint", IRO_LEDGER_LOG_ORIGIN="ledger.example/eastmere").stdout

    assert note.startswith("ledger.example/eastmere\n1\n")
    assert "\n\u2014 ledger.example/eastmere " in note


def test_an_empty_log_has_nothing_to_sign(sqlite_url: str, tmp_path: Path) -> None:
    store = Store(sqlite_url, tmp_path)
    store.ok("keys", "generate")

    result = store.cli("checkpoint")

    assert result.exit_code == 2
    assert "nothing to sign" in result.stderr


# Keys


def test_keys_generate_writes_an_owner_only_key_whose_public_key_is_printed(
        tmp_path: Path) -> None:
    store = Store("sqlite:///unused", tmp_path)

    generated = store.ok("keys", "generate")

    assert stat.S_IMODE(store.key_path.stat().st_mode) == 0o600
    assert generated.stdout.encode() == public_key_pem(load_private_key(store.key_path))
    assert store.ok("keys", "public").stdout == generated.stdout


def test_keys_generate_never_replaces_a_key(tmp_path: Path) -> None:
    store = Store("sqlite:///unused", tmp_path)
    store.ok("keys", "generate")
    kept = store.key_path.read_bytes()

    result = store.cli("keys", "generate")

    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert store.key_path.read_bytes() == kept


def test_keys_generate_refuses_a_path_inside_a_git_work_tree(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    store = Store("sqlite:///unused", tmp_path)

    result = store.cli("keys", "generate")

    assert result.exit_code == 2
    assert "inside the git work tree" in result.stderr
    assert not store.key_path.exists()


def test_keys_public_without_a_key_says_how_to_make_one(tmp_path: Path) -> None:
    result = Store("sqlite:///unused", tmp_path).cli("keys", "public")

    assert result.exit_code == 2
    assert "iro-ledger keys generate" in result.stderr


def test_without_a_key_the_log_grows_and_a_receipt_says_how_to_make_one(
        sqlite_url: str, tmp_path: Path) -> None:
    store = fresh_store(sqlite_url, tmp_path)
    store.key_path.unlink()

    result = store.cli("receipt", "--record", "challenge:ch-002", "--la", "EMR")

    assert result.exit_code == 2
    assert "iro-ledger keys generate" in result.stderr
    assert store.query("SELECT COUNT(*) AS n FROM merkle_leaves_v1")[0]["n"] == 372
    assert signed_sizes(store) == []


def test_the_demo_makes_a_development_key_when_there_is_none(sqlite_url: str,
                                                             tmp_path: Path) -> None:
    store = Store(sqlite_url, tmp_path)

    store.ok("demo", "--no-serve")
    store.ok("demo", "--no-serve")  # and keeps it the second time

    key = load_private_key(store.key_path)
    with store.services() as built:
        assert built.trust.public_key_pem() == public_key_pem(key)


def test_the_postgresql_worker_signs_checkpoints_as_it_follows(postgres_url: str,
                                                               tmp_path: Path) -> None:
    store = fresh_store(postgres_url, tmp_path, authorities("ZWA"))
    with store.services(checkpoint_every_events=1) as built:
        worker = threading.Thread(target=built.projections.follow, daemon=True)
        worker.start()
        try:
            store.ingest(authorities("ZWB", "ZWC"))
            deadline = time.monotonic() + 10
            while ((latest := built.trust.latest()) is None or latest.tree_size < 3) \
                    and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            built.projections.stop()
            worker.join(timeout=10)

    assert latest is not None and latest.tree_size == 3
