"""Episodes become cases: opened, moved and closed, one case per period of care."""

from __future__ import annotations

from iro_ledger.application.commands import parse_command
from iro_ledger.ssda903 import Pseudonyms
from tests.unit.ssda903.returns import KEY, LA, episode, mapped, named, options, review


def test_a_childs_first_episode_opens_a_case_entering_care_on_its_start() -> None:
    result = mapped(("KX101",), [episode("KX101", "03/04/2023", ls="V2")])

    [opened] = named(result, "open_case")
    names = Pseudonyms(KEY, LA)
    assert opened["case_id"] == "case-" + names.digest("KX101") + "-20230403"
    assert opened["child_ref"] == names.child_ref("KX101")
    assert opened["entered_care_on"] == opened["occurred_on"] == "2023-04-03"
    assert opened["legal_status"] == "V2"
    assert result.skips == []


def test_dates_are_read_day_first() -> None:
    result = mapped(("KX101",), [episode("KX101", "01/12/2022", dec="11/01/2023", rec="E11")])

    assert named(result, "open_case")[0]["entered_care_on"] == "2022-12-01"
    assert named(result, "close_case")[0]["occurred_on"] == "2023-01-11"


def test_a_change_of_placement_between_episodes_is_a_move_not_shown_to_go_through_review(
        ) -> None:
    result = mapped(("KX101",), [
        episode("KX101", "01/02/2023", dec="01/03/2023", rec="X1"),
        episode("KX101", "01/03/2023", rne="P", dec="01/04/2023", rec="X1"),
        episode("KX101", "01/04/2023", rne="L", ls="C1", dec="01/05/2023", rec="X1"),
        episode("KX101", "01/05/2023", rne="T", dec="01/06/2023", rec="X1"),
        episode("KX101", "01/06/2023", rne="U", dec="01/07/2023", rec="X1"),
        episode("KX101", "01/07/2023", rne="B"),
    ], opts=options(year=2023))  # a return of 2022-23 with its later episodes

    moves = named(result, "revise_care_plan")
    # RNE L is a change of legal status only: the child did not move.
    assert [m["occurred_on"] for m in moves] == [
        "2023-03-01", "2023-05-01", "2023-06-01", "2023-07-01"]
    assert all(m["change"] == "placement_move" and m["via_review"] is False
               and m["iro_consulted"] is False for m in moves)
    assert "RNE P" in str(moves[0]["summary"])
    assert len(named(result, "open_case")) == 1
    assert named(result, "close_case") == []


def test_an_episode_ending_with_the_child_leaving_care_closes_the_case() -> None:
    result = mapped(("KX101",), [episode("KX101", "01/02/2023", dec="15/08/2023", rec="E13")])

    [closed] = named(result, "close_case")
    assert closed["occurred_on"] == "2023-08-15"
    assert "E13" in str(closed["reason"])
    assert result.commands[-1].body is closed


def test_a_last_episode_ended_with_x1_and_nothing_after_it_closes_the_case_too() -> None:
    result = mapped(("KX101",), [episode("KX101", "01/02/2023", dec="15/08/2023", rec="X1")])

    [closed] = named(result, "close_case")
    assert closed["occurred_on"] == "2023-08-15"
    assert "X1" in str(closed["reason"])


def test_a_child_still_in_care_has_no_closure_whatever_the_open_episodes_rec_says() -> None:
    result = mapped(("KX101",), [episode("KX101", "01/02/2023", rec="E13")])

    assert named(result, "close_case") == []
    assert result.skips == []


def test_a_return_to_care_opens_a_new_case_for_the_same_child() -> None:
    result = mapped(("KX101",), [
        episode("KX101", "01/02/2022", dec="01/06/2022", rec="E4A"),
        episode("KX101", "01/09/2022", rne="S", ls="C2"),
    ], [review("KX101", "20/02/2022"), review("KX101", "20/09/2022")], options(year=2022))

    first, second = named(result, "open_case")
    assert first["child_ref"] == second["child_ref"]
    assert first["case_id"] != second["case_id"]
    assert second["entered_care_on"] == "2022-09-01"
    reviews = {r["occurred_on"]: r["case_id"] for r in named(result, "hold_review")}
    assert reviews == {"2022-02-20": first["case_id"], "2022-09-20": second["case_id"]}
    [closed] = named(result, "close_case")
    assert closed["case_id"] == first["case_id"]


