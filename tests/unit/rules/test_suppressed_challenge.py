from datetime import timedelta

import pytest

from tests.unit.rules.story import Story, d, staffed


def raised(on: str = "2024-03-01") -> Story:
    story = staffed(since="2024-01-02")
    story.case("c1", "2024-02-01", iro="iro-kit")
    story.challenge("ch-1", "c1", "iro-kit", on)
    story.respond("ch-1", "2024-03-04")
    return story


def test_withdrawn_challenge_after_instruction_is_flagged() -> None:
    story = raised()
    story.instruct("ins-1", "other", ["iro-kit"], "2024-03-10")
    story.withdraw("ch-1", "2024-03-15")
    [flag] = story.flags("2024-12-31", "suppressed_challenge")
    assert flag.details["pattern"] == "withdrawn_after_instruction"
    assert (flag.severity, flag.status, flag.raised_on) == ("high", "open", d("2024-03-15"))
    assert flag.subjects == {"challenge_id": "ch-1", "case_id": "c1", "officer_id": "iro-kit",
                             "instruction_id": "ins-1"}
    assert [r.event_type for r in flag.evidence] == [
        "Challenge.Raised", "Instruction.Recorded", "Challenge.Withdrawn"]


@pytest.mark.parametrize(("days", "flagged"), [(30, True), (31, False)])
def test_withdrawal_window_is_30_days_after_the_instruction(days: int, flagged: bool) -> None:
    story = raised()
    story.instruct("ins-1", "other", ["all_iros"], "2024-03-10")
    story.withdraw("ch-1", (d("2024-03-10") + timedelta(days=days)).isoformat())
    assert bool([f for f in story.flags("2024-12-31", "suppressed_challenge")
                 if f.details["pattern"] == "withdrawn_after_instruction"]) is flagged


def test_withdrawal_after_an_instruction_to_withdraw_is_critical() -> None:
    story = raised()
    story.instruct("ins-1", "withdraw_challenge", ["iro-kit"], "2024-03-10")
    story.withdraw("ch-1", "2024-03-11")
    [flag] = story.flags("2024-12-31", "suppressed_challenge")
    assert flag.severity == "critical"


def test_withdrawal_without_any_instruction_is_not_flagged() -> None:
    story = raised()
    story.withdraw("ch-1", "2024-03-11")
    assert story.flags("2024-12-31", "suppressed_challenge") == []


def test_challenge_unresolved_past_twenty_working_days_is_flagged_as_of_deadline() -> None:
    story = staffed(since="2024-01-02")
    story.case("c1", "2024-02-01", iro="iro-kit")
    # Raised on Thursday 21 March 2024: Good Friday and Easter Monday are not working days,
    # so the twentieth working day is Monday 22 April.
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-21")
    assert story.flags("2024-04-22", "suppressed_challenge") == []
    [flag] = story.flags("2024-04-23", "suppressed_challenge")
    assert (flag.details["pattern"], flag.status, flag.raised_on) == (
        "stalled", "open", d("2024-04-23"))
    assert flag.history[0].event is None
    assert (flag.details["deadline"], flag.details["working_days"]) == ("2024-04-22", 21)
    assert "22 April 2024" in flag.explanation


def test_challenge_resolved_on_its_twentieth_working_day_is_not_stalled() -> None:
    story = staffed(since="2024-01-02")
    story.case("c1", "2024-02-01", iro="iro-kit")
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-21")
    story.respond("ch-1", "2024-04-02")
    story.resolve("ch-1", "2024-04-22")
    assert story.flags("2024-12-31", "suppressed_challenge") == []


def test_a_response_that_does_not_resolve_the_dispute_does_not_stop_the_clock() -> None:
    story = staffed(since="2024-01-02")
    story.case("c1", "2024-02-01", iro="iro-kit")
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-21")
    story.respond("ch-1", "2024-04-02")
    [flag] = story.flags("2024-04-23", "suppressed_challenge")
    assert (flag.status, flag.details["responses"]) == ("open", 1)


def test_a_late_resolution_clears_a_stalled_challenge() -> None:
    story = staffed(since="2024-01-02")
    story.case("c1", "2024-02-01", iro="iro-kit")
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-21")
    story.resolve("ch-1", "2024-05-07")
    [flag] = story.flags("2024-12-31", "suppressed_challenge")
    assert [(h.action, h.on) for h in flag.history] == [
        ("raised", d("2024-04-23")), ("cleared", d("2024-05-07"))]
    assert flag.history[1].event is not None
    assert flag.history[1].event.event_type == "Challenge.Resolved"
    [before] = story.flags("2024-05-06", "suppressed_challenge")
    assert before.status == "open"


def test_challenge_referred_to_cafcass_stops_the_clock() -> None:
    story = staffed(since="2024-01-02")
    story.case("c1", "2024-02-01", iro="iro-kit")
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-21")
    story.refer_to_cafcass("ch-1", "2024-04-10")
    assert story.flags("2024-12-31", "suppressed_challenge") == []


def test_escalating_does_not_restart_the_clock() -> None:
    story = staffed(since="2024-01-02")
    story.case("c1", "2024-02-01", iro="iro-kit")
    story.challenge("ch-1", "c1", "iro-kit", "2024-06-03")
    story.respond("ch-1", "2024-06-10")
    story.escalate("ch-1", "stage_1", "2024-06-17")
    story.respond("ch-1", "2024-06-24")
    story.escalate("ch-1", "stage_2", "2024-06-28")
    # From Monday 3 June the twentieth working day is Monday 1 July, whatever the stages.
    assert story.flags("2024-07-01", "suppressed_challenge") == []
    [flag] = story.flags("2024-12-31", "suppressed_challenge")
    assert [(h.action, h.on) for h in flag.history] == [("raised", d("2024-07-02"))]
    assert (flag.status, flag.severity) == ("open", "high")
    assert flag.details["stages"] == ["informal", "stage_1", "stage_2"]


