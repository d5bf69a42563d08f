"""Flags do not depend on the order records were made in, through the real stores.

Two fictional authorities live the same history. Ashcombe (OA1) records everything as it
happens; Brindlewood (OB2) records three things late: a resolution dated before the
reassignment it bears on, a director's request to edit the annual report after the author's
post was deleted, and a resolution dated before the case was closed under it. Ingested through
the CLI on SQLite and PostgreSQL, both show the same flags as of every day asked about; the
flags Brindlewood's late records showed never applied are withdrawn, readable by status or id.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from iro_ledger.projections.flags import FlagQuery, Flags, read_flags
from iro_ledger.settings import Settings
from iro_ledger.wiring import build_services
from tests.integration.test_flags_cli import Batch, cli, flags, sha

ON_TIME, LATE = "OA1", "OB2"
DAYS = ("2024-06-09", "2024-06-10", "2024-09-01", "2024-12-31")
LATE_ONES = ("resolve ch-1", "request_report_edit", "resolve ch-2")


def history(la: str, name: str) -> list[dict[str, Any]]:
    """The history as it happened, each line tagged with what it is for reordering."""
    b = Batch(la, name)
    b.officers("iro", "iro-a", "iro-b")
    b.officers("iro_manager", "irom-m")
    b.officers("team_manager", "mgr-t")
    b.officers("director", "dir-z")
    b.case("c1", "iro-a", reviews=())
    b.challenge("ch-1", "c1", "iro-a", "2024-03-01", resolved="2024-03-11")
    b.add("assign_iro", "2024-06-10", case_id="c1", officer_id="iro-b", reason="workload")
    b.add("draft_annual_report", "2024-04-01", report_id="ar-1", year=2023, author="irom-m",
          content_sha256=sha("as written"))
    b.add("request_report_edit", "2024-05-15", report_id="ar-1", actor="dir-z",
          sections=["challenges"])
    b.add("end_engagement", "2024-09-01", officer_id="irom-m", how="post_deleted",
          actor="dir-z", reason="restructure")
    b.case("c2", "iro-b", reviews=())
    b.challenge("ch-2", "c2", "iro-b", "2024-04-02", resolved="2024-05-01")
    b.add("close_case", "2024-05-10", case_id="c2", reason="returned home", actor="mgr-t")
    return b.lines


def _tag(line: dict[str, Any]) -> str:
    if line["command"] == "resolve_challenge":
        return f"resolve {line['challenge_id']}"
    return str(line["command"])


def recorded_late(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same lines with the late ones recorded after everything else."""
    late = [line for line in lines if _tag(line) in LATE_ONES]
    return [line for line in lines if _tag(line) not in LATE_ONES] + late


def seen(found: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((f["rule"], tuple(sorted(f["subjects"].items())), f["status"],
                   f["raised_on"], f["severity"], f["cleared_on"]) for f in found)


def test_the_same_history_recorded_late_gives_the_same_flags(database_url: str,
                                                              tmp_path: Path) -> None:
    lines = history(ON_TIME, "Ashcombe Borough") + recorded_late(
        history(LATE, "Brindlewood District"))
    path = tmp_path / "both.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = cli(database_url, "ingest", str(path))
    assert result.exit_code == 0, result.output
    for day in DAYS:
        on_time = flags(database_url, "--la", ON_TIME, "--as-of", day)
        late = flags(database_url, "--la", LATE, "--as-of", day)
        assert seen(late) == seen(on_time), day
    rules = {f["rule"] for f in flags(database_url, "--la", LATE, "--as-of", DAYS[-1])}
    assert {"engagement_ended_after_dispute", "report_interference"} <= rules
    assert "reallocation_after_dispute" not in rules


def test_flags_a_late_record_showed_never_applied_are_withdrawn_and_kept(
        database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "late.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in recorded_late(
        history(LATE, "Brindlewood District"))) + "\n")
    assert cli(database_url, "ingest", str(path)).exit_code == 0
    services = build_services(Settings(database_url=database_url))
    try:
        services.projections.catch_up(["flags"])
        model = services.projections.models["flags"]
        assert isinstance(model, Flags)
        with services.projections.db.reading() as tx:
            withdrawn = read_flags(tx, model.config, FlagQuery([LATE], status="withdrawn"),
                                   date(2024, 12, 31))
            by_id = [read_flags(tx, model.config, FlagQuery([LATE], flag_id=f.id),
                                date(2024, 12, 31)) for f in withdrawn]
    finally:
        services.close()
    assert sorted((f.rule, f.details.get("pattern")) for f in withdrawn) == [
        ("reallocation_after_dispute", None), ("suppressed_challenge", "closed_without_outcome")]
    for flag in withdrawn:
        assert [h.action for h in flag.history] == ["raised", "withdrawn"]
        assert flag.history[-1].event is not None
        assert flag.history[-1].event.event_type == "Challenge.Resolved"
    assert [[f.id for f in found] for found in by_id] == [[f.id] for f in withdrawn]
