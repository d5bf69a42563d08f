from datetime import timedelta

import pytest

from tests.unit.rules.story import Story, d, staffed


def challenged() -> Story:
    story = staffed()
    story.case("c1", "2023-02-01", iro="iro-kit")
    story.challenge("ch-1", "c1", "iro-kit", "2023-03-01")
    return story


def test_disciplinary_threat_after_a_challenge_is_flagged() -> None:
    story = challenged()
    story.discipline("iro-kit", "threatened", "2023-04-03", actor="mgr-ada")
    [flag] = story.flags("2023-12-31", "disciplinary_after_challenge")
    assert (flag.severity, flag.status) == ("high", "open")
    assert flag.subjects == {"officer_id": "iro-kit", "challenge_id": "ch-1"}
    assert [r.event_type for r in flag.evidence] == [
        "Challenge.Raised", "Officer.DisciplinaryActionRecorded"]
    assert "33 days after" in flag.explanation and "mgr-ada" in flag.explanation


@pytest.mark.parametrize(("days", "flagged"), [(366, True), (367, False)])
def test_disciplinary_window_is_a_year(days: int, flagged: bool) -> None:
    story = challenged()
    on = d("2023-03-01") + timedelta(days=days)
    story.discipline("iro-kit", "started", on.isoformat())
    assert bool(story.flags("2024-12-31", "disciplinary_after_challenge")) is flagged


def test_same_manager_threatening_twice_is_critical() -> None:
    story = challenged()
    story.case("c2", "2023-02-01", iro="iro-lee")
    story.challenge("ch-2", "c2", "iro-lee", "2023-03-05")
    story.discipline("iro-kit", "threatened", "2023-04-03", actor="mgr-ada")
    story.discipline("iro-lee", "threatened", "2023-05-10", actor="mgr-ada")
    flags = story.flags("2023-12-31", "disciplinary_after_challenge")
    assert [(f.subjects["officer_id"], f.severity) for f in flags] == [
        ("iro-kit", "high"), ("iro-lee", "critical")]
    assert "second such action by mgr-ada" in flags[1].explanation


def test_concluding_an_action_already_flagged_raises_no_second_flag() -> None:
    story = challenged()
    story.discipline("iro-kit", "started", "2023-04-03")
    story.discipline("iro-kit", "concluded", "2023-05-02")
    [flag] = story.flags("2023-12-31", "disciplinary_after_challenge")
    assert flag.details["stage"] == "started"


def test_disciplinary_action_before_any_challenge_is_not_flagged() -> None:
    story = staffed()
    story.discipline("iro-kit", "threatened", "2023-02-01")
    story.case("c1", "2023-02-01", iro="iro-kit")
    story.challenge("ch-1", "c1", "iro-kit", "2023-03-01")
    assert story.flags("2023-12-31", "disciplinary_after_challenge") == []


def test_challenge_recorded_after_the_threat_but_dated_before_it_still_flags_it() -> None:
    story = staffed()
    story.case("c1", "2023-02-01", iro="iro-kit")
    story.discipline("iro-kit", "threatened", "2023-04-03")
    story.challenge("ch-1", "c1", "iro-kit", "2023-03-01")
    [flag] = story.flags("2023-12-31", "disciplinary_after_challenge")
    assert flag.raised_on == d("2023-04-03")
    assert flag.history[0].event is not None
    assert flag.history[0].event.event_type == "Officer.DisciplinaryActionRecorded"


def test_same_day_threats_by_one_manager_are_ranked_by_officer_not_by_recording_order() -> None:
    story = challenged()
    story.case("c2", "2023-02-01", iro="iro-lee")
    story.challenge("ch-2", "c2", "iro-lee", "2023-03-05")
    story.discipline("iro-lee", "threatened", "2023-04-03", actor="mgr-ada")
    story.discipline("iro-kit", "threatened", "2023-04-03", actor="mgr-ada")
    flags = story.flags("2023-12-31", "disciplinary_after_challenge")
    assert sorted((f.subjects["officer_id"], f.severity) for f in flags) == [
        ("iro-kit", "high"), ("iro-lee", "critical")]
