"""`iro-ledger import-903` on the shared SSDA903 sample files, read in place.

The files are synthetic and noisy by design (reviews before care began, reviews in the
future, long gaps): the import must account for every row, store every command it maps, report
every row it skips by file and line, store nothing new when run again, and the rules must then
raise flags whose evidence is in the store. No count here is tuned to the data.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from iro_ledger.cli import app
from iro_ledger.domain.record import ENGLAND, record_id
from iro_ledger.settings import Settings
from iro_ledger.wiring import build_services
from tests.shared_data import shared_dir

LA = "SV9"
FILES = ("header.csv", "episodes.csv", "reviews.csv")
REPORT = re.compile(r"^(header|episodes|reviews)\.csv:(\d+): (.+)$")


@dataclass(frozen=True)
class Imported:
    url: str
    key: Path
    result: Result

    @property
    def summary(self) -> dict[str, Any]:
        last: dict[str, Any] = json.loads(self.result.stdout.splitlines()[-1])
        return last


def sample() -> Path:
    return shared_dir() / "ssda903"


def cli(url: str, key: Path, *args: str) -> Result:
    env = {"IRO_LEDGER_DATABASE_URL": url, "IRO_LEDGER_903_KEY_FILE": str(key)}
    return CliRunner().invoke(app, list(args), env=env)


def import_sample(url: str, key: Path, *options: str) -> Result:
    return cli(url, key, "import-903", str(sample()), "--la", LA, *options)


def lines_of(name: str) -> list[str]:
    return (sample() / name).read_text(encoding="utf-8-sig").splitlines()


def stored_events(url: str) -> dict[int, tuple[Any, int, str]]:
    """Every stored event by its position: (record id, event number, topic)."""
    built = build_services(Settings(database_url=url))
    try:
        found: dict[int, tuple[Any, int, str]] = {}
        start = 1
        while page := built.ledger.recorder.select_notifications(start=start, limit=5000):
            found.update((n.id, (n.originator_id, n.originator_version, n.topic)) for n in page)
            start = page[-1].id + 1
        return found
    finally:
        built.close()


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    """The sample imported once into a fresh SQLite file; the tests below only read it."""
    folder = tmp_path_factory.mktemp("ssda903")
    url, key = f"sqlite:///{folder / 'ledger.sqlite'}", folder / "903.key"
    yield Imported(url, key, import_sample(url, key, "--name", "Sample Vale"))


def test_every_command_mapped_from_the_sample_is_stored(imported: Imported) -> None:
    summary = imported.summary

    assert imported.result.exit_code == 1  # the sample has rows that cannot be mapped
    assert summary["commands"] > 0 and summary["rejected"] == 0
    assert summary["accepted"] == summary["commands"]
    assert {"missing.csv", "uasc.csv"} <= set(summary["not_read"])
    kinds = Counter(topic.rsplit(".", 1)[-1] for _, _, topic in
                    stored_events(imported.url).values())
    assert kinds["Opened"] == summary["cases_opened"]
    assert kinds["CarePlanRevised"] == summary["placement_moves"]
    assert kinds["ReviewHeld"] == summary["reviews"]
    assert kinds["Closed"] == summary["cases_closed"]
    # one command_id receipt each, and one for the batch of data-quality findings
    assert summary["data_quality"] == "recorded" and kinds["DataQualityRecorded"] == 1
    assert kinds["Accepted"] == summary["commands"] + 1


def test_each_skipped_row_is_reported_with_its_file_and_line(imported: Imported) -> None:
    summary, reports = imported.summary, imported.result.stderr.splitlines()
    files = {name: lines_of(name) for name in FILES}
    today = datetime.now(ENGLAND).date()

    assert len(reports) == summary["skipped"] == sum(summary["skipped_by_reason"].values())
    assert summary["skipped_by_reason"]["future_date"] > 0  # the sample's reviews run on
    for report in reports:
        found = REPORT.match(report)
        assert found is not None, report
        name, line, reason = f"{found[1]}.csv", int(found[2]), found[3]
        assert 2 <= line <= len(files[name]), report
        future = re.fullmatch(r"REVIEW (\d\d)/(\d\d)/(\d{4}) is in the future", reason)
        if future:
            day = date(int(future[3]), int(future[2]), int(future[1]))
            assert day > today and future[0].split()[1] in files[name][line - 1]


def test_importing_the_sample_again_stores_nothing_new(imported: Imported) -> None:
    before = len(stored_events(imported.url))

    again = import_sample(imported.url, imported.key)

    assert again.exit_code == 1
    summary = json.loads(again.stdout.splitlines()[-1])
    assert summary["rejected"] == 0
    assert summary["replayed"] == summary["accepted"] == summary["commands"]
    assert len(stored_events(imported.url)) == before


@pytest.fixture(scope="module")
def sample_flags(imported: Imported) -> list[dict[str, Any]]:
    result = cli(imported.url, imported.key, "flags", "--json", "--la", LA)
    assert result.exit_code == 0, result.stderr
    flags: list[dict[str, Any]] = json.loads(result.stdout)
    return flags


def test_the_rules_flag_the_sample_and_every_flags_evidence_is_a_stored_event(
        imported: Imported, sample_flags: list[dict[str, Any]]) -> None:
    flags = sample_flags
    assert flags
    stored = stored_events(imported.url)
    for flag in flags:
        assert flag["la_code"] == LA and flag["evidence"] and flag["explanation"]
        for evidence in flag["evidence"]:
            record, number, topic = stored[evidence["position"]]
            assert record == record_id(evidence["kind"], LA, evidence["id"])
            assert number == evidence["event_number"]
            assert topic.endswith(":" + evidence["event_type"])


def test_no_upn_postcode_or_child_id_of_the_sample_reaches_the_batch(tmp_path: Path) -> None:
    out = tmp_path / "batch.jsonl"
    result = import_sample(f"sqlite:///{tmp_path / 'unused.sqlite'}", tmp_path / "903.key",
                           "--name", "Sample Vale", "--out", str(out))
    assert result.exit_code == 1
    *commands, findings = out.read_text().splitlines(keepends=True)
    batch = "".join(commands)
    # The data-quality findings point at rows by file and line number (a line number may
    # equal some CHILD id by chance): nothing else.
    recorded = json.loads(findings)
    assert recorded["command"] == "record_data_quality"
    assert all(re.fullmatch(r"[a-z_]+ (header|episodes|reviews)\.csv:\d+", row)
               for row in recorded["rows"])
    assert recorded["dataset"] == "ssda903"

    def column(name: str, *columns: str) -> set[str]:
        with (sample() / name).open(encoding="utf-8-sig", newline="") as rows:
            return {row[c].strip() for row in csv.DictReader(rows) for c in columns} - {""}

    upns, children = column("header.csv", "UPN"), column("header.csv", "CHILD")
    postcodes = column("episodes.csv", "HOME_POST", "PL_POST")
    assert upns and postcodes and children
    # Nothing shaped like a UPN or a postcode, and none of the sample's own.
    assert re.findall(r"[A-Z]\d{11}[A-Z\d]|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}", batch) == []
    words = set(re.findall(r"[A-Za-z0-9]+", batch))
    assert not words & (upns | {part for code in postcodes for part in code.split()})
    # A CHILD id never stands as a value or part of one (dates aside: a year is no child).
    undated = re.sub(r"\d{4}-\d\d-\d\d|-\d{8}\b|:\d{8}\b", " ", batch)
    assert not children & set(re.findall(r"[A-Za-z0-9]+", undated))
    assert len(batch.splitlines()) == json.loads(result.stdout.splitlines()[-1])["commands"]


def test_the_sample_imports_into_postgresql_too(postgres_url: str, tmp_path: Path) -> None:
    result = import_sample(postgres_url, tmp_path / "903.key", "--name", "Sample Vale")

    summary = json.loads(result.stdout.splitlines()[-1])
    assert result.exit_code == 1
    assert summary["rejected"] == 0 and summary["accepted"] == summary["commands"] > 0
    assert summary["data_quality"] == "recorded"  # one event and its receipt
    assert len(stored_events(postgres_url)) == 2 * summary["commands"] + 2


def test_a_child_in_care_before_the_period_is_owed_no_review_the_return_cannot_show(
        imported: Imported, sample_flags: list[dict[str, Any]]) -> None:
    """Independence flags and data-quality findings counted apart: the flags are the rules'
    judgement of what was recorded; the findings are the rows the return holds that cannot be
    recorded as they stand (impossible, contradictory, repeated, outside its period)."""
    begins = date.fromisoformat(imported.summary["period_begins"])
    reviews = [f for f in sample_flags if f["rule"] == "review_overdue"]
    joined = [f for f in reviews if f["details"].get("record_begins_on")]

    assert joined  # the sample's children mostly entered care before its period
    for flag in joined:
        assert flag["details"]["review_number"] is None
        assert date.fromisoformat(flag["details"]["due_on"]) >= begins.replace(month=10)
    for flag in reviews:
        assert date.fromisoformat(flag["details"]["due_on"]) >= begins
    findings = imported.summary["skipped_by_reason"]
    print(f"\nshared sample: {len(sample_flags)} independence flags "
          f"{dict(Counter(f['rule'] for f in sample_flags))}; "
          f"{sum(findings.values())} data-quality findings {findings}")


def test_the_sample_in_the_xml_form_maps_to_the_same_batch(tmp_path: Path) -> None:
    from tests.ssda903_xml import to_xml
    xml = tmp_path / "return.xml"
    xml.write_text(to_xml({name: (sample() / name).read_text(encoding="utf-8-sig")
                           for name in FILES}))
    key, url = tmp_path / "903.key", f"sqlite:///{tmp_path / 'unused.sqlite'}"

    as_csv = import_sample(url, key, "--name", "Sample Vale", "--out", str(tmp_path / "c"))
    as_xml = cli(url, key, "import-903", str(xml), "--la", LA, "--name", "Sample Vale",
                 "--out", str(tmp_path / "x"))

    assert as_xml.exit_code == as_csv.exit_code == 1
    assert json.loads(as_xml.stdout.splitlines()[-1])["form"] == "xml"
    *from_xml, xml_findings = (tmp_path / "x").read_text().splitlines()
    *from_csv, csv_findings = (tmp_path / "c").read_text().splitlines()
    assert from_xml == from_csv
    # The same findings, each pointing at its row in its own form of the return.
    assert json.loads(xml_findings)["counts"] == json.loads(csv_findings)["counts"]
    assert all(row.split(" ")[1].startswith("return.xml:")
               for row in json.loads(xml_findings)["rows"])
