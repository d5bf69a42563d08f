"""Judging only what the return can show: a child already in care when the return's period
began is recorded from that day; short breaks (LS V3, V4) go on their own schedule."""

from __future__ import annotations

from datetime import date

from iro_ledger.ssda903 import map_return, parse_return
from tests.unit.ssda903.returns import episode, mapped, named, options, review, texts

# A return of the year ending 31 March 2024: its latest episode began in March 2024.
IN_CARE_SINCE_2019 = [
    episode("KX101", "04/03/2019", dec="10/10/2022", rec="X1"),
    episode("KX101", "10/10/2022", rne="P", dec="01/06/2023", rec="X1"),
    episode("KX101", "01/06/2023", rne="P"),
    episode("KX202", "01/03/2024"),
]


def test_the_period_is_the_collection_year_holding_the_latest_episode() -> None:
    assert mapped(("KX101", "KX202"), IN_CARE_SINCE_2019).period_begins == date(2023, 4, 1)


def test_a_child_in_care_before_the_period_is_recorded_from_its_first_day() -> None:
    result = mapped(("KX101", "KX202"), IN_CARE_SINCE_2019,
                    [review("KX101", "20/02/2023"), review("KX101", "20/09/2023")])

    opened = {c["entered_care_on"]: c for c in named(result, "open_case")}
    assert opened["2019-03-04"]["occurred_on"] == "2023-04-01"
    assert opened["2024-03-01"]["occurred_on"] == "2024-03-01"
    assert [m["occurred_on"] for m in named(result, "revise_care_plan")] == ["2023-06-01"]
    assert [r["occurred_on"] for r in named(result, "hold_review")] == ["2023-09-20"]
    before = sorted((s.file, s.line) for s in result.skips if s.kind == "before_period")
    assert before == [("episodes.csv", 3), ("reviews.csv", 2)]
    assert all(s.kind == "before_period" for s in result.skips)


def test_a_period_of_care_over_before_the_return_began_is_not_recorded() -> None:
    result = mapped(("KX101",), [
        episode("KX101", "04/03/2019", dec="10/10/2022", rec="E11"),
        episode("KX101", "01/03/2024"),
    ])

    [opened] = named(result, "open_case")
    assert opened["entered_care_on"] == "2024-03-01" and named(result, "close_case") == []
    assert [(s.line, s.kind) for s in result.skips] == [(2, "before_period")]


def test_the_year_given_or_stated_sets_the_period() -> None:
    assert mapped(("KX202",), IN_CARE_SINCE_2019[3:], opts=options(year=2022)).period_begins \
        == date(2021, 4, 1)
    extract = {name: text.replace("CHILD,", "YEAR,CHILD,", 1).replace("\nK", "\n2021,K")
               for name, text in texts(("KX202",), IN_CARE_SINCE_2019[3:]).items()}
    assert map_return(parse_return(extract), options()).period_begins == date(2020, 4, 1)


def test_a_child_on_short_breaks_is_opened_as_such_and_changes_are_recorded() -> None:
    result = mapped(("KX101",), [
        episode("KX101", "01/05/2023", ls="V4", dec="01/09/2023", rec="X1"),
        episode("KX101", "01/09/2023", rne="L", ls="C2", dec="01/12/2023", rec="X1"),
        episode("KX101", "01/12/2023", rne="T", ls="V3"),
    ])

    [opened] = named(result, "open_case")
    assert opened["short_breaks"] is True and opened["legal_status"] == "V4"
    assert [(c["occurred_on"], c["short_breaks"]) for c in named(result, "record_short_breaks")
            ] == [("2023-09-01", False), ("2023-12-01", True)]


def test_a_child_looked_after_otherwise_is_not_on_short_breaks() -> None:
    [opened] = named(mapped(("KX101",), [episode("KX101", "01/05/2023", ls="V2")]),
                     "open_case")
    assert opened["short_breaks"] is False
