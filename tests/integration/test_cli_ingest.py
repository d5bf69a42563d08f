"""`iro-ledger ingest` and `stats` on real stores: the "Done when" of issue 2.

A batch of a few hundred commands ingests with every line accepted into a fresh SQLite file and a
fresh PostgreSQL database; each malformed, unauthorised, future-dated, duplicate or unknown command
is rejected with its line number, exit status 1, and `stats` shows nothing recorded for it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from iro_ledger.cli import app
from tests.fixtures_data import bad_lines, batch_commands, iro_lines, write_jsonl

SMALL = 6


def cli(url: str, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"IRO_LEDGER_DATABASE_URL": url})


def events(url: str) -> int:
    result = cli(url, "stats", "--json")
    assert result.exit_code == 0, result.output
    count: int = json.loads(result.stdout)["events"]
    return count


def summary(result: Result) -> dict[str, Any]:
    last: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return last


def ingested(url: str, path: Path, *options: str) -> Result:
    return cli(url, "ingest", str(path), *options)


def test_a_batch_of_a_few_hundred_commands_is_accepted_whole_and_counted_by_stats(
        database_url: str, tmp_path: Path) -> None:
    commands = batch_commands()
    assert 300 <= len(commands) <= 500

    result = ingested(database_url, write_jsonl(tmp_path / "history.jsonl", commands))

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert summary(result) == {"accepted": len(commands), "rejected": 0}
    # One event per command, and one for the receipt of its command_id.
    assert events(database_url) == 2 * len(commands)


def test_each_bad_line_is_reported_by_number_and_stats_shows_nothing_recorded_for_it(
        database_url: str, tmp_path: Path) -> None:
    good, bad = batch_commands(SMALL), bad_lines()
    mixed: list[Any] = [*good[:100], *(b.line for b in bad), *good[100:]]
    clean_url = f"sqlite:///{tmp_path / 'without-bad-lines.sqlite'}"
    assert ingested(clean_url, write_jsonl(tmp_path / "clean.jsonl", good)).exit_code == 0

    result = ingested(database_url, write_jsonl(tmp_path / "mixed.jsonl", mixed))

    assert result.exit_code == 1
    assert summary(result) == {"accepted": len(good), "rejected": len(bad)}
    reports = result.stderr.splitlines()
    assert len(reports) == len(bad)
    for number, (report, line) in enumerate(zip(reports, bad, strict=True), start=101):
        assert report.startswith(f"line {number}: {line.command}: "), report
        assert line.reason in report
    assert events(database_url) == events(clean_url)


def test_an_iro_token_cannot_record_what_an_iro_may_not(database_url: str,
                                                        tmp_path: Path) -> None:
    history = write_jsonl(tmp_path / "history.jsonl", batch_commands(SMALL))
    good, refused = iro_lines("iro-2")
    token = cli(database_url, "token", "--sub", "iro-2", "--role", "iro", "--la", "EMR")
    assert token.exit_code == 0, token.stderr
    clean_url = f"sqlite:///{tmp_path / 'without-bad-lines.sqlite'}"
    for url in (database_url, clean_url):
        assert ingested(url, history).exit_code == 0
    iro_good = write_jsonl(tmp_path / "iro-good.jsonl", good)
    assert ingested(clean_url, iro_good, "--token", token.stdout.strip()).exit_code == 0
    lines = write_jsonl(tmp_path / "iro.jsonl", [*good, *(b.line for b in refused)])

    result = ingested(database_url, lines, "--token", token.stdout.strip())

    assert result.exit_code == 1
    assert summary(result) == {"accepted": len(good), "rejected": len(refused)}
    for number, (report, line) in enumerate(
            zip(result.stderr.splitlines(), refused, strict=True), start=len(good) + 1):
        assert report.startswith(f"line {number}: {line.command}: "), report
        assert line.reason in report
    assert events(database_url) == events(clean_url)


def test_atomic_ingest_with_one_bad_line_records_nothing_at_all(database_url: str,
                                                                tmp_path: Path) -> None:
    lines: list[Any] = batch_commands(SMALL)
    lines.insert(60, bad_lines()[6].line)  # future-dated

    result = ingested(database_url, write_jsonl(tmp_path / "batch.jsonl", lines), "--atomic")

    assert result.exit_code == 1
    assert result.stderr.startswith("line 61: raise_challenge: occurred_on: ")
    assert summary(result) == {"accepted": 0, "rejected": 1, "committed": False}
    assert events(database_url) == 0


def test_atomic_ingest_of_good_lines_records_everything(database_url: str,
                                                        tmp_path: Path) -> None:
    commands = batch_commands(SMALL)

    result = ingested(database_url, write_jsonl(tmp_path / "batch.jsonl", commands), "--atomic")

    assert result.exit_code == 0, result.stderr
    assert summary(result) == {"accepted": len(commands), "rejected": 0}
    assert events(database_url) == 2 * len(commands)


def test_ingest_runs_as_a_real_process(sqlite_url: str, tmp_path: Path) -> None:
    commands: list[Any] = batch_commands(SMALL)
    commands.append("not json")
    path = write_jsonl(tmp_path / "batch.jsonl", commands)
    executable = Path(sys.executable).with_name("iro-ledger")
    env = {**os.environ, "IRO_LEDGER_DATABASE_URL": sqlite_url}

    run = subprocess.run([str(executable), "ingest", str(path)], env=env,
                         capture_output=True, text=True, timeout=120)
    stats = subprocess.run([str(executable), "stats", "--json"], env=env,
                           capture_output=True, text=True, timeout=60)

    assert run.returncode == 1, run.stderr
    assert run.stderr.startswith(f"line {len(commands)}: ?: not JSON")
    assert json.loads(run.stdout.splitlines()[-1]) == {"accepted": len(commands) - 1,
                                                       "rejected": 1}
    assert json.loads(stats.stdout)["events"] == 2 * (len(commands) - 1)


def test_a_progress_bar_for_a_large_file_leaves_every_line_report_whole(
        sqlite_url: str, tmp_path: Path) -> None:
    unknown = {"command": "frobnicate", "la_code": "EMR", "occurred_on": "2025-01-01"}
    path = write_jsonl(tmp_path / "large.jsonl", [unknown] * 1001)

    result = ingested(sqlite_url, path)

    assert result.exit_code == 1
    reports = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert reports == [f"line {n}: frobnicate: command: unknown command 'frobnicate'"
                       for n in range(1, 1002)]
    assert "1001/1001" in result.stderr
    assert summary(result) == {"accepted": 0, "rejected": 1001}


def test_a_missing_file_is_unusable_input(sqlite_url: str, tmp_path: Path) -> None:
    result = ingested(sqlite_url, tmp_path / "absent.jsonl")

    assert result.exit_code == 2
    assert result.stderr.startswith("iro-ledger: cannot read ")
    assert "No such file" in result.stderr
    assert result.stdout == ""


def test_a_directory_is_unusable_input(sqlite_url: str, tmp_path: Path) -> None:
    result = ingested(sqlite_url, tmp_path)

    assert result.exit_code == 2
    assert result.stderr.startswith("iro-ledger: cannot read ")


def test_a_token_signed_with_another_secret_is_refused_and_nothing_recorded(
        sqlite_url: str, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "batch.jsonl", batch_commands(SMALL)[:5])
    other_secret = {"IRO_LEDGER_JWT_SECRET": "another-secret-of-at-least-32-bytes"}
    forged = CliRunner().invoke(app, ["token", "--sub", "someone", "--role", "admin"],
                                env=other_secret)

    result = ingested(sqlite_url, path, "--token", forged.stdout.strip())

    assert result.exit_code == 2
    assert result.stderr == "iro-ledger: --token: the token's signature does not match\n"
    assert events(sqlite_url) == 0


def test_an_unusable_database_url_is_refused(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "batch.jsonl", batch_commands(SMALL)[:5])

    result = ingested("mysql://somewhere/ledger", path)

    assert result.exit_code == 2
    assert result.stderr.startswith("iro-ledger: IRO_LEDGER_DATABASE_URL: ")