def test_closing_the_case_under_an_open_challenge_is_flagged_until_an_outcome() -> None:
    story = raised()
    story.close("c1", "2024-03-20", actor="mgr-ada")
    [flag] = story.flags("2024-04-30", "suppressed_challenge")
    assert (flag.details["pattern"], flag.severity, flag.status) == (
        "closed_without_outcome", "high", "open")
    story.resolve("ch-1", "2024-05-02", outcome="not_upheld")
    [flag] = story.flags("2024-12-31", "suppressed_challenge")
    assert flag.status == "cleared"
    assert flag.history[-1].event is not None
    assert flag.history[-1].event.event_type == "Challenge.Resolved"


# Records made late: the rule judges valid time, whatever order the records came in.


def test_instruction_recorded_after_the_withdrawal_but_dated_before_it_still_flags_it() -> None:
    story = raised()
    story.withdraw("ch-1", "2024-03-15")
    story.instruct("ins-1", "withdraw_challenge", ["iro-kit"], "2024-03-10")
    [flag] = story.flags("2024-12-31", "suppressed_challenge")
    assert (flag.details["pattern"], flag.severity, flag.raised_on) == (
        "withdrawn_after_instruction", "critical", d("2024-03-15"))


def test_challenge_recorded_after_its_case_closed_is_flagged_as_if_recorded_before() -> None:
    story = raised()
    story.close("c1", "2024-03-20", actor="mgr-ada")
    story.record_last("challenge", "ch-1")
    [flag] = story.flags("2024-04-30", "suppressed_challenge")
    assert (flag.details["pattern"], flag.raised_on, flag.status) == (
        "closed_without_outcome", d("2024-03-20"), "open")


def test_resolution_dated_before_the_closure_but_recorded_after_withdraws_the_flag() -> None:
    story = raised()
    story.close("c1", "2024-03-20", actor="mgr-ada")
    story.resolve("ch-1", "2024-03-18")
    assert story.flags("2024-12-31", "suppressed_challenge") == []
    [flag] = story.flags("2024-12-31", "suppressed_challenge", withdrawn=True)
    assert flag.status == "withdrawn"
    assert "the resolution of challenge ch-1, dated 18 March 2024" in flag.history[-1].note


def test_a_resolution_recorded_late_but_dated_in_time_means_no_stall() -> None:
    story = staffed(since="2024-01-02")
    story.case("c1", "2024-02-01", iro="iro-kit")
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-21")
    story.respond("ch-1", "2024-06-03")
    story.resolve("ch-1", "2024-04-02")  # recorded late: resolved in time
    assert story.flags("2024-12-31", "suppressed_challenge") == []


# A withdrawal the raiser did not record with their own principal.


def withdrawn_by(recorded_by: str, source: str = "api", on_behalf: bool = False) -> Story:
    story = raised()
    story.withdraw("ch-1", "2024-03-11", recorded_by=recorded_by, source=source,
                   on_behalf=on_behalf)
    return story


def test_a_withdrawal_an_admin_recorded_on_the_raisers_behalf_is_flagged() -> None:
    [flag] = withdrawn_by("admin-1", on_behalf=True).flags("2024-12-31", "suppressed_challenge")
    assert (flag.details["pattern"], flag.severity, flag.raised_on) == (
        "withdrawn_on_behalf", "high", d("2024-03-11"))
    assert (flag.details["recorded_by"], flag.details["on_behalf_of"]) == ("admin-1", "iro-kit")
    assert [r.event_type for r in flag.evidence] == ["Challenge.Raised", "Challenge.Withdrawn"]


def test_a_withdrawal_stored_by_a_manager_naming_the_raiser_as_actor_is_flagged() -> None:
    # Stored before such records were refused: actor says the IRO, the recorder was a manager.
    [flag] = withdrawn_by("irom-lee").flags("2024-12-31", "suppressed_challenge")
    assert flag.details["pattern"] == "withdrawn_on_behalf"
    assert (flag.details["actor"], flag.details["on_behalf_of"]) == ("iro-kit", None)
    assert "naming" in flag.explanation


def test_a_withdrawal_in_an_imported_history_is_judged_by_the_other_patterns_alone() -> None:
    story = withdrawn_by("admin-1", source="import", on_behalf=True)
    assert story.flags("2024-12-31", "suppressed_challenge") == []


def test_an_imported_withdrawal_under_instruction_is_still_flagged() -> None:
    story = raised()
    story.instruct("ins-1", "do_not_escalate", ["iro-kit"], "2024-03-10")
    story.withdraw("ch-1", "2024-03-12", recorded_by="admin-1", source="import", on_behalf=True)
    [flag] = story.flags("2024-12-31", "suppressed_challenge")
    assert flag.details["pattern"] == "withdrawn_after_instruction"


def test_a_withdrawal_under_instruction_recorded_for_the_raiser_is_flagged_twice() -> None:
    story = raised()
    story.instruct("ins-1", "other", ["iro-kit"], "2024-03-10")
    story.withdraw("ch-1", "2024-03-12", recorded_by="admin-1", on_behalf=True)
    found = story.flags("2024-12-31", "suppressed_challenge")
    assert sorted(f.details["pattern"] for f in found) == [
        "withdrawn_after_instruction", "withdrawn_on_behalf"]
