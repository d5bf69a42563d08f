import pytest

from tests.unit.rules.story import Story, d, staffed


def with_cases(count: int, officer: str = "iro-kit") -> Story:
    story = staffed()
    for n in range(count):
        story.case(f"c{n}", "2023-02-01", iro=officer)
        story.review(f"c{n}", "2023-02-15", chair=officer)
    return story


@pytest.mark.parametrize(("count", "flagged"), [(70, False), (71, True)])
def test_more_than_seventy_open_cases_is_excess(count: int, flagged: bool) -> None:
    story = with_cases(count)
    flags = story.flags("2023-03-01", "caseload_excess")
    assert bool(flags) is flagged
    if flagged:
        [flag] = flags
        assert (flag.severity, flag.subjects, flag.raised_on) == (
            "warning", {"officer_id": "iro-kit"}, d("2023-02-01"))
        assert flag.details["caseload"] == 71
        assert "more than 70 open cases" in flag.explanation


def test_closing_a_case_brings_the_caseload_back_and_clears_the_flag_from_that_day() -> None:
    story = with_cases(71)
    story.close("c5", "2023-04-03")
    [before] = story.flags("2023-04-02", "caseload_excess")
    assert before.status == "open"
    [after] = story.flags("2023-04-03", "caseload_excess")
    assert after.status == "cleared"
    assert after.history[-1].event is not None
    assert after.history[-1].event.event_type == "Case.Closed"


def test_reassigning_cases_away_clears_and_taking_them_back_raises_it_again() -> None:
    story = with_cases(71)
    story.assign("c1", "iro-lee", "2023-04-03")
    story.assign("c1", "iro-kit", "2023-05-02")
    [flag] = story.flags("2023-06-01", "caseload_excess")
    assert [(h.action, h.on) for h in flag.history] == [
        ("raised", d("2023-02-01")), ("cleared", d("2023-04-03")), ("raised", d("2023-05-02"))]


def test_caseload_far_above_guidance_is_high() -> None:
    story = with_cases(91)
    [flag] = story.flags("2023-03-01", "caseload_excess")
    assert flag.severity == "high"
