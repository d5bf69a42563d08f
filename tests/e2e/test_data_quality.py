"""Data-quality findings of an SSDA903 import: recorded through the ledger, shown apart from
the independence flags on the API, the CLI and the dashboard, and never counted as flags."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from iro_ledger.cli import app
from tests.e2e import ADMIN, bearer, running_api, sign_in
from tests.unit.ssda903.returns import LA, episode, review, texts

CHILDREN = ("KX101", "KX202")
GOOD_EPISODES = [
    episode("KX101", "01/02/2023", dec="01/05/2023", rec="X1"),
    episode("KX101", "01/05/2023", rne="P"),
]
GOOD_REVIEWS = [review("KX101", "20/06/2023")]
DUPLICATE = episode("KX101", "01/02/2023", dec="01/05/2023", rec="X1")
NO_CASE = review("KX202", "21/06/2023", "PN0")  # KX202 has no episode, so no case
MANAGER = bearer("mgr-quinn", "la_manager", LA)
FINDINGS = {"duplicate_episode": 1, "no_case": 1, "no_episodes": 1}


def cli(url: str, key: Path, *args: str) -> Result:
    env = {"IRO_LEDGER_DATABASE_URL": url, "IRO_LEDGER_903_KEY_FILE": str(key)}
    return CliRunner().invoke(app, list(args), env=env)


def imported(tmp: Path, name: str, episodes: list[str], reviews: list[str],
             children: tuple[str, ...] = CHILDREN) -> str:
    """A fresh store holding the return; its URL."""
    folder = tmp / name
    folder.mkdir()
    for file, text in texts(children, episodes, reviews).items():
        (folder / file).write_text(text)
    url = f"sqlite:///{tmp / name}.sqlite"
    result = cli(url, tmp / "903.key", "import-903", str(folder), "--la", LA,
                 "--name", "Quarry Vale (fictional)")
    assert result.exit_code in (0, 1), result.output
    return url


def faulty(tmp: Path) -> str:
    return imported(tmp, "faulty", [GOOD_EPISODES[0], DUPLICATE, GOOD_EPISODES[1]],
                    [*GOOD_REVIEWS, NO_CASE])


def test_an_import_records_its_findings_once_and_the_cli_shows_them(tmp_path: Path) -> None:
    url = faulty(tmp_path)

    shown = cli(url, tmp_path / "903.key", "data-quality", "--la", LA, "--json")

    assert shown.exit_code == 0, shown.output
    [batch] = json.loads(shown.stdout)
    assert (batch["dataset"], batch["findings"], batch["counts"]) == ("ssda903", 3, FINDINGS)
    assert sorted(batch["rows"]) == ["duplicate_episode episodes.csv:3",
                                     "no_case reviews.csv:3", "no_episodes header.csv:3"]
    again = cli(url, tmp_path / "903.key", "import-903", str(tmp_path / "faulty"), "--la", LA)
    assert json.loads(again.stdout.splitlines()[-1])["data_quality"] == "already_recorded"
    assert len(json.loads(cli(url, tmp_path / "903.key", "data-quality", "--la", LA,
                              "--json").stdout)) == 1
    table = cli(url, tmp_path / "903.key", "data-quality", "--la", LA)
    assert "3 data-quality findings" in table.stdout and "duplicate_episode" in table.stdout


def test_the_cli_refuses_an_authority_not_recorded(tmp_path: Path) -> None:
    url = faulty(tmp_path)

    refused = cli(url, tmp_path / "903.key", "data-quality", "--la", "ZZ9")

    assert refused.exit_code == 2
    assert "no authority 'ZZ9' is recorded" in refused.stderr


def test_the_api_and_dashboard_show_findings_apart_from_flags(tmp_path: Path) -> None:
    url = faulty(tmp_path)
    with running_api(url) as api:
        found = api.read(f"/authorities/{LA}/data-quality", MANAGER)
        assert found.status_code == 200, found.text
        assert found.json()["findings"] == 3
        assert found.json()["batches"][0]["counts"] == FINDINGS
        assert api.read(f"/authorities/{LA}/data-quality",
                        bearer("mgr-olu", "la_manager", "SMR")).status_code == 403

        sign_in(api.client, MANAGER)
        page = api.client.get(f"/ui/authorities/{LA}")
        assert page.status_code == 200
        section = page.text.split('<section id="data-quality">')[1].split("</section>")[0]
        assert "Data quality" in section and 'data-kind="duplicate_episode"' in section
        flags = page.text.split('<section id="flags">')[1].split("</section>")[0]
        assert "duplicate_episode" not in flags and "no_case" not in flags
        rows = api.client.get(f"/ui/authorities/{LA}/data-quality")
        assert rows.status_code == 200 and "no_case reviews.csv:3" in rows.text


def test_findings_add_nothing_to_the_flags_or_the_measures(tmp_path: Path) -> None:
    """The same return with and without its faulty rows: the same flags, the same measures."""
    with_faults = faulty(tmp_path)
    clean = imported(tmp_path, "clean", GOOD_EPISODES, GOOD_REVIEWS, ("KX101",))

    seen = [_flags_and_measures(url) for url in (with_faults, clean)]

    findings = [measures.pop("data_quality_findings") for _, measures in seen]
    assert seen[0] == seen[1]
    assert seen[0][0], "the imported move without a review is flagged, as in any import"
    # The findings are a measure of their own, named apart from the flags.
    assert findings == [{"ssda903": FINDINGS}, None]


def test_the_findings_are_counted_by_dataset_and_kind_and_their_rows_paged(
        tmp_path: Path) -> None:
    url = faulty(tmp_path)
    with running_api(url) as api:
        every = api.read(f"/authorities/{LA}/data-quality/findings?limit=2", MANAGER)
        assert every.status_code == 200, every.text
        found = every.json()
        assert (found["findings"], found["by_dataset"]) == (3, {"ssda903": FINDINGS})
        assert found["total"] == 3 and len(found["rows"]) == 2
        rest = api.read(f"/authorities/{LA}/data-quality/findings?limit=2&offset=2",
                        MANAGER).json()["rows"]
        assert sorted(r["row"] for r in [*found["rows"], *rest]) == [
            "duplicate_episode episodes.csv:3", "no_case reviews.csv:3",
            "no_episodes header.csv:3"]
        [no_case] = api.read(f"/authorities/{LA}/data-quality/findings?kind=no_case",
                             MANAGER).json()["rows"]
        assert no_case["row"] == "no_case reviews.csv:3"
        assert no_case["event"]["type"] == "Authority.DataQualityRecorded"
        assert api.read(f"/authorities/{LA}/data-quality/findings?limit=501",
                        MANAGER).status_code == 422

        sign_in(api.client, MANAGER)
        page = api.client.get(f"/ui/authorities/{LA}/data-quality?kind=no_case")
        assert page.status_code == 200
        assert 'data-kind="duplicate_episode"' in page.text
        rows = page.text.split('<section id="rows">')[1].split("</section>")[0]
        assert "no_case reviews.csv:3" in rows and "episodes.csv" not in rows
        measures = api.client.get(f"/ui/authorities/{LA}").text
        assert "Data-quality findings about imported data (not flags)" in measures

    shown = cli(url, tmp_path / "903.key", "data-quality", "--la", LA, "--rows", "--limit",
                "1", "--offset", "1", "--json")
    assert shown.exit_code == 0, shown.output
    page_two = json.loads(shown.stdout)
    assert (page_two["total"], page_two["by_dataset"]) == (3, {"ssda903": FINDINGS})
    assert [r["number"] for r in page_two["rows"]] == [2]
    table = cli(url, tmp_path / "903.key", "data-quality", "--la", LA, "--rows")
    assert "rows 1-3 of 3" in table.stdout and "no_case reviews.csv:3" in table.stdout


def _flags_and_measures(url: str) -> tuple[list[Any], dict[str, Any]]:
    with running_api(url) as api:
        flags = api.read(f"/flags?la_code={LA}&limit=500", ADMIN).json()
        measures = api.read(f"/authorities/{LA}/measures", ADMIN).json()
    return ([(f["rule"], f["subjects"], f["raised_on"]) for f in flags["items"]],
            {m["name"]: m["value"] for m in measures["measures"]})


def test_the_dashboards_findings_sort_by_kind_and_download_every_row_as_csv(
        tmp_path: Path) -> None:
    url = faulty(tmp_path)
    with running_api(url) as api:
        sign_in(api.client, MANAGER)
        down = api.client.get(f"/ui/authorities/{LA}/data-quality?rows.sort=kind"
                              "&rows.order=desc")
        exported = api.client.get(f"/ui/authorities/{LA}/data-quality?rows.format=csv")
        by_text = api.client.get(f"/ui/authorities/{LA}/data-quality?rows.sort=row")

    rows = down.text.split('<section id="rows">')[1].split("</section>")[0]
    kinds = re.findall(r'<tr data-number="\d+"><td>\d+</td><td>[^<]*</td><td>([a-z_]+)</td>',
                       rows)
    assert kinds == sorted(FINDINGS, reverse=True)
    assert 'aria-sort="descending"' in rows and "1 to 3 of 3 findings" in rows
    every = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted(r["Finding"] for r in every) == [
        "duplicate_episode episodes.csv:3", "no_case reviews.csv:3", "no_episodes header.csv:3"]
    assert by_text.status_code == 422, "the read cannot order by a finding's text"
