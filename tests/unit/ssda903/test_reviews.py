"""Reviews become hold_review in the case they fell in; rows that fit no case are reported."""

from __future__ import annotations

import pytest

from iro_ledger.ssda903 import PLACEHOLDER_IRO
from tests.unit.ssda903.returns import TODAY, episode, mapped, named, options, review

IN_CARE = [episode("KX101", "01/02/2023", dec="30/09/2023", rec="E11")]
IN_CARE_IN_THE_YEAR = [episode("KX101", "01/02/2023", dec="15/03/2023", rec="E11")]
"""Care that began and ended within the return's year (to 31 March 2023)."""


def test_a_review_is_held_by_the_placeholder_iro_on_its_date() -> None:
    result = mapped(("KX101",), IN_CARE, [review("KX101", "27/02/2023")])

    [held] = named(result, "hold_review")
    assert held["occurred_on"] == "2023-02-27"
    assert held["chaired_by"] == PLACEHOLDER_IRO
    assert held["child_seen_before"] is False
    [officer] = named(result, "register_officer")
    assert officer["officer_id"] == PLACEHOLDER_IRO and officer["role"] == "iro"
    assert str(officer["occurred_on"]) <= "2023-02-01"


@pytest.mark.parametrize(("code", "participation"), [
    ("PN0", "did_not_participate"), ("PN1", "attended"), ("PN2", "attended"),
    ("PN3", "attended"), ("PN4", "attended"), ("PN5", "views_conveyed"),
    ("PN6", "views_conveyed"), ("PN7", "did_not_participate"),
])
def test_the_review_code_says_how_the_child_took_part(code: str, participation: str) -> None:
    result = mapped(("KX101",), IN_CARE, [review("KX101", "27/02/2023", code)])

    assert named(result, "hold_review")[0]["child_participation"] == participation


def test_a_future_review_is_reported_with_its_file_and_line_and_skipped() -> None:
    later = TODAY.replace(year=TODAY.year + 1).strftime("%d/%m/%Y")
    result = mapped(("KX101",), [episode("KX101", "01/02/2023")],
                    [review("KX101", "27/02/2023"), review("KX101", later)])

    [skip] = result.skips
    assert skip.report() == f"reviews.csv:3: REVIEW {later} is in the future"
    assert skip.kind == "future_date"
    assert len(named(result, "hold_review")) == 1


def test_a_review_today_is_not_in_the_future() -> None:
    today = TODAY.strftime("%d/%m/%Y")
    result = mapped(("KX101",), [episode("KX101", "01/02/2023")], [review("KX101", today)],
                    options(year=TODAY.year + 1))  # the year still running: it ends today

    assert result.skips == []
    assert named(result, "hold_review")[0]["occurred_on"] == TODAY.isoformat()


@pytest.mark.parametrize(("on", "kind", "says"), [
    ("15/01/2023", "review_before_care", "before the child entered care on 01/02/2023"),
    ("20/03/2023", "review_after_care", "after the child left care on 15/03/2023"),
])
def test_a_review_outside_the_childs_care_is_reported(on: str, kind: str, says: str) -> None:
    result = mapped(("KX101",), IN_CARE_IN_THE_YEAR, [review("KX101", on)])

    [skip] = result.skips
    assert (skip.file, skip.line, skip.kind) == ("reviews.csv", 2, kind)
    assert says in skip.reason and "episodes.csv:2" in skip.reason
    assert named(result, "hold_review") == []


def test_a_review_between_two_periods_of_care_is_reported() -> None:
    result = mapped(("KX101",), [*IN_CARE, episode("KX101", "01/12/2023")],
                    [review("KX101", "01/11/2023")])

    assert [s.kind for s in result.skips] == ["review_outside_care"]


def test_reviews_on_the_first_and_last_days_of_care_are_held() -> None:
    result = mapped(("KX101",), IN_CARE_IN_THE_YEAR, [review("KX101", "01/02/2023"),
                                                      review("KX101", "15/03/2023")])

    assert result.skips == []
    assert [c.body["command"] for c in result.commands][-3:] == [
        "hold_review", "hold_review", "close_case"]


def test_the_same_review_twice_is_held_once_and_the_repeat_reported() -> None:
    result = mapped(("KX101",), IN_CARE, [review("KX101", "27/02/2023"),
                                          review("KX101", "27/02/2023", "PN7")])

    assert len(named(result, "hold_review")) == 1
    [skip] = result.skips
    assert skip.kind == "duplicate_review" and "reviews.csv:2" in skip.reason


def test_a_child_without_episodes_is_reported_and_so_are_their_reviews() -> None:
    result = mapped(("KX101", "KX202"), IN_CARE, [review("KX202", "27/02/2023")])

    assert [(s.report(), s.kind) for s in result.skips] == [
        ("header.csv:3: no episode of this child in episodes.csv", "no_episodes"),
        ("reviews.csv:2: no episode of this child could be mapped, so there is no case for "
         "the review", "no_case"),
    ]
    assert result.children == 2


def test_a_review_after_the_returns_period_ended_is_reported_not_held() -> None:
    result = mapped(("KX101",), IN_CARE, [review("KX101", "27/02/2023"),
                                          review("KX101", "15/04/2023")])

    [skip] = result.skips
    assert (skip.report(), skip.kind) == ("reviews.csv:3: review on 15/04/2023 is after the "
                                          "return's period ended on 31/03/2023", "after_period")
    assert [h["occurred_on"] for h in named(result, "hold_review")] == ["2023-02-27"]
    [covered] = named(result, "record_source_period")
    assert (covered["begins_on"], covered["ends_on"]) == ("2022-04-01", "2023-03-31")
