"""`iro-ledger flags` through the CLI alone, on a fresh SQLite file and a fresh PostgreSQL
database: the "Done when" of issue 3 for the rules catalogue.

One fictional authority (Fenwick Vale, FV1) lives through every pattern of DESIGN.md's rules
table; another (Harrowby Dale, HB2) is run well. After `ingest`, with no worker running,
`flags --json` must show exactly the flags the patterns call for, each with its evidence, and
none for the healthy authority; `--as-of` moves the deadline rules.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from iro_ledger.application import Principal, Role
from iro_ledger.cli import app
from iro_ledger.settings import Settings
from iro_ledger.wiring import build_services
from tests.conftest import fresh_database

TROUBLED, HEALTHY = "FV1", "HB2"
AS_OF = "2024-12-31"
# Every case enters care on Monday 5 February 2024; the first review is due by 4 March.
ENTERED = "2024-02-05"
ON_TIME = ("2024-02-28", "2024-05-20", "2024-11-11")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Batch:
    """Commands of one authority, in the order they are recorded."""

    def __init__(self, la: str, name: str) -> None:
        self.la, self.lines = la, list[dict[str, Any]]()
        self.add("register_authority", "2024-01-02", name=name)

    def add(self, command: str, on: str, **fields: Any) -> None:
        self.lines.append({"command": command, "la_code": self.la, "occurred_on": on, **fields})

    def officers(self, role: str, *refs: str, employment: str = "employed") -> None:
        for ref in refs:
            self.add("register_officer", "2024-01-02", officer_id=ref, role=role,
                     employment=employment)

    def case(self, ref: str, iro: str, entered: str = ENTERED,
             reviews: tuple[str, ...] = ON_TIME, chairs: tuple[str, ...] = ()) -> None:
        self.add("open_case", entered, case_id=ref, child_ref=f"child-{ref}", legal_status="C2",
                 entered_care_on=entered)
        self.add("assign_iro", entered, case_id=ref, officer_id=iro, reason="first_allocation")
        for index, on in enumerate(reviews):
            chair = chairs[index] if index < len(chairs) else iro
            self.review(ref, on, chair)

    def review(self, case: str, on: str, chair: str) -> None:
        self.add("hold_review", on, case_id=case, chaired_by=chair,
                 child_participation="attended", child_seen_before=True)

    def challenge(self, ref: str, case: str, iro: str, on: str,
                  responded: str | None = None, resolved: str | None = None) -> None:
        self.add("raise_challenge", on, challenge_id=ref, case_id=case, officer_id=iro,
                 about="care_plan", grounds="the plan does not meet the child's needs")
        if responded:
            self.add("respond_to_challenge", responded, challenge_id=ref, actor="mgr-t",
                     response="we will look again")
        if resolved:
            self.add("resolve_challenge", resolved, challenge_id=ref, actor="mgr-t",
                     outcome="upheld")


def troubled() -> Batch:
    b = Batch(TROUBLED, "Fenwick Vale Council")
    b.officers("iro", "iro-a", "iro-d", "iro-e", "iro-r", "iro-s", "iro-w", "iro-x", "iro-y",
               "iro-h1", "iro-h2", "iro-h3", "iro-c")
    b.officers("iro", "iro-f", employment="freelance")
    b.officers("iro_manager", "irom-m")
    b.officers("team_manager", "mgr-t")
    b.officers("director", "dir-z")
    # permission_required: one in force, one rescinded.
    b.add("record_instruction", "2024-03-01", instruction_id="ins-perm", actor="mgr-t",
          issued_to=["all_iros"], kind="permission_before_challenge", text="ask me first")
    b.add("record_instruction", "2024-03-05", instruction_id="ins-perm2", actor="mgr-t",
          issued_to=["iro-a"], kind="permission_before_cafcass_referral", text="ask me first")
    b.add("rescind_instruction", "2024-06-03", instruction_id="ins-perm2", actor="dir-z")
    # disciplinary_after_challenge: the same manager, twice.
    b.case("c-d", "iro-d")
    b.challenge("ch-d", "c-d", "iro-d", "2024-04-01", "2024-04-10", "2024-04-20")
    b.case("c-e", "iro-e")
    b.challenge("ch-e", "c-e", "iro-e", "2024-04-03", "2024-04-12", "2024-04-22")
    b.add("record_disciplinary_action", "2024-05-02", officer_id="iro-d", stage="threatened",
          actor="mgr-t", stated_reason="tone of emails")
    b.add("record_disciplinary_action", "2024-06-03", officer_id="iro-e", stage="threatened",
          actor="mgr-t", stated_reason="missed deadline")
    # reallocation_after_dispute
    b.case("c-r", "iro-r", chairs=("iro-r", "iro-s", "iro-s"))
    b.challenge("ch-r", "c-r", "iro-r", "2024-04-08", "2024-04-15", "2024-04-25")
    b.add("assign_iro", "2024-05-13", case_id="c-r", officer_id="iro-s", reason="other")
    # engagement_ended_after_dispute: a freelance contract, then the IRO manager's post.
    b.case("c-f", "iro-f", chairs=("iro-f", "iro-f", "iro-s"))
    b.challenge("ch-f", "c-f", "iro-f", "2024-04-15", "2024-04-22", "2024-04-30")
    b.add("end_engagement", "2024-07-01", officer_id="iro-f", how="contract_terminated",
          actor="dir-z", reason="budget")
    b.add("assign_iro", "2024-07-02", case_id="c-f", officer_id="iro-s", reason="officer_left")
    # report_interference: an edit made, an altered submission and an edit request; then the
    # post deleted.
    b.add("draft_annual_report", "2024-03-01", report_id="ar-2023", year=2023, author="irom-m",
          content_sha256=sha("2023 as written"))
    b.add("revise_annual_report", "2024-03-10", report_id="ar-2023", actor="dir-z",
          content_sha256=sha("2023 softened"))
    b.add("submit_annual_report", "2024-03-15", report_id="ar-2023", to="ofsted", actor="dir-z",
          content_sha256=sha("2023 softened"))
    b.add("draft_annual_report", "2024-04-01", report_id="ar-2024", year=2024, author="irom-m",
          content_sha256=sha("2024 as written"))
    b.add("request_report_edit", "2024-04-15", report_id="ar-2024", actor="dir-z",
          sections=["challenges"])
    b.add("end_engagement", "2024-08-01", officer_id="irom-m", how="post_deleted",
          actor="dir-z", reason="restructure")
    # suppressed_challenge: withdrawn under instruction, stalled, closed under it (the
    # instruction, never rescinded, is instruction_in_force's too).
    b.case("c-w", "iro-w")
    b.challenge("ch-w", "c-w", "iro-w", "2024-06-03", "2024-06-10")
    b.add("record_instruction", "2024-06-12", instruction_id="ins-w", actor="mgr-t",
          issued_to=["iro-w"], kind="withdraw_challenge", text="drop it")
    b.add("withdraw_challenge", "2024-06-14", challenge_id="ch-w", actor="iro-w",
          reason="instructed")
    b.case("c-x", "iro-x")
    b.challenge("ch-x", "c-x", "iro-x", "2024-09-02")
    b.case("c-y", "iro-y", reviews=ON_TIME[:2])
    b.challenge("ch-y", "c-y", "iro-y", "2024-07-01", "2024-07-05")
    b.add("close_case", "2024-07-15", case_id="c-y", actor="mgr-t", reason="closed")
    # plan_changed_without_review (the November review later clears it).
    b.case("c-p", "iro-a")
    b.add("revise_care_plan", "2024-06-17", case_id="c-p", change="placement_move",
          summary="moved out of county", via_review=False, iro_consulted=False)
    # review_overdue: the first review a week late.
    b.case("c-o", "iro-a", reviews=("2024-03-11", "2024-06-03", "2024-11-25"))
    # iro_churn: three IROs in six months.
    b.case("c-h", "iro-h1", chairs=("iro-h1", "iro-h2", "iro-h3"))
    b.add("assign_iro", "2024-05-01", case_id="c-h", officer_id="iro-h2", reason="workload")
    b.add("assign_iro", "2024-08-01", case_id="c-h", officer_id="iro-h3", reason="workload")
    # caseload_excess: 71 children for one IRO from 2 September.
    for n in range(71):
        b.case(f"c-c{n}", "iro-c", entered="2024-09-02", reviews=("2024-09-20", "2024-12-02"))
    return b


def healthy() -> Batch:
    b = Batch(HEALTHY, "Harrowby Dale Council")
    b.officers("iro", "iro-1", "iro-2", "iro-3")
    b.officers("iro_manager", "irom-1")
    b.officers("team_manager", "mgr-t")
    for n, iro in enumerate(("iro-1", "iro-2", "iro-3", "iro-1")):
        b.case(f"c{n}", iro, chairs=(iro, iro, "iro-3" if n == 1 else iro))
    b.add("revise_care_plan", "2024-05-20", case_id="c0", change="placement_move",
          summary="closer to school", via_review=True, iro_consulted=True)
    # Settled within 20 working days in total (IRO Handbook 6.2), through two stages.
    b.challenge("ch-1", "c0", "iro-1", "2024-06-03", "2024-06-10")
    b.add("escalate_challenge", "2024-06-12", challenge_id="ch-1", to_stage="stage_1",
          addressed_to="mgr-t", actor="iro-1")
    b.add("respond_to_challenge", "2024-06-20", challenge_id="ch-1", actor="mgr-t",
          response="agreed")
    b.add("resolve_challenge", "2024-06-27", challenge_id="ch-1", actor="mgr-t",
          outcome="partially_upheld")
    b.add("record_instruction", "2024-08-01", instruction_id="ins-1", actor="mgr-t",
          issued_to=["iro-2"], kind="additional_duties", text="cover the duty rota")
    b.add("assign_iro", "2024-09-02", case_id="c1", officer_id="iro-3", reason="workload")
    b.add("draft_annual_report", "2024-09-02", report_id="ar-2024", year=2024, author="irom-1",
          content_sha256=sha("v1"))
    b.add("revise_annual_report", "2024-09-20", report_id="ar-2024", actor="irom-1",
          content_sha256=sha("v2"))
    b.add("submit_annual_report", "2024-10-01", report_id="ar-2024", to="ofsted",
          actor="irom-1", content_sha256=sha("v2"))
    b.add("end_engagement", "2024-10-31", officer_id="iro-2", how="resigned", actor="iro-2",
          reason="moving away")
    return b


EXPECTED = {
    ("permission_required", "ins-perm", "high", "open"),
    ("permission_required", "ins-perm2", "high", "cleared"),
    ("disciplinary_after_challenge", "iro-d", "high", "open"),
    ("disciplinary_after_challenge", "iro-e", "critical", "open"),
    ("reallocation_after_dispute", "c-r", "high", "open"),
    ("engagement_ended_after_dispute", "iro-f", "high", "open"),
    ("engagement_ended_after_dispute", "irom-m", "high", "open"),
    ("suppressed_challenge", "ch-w", "critical", "open"),
    ("instruction_in_force", "ins-w", "high", "open"),  # never rescinded
    ("suppressed_challenge", "ch-x", "high", "open"),  # 85 working days unresolved
    ("suppressed_challenge", "ch-y", "high", "open"),
    ("report_interference", "ar-2023", "critical", "open"),
    ("report_interference", "ar-2023", "high", "open"),  # the director's own edit
    ("report_interference", "ar-2024", "high", "open"),
    ("plan_changed_without_review", "c-p", "high", "cleared"),
    ("review_overdue", "c-o", "warning", "cleared"),
    ("caseload_excess", "iro-c", "warning", "open"),
    ("iro_churn", "c-h", "warning", "open"),
}
_MAIN_SUBJECT = {
    "permission_required": "instruction_id", "disciplinary_after_challenge": "officer_id",
    "reallocation_after_dispute": "case_id", "engagement_ended_after_dispute": "officer_id",
    "suppressed_challenge": "challenge_id", "report_interference": "report_id",
    "plan_changed_without_review": "case_id", "review_overdue": "case_id",
    "caseload_excess": "officer_id", "iro_churn": "case_id",
    "instruction_in_force": "instruction_id",
}


def cli(url: str, *args: str, rules: Path | None = None) -> Result:
    env = {"IRO_LEDGER_DATABASE_URL": url,
           "POSTGRES_PASSWORD": os.environ.get("POSTGRES_PASSWORD") or "iro-ledger-test",
           "IRO_LEDGER_RULES_PATH": str(rules) if rules else None}
    return CliRunner().invoke(app, list(args), env=env)


def flags(url: str, *options: str) -> list[dict[str, Any]]:
    result = cli(url, "flags", "--json", *options)
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def summary(found: list[dict[str, Any]]) -> set[tuple[str, str, str, str]]:
    return {(f["rule"], f["subjects"][_MAIN_SUBJECT[f["rule"]]], f["severity"], f["status"])
            for f in found}


def ingest(url: str, folder: Path) -> str:
    path = folder / "history.jsonl"
    lines = troubled().lines + healthy().lines
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = cli(url, "ingest", str(path))
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture(scope="module", params=[
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
])
def ingested(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One fresh store per kind, the batch ingested once through the CLI, shared by the tests
    below (they only read)."""
    folder = tmp_path_factory.mktemp("flags")
    if request.param == "sqlite":
        yield ingest(f"sqlite:///{folder / 'ledger.sqlite'}", folder)
        return
    with fresh_database(request.getfixturevalue("postgres_server_dsn")) as url:
        yield ingest(url, folder)


