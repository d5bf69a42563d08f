"""`iro-ledger import-903` on a small literal return written to a temporary directory.

Exit statuses, what is stored, re-imports, the batch-file mode, the pseudonym key file and an
import by a second principal, on real stores.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from iro_ledger.cli import app
from tests.unit.ssda903.returns import LA, TODAY, episode, header, review, texts

CHILDREN = ("KX101", "KX202")
EPISODES = [
    episode("KX101", "01/05/2023", dec="01/06/2023", rec="X1"),
    episode("KX101", "01/06/2023", rne="P", dec="30/09/2023", rec="E11"),
    episode("KX202", "01/01/2023"),
]
"""A 2023-24 return: KX202 was in care before it began (1 April 2023)."""
REVIEWS = [review("KX101", "27/05/2023"), review("KX101", "20/08/2023", "PN5"),
           review("KX202", "20/04/2023", "PN0")]
COMMANDS = 10
"""The authority, the placeholder IRO, the period the return covers, 2 cases opened, 1 move,
3 reviews, 1 closure."""


def write_return(folder: Path, episodes: list[str] = EPISODES, reviews: list[str] = REVIEWS,
                 replace: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**texts(CHILDREN, episodes, reviews), **(replace or {})}.items():
        (folder / name).write_text(text)
    return folder


def cli(url: str, key: Path, *args: str) -> Result:
    env = {"IRO_LEDGER_DATABASE_URL": url, "IRO_LEDGER_903_KEY_FILE": str(key)}
    return CliRunner().invoke(app, list(args), env=env)


def imported(url: str, key: Path, folder: Path, *options: str) -> Result:
    return cli(url, key, "import-903", str(folder), "--la", LA, *options)


def summary(result: Result) -> dict[str, Any]:
    last: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return last


def events(url: str, key: Path) -> int:
    count: int = json.loads(cli(url, key, "stats", "--json").stdout)["events"]
    return count


def test_a_return_is_recorded_and_importing_it_again_stores_nothing_new(
        database_url: str, tmp_path: Path) -> None:
    key, folder = tmp_path / "903.key", write_return(tmp_path / "return")

    first = imported(database_url, key, folder, "--name", "Quarry Vale")

    assert first.exit_code == 0, first.output
    assert first.stderr == ""
    assert summary(first) | {"key": None, "not_read": None} == {
        "children": 2, "cases_opened": 2, "placement_moves": 1, "reviews": 3,
        "cases_closed": 1, "commands": COMMANDS, "skipped": 0, "skipped_by_reason": {},
        "accepted": COMMANDS, "replayed": 0, "rejected": 0, "data_quality": "none",
        "key": None, "key_made": True,
        "form": "csv", "years": [], "repeated_across_years": 0, "reviews_shown": True,
        "period_begins": "2023-04-01", "period_ends": "2024-03-31",
        "data_quality_commands": 0, "not_read": None}
    stored = events(database_url, key)
    assert stored == 2 * COMMANDS  # each command's event and its command_id's receipt

    again = imported(database_url, key, folder)

    assert again.exit_code == 0, again.output
    # The authority, the placeholder IRO and the period are recorded already: not sent again.
    assert summary(again)["accepted"] == summary(again)["replayed"] == COMMANDS - 3
    assert events(database_url, key) == stored


def test_skipped_rows_are_reported_by_file_and_line_and_the_rest_recorded(
        sqlite_url: str, tmp_path: Path) -> None:
    key = tmp_path / "903.key"
    future = TODAY.replace(year=TODAY.year + 5).strftime("%d/%m/%Y")
    folder = write_return(tmp_path / "return", reviews=[
        *REVIEWS, review("KX101", future), review("KX101", "30/04/2023")])

    result = imported(sqlite_url, key, folder, "--name", "Quarry Vale")

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"reviews.csv:5: REVIEW {future} is in the future",
        "reviews.csv:6: review on 30/04/2023 is before the child entered care on 01/05/2023 "
        "(episodes.csv:2)",
    ]
    found = summary(result)
    assert found["skipped_by_reason"] == {"future_date": 1, "review_before_care": 1}
    assert found["accepted"] == COMMANDS and found["rejected"] == 0
    assert found["data_quality"] == "recorded"
    # each command's event and receipt, and the data-quality findings' event and receipt
    assert events(sqlite_url, key) == 2 * COMMANDS + 2


def test_an_authority_not_yet_recorded_needs_its_name(sqlite_url: str, tmp_path: Path) -> None:
    key, folder = tmp_path / "903.key", write_return(tmp_path / "return")

    result = imported(sqlite_url, key, folder)

    assert result.exit_code == 2
    assert "give --name" in result.stderr
    assert events(sqlite_url, key) == 0


@pytest.mark.parametrize(("damage", "says"), [
    ({"episodes.csv": "CHILD,DECOM,RNE,LS,DEC\nKX101,01/02/2023,S,C2,\n"},
     "episodes.csv: missing column(s) REC"),
    ({"reviews.csv": ""},
     "reviews.csv is empty; expected columns CHILD, REVIEW, REVIEW_CODE"),
])
def test_a_missing_column_is_unusable_input_and_records_nothing(
        sqlite_url: str, tmp_path: Path, damage: dict[str, str], says: str) -> None:
    key = tmp_path / "903.key"
    folder = write_return(tmp_path / "return", replace=damage)

    result = imported(sqlite_url, key, folder, "--name", "Quarry Vale")

    assert result.exit_code == 2
    assert result.stderr == f"iro-ledger: {says}\n"
    assert events(sqlite_url, key) == 0
    assert not key.exists()


def test_a_missing_directory_or_file_is_unusable_input(sqlite_url: str, tmp_path: Path) -> None:
    key = tmp_path / "903.key"
    folder = write_return(tmp_path / "return")
    (folder / "header.csv").unlink()

    for where, says in ((tmp_path / "nowhere", "is not a directory"), (folder, "no header.csv")):
        result = imported(sqlite_url, key, where, "--name", "Quarry Vale")
        assert result.exit_code == 2
        assert says in result.stderr


def test_out_writes_a_batch_that_ingest_accepts_whole(sqlite_url: str, tmp_path: Path) -> None:
    key, folder = tmp_path / "903.key", write_return(tmp_path / "return")
    (folder / "uasc.csv").write_text("CHILD,SEX,DOB,DUC\nKX101,2,14/02/2013,13/02/2031\n")
    out = tmp_path / "batch.jsonl"

    written = imported(sqlite_url, key, folder, "--name", "Quarry Vale", "--out", str(out))

    assert written.exit_code == 0, written.output
    assert summary(written)["out"] == str(out)
    assert summary(written)["not_read"] == ["uasc.csv"]
    assert len(out.read_text().splitlines()) == COMMANDS
    assert events(sqlite_url, key) == 0  # writing the batch records nothing

    ingested = cli(sqlite_url, key, "ingest", str(out))

    assert ingested.exit_code == 0, ingested.output
    assert summary(ingested) == {"accepted": COMMANDS, "rejected": 0}


def test_the_pseudonym_key_is_made_once_for_the_owner_alone_and_reused(
        sqlite_url: str, tmp_path: Path) -> None:
    key, folder = tmp_path / "keys" / "903.key", write_return(tmp_path / "return")

    def child_refs() -> tuple[bool, list[str]]:
        out = tmp_path / "batch.jsonl"
        result = imported(sqlite_url, key, folder, "--out", str(out))
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        return summary(result)["key_made"], [c["child_ref"] for c in lines if "child_ref" in c]

    made, first = child_refs()
    assert made and stat.S_IMODE(key.stat().st_mode) == 0o600
    made_again, second = child_refs()
    assert not made_again and second == first


def test_another_principals_import_of_the_same_return_records_nothing_twice(
        sqlite_url: str, tmp_path: Path) -> None:
    key, folder = tmp_path / "903.key", write_return(tmp_path / "return")
    assert imported(sqlite_url, key, folder, "--name", "Quarry Vale").exit_code == 0
    stored = events(sqlite_url, key)
    token = cli(sqlite_url, key, "token", "--sub", "importer-2", "--role", "admin").stdout

    result = imported(sqlite_url, key, folder, "--token", token.strip())

    # command_ids are each principal's own, so the cases themselves are refused as already
    # recorded, and nothing more is added to them.
    assert result.exit_code == 1
    assert summary(result)["accepted"] == 0
    assert summary(result)["rejected"] == COMMANDS - 3
    reports = result.stderr.splitlines()
    assert any(r.startswith("episodes.csv:2: open_case: ") and "already recorded" in r
               for r in reports)
    assert any(r.startswith("reviews.csv:2: hold_review: not applied") for r in reports)
    assert events(sqlite_url, key) == stored


def test_the_xml_form_records_what_the_csv_form_does(sqlite_url: str, tmp_path: Path) -> None:
    from tests.ssda903_xml import to_xml
    key = tmp_path / "903.key"
    xml = tmp_path / "return.xml"
    xml.write_text(to_xml(texts(CHILDREN, EPISODES, REVIEWS)))

    result = imported(sqlite_url, key, xml, "--name", "Quarry Vale")

    assert result.exit_code == 0, result.stderr
    assert summary(result)["form"] == "xml"
    assert summary(result)["accepted"] == summary(result)["commands"] == COMMANDS


@pytest.mark.parametrize(("name", "text", "says"), [
    ("return.json", "{}", "not an SSDA903 return"),
    ("return.xml", "<EXPSSDA903><CHILD>", "not XML"),
    ("return.xml", "<PLAYLIST><SONG/></PLAYLIST>", "no CHILD element"),
])
def test_a_file_in_no_form_of_the_return_is_unusable_and_records_nothing(
        sqlite_url: str, tmp_path: Path, name: str, text: str, says: str) -> None:
    key, path = tmp_path / "903.key", tmp_path / name
    path.write_text(text)

    result = imported(sqlite_url, key, path, "--name", "Quarry Vale")

    assert result.exit_code == 2
    assert result.stderr.startswith("iro-ledger: ") and says in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert events(sqlite_url, key) == 0


def test_a_return_without_reviews_is_recorded_and_says_it_shows_none(
        sqlite_url: str, tmp_path: Path) -> None:
    key, folder = tmp_path / "903.key", write_return(tmp_path / "return")
    (folder / "reviews.csv").unlink()

    result = imported(sqlite_url, key, folder, "--name", "Quarry Vale")

    assert result.exit_code == 0, result.stderr
    assert summary(result)["reviews_shown"] is False and summary(result)["reviews"] == 0
    assert summary(result)["cases_opened"] == 2


def test_a_return_with_more_findings_than_one_record_holds_keeps_every_one(
        sqlite_url: str, tmp_path: Path) -> None:
    key = tmp_path / "903.key"
    absent = [f"KZ{n:05d}" for n in range(20_005)]  # in the header, with no episode
    folder = write_return(tmp_path / "return", replace={
        "header.csv": header(*CHILDREN, *absent)})

    result = imported(sqlite_url, key, folder, "--name", "Quarry Vale")

    found = summary(result)
    assert found["skipped_by_reason"] == {"no_episodes": 20_005}
    assert (found["data_quality"], found["data_quality_commands"]) == ("recorded", 2)
    recorded = json.loads(cli(sqlite_url, key, "data-quality", "--la", LA, "--json").stdout)
    rows = [row for batch in recorded for row in batch["rows"]]
    assert len(rows) == len(set(rows)) == 20_005
    assert sum(batch["findings"] for batch in recorded) == 20_005

    again = imported(sqlite_url, key, folder)

    assert summary(again)["data_quality"] == "already_recorded"
