"""Authority measures for a period, computed from a fictional authority's history."""

from __future__ import annotations

from datetime import date

import pytest

from iro_ledger.domain.errors import InvalidValue
from iro_ledger.projections import challenges, measures, officers
from iro_ledger.projections.base import Measure, Period
from tests.unit.projections.story import Story, fold

PERIOD = Period(date(2024, 4, 1), date(2024, 9, 30))


def history() -> Story:
    story = Story().authority("2023-01-02").officer("iro-kit", on="2023-01-02")
    story.officer("iro-lee", on="2023-01-02").officer("mgr-ada", "team_manager", "2023-01-02")
    story.case("c1", "2024-01-05", iro="iro-kit").case("c2", "2024-02-01", iro="iro-kit")
    story.case("c3", "2024-01-03", iro="iro-lee", entered_care_on="2023-06-01")
    story.do("close_case", "2024-03-31", case_id="c3", reason="special guardianship")
    review = {"chaired_by": "iro-kit", "child_participation": "attended",
              "child_seen_before": True}
    story.do("hold_review", "2024-01-30", case_id="c1", **review)
    story.do("hold_review", "2024-05-15", case_id="c1", **review)
    story.challenge("ch-4", "c1", "iro-kit", "2024-03-01")
    story.do("refer_to_cafcass", "2024-04-20", challenge_id="ch-4", actor="iro-kit")
    story.challenge("ch-1", "c1", "iro-kit", "2024-04-02")
    story.do("resolve_challenge", "2024-04-12", challenge_id="ch-1", outcome="upheld",
             actor="mgr-ada")
    story.challenge("ch-2", "c2", "iro-kit", "2024-05-01")
    story.do("escalate_challenge", "2024-05-10", challenge_id="ch-2", to_stage="stage_1",
             addressed_to="mgr-ada")
    story.do("resolve_challenge", "2024-05-31", challenge_id="ch-2", outcome="not_upheld",
             actor="mgr-ada")
    story.challenge("ch-3", "c2", "iro-kit", "2024-06-01")
    story.do("withdraw_challenge", "2024-06-05", challenge_id="ch-3", actor="iro-kit",
             reason="resolved by conversation")
    for ref, on, kind in (("in-1", "2024-03-01", "permission_before_challenge"),
                          ("in-2", "2024-05-01", "do_not_escalate"),
                          ("in-3", "2024-06-01", "permission_before_challenge")):
        story.do("record_instruction", on, instruction_id=ref, issued_to=["all_iros"],
                 kind=kind, actor="mgr-ada")
    story.do("rescind_instruction", "2024-03-20", instruction_id="in-1", actor="mgr-ada")
    return story


def measured(story: Story, contributed: tuple[Measure, ...] = ()) -> dict[str, Measure]:
    events = story.envelopes()
    people = fold(officers.apply_events, events)
    found = measures.measure_all(
        fold(measures.apply_events, events).all(measures.CASES),
        people.all(officers.OFFICERS), people.all(officers.INSTRUCTIONS),
        fold(challenges.apply_events, events).all(challenges.REGISTER), PERIOD, contributed,
        fold(measures.apply_events, events).all(measures.WORKTIME))
    return {m.name: m for m in found}


@pytest.fixture(scope="module")
def figures() -> dict[str, Measure]:
    return measured(history())


def test_children_in_care_count_those_in_care_on_any_day_of_the_period(
        figures: dict[str, Measure]) -> None:
    assert figures["children_in_care"].value == 2
    assert {r["id"] for r in figures["children_in_care"].evidence} == {"c1", "c2"}


def test_iros_and_their_caseloads_at_the_end_of_the_period(figures: dict[str, Measure]) -> None:
    assert figures["iros"].value == 2
    assert figures["caseloads_at_end"].value == {
        "mean": 1.0, "median": 1.0, "max": 2, "by_officer": {"iro-kit": 2, "iro-lee": 0},
        "per_fte_by_officer": {"iro-kit": 2.0, "iro-lee": 0.0}, "max_per_fte": 2.0}


def test_challenges_per_100_children_counts_those_raised_in_the_period(
        figures: dict[str, Measure]) -> None:
    assert figures["challenges_raised"].value == 3
    assert figures["challenges_per_100_children"].value == 150.0
    assert {r["id"] for r in figures["challenges_raised"].evidence} == {"ch-1", "ch-2", "ch-3"}


def test_resolution_shares_by_stage_median_days_and_share_upheld(
        figures: dict[str, Measure]) -> None:
    assert figures["share_resolved_informally"].value == 0.5
    assert figures["resolved_by_stage"].value == {
        "informal": 0.5, "stage_1": 0.5, "stage_2": 0.0, "stage_3": 0.0, "director": 0.0}
    assert figures["median_days_to_resolution"].value == 20
    assert figures["share_upheld"].value == {"upheld": 0.5, "partially_upheld": 0.0,
                                             "not_upheld": 0.5}
    assert [r["type"] for r in figures["share_upheld"].evidence] == ["Challenge.Resolved"] * 2
    assert figures["challenges_withdrawn"].value == 1


