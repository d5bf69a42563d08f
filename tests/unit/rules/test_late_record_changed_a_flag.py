"""A record made long after the day it claims, that defeats a flag, is flagged; no flag vanishes.

The stories are told as they were recorded: `Story.now` moves on as the recorder's days pass.
"""

from __future__ import annotations

from iro_ledger.projections.rules.flag import Flag
from tests.unit.rules.story import Story, d, recorded, staffed

RULE = "late_record_changed_a_flag"


def challenged(recorded_on: str = "2024-03-01") -> Story:
    """A challenge raised on 1 March 2024, recorded that day, and no answer yet."""
    story = staffed(since="2024-01-02", now=recorded(recorded_on))
    story.case("c1", "2024-02-01", iro="iro-kit")
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-01")
    return story


def one(flags: list[Flag], rule: str) -> Flag:
    [flag] = [f for f in flags if f.rule == rule]
    return flag


def test_a_back_dated_answer_leaves_the_stalled_flag_withdrawn_and_is_itself_flagged() -> None:
    story = challenged()
    assert one(story.flags("2027-03-04"), "suppressed_challenge").status == "open"
    # Three years on, an answer "dated" three days after the challenge.
    story.now = recorded("2027-03-05")
    story.resolve("ch-1", "2024-03-04")
    shown = story.flags("2027-12-31", withdrawn=True)
    stalled = one(shown, "suppressed_challenge")
    assert stalled.details["pattern"] == "stalled"
    assert (stalled.status, stalled.history[-1].action) == ("withdrawn", "withdrawn")
    late = stalled.history[-1].event
    assert late is not None and (late.event_type, late.occurred_on) == (
        "Challenge.Resolved", d("2024-03-04"))
    flag = one(shown, RULE)
    assert (flag.status, flag.severity, flag.raised_on) == ("open", "high", d("2027-03-05"))
    assert flag.subjects == {"challenge_id": "ch-1", "case_id": "c1", "officer_id": "iro-kit",
                             "flag_id": stalled.id}
    assert (flag.details["effect"], flag.details["days_late"]) == ("withdrawn", 1096)
    assert flag.details["late_record"] == late.key
    assert late.key in {r.key for r in flag.evidence}
    # Listed withdrawn only when asked, and by its id always; the late record's flag is open.
    assert stalled.id not in {f.id for f in story.flags("2027-12-31")}
    assert flag.id in {f.id for f in story.flags("2027-12-31")}


def test_the_same_history_recorded_in_one_go_defeats_nothing() -> None:
    story = challenged(recorded_on="2027-03-05")
    story.resolve("ch-1", "2024-03-04")
    shown = story.flags("2027-12-31", withdrawn=True)
    assert [f for f in shown if f.rule in ("suppressed_challenge", RULE)] == []


def test_a_late_answer_that_clears_an_open_flag_is_flagged_as_clearing_it() -> None:
    story = challenged()
    story.now = recorded("2024-06-28")
    story.resolve("ch-1", "2024-05-01")  # after the stage ran out on 2 April: it clears
    shown = story.flags("2024-12-31", withdrawn=True)
    stalled = one(shown, "suppressed_challenge")
    assert (stalled.status, stalled.cleared_on) == ("cleared", d("2024-05-01"))
    flag = one(shown, RULE)
    assert (flag.details["effect"], flag.details["days_late"]) == ("cleared", 58)


def test_a_record_made_within_the_allowance_is_not_flagged_but_the_flag_is_kept() -> None:
    story = challenged()
    story.now = recorded("2024-04-08")  # the stage ran out on 2 April
    story.resolve("ch-1", "2024-03-11")  # 28 days late: within 30
    shown = story.flags("2024-12-31", withdrawn=True)
    assert [(f.rule, f.status) for f in shown if f.rule in ("suppressed_challenge", RULE)] == [
        ("suppressed_challenge", "withdrawn")]


def test_a_back_dated_ending_withdrawing_a_reallocation_flag_is_flagged() -> None:
    story = challenged()
    story.now = recorded("2024-04-10")
    story.assign("c1", "iro-lee", "2024-04-10")
    assert one(story.flags("2024-12-31"), "reallocation_after_dispute").status == "open"
    story.now = recorded("2024-09-30")
    story.end_engagement("iro-kit", "resigned", "2024-04-01", actor="iro-kit")
    shown = story.flags("2024-12-31", withdrawn=True)
    moved = one(shown, "reallocation_after_dispute")
    assert moved.status == "withdrawn"
    flag = one(shown, RULE)
    assert flag.details["flag_id"] == moved.id and flag.details["effect"] == "withdrawn"


def test_a_late_review_clearing_an_overdue_review_flag_is_flagged() -> None:
    story = staffed(since="2024-01-02", now=recorded("2024-02-01"))
    story.case("c1", "2024-02-01", iro="iro-kit")
    story.now = recorded("2024-06-03")
    story.review("c1", "2024-03-08")  # first review due 29 February: late, but held
    shown = story.flags("2024-12-31", withdrawn=True)
    [first] = [f for f in shown if f.rule == "review_overdue"
               and f.details["review_number"] == 1]
    assert first.status == "cleared"
    flag = one(shown, RULE)
    assert (flag.details["flag_rule"], flag.details["flag_id"]) == ("review_overdue", first.id)