def test_each_pattern_of_the_rules_table_raises_exactly_its_flags(ingested: str) -> None:
    found = flags(ingested, "--la", TROUBLED, "--as-of", AS_OF)
    assert summary(found) == EXPECTED
    assert len(found) == len(EXPECTED)
    for flag in found:
        assert flag["la_code"] == TROUBLED and flag["explanation"] and flag["evidence"]
        assert all(e["position"] > 0 and e["event_number"] > 0 for e in flag["evidence"])


def test_a_healthy_authority_raises_no_flag(ingested: str) -> None:
    assert flags(ingested, "--la", HEALTHY, "--as-of", AS_OF) == []
    everyone = flags(ingested, "--as-of", AS_OF)
    assert {f["la_code"] for f in everyone} == {TROUBLED}


def test_evidence_points_at_the_exact_events_in_the_store(ingested: str) -> None:
    [flag] = [f for f in flags(ingested, "--la", TROUBLED, "--as-of", AS_OF,
                               "--rule", "disciplinary_after_challenge")
              if f["subjects"]["officer_id"] == "iro-d"]
    assert [(e["kind"], e["id"], e["event_number"], e["event_type"]) for e in flag["evidence"]] \
        == [("challenge", "ch-d", 1, "Challenge.Raised"),
            ("officer", "iro-d", 2, "Officer.DisciplinaryActionRecorded")]
    built = build_services(Settings(database_url=ingested))
    try:
        view = built.ledger.read("officer", TROUBLED, "iro-d",
                                 Principal("test", Role.ADMIN))
    finally:
        built.close()
    assert [(e["number"], e["type"]) for e in view.events][1] == (
        2, "DisciplinaryActionRecorded")


