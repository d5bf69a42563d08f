"""Two independent witnesses against a log and against a fork of it (issue 8, item 6).

A log is served over HTTP; NAIRO's witness reads it there and posts its cosignatures back, the
union's witness is handed files (a checkpoint note, then consistency files) and the operator
stores what it writes. Both cosign while the log only grows. Then the operator shows a forked
log: the same origin and signing key, another history. Both witnesses refuse it as a fork
(exit 1, a clear message), and a receipt from the fork fails `verify-receipt` when it requires
either witness, even with a real cosignature grafted onto it.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from click.testing import Result
from typer.testing import CliRunner

from iro_ledger.api.app import create_app
from iro_ledger.cli import app
from iro_ledger.trust.verifier import parse_witness_vkey
from tests.conftest import fresh_database
from tests.fixtures_data import batch_commands
from tests.integration.trust_story import (
    CASES_PER_AUTHORITY,
    CHALLENGE,
    STORES,
    Store,
    authorities,
    fresh_authorities,
    fresh_store,
    read_json,
    write_json,
)

LA, CH = CHALLENGE
NAIRO = "witness.nairo.example/1"
UNION = "witness.union.example/1"


@dataclass
class WitnessSetup:
    """One witness: its name, key, vkey file (what verifiers trust) and state file."""

    name: str
    home: Path

    @property
    def key(self) -> Path:
        return self.home / "witness.pem"

    @property
    def vkey(self) -> Path:
        return self.home / "witness.vkey"

    @property
    def state(self) -> Path:
        return self.home / "state.json"

    def run(self, log: Store, *source: str) -> Result:
        return log.cli("witness", "--key", str(self.key), "--name", self.name,
                       "--log-key", str(log.public_key), "--origin", "iro-ledger.invalid/log",
                       "--state", str(self.state), "--once", *source)


def make_witness(log: Store, name: str, home: Path) -> WitnessSetup:
    made = WitnessSetup(name, home)
    printed = log.ok("keys", "generate", "--out", str(made.key), "--witness", name).stdout
    made.vkey.write_text(printed)
    assert parse_witness_vkey(printed).name == name
    return made


@contextmanager
def served(log: Store) -> Iterator[str]:
    """The log's API on a real HTTP port, for as long as the block runs."""
    config = uvicorn.Config(create_app(log.settings()), host="127.0.0.1", port=0,
                            log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the API did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Logs:
    honest: Store
    forked: Store


@contextmanager
def two_urls(kind: str, request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    if kind == "sqlite":
        yield "", ""
        return
    dsn = request.getfixturevalue("postgres_server_dsn")
    with fresh_database(dsn) as first, fresh_database(dsn) as second:
        yield first, second


@pytest.fixture(scope="module", params=STORES)
def logs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Logs]:
    """The honest log with a batch ingested, and a fork: the same key and origin, the same
    batch recorded again (so other bytes) and more, so that it is larger."""
    honest_home, forked_home = (tmp_path_factory.mktemp(n) for n in ("honest", "forked"))
    with two_urls(request.param, request) as (first, second):
        honest = fresh_store(first or f"sqlite:///{honest_home / 'ledger.sqlite'}", honest_home)
        forked = Store(second or f"sqlite:///{forked_home / 'ledger.sqlite'}", forked_home)
        forked.key_path.parent.mkdir(parents=True)
        shutil.copy(honest.key_path, forked.key_path)
        shutil.copy(honest.public_key, forked.public_key)
        forked.ingest(batch_commands(CASES_PER_AUTHORITY)
                      + authorities(*fresh_authorities(30)))
        yield Logs(honest, forked)


def cosign_by_file(witness: WitnessSetup, log: Store, *consistency_from: int) -> Result:
    """The union's way: the operator hands over a file, and stores the cosignature written."""
    if consistency_from:
        handed = log.file("consistency.json")
        log.ok("consistency", "--from", str(consistency_from[0]), "--out", str(handed))
    else:
        handed = log.file("checkpoint.txt")
        handed.write_text(log.ok("checkpoint").stdout)
    written = log.file("cosignature.json")
    result = witness.run(log, "--from-file", str(handed), "--out", str(written))
    if result.exit_code == 0:
        log.ok("cosignature", str(written))
    return result


def last_size(witness: WitnessSetup) -> int:
    return int(read_json(witness.state)["tree_size"])


def verify(log: Store, receipt: Path, *witnesses: WitnessSetup, against: Path | None = None,
           minimum: int | None = None) -> Result:
    options = [f"--witness-key={w.vkey}" for w in witnesses]
    if minimum is not None:
        options.append(f"--min-witnesses={minimum}")
    if against is not None:
        options.append(f"--against={against}")
    return log.cli("verify-receipt", str(receipt), "--public-key", str(log.public_key),
                   *options)


def test_two_witnesses_cosign_a_growing_log_and_refuse_its_fork(
        logs: Logs, tmp_path: Path) -> None:
    honest, forked = logs.honest, logs.forked
    nairo = make_witness(honest, NAIRO, tmp_path / "nairo")
    union = make_witness(honest, UNION, tmp_path / "union")

    # Both witnesses cosign the honest log, one over HTTP and one by files.
    honest.ok("checkpoint")
    with served(honest) as url:
        first = nairo.run(honest, "--log-url", url)
        assert first.exit_code == 0, first.output
        assert f"COSIGNED: iro-ledger.invalid/log at tree size {last_size(nairo)}" in first.stdout
    assert cosign_by_file(union, honest).exit_code == 0

    receipt = honest.receipt(LA, f"challenge:{CH}")
    proven = verify(honest, receipt, nairo, union)
    assert proven.exit_code == 0, proven.output
    assert f"witnessed by {NAIRO} at " in proven.stdout and f"{UNION} at " in proven.stdout

    # The log grows; both witnesses check the consistency proof and cosign again.
    honest.ingest(authorities(*fresh_authorities(3)))
    honest.ok("checkpoint")
    before = last_size(nairo)
    with served(honest) as url:
        grown = nairo.run(honest, "--log-url", url)
        assert grown.exit_code == 0, grown.output
        assert last_size(nairo) > before
        again = nairo.run(honest, "--log-url", url)
        assert again.exit_code == 0 and again.stdout.startswith("unchanged"), again.output
    assert cosign_by_file(union, honest, last_size(union)).exit_code == 0
    assert last_size(union) == last_size(nairo)

    # The operator shows the fork: same origin and key, another history, larger.
    forked.ok("checkpoint")
    with served(forked) as url:
        refused = nairo.run(forked, "--log-url", url)
    assert refused.exit_code == 1, refused.output
    assert "FORK: the log iro-ledger.invalid/log shows tree size" in refused.stderr
    assert f"which does not extend tree size {last_size(nairo)}" in refused.stderr
    by_file = cosign_by_file(union, forked, last_size(union))
    assert by_file.exit_code == 1 and "FORK:" in by_file.stderr, by_file.output

    # A receipt from the fork verifies with the log's key alone: only witnesses catch it.
    forked_receipt = forked.receipt(LA, f"challenge:{CH}")
    assert verify(forked, forked_receipt).exit_code == 0
    for witness in (nairo, union):
        caught = verify(forked, forked_receipt, witness)
        assert caught.exit_code == 1, caught.output
        assert f"0 of the 1 required witnesses cosigned the checkpoint (not cosigned by: " \
               f"{witness.name})" in caught.stdout
    later = forked.file("later.json")
    forked.ok("consistency", "--from", str(read_json(forked_receipt)["tree_size"]),
              "--out", str(later))
    assert verify(forked, forked_receipt, nairo, against=later, minimum=1).exit_code == 1


def test_a_cosignature_grafted_onto_the_fork_is_refused_by_log_and_verifier(
        logs: Logs, tmp_path: Path) -> None:
    honest, forked = logs.honest, logs.forked
    nairo = make_witness(honest, NAIRO, tmp_path / "nairo")
    honest.ok("checkpoint")
    with served(honest) as url:
        assert nairo.run(honest, "--log-url", url).exit_code == 0
    (line,) = [row["line"] for row in honest.query(
        "SELECT line FROM checkpoint_cosignatures WHERE witness = ?",
        (nairo.vkey.read_text().strip(),))]

    bundle = read_json(forked.receipt(LA, f"challenge:{CH}"))
    for receipt in bundle["receipts"]:
        receipt["checkpoint"] += line
    grafted = write_json(forked.file("grafted.json"), bundle)
    caught = verify(forked, grafted, nairo)
    assert caught.exit_code == 1
    assert f"the cosignature by {NAIRO} does not verify" in caught.stdout

    stolen = forked.file("stolen.json")
    write_json(stolen, {"format": "iro-ledger-cosignature/1", "witness":
                        nairo.vkey.read_text().strip(), "cosignature": line,
                        "tree_size": read_json(forked.receipt(LA, f"challenge:{CH}"))
                        ["tree_size"]})
    refused = forked.cli("cosignature", str(stolen))
    assert refused.exit_code == 2 and "does not verify" in refused.stderr


def test_cosignatures_are_append_only(logs: Logs, tmp_path: Path) -> None:
    honest = logs.honest
    nairo = make_witness(honest, NAIRO, tmp_path / "nairo")
    assert cosign_by_file(nairo, honest).exit_code == 0

    for statement in ("UPDATE checkpoint_cosignatures SET line = line",
                      "DELETE FROM checkpoint_cosignatures"):
        with pytest.raises(Exception, match="is refused: the table is append-only"):
            honest.attack(statement)
    assert honest.query("SELECT COUNT(*) AS n FROM checkpoint_cosignatures")[0]["n"] >= 1


def witness_cli(tmp_path: Path, *source: str) -> Result:
    key, log_key = tmp_path / "w.pem", tmp_path / "log.pem"
    runner = CliRunner()
    if not key.exists():
        assert runner.invoke(app, ["keys", "generate", "--out", str(key)]).exit_code == 0
        log_key.write_text(runner.invoke(app, ["keys", "public", "--key", str(key)]).stdout)
    return runner.invoke(app, ["witness", "--key", str(key), "--name", NAIRO, "--log-key",
                               str(log_key), "--origin", "iro-ledger.invalid/log", "--state",
                               str(tmp_path / "state.json"), "--once", *source])


def test_a_witness_told_two_sources_or_an_unreachable_log_exits_2(tmp_path: Path) -> None:
    both = witness_cli(tmp_path, "--log-url", "http://127.0.0.1:9", "--from-file", "x")
    assert both.exit_code == 2 and "exactly one of --log-url and --from-file" in both.stderr

    unreachable = witness_cli(tmp_path, "--log-url", "http://127.0.0.1:9")
    assert unreachable.exit_code == 2 and "cannot reach http://127.0.0.1:9" in unreachable.stderr
    assert not (tmp_path / "state.json").exists()


def test_a_witness_handed_a_file_that_is_no_checkpoint_refuses_it(tmp_path: Path) -> None:
    handed = tmp_path / "note.txt"
    handed.write_text("not a checkpoint\n")

    result = witness_cli(tmp_path, "--from-file", str(handed))

    assert result.exit_code == 1 and result.stderr.startswith("REFUSED: the checkpoint is not")
