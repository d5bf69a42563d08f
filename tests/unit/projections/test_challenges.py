"""The challenge register, fed the events of a fictional authority's history."""

from __future__ import annotations

from datetime import date
from typing import Any

from iro_ledger.projections import challenges
from tests.unit.projections.story import Story, fold


def cast() -> Story:
    story = Story().authority().officer("iro-kit").officer("mgr-ada", role="team_manager")
    story.case("case-7", "2024-03-01", iro="iro-kit")
    return story.challenge("ch-1", "case-7", "iro-kit", "2024-03-27")


def entry(story: Story, as_of: str = "2024-06-30") -> dict[str, Any]:
    doc = fold(challenges.apply_events, story.envelopes()).get(challenges.REGISTER, "FX1", "ch-1")
    assert doc is not None
    return challenges.with_days(doc, date.fromisoformat(as_of))


def test_a_raised_challenge_is_open_at_the_informal_stage_and_counts_days_to_today() -> None:
    found = entry(cast(), as_of="2024-04-03")
    assert (found["status"], found["stage"]) == ("open", "informal")
    assert found["stages"][0]["days"] == 7
    assert found["stages"][0]["running"] is True
    assert found["days_open"] == 7


def test_escalation_ends_a_stage_and_counts_its_working_days_without_bank_holidays() -> None:
    story = cast()
    story.do("escalate_challenge", "2024-04-03", challenge_id="ch-1", to_stage="stage_2",
             addressed_to="mgr-ada")
    informal, stage_2 = entry(story)["stages"]
    # Good Friday and Easter Monday 2024 fall between 27 March and 3 April.
    assert (informal["days"], informal["working_days"], informal["running"]) == (7, 3, False)
    assert (stage_2["stage"], stage_2["addressed_to"], stage_2["running"]) == (
        "stage_2", "mgr-ada", True)


def test_a_resolved_challenge_keeps_its_outcome_and_the_stage_it_reached() -> None:
    story = cast()
    story.do("escalate_challenge", "2024-04-03", challenge_id="ch-1", to_stage="stage_1",
             addressed_to="mgr-ada")
    story.do("respond_to_challenge", "2024-04-10", challenge_id="ch-1", response="agreed",
             actor="mgr-ada")
    story.do("resolve_challenge", "2024-04-12", challenge_id="ch-1", outcome="upheld",
             actor="mgr-ada")
    found = entry(story)
    assert (found["status"], found["closed_as"], found["outcome"]) == (
        "closed", "resolved", "upheld")
    assert (found["closed_at_stage"], found["closed_on"], found["closed_by"]) == (
        "stage_1", "2024-04-12", "mgr-ada")
    assert found["days_open"] == 16
    assert [r["actor"] for r in found["responses"]] == ["mgr-ada"]
    assert [e["type"] for e in found["evidence"]] == [
        "Challenge.Raised", "Challenge.Escalated", "Challenge.Responded", "Challenge.Resolved"]


def test_a_withdrawal_by_its_raiser_closes_it_without_an_outcome() -> None:
    story = cast()
    story.do("withdraw_challenge", "2024-04-05", challenge_id="ch-1", actor="iro-kit",
             reason="told to")
    found = entry(story)
    assert (found["closed_as"], found["outcome"], found["closed_by"]) == (
        "withdrawn", None, "iro-kit")


def test_a_referral_to_cafcass_stops_the_stage_clock() -> None:
    story = cast()
    story.do("refer_to_cafcass", "2024-04-15", challenge_id="ch-1", actor="iro-kit")
    story.do("record_cafcass_outcome", "2024-05-20", challenge_id="ch-1", outcome="care plan "
             "amended", summary="agreed at court")
    found = entry(story, as_of="2024-09-01")
    assert found["status"] == "open"
    assert found["left_protocol_on"] == "2024-04-15"
    assert (found["stages"][0]["days"], found["stages"][0]["running"]) == (19, False)
    assert found["cafcass"]["outcome"] == "care plan amended"


def test_a_request_for_arbitration_names_the_body_before_which_it_stands() -> None:
    story = cast()
    story.do("request_arbitration", "2024-04-15", challenge_id="ch-1",
             body="Fictional Arbitration Panel", actor="iro-kit")
    found = entry(story)
    assert found["arbitration_body"] == "Fictional Arbitration Panel"
    assert found["arbitration"]["requested_on"] == "2024-04-15"


def test_a_correction_stands_beside_what_it_corrects() -> None:
    story = cast()
    story.do("correct_record", "2024-04-02", kind="challenge", record_id="ch-1",
             corrects_event=1, reason="wrong case named", details={})
    found = entry(story)
    assert found["corrections"][0]["corrects"] == 1
    assert found["case_id"] == "case-7"


def test_a_dispute_counts_its_working_days_in_total_whatever_its_stages() -> None:
    story = cast()
    story.do("escalate_challenge", "2024-04-03", challenge_id="ch-1", to_stage="stage_2",
             addressed_to="mgr-ada")
    # 27 March to 30 April: 22 working days (Good Friday and Easter Monday not counted).
    assert entry(story, as_of="2024-04-30")["working_days_in_total"] == 22


def test_an_application_to_court_is_kept_and_stops_the_local_clock() -> None:
    story = cast()
    story.do("record_legal_step", "2024-04-10", challenge_id="ch-1", step="legal_advice",
             taken_by="child")
    story.do("record_legal_step", "2024-04-17", challenge_id="ch-1", step="court_application",
             taken_by="carer")
    found = entry(story)
    assert [(s["step"], s["taken_by"]) for s in found["legal_steps"]] == [
        ("legal_advice", "child"), ("court_application", "carer")]
    assert found["left_protocol_on"] == "2024-04-17"
    assert found["working_days_in_total"] == 13
