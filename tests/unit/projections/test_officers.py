"""The officer record, fed the events of a fictional authority's history."""

from __future__ import annotations

from datetime import date
from typing import Any

from iro_ledger.projections import officers
from tests.unit.projections.story import Story, fold


def cast() -> Story:
    story = Story().authority().officer("iro-kit").officer("iro-lee")
    return story.officer("hos-sam", role="head_of_service")


def record(story: Story, officer_id: str, as_of: str = "2024-12-31") -> dict[str, Any]:
    docs = fold(officers.apply_events, story.envelopes())
    officer = docs.get(officers.OFFICERS, "FX1", officer_id)
    assert officer is not None
    return officers.assemble(officer, docs.all(officers.INSTRUCTIONS), date.fromisoformat(as_of))


def test_the_caseload_rises_with_assignments_and_falls_with_reassignment_and_closure() -> None:
    story = cast()
    story.case("case-1", "2024-02-01", iro="iro-kit").case("case-2", "2024-02-10", iro="iro-kit")
    story.do("assign_iro", "2024-03-05", case_id="case-1", officer_id="iro-lee",
             reason="after_dispute")
    story.do("close_case", "2024-04-01", case_id="case-2", reason="adopted")
    kit = record(story, "iro-kit")
    assert kit["caseload"] == [{"from": "2024-02-01", "open_cases": 1},
                               {"from": "2024-02-10", "open_cases": 2},
                               {"from": "2024-03-05", "open_cases": 1},
                               {"from": "2024-04-01", "open_cases": 0}]
    assert kit["open_cases"] == 0
    assert record(story, "iro-lee")["open_cases"] == 1


def test_the_caseload_by_month_gives_the_count_at_month_end_and_the_most_held() -> None:
    story = cast()
    story.case("case-1", "2024-02-01", iro="iro-kit").case("case-2", "2024-02-10", iro="iro-kit")
    story.do("assign_iro", "2024-02-20", case_id="case-2", officer_id="iro-lee",
             reason="workload")
    months = record(story, "iro-kit", as_of="2024-03-15")["caseload_by_month"]
    assert months == [{"month": "2024-01", "at_end": 0, "max": 0},
                      {"month": "2024-02", "at_end": 1, "max": 2},
                      {"month": "2024-03", "at_end": 1, "max": 1}]


def test_the_caseload_as_of_an_earlier_day_ignores_what_came_after() -> None:
    story = cast().case("case-1", "2024-02-01", iro="iro-kit")
    story.do("close_case", "2024-06-01", case_id="case-1", reason="returned home")
    assert record(story, "iro-kit", as_of="2024-05-31")["open_cases"] == 1


def test_instructions_received_by_name_and_to_all_iros_while_engaged() -> None:
    story = cast()
    story.do("record_instruction", "2024-03-01", instruction_id="in-1", issued_to=["iro-kit"],
             kind="permission_before_challenge", actor="hos-sam")
    story.do("record_instruction", "2024-03-02", instruction_id="in-2", issued_to=["all_iros"],
             kind="do_not_escalate", actor="hos-sam")
    story.do("end_engagement", "2024-03-10", officer_id="iro-lee", how="contract_terminated",
             actor="hos-sam", reason="budget")
    story.do("record_instruction", "2024-04-02", instruction_id="in-3", issued_to=["all_iros"],
             kind="additional_duties", actor="hos-sam")
    assert [i["instruction_id"] for i in record(story, "iro-kit")["instructions"]] == [
        "in-1", "in-2", "in-3"]
    assert [i["instruction_id"] for i in record(story, "iro-lee")["instructions"]] == ["in-2"]
    assert record(story, "hos-sam")["instructions"] == []


def test_disciplinary_action_and_the_end_of_engagement_are_kept_with_their_evidence() -> None:
    story = cast()
    story.do("record_disciplinary_action", "2024-05-01", officer_id="iro-kit",
             stage="threatened", actor="hos-sam", stated_reason="tone of challenge")
    story.do("end_engagement", "2024-06-01", officer_id="iro-kit", how="post_deleted",
             actor="hos-sam", reason="restructure")
    kit = record(story, "iro-kit")
    assert [(d["stage"], d["actor"]) for d in kit["disciplinary"]] == [("threatened", "hos-sam")]
    assert (kit["status"], kit["ended"]["how"]) == ("ended", "post_deleted")
    assert [e["type"] for e in kit["evidence"]] == [
        "Officer.Registered", "Officer.DisciplinaryActionRecorded", "Officer.EngagementEnded"]


def test_challenges_raised_by_the_officer_are_listed() -> None:
    story = cast().case("case-1", "2024-02-01", iro="iro-kit")
    story.challenge("ch-1", "case-1", "iro-kit", "2024-03-01")
    assert [(c["challenge_id"], c["case_id"]) for c in record(story, "iro-kit")["challenges"]] == [
        ("ch-1", "case-1")]
    assert record(story, "iro-lee")["challenges"] == []