def test_as_of_moves_the_deadline_rules(ingested: str) -> None:
    def stalled(day: str) -> list[str]:
        return [f["status"] for f in flags(ingested, "--la", TROUBLED, "--as-of", day,
                                           "--rule", "suppressed_challenge")
                if f["details"]["pattern"] == "stalled"]

    # ch-x raised Monday 2 September 2024: its twentieth working day is Monday 30 September.
    assert stalled("2024-09-30") == []
    assert stalled("2024-10-01") == ["open"]
    before = summary(flags(ingested, "--la", TROUBLED, "--as-of", "2024-03-31"))
    assert before == {("permission_required", "ins-perm", "high", "open"),
                      ("permission_required", "ins-perm2", "high", "open"),
                      ("report_interference", "ar-2023", "critical", "open"),
                      ("report_interference", "ar-2023", "high", "open"),
                      ("review_overdue", "c-o", "warning", "cleared")}


def test_bad_options_are_refused_with_exit_2(ingested: str) -> None:
    for options in (("--as-of", "31/12/2024"), ("--rule", "no_such_rule"),
                    ("--la", "NOPE")):
        result = cli(ingested, "flags", "--json", *options)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("iro-ledger: ")


def test_the_authority_measures_count_flags_by_rule(ingested: str) -> None:
    result = cli(ingested, "measures", "--la", TROUBLED, "--from", "2024-01-01", "--to", AS_OF,
                 "--json")
    assert result.exit_code == 0, result.output
    [by_rule] = [m for m in json.loads(result.stdout)["measures"] if m["name"] == "flags_by_rule"]
    expected: dict[str, int] = {}
    for rule, *_ in EXPECTED:
        expected[rule] = expected.get(rule, 0) + 1
    assert by_rule["value"] == expected
    assert len(by_rule["evidence"]) == len(EXPECTED)


def test_a_rules_file_moves_a_threshold(ingested: str, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text("[caseload_excess]\nmax_open_cases = 71\n")
    result = cli(ingested, "flags", "--json", "--la", TROUBLED, "--as-of", AS_OF,
                 "--rule", "caseload_excess", rules=rules)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    rules.write_text("[caseload_excess]\nmax_open_case = 71\n")
    result = cli(ingested, "flags", "--json", "--la", TROUBLED, rules=rules)
    assert result.exit_code == 2
    assert result.stderr.startswith("iro-ledger: IRO_LEDGER_RULES_PATH: ")
    assert "caseload_excess.max_open_case" in result.stderr and result.stderr.count("\n") == 1
