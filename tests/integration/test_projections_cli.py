"""`iro-ledger measures`, `projections status|rebuild` and `worker` on both stores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from iro_ledger.cli import app
from tests.fixtures_data import write_jsonl
from tests.unit.projections.story import LA, busy_authority


def cli(url: str, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"IRO_LEDGER_DATABASE_URL": url})


@pytest.fixture
def ingested(database_url: str, tmp_path: Path) -> str:
    """A store holding ten children's histories, recorded by `ingest` with no worker running."""
    result = cli(database_url, "ingest", str(write_jsonl(tmp_path / "busy.jsonl",
                                                         busy_authority(10))))
    assert result.exit_code == 0, result.stderr
    return database_url


def status(url: str) -> dict[str, Any]:
    result = cli(url, "projections", "status", "--json")
    assert result.exit_code == 0, result.stderr
    return {row["name"]: row for row in json.loads(result.stdout)}


def test_measures_work_straight_after_ingest_with_no_worker(ingested: str) -> None:
    result = cli(ingested, "measures", "--la", LA, "--from", "2024-01-01", "--to",
                 "2024-12-31", "--json")
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    found = {m["name"]: m for m in answer["measures"]}
    assert (answer["la_code"], answer["from"], answer["to"]) == (LA, "2024-01-01", "2024-12-31")
    assert found["children_in_care"]["value"] == 10
    assert found["challenges_raised"]["value"] == 4
    assert {r["type"] for r in found["challenges_raised"]["evidence"]} == {"Challenge.Raised"}


def test_status_shows_each_read_model_s_lag_until_they_catch_up(ingested: str) -> None:
    before = status(ingested)
    assert {"timeline", "challenges", "officers", "measures"} <= set(before)
    assert {row["lag"] for row in before.values()} == {before["timeline"]["ledger_position"]}
    assert cli(ingested, "measures", "--la", LA, "--json").exit_code == 0
    assert {row["lag"] for row in status(ingested).values()} == {0}


def test_rebuilding_one_read_model_says_what_it_replayed(ingested: str) -> None:
    result = cli(ingested, "projections", "rebuild", "challenges")
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout.splitlines()[-1])
    assert answer["rebuilt"] == ["challenges"]
    assert answer["events"] == status(ingested)["challenges"]["ledger_position"]
    after = status(ingested)
    assert after["challenges"]["lag"] == 0 and after["timeline"]["lag"] > 0


@pytest.mark.parametrize(("args", "says"), [
    (["projections", "rebuild", "nonesuch"], "no read model 'nonesuch'"),
    (["measures", "--la", "ZZ9", "--json"], "no authority 'ZZ9'"),
    (["measures", "--la", LA, "--from", "last spring"], "--from: 'last spring' is not a date"),
    (["measures", "--la", LA, "--from", "2024-06-01", "--to", "2024-01-01"], "is after"),
])
def test_unusable_input_is_one_line_on_stderr_and_exit_2(
        database_url: str, args: list[str], says: str) -> None:
    result = cli(database_url, *args)
    assert result.exit_code == 2
    assert says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_worker_on_sqlite_catches_up_once_and_leaves(sqlite_url: str, tmp_path: Path) -> None:
    assert cli(sqlite_url, "ingest", str(write_jsonl(tmp_path / "b.jsonl",
                                                     busy_authority(3)))).exit_code == 0
    result = cli(sqlite_url, "worker")
    assert result.exit_code == 0, result.stderr
    assert "nothing to follow" in result.stderr
    assert {row["lag"] for row in status(sqlite_url).values()} == {0}
