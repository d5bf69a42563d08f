from datetime import timedelta

import pytest

from tests.unit.rules.story import Story, d, staffed

# Entered care on Monday 5 February 2024: the twentieth working day is Monday 4 March.
ENTERED, FIRST_DUE = "2024-02-05", d("2024-03-04")


def in_care() -> Story:
    story = staffed(since="2024-01-02")
    story.case("c1", ENTERED, iro="iro-kit")
    return story


@pytest.mark.parametrize(("held", "late"), [(FIRST_DUE, False),
                                            (FIRST_DUE + timedelta(days=1), True)])
def test_first_review_is_due_within_twenty_working_days_of_entering_care(held: object,
                                                                         late: bool) -> None:
    story = in_care()
    story.review("c1", str(held))
    flags = story.flags("2024-12-31", "review_overdue")
    flags = [f for f in flags if f.details["review_number"] == 1]
    assert bool(flags) is late
    if late:
        assert flags[0].status == "cleared"
        assert flags[0].raised_on == d("2024-03-05")
        assert flags[0].details["days_late"] == 1


def test_a_missing_first_review_is_open_as_of_a_later_day_and_high_after_28_days() -> None:
    story = in_care()
    assert story.flags("2024-03-04", "review_overdue") == []
    [flag] = story.flags("2024-03-05", "review_overdue")
    assert (flag.status, flag.severity, flag.history[0].event) == ("open", "warning", None)
    assert flag.subjects == {"case_id": "c1", "officer_id": "iro-kit"}
    [later] = story.flags("2024-04-01", "review_overdue")
    assert (later.severity, later.details["days_late"]) == ("high", 28)
    assert later.id == flag.id


@pytest.mark.parametrize(("second", "late"), [("2024-06-01", False), ("2024-06-02", True)])
def test_second_review_is_due_within_three_months_of_the_first(second: str, late: bool) -> None:
    story = in_care()
    story.review("c1", "2024-03-01")
    story.review("c1", second)
    flags = [f for f in story.flags("2024-07-01", "review_overdue")]
    assert [f.details["review_number"] for f in flags] == ([2] if late else [])


@pytest.mark.parametrize(("third", "late"), [("2024-12-01", False), ("2024-12-02", True)])
def test_later_reviews_are_due_within_six_months(third: str, late: bool) -> None:
    story = in_care()
    story.review("c1", "2024-03-01")
    story.review("c1", "2024-06-01")
    story.review("c1", third)
    flags = story.flags("2024-12-31", "review_overdue")
    assert [f.details["review_number"] for f in flags] == ([3] if late else [])


def test_closing_the_case_clears_an_overdue_review_and_ends_the_duty() -> None:
    story = in_care()
    story.close("c1", "2024-03-20")
    [flag] = story.flags("2025-12-31", "review_overdue")
    assert flag.status == "cleared"
    assert flag.history[-1].event is not None
    assert flag.history[-1].event.event_type == "Case.Closed"


def test_a_case_closed_before_its_first_review_fell_due_owes_none() -> None:
    story = in_care()
    story.close("c1", "2024-02-20")
    assert story.flags("2025-12-31", "review_overdue") == []


def recorded_from_april() -> Story:
    """A child in care since 2019 whose record begins on 1 April 2024 (a return's period)."""
    story = staffed(since="2024-01-02")
    story.case("c1", "2019-03-04", on="2024-04-01", iro="iro-kit")
    return story


def test_a_child_in_care_before_the_record_began_is_owed_no_first_review_it_cannot_show(
        ) -> None:
    story = recorded_from_april()
    story.review("c1", "2024-09-30")

    assert story.flags("2024-12-31", "review_overdue") == []


def test_the_first_review_the_record_can_show_is_due_six_months_after_it_begins() -> None:
    story = recorded_from_april()
    assert story.flags("2024-10-01", "review_overdue") == []

    [flag] = story.flags("2024-10-02", "review_overdue")

    assert flag.raised_on == d("2024-10-02") and flag.details["due_on"] == "2024-10-01"
    assert flag.details["review_number"] is None
    assert flag.details["record_begins_on"] == "2024-04-01"
    assert "before the record of the case begins on" in flag.explanation


def test_after_the_first_review_in_the_record_the_next_is_due_within_six_months() -> None:
    story = recorded_from_april()
    story.review("c1", "2024-05-01")  # perhaps the child's second review: not known
    story.review("c1", "2024-11-01")
    story.review("c1", "2025-05-02")

    [flag] = story.flags("2025-06-30", "review_overdue")

    assert flag.details["due_on"] == "2025-05-01" and flag.status == "cleared"


def imported_until_march() -> Story:
    """A child's case imported from a return that covers 1 April 2024 to 31 March 2025."""
    story = staffed(since="2024-01-02")
    story.case("c1", "2019-03-04", on="2024-04-01", source="import")
    story.source_period("2024-04-01", "2025-03-31", on="2025-06-01")
    return story


def test_a_review_due_after_the_return_ends_is_never_judged() -> None:
    story = imported_until_march()
    story.review("c1", "2024-09-30", source="import")  # the next falls due on 30 March 2025
    story.review("c1", "2025-03-01", source="import")  # the next on 1 September 2025

    assert story.flags("2026-12-31", "review_overdue") == []


def test_a_review_the_return_does_not_show_by_its_end_is_late_to_that_end_not_to_today(
        ) -> None:
    story = imported_until_march()
    story.review("c1", "2024-06-03", source="import")  # the next falls due on 3 December

    [flag] = story.flags("2026-12-31", "review_overdue")

    assert (flag.status, flag.details["due_on"]) == ("open", "2024-12-03")
    assert flag.details["days_late"] == (d("2025-03-31") - d("2024-12-03")).days
    assert flag.details["source_ends_on"] == "2025-03-31"
    assert "shows the case up to 31 March 2025" in flag.explanation


def test_a_review_recorded_live_after_the_return_ends_is_judged_on_to_today() -> None:
    story = imported_until_march()
    story.review("c1", "2024-09-30", source="import")
    story.review("c1", "2025-05-01")  # late for 30 March: recorded by the IRO, not imported

    flags = story.flags("2026-12-31", "review_overdue")

    assert [(f.details["due_on"], f.status) for f in flags] == [
        ("2025-03-30", "cleared"), ("2025-11-01", "open")]


def test_a_case_opened_live_is_judged_to_today_whatever_a_return_covers() -> None:
    story = imported_until_march()
    story.review("c1", "2024-09-30", source="import")
    story.review("c1", "2025-03-01", source="import")
    story.case("c2", "2025-01-06", iro="iro-kit")

    [flag] = story.flags("2026-12-31", "review_overdue")

    assert flag.subjects["case_id"] == "c2" and flag.status == "open"
