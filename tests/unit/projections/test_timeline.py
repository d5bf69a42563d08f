"""The case timeline, fed the events of a fictional authority's history."""

from __future__ import annotations

from typing import Any

from iro_ledger.projections import timeline
from tests.unit.projections.story import Story, fold


def cast() -> Story:
    story = Story().authority().officer("iro-kit").officer("iro-lee")
    story.officer("mgr-ada", role="team_manager")
    story.case("case-7", "2024-03-01", iro="iro-kit").case("case-8", "2024-03-01", iro="iro-lee")
    return story


def read(story: Story, case_id: str) -> dict[str, Any]:
    docs = fold(timeline.apply_events, story.envelopes())
    case = docs.get(timeline.CASES, story.la_code, case_id)
    assert case is not None
    entries = [e for e in docs.all(timeline.ENTRIES) if e["case_id"] == case_id]
    return timeline.assemble(case, entries, docs.all(timeline.INSTRUCTIONS))


def types(view: dict[str, Any]) -> list[str]:
    return [e["ref"]["type"] for e in view["entries"]]


def test_a_challenge_and_its_escalation_are_filed_under_its_case() -> None:
    story = cast().challenge("ch-1", "case-7", "iro-kit", "2024-04-02")
    story.do("escalate_challenge", "2024-04-20", challenge_id="ch-1", to_stage="stage_1",
             addressed_to="mgr-ada")
    assert types(read(story, "case-7")) == [
        "Case.Opened", "Case.IroAssigned", "Challenge.Raised", "Challenge.Escalated"]
    assert "Challenge.Raised" not in types(read(story, "case-8"))


def test_an_instruction_to_the_case_iro_appears_on_that_case_only() -> None:
    story = cast()
    story.do("record_instruction", "2024-04-22", instruction_id="in-1", issued_to=["iro-kit"],
             kind="permission_before_challenge", actor="mgr-ada")
    story.do("rescind_instruction", "2024-05-02", instruction_id="in-1", actor="mgr-ada")
    assert types(read(story, "case-7"))[-2:] == ["Instruction.Recorded", "Instruction.Rescinded"]
    assert "Instruction.Recorded" not in types(read(story, "case-8"))


def test_an_instruction_given_after_the_iro_left_the_case_is_not_on_it() -> None:
    story = cast()
    story.do("assign_iro", "2024-04-01", case_id="case-7", officer_id="iro-lee",
             reason="workload")
    story.do("record_instruction", "2024-04-22", instruction_id="in-1", issued_to=["iro-kit"],
             kind="do_not_escalate", actor="mgr-ada")
    assert "Instruction.Recorded" not in types(read(story, "case-7"))


def test_an_instruction_to_all_iros_appears_on_every_open_case() -> None:
    story = cast()
    story.do("record_instruction", "2024-04-22", instruction_id="in-all", issued_to=["all_iros"],
             kind="permission_before_cafcass_referral", actor="mgr-ada")
    assert "Instruction.Recorded" in types(read(story, "case-7"))
    assert "Instruction.Recorded" in types(read(story, "case-8"))


def test_entries_are_in_the_order_things_happened_not_the_order_recorded() -> None:
    story = cast()
    story.do("hold_review", "2024-06-10", case_id="case-7", chaired_by="iro-kit",
             child_participation="attended", child_seen_before=True)
    story.do("hold_review", "2024-03-20", case_id="case-7", chaired_by="iro-kit",
             child_participation="views_conveyed", child_seen_before=True)
    entries = read(story, "case-7")["entries"]
    assert [e["occurred_on"] for e in entries] == sorted(e["occurred_on"] for e in entries)
    reviews = [e for e in entries if e["ref"]["type"] == "Case.ReviewHeld"]
    assert [r["fields"]["child_participation"] for r in reviews] == ["views_conveyed",
                                                                     "attended"]
    assert reviews[0]["ref"]["position"] > reviews[1]["ref"]["position"]


def test_each_entry_shows_when_it_was_recorded_by_whom_for_whom_and_its_reference() -> None:
    story = cast().challenge("ch-1", "case-7", "iro-kit", "2024-04-02")
    raised = read(story, "case-7")["entries"][-1]
    assert raised["actor"] == "iro-kit"
    assert raised["recorded_by"] == "test-admin"
    assert raised["recorded_at"].startswith("2025-06-30T09:00")
    assert raised["ref"] == {"kind": "challenge", "id": "ch-1", "la_code": "FX1", "number": 1,
                             "position": raised["ref"]["position"], "type": "Challenge.Raised"}
    assert raised["fields"]["grounds"] == "the plan ignores the child"


def test_the_timeline_names_who_held_the_case_and_when() -> None:
    story = cast()
    story.do("assign_iro", "2024-05-01", case_id="case-7", officer_id="iro-lee",
             reason="after_dispute")
    story.do("close_case", "2024-09-30", case_id="case-7", reason="returned home")
    assert read(story, "case-7")["iros"] == [
        {"officer_id": "iro-kit", "from": "2024-03-01", "to": "2024-05-01"},
        {"officer_id": "iro-lee", "from": "2024-05-01", "to": "2024-09-30"}]


def test_an_arbitration_request_names_the_body_that_may_read_the_timeline() -> None:
    story = cast().challenge("ch-1", "case-7", "iro-kit", "2024-04-02")
    story.do("request_arbitration", "2024-05-02", challenge_id="ch-1",
             body="Fictional Arbitration Panel", actor="iro-kit")
    assert read(story, "case-7")["arbitration_bodies"] == ["Fictional Arbitration Panel"]


def test_a_concern_raised_in_review_minutes_is_on_its_case_timeline() -> None:
    story = cast()
    story.do("record_concern", "2024-04-05", concern_id="con-1", officer_id="iro-kit",
             case_id="case-7", raised_in="review_minutes", summary="no plan after 18",
             actor="iro-kit")
    story.do("record_concern", "2024-04-06", concern_id="con-2", officer_id="iro-kit",
             raised_in="email", summary="caseloads", actor="iro-kit")
    entries = read(story, "case-7")["entries"]
    assert [(e["ref"]["type"], e["ref"]["id"]) for e in entries][-1] == ("Concern.Raised",
                                                                         "con-1")
    assert "Concern.Raised" not in types(read(story, "case-8"))