def test_cafcass_referrals_in_the_period_include_older_challenges(
        figures: dict[str, Measure]) -> None:
    assert figures["cafcass_referrals"].value == 1
    assert [r["id"] for r in figures["cafcass_referrals"].evidence] == ["ch-4"]


def test_instructions_in_force_leave_out_those_rescinded_before_the_period(
        figures: dict[str, Measure]) -> None:
    assert figures["instructions_in_force_by_kind"].value == {
        "do_not_escalate": 1, "permission_before_challenge": 1}


def test_review_timeliness_counts_late_reviews_and_reviews_overdue_at_the_end(
        figures: dict[str, Measure]) -> None:
    # c1: first review on time, the second due 3 months later (30 April) held 15 May: late.
    # c2: entered care 1 February, first review due 29 February, never held: overdue.
    assert figures["review_timeliness"].value == {
        "held": 1, "on_time": 0, "late": 1, "share_on_time": 0.0, "overdue_at_end": 1,
        "not_counted": 0}


HALF_YEAR = Period(date(2024, 1, 1), date(2024, 6, 30))
REVIEW = {"child_participation": "attended", "child_seen_before": True}


def timeliness(story: Story, period: Period = HALF_YEAR) -> dict[str, object]:
    events = story.envelopes()
    people = fold(officers.apply_events, events)
    cases = fold(measures.apply_events, events)
    covered = {d["dataset"]: d["ends_on"] for d in cases.all(measures.SOURCES)}
    found = measures.review_timeliness(cases.all(measures.CASES), period,
                                       people.all(officers.OFFICERS), covered)
    value: dict[str, object] = found.value
    return value


def test_a_meeting_chaired_by_a_social_worker_is_not_counted_as_the_review() -> None:
    # Entered care on Friday 5 January 2024: the first review is due by 2 February.
    story = Story().authority("2023-01-02").officer("iro-kit", on="2023-01-02")
    story.officer("sw-bo", "social_worker", "2023-01-02").case("c1", "2024-01-05")
    story.do("hold_review", "2024-01-30", case_id="c1", chaired_by="sw-bo", **REVIEW)
    story.do("hold_review", "2024-02-20", case_id="c1", chaired_by="iro-kit", **REVIEW)

    found = timeliness(story)

    assert (found["held"], found["on_time"], found["late"], found["not_counted"]) == (1, 0, 1, 1)


def test_a_meeting_chaired_by_an_iro_whose_engagement_had_ended_is_not_counted() -> None:
    story = Story().authority("2023-01-02").officer("iro-kit", on="2023-01-02")
    story.officer("iro-old", on="2023-01-02").case("c1", "2024-01-05")
    story.do("hold_review", "2024-01-30", case_id="c1", chaired_by="iro-old", **REVIEW)
    story.do("end_engagement", "2024-01-20", officer_id="iro-old", how="resigned")

    found = timeliness(story)

    assert (found["held"], found["not_counted"], found["overdue_at_end"]) == (0, 1, 1)


def test_a_child_on_short_breaks_is_reviewed_on_regulation_48s_schedule() -> None:
    story = Story().authority("2023-01-02").officer("iro-kit", on="2023-01-02")
    story.do("open_case", "2024-01-05", case_id="c1", child_ref="child-c1", legal_status="V3",
             entered_care_on="2024-01-05", short_breaks=True)
    story.do("hold_review", "2024-04-01", case_id="c1", chaired_by="iro-kit", **REVIEW)

    found = timeliness(story)

    assert (found["held"], found["on_time"], found["overdue_at_end"]) == (1, 1, 0)


def imported_case(covered: bool) -> Story:
    """A child in care since 2019 whose case an import opened when its return's period began
    (1 April 2023); the return shows a review on 1 November 2023 and ends on 31 March 2024."""
    story = Story().authority("2023-01-02").officer("iro-903-unknown", on="2023-01-02")
    story.do("open_case", "2023-04-01", source="import", case_id="c1", child_ref="child-c1",
             legal_status="C2", entered_care_on="2019-03-04")
    story.do("hold_review", "2023-11-01", source="import", case_id="c1",
             chaired_by="iro-903-unknown", **REVIEW)
    if covered:
        story.do("record_source_period", "2024-06-01", source="import", dataset="ssda903",
                 begins_on="2023-04-01", ends_on="2024-03-31")
    return story


