"""`iro-ledger export ocel`: the demo history as an OCEL 2.0 event log that pm4py reads, on both
stores; who may export what. pm4py (AGPL) is a test-only dependency (the `ocel-test` extra)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pm4py
import pytest
from typer.testing import CliRunner, Result

from iro_ledger.application import Principal, Role
from iro_ledger.application.ingest import ingest, numbered
from iro_ledger.cli import app
from iro_ledger.domain.errors import NotPermitted
from iro_ledger.generator import demo
from iro_ledger.settings import Settings
from iro_ledger.wiring import Services, build_services

OBJECT_COMMANDS = {"open_case": "case", "raise_challenge": "challenge",
                   "register_officer": "officer", "record_instruction": "instruction",
                   "draft_annual_report": "report"}


@pytest.fixture
def seeded(database_url: str) -> Iterator[tuple[str, Services]]:
    services = build_services(Settings(database_url=database_url))
    summary = ingest(services.ledger, numbered(demo.demo_commands()),
                     Principal(sub="test:seed", role=Role.ADMIN), atomic=True)
    assert not summary.rejected
    try:
        yield database_url, services
    finally:
        services.close()


def export(url: str, out: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["export", "ocel", "--out", str(out), *args],
                              env={"IRO_LEDGER_DATABASE_URL": url})


def demo_objects(la_code: str | None = None) -> Counter[str]:
    """How many records of each object type the demo's commands make."""
    return Counter(OBJECT_COMMANDS[c["command"]] for c in demo.demo_commands()
                   if c["command"] in OBJECT_COMMANDS and la_code in (None, c["la_code"]))


def test_pm4py_reads_the_history_with_its_objects_and_relations(
        seeded: tuple[str, Services], tmp_path: Path) -> None:
    url, _ = seeded
    out = tmp_path / "history.ocel.json"

    result = export(url, out)
    log = pm4py.read_ocel2_json(str(out))

    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    objects = log.objects
    assert Counter(objects["ocel:type"]) == demo_objects()
    assert set(log.events["ocel:activity"]) >= {"Challenge.Raised", "Case.IroAssigned",
                                                "Instruction.Recorded",
                                                "Challenge.ArbitrationRequested"}
    # Every event related to an object is read back, with its relations.
    related = {e["id"] for e in written["events"] if e["relationships"]}
    assert set(log.events["ocel:eid"]) == related
    relations = log.relations
    arbitration = relations[relations["ocel:eid"] == "challenge:EMR/EMR-CH05#3"]
    assert set(zip(arbitration["ocel:oid"], arbitration["ocel:qualifier"], strict=True)) >= {
        ("challenge:EMR/EMR-CH05", "challenge"), ("case:EMR/EMR-C08", "case"),
        ("officer:EMR/iro.devlin", "raised by")}
    instruction = relations[relations["ocel:eid"] == "instruction:EMR/EMR-INS02#1"]
    assert ("officer:EMR/iro.quayle", "issued to") in set(
        zip(instruction["ocel:oid"], instruction["ocel:qualifier"], strict=True))
    # Each event at the day it happened, in store order within it.
    raised = written["events"][[e["id"] for e in written["events"]].index(
        "challenge:EMR/EMR-CH05#1")]
    assert raised["time"].startswith("2025-11-24")


def test_one_authoritys_export_holds_only_its_records_and_never_overwrites(
        seeded: tuple[str, Services], tmp_path: Path) -> None:
    url, _ = seeded
    out = tmp_path / "smv.ocel.json"

    first = export(url, out, "--la", "SMV")
    again = export(url, out, "--la", "SMV")

    assert first.exit_code == 0, first.output
    written = json.loads(out.read_text())
    assert {a["value"] for e in written["events"] for a in e["attributes"]
            if a["name"] == "la_code"} == {"SMV"}
    assert Counter(o["type"] for o in written["objects"]) == demo_objects("SMV")
    assert again.exit_code == 2 and "exists" in again.output


def test_the_history_is_for_those_who_may_read_the_authority_and_never_arbitrators(
        seeded: tuple[str, Services]) -> None:
    _, services = seeded
    manager = Principal(sub="mgr-hale", role=Role.LA_MANAGER, la_code="SMV")
    with services.reads.by(manager, "cli") as reader:
        mine = {e.la_code for e in reader.history()}
        with pytest.raises(NotPermitted):
            reader.history("EMR")
    arbitrator = Principal(sub="arb-ives", role=Role.ARBITRATOR, body="NAIRO")
    with services.reads.by(arbitrator, "cli") as reader, pytest.raises(NotPermitted):
        reader.history()

    assert mine == {"SMV"}
