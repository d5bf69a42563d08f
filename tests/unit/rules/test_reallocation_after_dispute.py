from datetime import timedelta

import pytest

from tests.unit.rules.story import Story, d, staffed


def challenged(resolved_on: str | None = "2023-03-20") -> Story:
    story = staffed()
    story.case("c1", "2023-02-01", iro="iro-kit")
    story.challenge("ch-1", "c1", "iro-kit", "2023-03-01")
    if resolved_on:
        story.resolve("ch-1", resolved_on)
    return story


def test_case_reassigned_soon_after_its_iro_challenged_is_flagged() -> None:
    story = challenged()
    story.assign("c1", "iro-lee", "2023-04-12", reason="workload")
    [flag] = story.flags("2023-12-31", "reallocation_after_dispute")
    assert (flag.severity, flag.status, flag.raised_on) == ("high", "open", d("2023-04-12"))
    assert flag.subjects == {"officer_id": "iro-kit", "case_id": "c1", "challenge_id": "ch-1"}
    assert [r.event_type for r in flag.evidence] == ["Challenge.Raised", "Case.IroAssigned"]
    assert "from iro-kit (IRO, employed) to iro-lee" in flag.explanation


@pytest.mark.parametrize(("days", "flagged"), [(90, True), (91, False)])
def test_reallocation_window_is_90_days_once_the_challenge_is_resolved(days: int,
                                                                       flagged: bool) -> None:
    story = challenged()
    story.assign("c1", "iro-lee", (d("2023-03-01") + timedelta(days=days)).isoformat())
    assert bool(story.flags("2024-12-31", "reallocation_after_dispute")) is flagged


def test_reassignment_while_the_challenge_is_open_is_flagged_however_late() -> None:
    story = challenged(resolved_on=None)
    story.assign("c1", "iro-lee", "2023-11-01")
    [flag] = story.flags("2023-12-31", "reallocation_after_dispute")
    assert flag.details["challenge_open"] is True
    assert "which was still open" in flag.explanation


def test_giving_the_case_back_clears_the_flag() -> None:
    story = challenged()
    story.assign("c1", "iro-lee", "2023-04-12")
    story.assign("c1", "iro-kit", "2023-05-02", reason="other")
    [flag] = story.flags("2023-12-31", "reallocation_after_dispute")
    assert flag.status == "cleared"
    assert [(h.action, h.on) for h in flag.history] == [
        ("raised", d("2023-04-12")), ("cleared", d("2023-05-02"))]


def test_reassignment_after_the_officer_left_is_not_flagged() -> None:
    story = challenged()
    story.end_engagement("iro-kit", "retired", "2023-04-01")
    story.assign("c1", "iro-lee", "2023-04-03", reason="officer_left")
    assert story.flags("2023-12-31", "reallocation_after_dispute") == []


def test_a_challenge_by_another_officer_does_not_count() -> None:
    story = staffed()
    story.case("c1", "2023-02-01", iro="iro-kit")
    story.challenge("ch-1", "c1", "irom-ola", "2023-03-01")
    story.assign("c1", "iro-lee", "2023-04-12")
    assert story.flags("2023-12-31", "reallocation_after_dispute") == []


# Records made late: the rule judges valid time, whatever order the records came in.


def test_resolution_recorded_after_the_reassignment_but_dated_before_it_withdraws_the_flag(
) -> None:
    story = challenged(resolved_on=None)
    story.assign("c1", "iro-lee", "2023-06-10")
    assert story.flags("2023-12-31", "reallocation_after_dispute")
    story.resolve("ch-1", "2023-03-11")
    assert story.flags("2023-12-31", "reallocation_after_dispute") == []
    [flag] = story.flags("2023-12-31", "reallocation_after_dispute", withdrawn=True)
    assert (flag.status, flag.raised_on) == ("withdrawn", d("2023-06-10"))
    assert [h.action for h in flag.history] == ["raised", "withdrawn"]
    late = flag.history[-1]
    assert late.event is not None and late.event.event_type == "Challenge.Resolved"
    assert "the resolution of challenge ch-1, dated 11 March 2023" in late.note
    assert "Withdrawn:" in flag.public()["explanation"]


def test_resolution_recorded_in_either_order_gives_the_same_answer() -> None:
    story = challenged(resolved_on="2023-03-11")
    story.assign("c1", "iro-lee", "2023-06-10")
    assert story.flags("2023-12-31", "reallocation_after_dispute", withdrawn=True) == []


def test_ending_recorded_late_but_dated_before_the_reassignment_withdraws_the_flag() -> None:
    story = challenged()
    story.assign("c1", "iro-lee", "2023-04-03", reason="officer_left")
    story.end_engagement("iro-kit", "retired", "2023-04-01")
    [flag] = story.flags("2023-12-31", "reallocation_after_dispute", withdrawn=True)
    assert flag.status == "withdrawn"
    assert "engagement had already ended on 1 April 2023" in flag.history[-1].note


def test_challenge_recorded_late_after_the_case_went_back_is_raised_and_cleared() -> None:
    story = staffed()
    story.case("c1", "2023-02-01", iro="iro-kit")
    story.assign("c1", "iro-lee", "2023-04-12")
    story.assign("c1", "iro-kit", "2023-05-02", reason="other")
    story.challenge("ch-1", "c1", "iro-kit", "2023-03-01")
    [flag] = story.flags("2023-12-31", "reallocation_after_dispute")
    assert [(h.action, h.on) for h in flag.history] == [
        ("raised", d("2023-04-12")), ("cleared", d("2023-05-02"))]


def test_back_dated_assignment_changes_whom_the_case_was_taken_from() -> None:
    story = challenged(resolved_on=None)
    story.assign("c1", "iro-lee", "2023-06-10")
    story.officer("iro-max")
    # Recorded last: the case had gone to iro-max in May, so iro-lee took it from iro-max.
    story.assign("c1", "iro-max", "2023-05-02")
    flags = story.flags("2023-12-31", "reallocation_after_dispute", withdrawn=True)
    assert [(f.raised_on, f.status) for f in flags] == [
        (d("2023-05-02"), "open"), (d("2023-06-10"), "withdrawn")]
    assert flags[0].details["to_officer_id"] == "iro-max"