def test_an_imported_case_is_not_overdue_for_a_review_due_after_its_return_ends() -> None:
    # The next review falls due on 1 May 2024, after the return ends.
    assert timeliness(imported_case(covered=True))["overdue_at_end"] == 0
    assert timeliness(imported_case(covered=False))["overdue_at_end"] == 1


def test_flags_by_rule_come_from_the_flags_read_model_when_one_runs(
        figures: dict[str, Measure]) -> None:
    assert figures["flags_by_rule"].value is None
    flags = Measure("flags_by_rule", {"permission_required": 2}, "flags", [])
    assert measured(history(), (flags,))["flags_by_rule"].value == {"permission_required": 2}


def test_every_measure_but_undefined_ones_names_its_evidence(
        figures: dict[str, Measure]) -> None:
    for measure in figures.values():
        assert measure.value is None or measure.value == 0 or measure.evidence, measure.name


def test_a_period_defaults_to_the_year_up_to_today_and_refuses_to_run_backwards() -> None:
    assert measures.period_of(None, None, date(2025, 3, 31)) == Period(date(2024, 4, 1),
                                                                      date(2025, 3, 31))
    with pytest.raises(InvalidValue, match="after"):
        measures.period_of(date(2025, 1, 2), date(2025, 1, 1), date(2025, 3, 31))


def test_disputes_are_measured_in_working_days_in_total(figures: dict[str, Measure]) -> None:
    # ch-4 left for Cafcass on 20 April, 33 working days after 1 March (Good Friday and Easter
    # Monday not counted); ch-1 resolved in 8, ch-2 in 20 (the two May bank holidays not
    # counted), ch-3 withdrawn in 3: three of four within 20.
    assert figures["dispute_working_days"].value == {
        "ended": 4, "median": 14.0, "max": 33, "within_limit": 3, "share_within_limit": 0.75,
        "limit": 20}
    assert figures["open_challenge_ages"].value is None


def test_an_unanswered_challenge_is_aged_in_working_days_at_the_period_end() -> None:
    story = history()
    story.challenge("ch-9", "c2", "iro-kit", "2024-09-02")
    ages = measured(story)["open_challenge_ages"].value
    assert ages["by_challenge"] == {"ch-9": 20}
    assert (ages["open"], ages["over_limit"]) == (1, 0)


@pytest.mark.parametrize("third_repeats", ["r2", "r1"])
def test_recommendations_lapsed_and_made_again_are_counted(third_repeats: str) -> None:
    # The third making names the second, or the first: the same recommendation either way.
    story = history()
    rec = {"case_id": "c1", "text": "a plan for after 18", "actor": "iro-kit"}
    story.do("make_recommendation", "2024-04-02", recommendation_id="r1",
             due_on="2024-05-01", **rec)
    story.do("make_recommendation", "2024-05-15", recommendation_id="r2",
             due_on="2024-06-14", repeats="r1", **rec)
    story.do("record_recommendation_outcome", "2024-06-10", case_id="c1",
             recommendation_id="r2", outcome="declined", actor="mgr-ada")
    story.do("make_recommendation", "2024-08-01", recommendation_id="r3",
             due_on="2024-08-30", repeats=third_repeats, **rec)
    story.do("record_recommendation_outcome", "2024-08-20", case_id="c1",
             recommendation_id="r3", outcome="completed", actor="mgr-ada")
    assert measured(story)["recommendations"].value == {
        "due": 3, "completed_on_time": 1, "declined": 1, "lapsed": 1, "share_lapsed": 0.3333,
        "made": 3, "repeats": 2, "made_three_times_or_more": 1}


def test_childrens_part_in_their_reviews(figures: dict[str, Measure]) -> None:
    assert figures["child_participation"].value == {
        "attended": 1, "views_conveyed": 0, "did_not_participate": 0, "share_attended": 1.0,
        "share_views_heard": 1.0}


def test_three_placements_in_the_period_count_as_instability() -> None:
    story = history()
    move = {"case_id": "c2", "change": "placement_move", "via_review": False,
            "iro_consulted": False, "emergency": True, "actor": "mgr-ada"}
    story.do("revise_care_plan", "2024-05-06", **move)
    assert measured(story)["placement_instability"].value == 0
    story.do("revise_care_plan", "2024-07-01", **move)
    unstable = measured(story)["placement_instability"]
    assert unstable.value == 1
    assert [r["type"] for r in unstable.evidence] == ["Case.CarePlanRevised"] * 2


def test_caseload_is_also_measured_per_full_time_post() -> None:
    story = history()
    story.do("record_fte", "2024-04-01", officer_id="iro-kit", fte=0.5, actor="mgr-ada")
    value = measured(story)["caseloads_at_end"].value
    assert (value["by_officer"]["iro-kit"], value["per_fte_by_officer"]["iro-kit"]) == (2, 4.0)
