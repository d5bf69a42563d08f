"""The rules catalogue measured against generated authorities, through the CLI alone.

`iro-ledger generate` writes fictional authorities with every pattern of DESIGN.md's rules
table planted, plus a healthy one, and the ground truth of the flags that must follow. After
`iro-ledger ingest`, `iro-ledger flags --json --as-of DAY` must find every planted pattern and
nothing else (precision and recall 1.0 for every rule), raise no flag at all for the healthy
authority, and move with `--as-of`: on a day mid-history exactly the flags due by then.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import Result
from typer.testing import CliRunner

from iro_ledger.cli import app
from iro_ledger.generator import truth_path
from iro_ledger.generator.truth import key_of, render, score

GENERATE = ["generate", "--authorities", "2", "--healthy", "1", "--children", "15",
            "--years", "4", "--seed", "7"]
"""Two authorities with every planted variant, one healthy: about 1,500 lines."""


def cli(args: list[str], url: str = "") -> Result:
    env = {"IRO_LEDGER_DATABASE_URL": url} if url else {}
    return CliRunner().invoke(app, args, env=env, catch_exceptions=False)


def flags_as_of(url: str, day: str) -> list[dict[str, Any]]:
    result = cli(["flags", "--json", "--as-of", day], url)
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def mid_history(truth: dict[str, Any]) -> str:
    """A day between expected flags, well clear of any flag's first day, near the middle."""
    days = sorted({date.fromisoformat(f["as_of"]) for f in truth["flags"]})
    gaps = [(b - a, a) for a, b in pairwise(days) if (b - a).days >= 8]
    middle = days[len(days) // 2]
    _, start = min(gaps, key=lambda gap: abs((gap[1] - middle).days))
    return (start + timedelta(days=4)).isoformat()


def judged(truth: dict[str, Any], flags: list[dict[str, Any]], day: str) -> str:
    """What went wrong, if anything, as text fit for a failing assertion (empty when right)."""
    expected = [f for f in truth["flags"] if f["as_of"] <= day]
    table = score(expected, flags)
    print(f"\nrules against the ground truth as of {day}:\n{render(table)}")
    problems = [f"{rule}: precision {row['precision']:.3f}, recall {row['recall']:.3f}"
                for rule, row in table.items() if row["precision"] < 1 or row["recall"] < 1]
    healthy = {a["la_code"] for a in truth["authorities"] if a["healthy"]}
    problems += [f"healthy {f['la_code']} raised {f['rule']}: {f['explanation']}"
                 for f in flags if f["la_code"] in healthy]
    wanted = {key_of(f) for f in expected}
    problems += [f"unexpected {f['rule']} {f['la_code']} {f['subjects']}: {f['explanation']}"
                 for f in flags if key_of(f) not in wanted]
    found = {key_of(f) for f in flags}
    problems += [f"missing {f['rule']} {f['la_code']} {f['subjects']} ({f['pattern']}, "
                 f"due by {f['as_of']})" for f in expected if key_of(f) not in found]
    return "" if not problems else "\n".join([render(table), *problems])


def critical_missing(truth: dict[str, Any], flags: list[dict[str, Any]]) -> list[str]:
    """Expected flags of a fixed severity with no flag of that severity about them."""
    return [f"{f['rule']} {f['subjects']} should be {f['severity']}"
            for f in truth["flags"] if "severity" in f
            and not any(key_of(g) == key_of(f) and g["severity"] == f["severity"]
                        for g in flags)]


def test_every_rule_finds_exactly_the_planted_patterns(database_url: str,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "authorities.jsonl"
    made = cli([*GENERATE, "--out", str(out)])
    assert made.exit_code == 0, made.output
    truth = json.loads(truth_path(out).read_text())
    assert {f["rule"] for f in truth["flags"]} == set(truth["match_on"])
    if database_url.startswith("postgresql"):
        # Durability is not under test: one commit a line need not wait for the disk.
        with psycopg.connect(database_url, autocommit=True) as db:
            name = db.info.dbname
            db.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')

    ingested = cli(["ingest", str(out)], database_url)
    assert ingested.exit_code == 0, ingested.output
    assert json.loads(ingested.stdout.strip().splitlines()[-1]) == {
        "accepted": truth["lines"], "rejected": 0}

    flags = flags_as_of(database_url, truth["as_of"])
    problems = judged(truth, flags, truth["as_of"])
    assert not problems, problems
    assert not critical_missing(truth, flags), critical_missing(truth, flags)

    earlier = mid_history(truth)
    problems = judged(truth, flags_as_of(database_url, earlier), earlier)
    assert not problems, problems


def test_generate_refuses_a_history_ending_today_or_later(tmp_path: Path) -> None:
    out = tmp_path / "never.jsonl"
    result = CliRunner().invoke(app, ["generate", "--out", str(out),
                                      "--end", date.today().isoformat()])
    assert result.exit_code == 2
    assert "--end" in result.output
    assert not out.exists()


@pytest.mark.parametrize("option", [["--years", "0"], ["--children", "-3"],
                                    ["--end", "last tuesday"]])
def test_generate_refuses_unusable_options(option: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path / "x.jsonl"), *option])
    assert result.exit_code == 2
    assert option[0] in result.output