def test_a_gap_after_an_x1_episode_still_begins_a_new_period_of_care() -> None:
    result = mapped(("KX101",), [
        episode("KX101", "01/02/2022", dec="01/06/2022", rec="X1"),
        episode("KX101", "10/06/2022", rne="P"),
    ])

    assert [c["entered_care_on"] for c in named(result, "open_case")] == [
        "2022-02-01", "2022-06-10"]
    assert named(result, "revise_care_plan") == []


def test_episodes_out_of_order_in_the_file_are_taken_in_date_order() -> None:
    result = mapped(("KX101",), [
        episode("KX101", "01/03/2023", rne="P"),
        episode("KX101", "01/02/2023", dec="01/03/2023", rec="X1"),
    ])

    assert named(result, "open_case")[0]["entered_care_on"] == "2023-02-01"
    assert [m["occurred_on"] for m in named(result, "revise_care_plan")] == ["2023-03-01"]


def test_an_overlapping_episode_is_reported_and_skipped() -> None:
    result = mapped(("KX101",), [
        episode("KX101", "01/02/2023", dec="01/05/2023", rec="X1"),
        episode("KX101", "01/04/2023", rne="P"),
    ])

    [skip] = result.skips
    assert (skip.file, skip.line, skip.kind) == ("episodes.csv", 3, "overlapping_episode")
    assert skip.report().startswith("episodes.csv:3: ")
    assert "episodes.csv:2" in skip.reason


def test_the_same_episode_twice_is_a_duplicate_not_an_overlap() -> None:
    result = mapped(("KX101",), [
        episode("KX101", "01/02/2023", dec="01/05/2023", rec="X1"),
        episode("KX101", "01/02/2023", dec="01/05/2023", rec="X1"),
        episode("KX101", "01/05/2023", rne="P"),
    ])

    [skip] = result.skips
    assert (skip.line, skip.kind) == (3, "duplicate_episode")
    assert "episodes.csv:2" in skip.reason
    assert len(named(result, "open_case")) == len(named(result, "revise_care_plan")) == 1


def test_cases_come_in_the_order_care_began_each_opened_first_and_closed_last() -> None:
    result = mapped(("KX101", "KX202"), [
        episode("KX101", "01/05/2023", dec="01/06/2023", rec="X1"),
        episode("KX101", "01/06/2023", rne="P", dec="01/08/2023", rec="E2"),
        episode("KX202", "01/01/2023"),
    ], [review("KX101", "01/06/2023"), review("KX101", "20/05/2023")])

    bodies = [c.body for c in result.commands]
    assert [b["command"] for b in bodies] == [
        "register_authority", "register_officer", "record_source_period", "open_case",
        "open_case", "hold_review", "revise_care_plan", "hold_review", "close_case"]
    assert bodies[3]["entered_care_on"] == "2023-01-01"
    case = [b for b in bodies if b.get("case_id") == bodies[4]["case_id"]]
    dates = [str(b["occurred_on"]) for b in case]
    assert dates == sorted(dates)


def test_every_command_is_in_the_domain_language_with_a_stable_unique_command_id() -> None:
    def once() -> list[dict[str, object]]:
        return [c.body for c in mapped(("KX101", "KX202"), [
            episode("KX101", "01/05/2023", dec="01/06/2023", rec="X1"),
            episode("KX101", "01/06/2023", rne="P", dec="01/08/2023", rec="E2"),
            episode("KX202", "01/01/2023"),
        ], [review("KX101", "20/05/2023"), review("KX202", "20/01/2023")]).commands]

    first = once()
    assert once() == first
    for body in first:
        parse_command(body)
    ids = [str(b["command_id"]) for b in first]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith(f"ssda903:{LA}:") for i in ids)


def test_the_authority_is_registered_only_when_named_and_the_placeholder_iro_only_if_needed(
        ) -> None:
    unnamed = mapped(("KX101",), [episode("KX101", "01/05/2023")], [],
                     options(name=None))
    assert [c.body["command"] for c in unnamed.commands] == ["record_source_period", "open_case"]

    known = mapped(("KX101",), [episode("KX101", "01/05/2023")],
                   [review("KX101", "20/05/2023")], options(officer=False))
    assert [c.body["command"] for c in known.commands] == [
        "register_authority", "record_source_period", "open_case", "hold_review"]
