"""The stories of the seed documents, told as histories and judged as a NAIRO investigator would.

Each test is one story from NAIRO's letter on IROs in dispute (000), NAIRO's 2022 briefing and
its case studies (001), the two articles (002, 003) or the NCB study (004), retold with
fictional people: what happened, in the ledger's words, and the flag an investigator would
expect (or, for the healthy controls at the end, that nothing is raised).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from iro_ledger.projections.rules.calendar import working_calendar
from iro_ledger.projections.rules.flag import Flag
from tests.unit.rules.story import Story, d, staffed

CALENDAR = working_calendar()


def flags(story: Story, as_of: str, rule: str, pattern: str | None = None) -> list[Flag]:
    return [f for f in story.flags(as_of, rule)
            if pattern is None or f.details.get("pattern") == pattern]


def iso(day: date) -> str:
    return day.isoformat()


def with_child(since: str = "2023-01-02", entered: str = "2023-02-01") -> Story:
    story = staffed(since=since)
    story.case("c1", entered, iro="iro-kit")
    return story


# Retaliation that slips through (000: disciplinary threats, posts deleted, contracts ended)


@pytest.mark.parametrize("raised_in", ["review_minutes", "recommendation", "email"])
def test_a_threat_after_a_concern_raised_outside_the_protocol_is_flagged(raised_in: str) -> None:
    story = with_child()
    story.concern("con-1", "iro-kit", "2024-03-01", case="c1", raised_in=raised_in)
    story.discipline("iro-kit", "threatened", "2024-04-10", actor="dir-moss")

    [flag] = flags(story, "2024-12-31", "disciplinary_after_challenge")
    assert (flag.severity, flag.subjects["concern_id"]) == ("high", "con-1")
    assert flag.details["concern_ids"] == ["con-1"]
    assert [r.event_type for r in flag.evidence] == ["Concern.Raised",
                                                    "Officer.DisciplinaryActionRecorded"]


def test_a_threat_seven_months_after_a_challenge_is_flagged() -> None:
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-01-10")
    story.resolve("ch-1", "2024-01-24")
    story.discipline("iro-kit", "threatened", "2024-08-12", actor="dir-moss")

    [flag] = flags(story, "2024-12-31", "disciplinary_after_challenge")
    assert flag.details["days_after_dispute"] == (d("2024-08-12") - d("2024-01-10")).days


def test_a_threat_that_stopped_a_challenge_being_raised_is_flagged_by_what_it_was_about() -> None:
    # The IRO said at the review she would challenge the plan; the head of service threatened
    # her with disciplinary action; no challenge was ever raised. Her account links the threat
    # to the child's case.
    story = with_child()
    story.officer("hos-tam", role="head_of_service", on="2023-01-02")
    story.discipline("iro-kit", "threatened", "2024-05-02", actor="hos-tam", about=("case:c1",))

    [flag] = flags(story, "2024-12-31", "disciplinary_after_challenge")
    assert flag.subjects["case_id"] == "c1"
    assert flag.details["about"] == ["case:c1"]


def test_a_threat_linked_to_a_challenge_long_past_is_flagged_whatever_the_window() -> None:
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2023-03-01")
    story.discipline("iro-kit", "threatened", "2024-11-04", actor="dir-moss",
                     about=("challenge:ch-1",))

    [flag] = flags(story, "2024-12-31", "disciplinary_after_challenge")
    assert flag.subjects["challenge_id"] == "ch-1"


def test_the_iro_managers_post_deleted_nine_months_after_refusing_the_edit_is_one_episode() -> None:
    # 000: the director wanted to edit the IRO annual report before Ofsted saw it; the IRO
    # manager refused and submitted it as written; a restructuring later deleted her post.
    story = staffed(since="2023-01-02")
    story.draft_report("rep-1", "irom-ola", "2024-01-15", content="as written")
    story.request_edit("rep-1", "2024-02-01", actor="dir-moss")
    story.submit_report("rep-1", "2024-02-20", content="as written", actor="irom-ola")
    story.end_engagement("irom-ola", "post_deleted", "2024-11-18")

    [edit] = flags(story, "2024-12-31", "report_interference")
    assert edit.status == "cleared"
    [ending] = flags(story, "2024-12-31", "engagement_ended_after_dispute")
    assert ending.subjects["report_id"] == "rep-1"
    assert [step["what"] for step in ending.details["episode"]] == [
        "AnnualReport.EditRequested", "AnnualReport.Submitted", "Officer.EngagementEnded"]


@pytest.mark.parametrize("how", ["dismissed", "moved_role"])
def test_an_ending_recorded_as_dismissal_or_a_move_of_role_after_a_challenge_is_flagged(
        how: str) -> None:
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-02-05")
    story.end_engagement("iro-kit", how, "2024-06-03")

    [flag] = flags(story, "2024-12-31", "engagement_ended_after_dispute")
    assert flag.details["how"] == how


def test_a_freelance_iros_contract_ended_after_a_concern_in_an_email_is_flagged() -> None:
    story = staffed(since="2023-01-02")
    story.officer("iro-fin", employment="freelance")
    story.case("c1", "2023-02-01", iro="iro-fin")
    story.concern("con-1", "iro-fin", "2024-02-05", case="c1", raised_in="email")
    story.end_engagement("iro-fin", "contract_terminated", "2024-09-02")

    [flag] = flags(story, "2024-12-31", "engagement_ended_after_dispute")
    assert flag.subjects["concern_id"] == "con-1"


# Variations on the same stories: other timing, other doors, several acts in one course


@pytest.mark.parametrize("pressed", ["escalated to the director", "referred to Cafcass",
                                     "taken to court", "sent a judicial review letter"])
def test_a_threat_soon_after_an_old_challenge_was_pressed_again_is_flagged(pressed: str) -> None:
    # Raised fourteen months before the threat: the window runs from the last time the IRO
    # pressed the dispute, not only from its raising.
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2023-03-01")
    if pressed == "escalated to the director":
        story.escalate("ch-1", "director", "2024-03-04")
    else:
        story.refer_to_cafcass("ch-1", "2024-03-04" if pressed == "referred to Cafcass"
                               else "2023-04-03")
    if pressed == "taken to court":
        story.legal_step("ch-1", "court_application", "2024-03-04")
    if pressed == "sent a judicial review letter":
        story.legal_step("ch-1", "judicial_review_letter", "2024-03-04", taken_by="iro")
    story.discipline("iro-kit", "threatened", "2024-05-02", actor="hos-tam")

    [flag] = flags(story, "2024-12-31", "disciplinary_after_challenge")
    assert flag.subjects["challenge_id"] == "ch-1"


def test_a_contract_ended_soon_after_an_old_challenge_reached_the_high_court_is_flagged() -> None:
    # 001, Peter: the IRO's challenge went to Cafcass, then (through the carers) to the High
    # Court; a freelance IRO's contract ended months after the application.
    story = staffed(since="2023-01-02")
    story.officer("iro-fin", employment="freelance")
    story.case("c1", "2023-02-01", iro="iro-fin")
    story.challenge("ch-1", "c1", "iro-fin", "2023-03-01")
    story.refer_to_cafcass("ch-1", "2023-04-03")
    story.legal_step("ch-1", "court_application", "2024-02-01")
    story.end_engagement("iro-fin", "contract_terminated", "2024-05-02")

    [flag] = flags(story, "2024-12-31", "engagement_ended_after_dispute")
    assert flag.subjects["challenge_id"] == "ch-1"


@pytest.mark.parametrize("raised_in", ["review_minutes", "email"])
def test_a_case_taken_from_an_iro_soon_after_a_concern_about_it_is_flagged(raised_in: str) -> None:
    story = with_child()
    story.concern("con-1", "iro-kit", "2024-03-01", case="c1", raised_in=raised_in)
    story.assign("c1", "iro-lee", "2024-03-20")

    [flag] = flags(story, "2024-12-31", "reallocation_after_dispute")
    assert flag.subjects["concern_id"] == "con-1"
    assert flag.details["concern_ids"] == ["con-1"]


def test_a_challenge_withdrawn_days_after_its_raiser_was_threatened_is_flagged() -> None:
    # The pressure came by a threat, not an instruction: both acts are flagged.
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-01")
    story.discipline("iro-kit", "threatened", "2024-03-05", actor="hos-tam")
    story.withdraw("ch-1", "2024-03-08")

    [withdrawn] = flags(story, "2024-12-31", "suppressed_challenge", "withdrawn_after_threat")
    assert (withdrawn.severity, withdrawn.details["days_after_threat"]) == ("critical", 3)
    assert flags(story, "2024-12-31", "disciplinary_after_challenge")


def test_a_withdrawal_long_after_a_threat_is_not_called_suppressed() -> None:
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-01")
    story.discipline("iro-kit", "threatened", "2024-03-05", actor="hos-tam")
    story.withdraw("ch-1", "2024-05-07")
    assert flags(story, "2024-12-31", "suppressed_challenge", "withdrawn_after_threat") == []


@pytest.mark.parametrize("kind", ["withdraw_challenge", "do_not_escalate"])
def test_a_withdrawal_months_into_an_instruction_still_in_force_is_flagged(kind: str) -> None:
    story = with_child()
    story.instruct("in-1", kind, ["all_iros"], "2024-01-05", actor="hos-tam")
    story.challenge("ch-1", "c1", "iro-kit", "2024-04-01")
    story.withdraw("ch-1", "2024-04-08")

    [flag] = flags(story, "2024-12-31", "suppressed_challenge", "withdrawn_after_instruction")
    assert (flag.severity, flag.subjects["instruction_id"]) == ("critical", "in-1")


def test_a_withdrawal_after_the_instruction_was_rescinded_is_not_called_suppressed() -> None:
    story = with_child()
    story.instruct("in-1", "do_not_escalate", ["all_iros"], "2024-01-05", actor="hos-tam")
    story.rescind("in-1", "2024-02-01", actor="hos-tam")
    story.challenge("ch-1", "c1", "iro-kit", "2024-04-01")
    story.withdraw("ch-1", "2024-04-08")
    assert flags(story, "2024-12-31", "suppressed_challenge") == []


def test_an_instruction_not_to_escalate_that_stands_with_no_withdrawal_is_flagged() -> None:
    # 000: "legitimate challenges being suppressed". The head of service tells the IRO not
    # to take her challenge further; the authority refuses it at the informal stage; she
    # withdraws nothing and escalates nothing; the instruction is never rescinded.
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-01")
    story.instruct("in-1", "do_not_escalate", ["iro-kit"], "2024-03-05", actor="hos-tam")
    story.resolve("ch-1", "2024-03-15", outcome="not_upheld")

    found = {f.details["pattern"]: f for f in flags(story, "2024-12-31", "instruction_in_force")}
    assert set(found) == {"stood", "challenge_not_pursued"}
    assert found["challenge_not_pursued"].subjects["challenge_id"] == "ch-1"
    assert found["stood"].details["challenges_open"] == ["ch-1"]
    assert flags(story, "2024-12-31", "suppressed_challenge") == []


def test_a_recommendation_made_three_times_each_naming_the_first_is_flagged() -> None:
    # The IRO records each repeat of the post-18 plan against the first recommendation.
    story = with_child()
    story.recommend("c1", "rec-1", "2024-01-10", due="2024-03-01")
    story.recommend("c1", "rec-2", "2024-04-10", due="2024-06-01", repeats="rec-1")
    story.recommend("c1", "rec-3", "2024-07-10", due="2024-09-01", repeats="rec-1")

    [flag] = flags(story, "2024-08-01", "recommendation_not_followed", "repeated")
    assert flag.details["recommendation_ids"] == ["rec-1", "rec-2", "rec-3"]


def test_disciplinary_action_known_only_by_its_outcome_is_flagged() -> None:
    # The IRO records the written warning she was given: the only record of the action.
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-01")
    story.discipline("iro-kit", "concluded", "2024-05-01", actor="hos-tam")

    [flag] = flags(story, "2024-12-31", "disciplinary_after_challenge")
    assert (flag.details["stage"], flag.severity) == ("concluded", "high")


def test_the_outcome_of_an_action_already_flagged_is_not_a_second_occasion() -> None:
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-01")
    story.discipline("iro-kit", "started", "2024-04-01", actor="hos-tam")
    story.discipline("iro-kit", "concluded", "2024-05-01", actor="hos-tam")

    [flag] = flags(story, "2024-12-31", "disciplinary_after_challenge")
    assert (flag.details["stage"], flag.severity) == ("started", "high")


def test_a_threat_on_the_day_of_the_challenge_is_flagged() -> None:
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-01")
    story.discipline("iro-kit", "threatened", "2024-03-01", actor="hos-tam")
    assert flags(story, "2024-12-31", "disciplinary_after_challenge")


# Disputes that drift (IRO Handbook 6.2: 20 working days in total)


def test_a_dispute_of_37_working_days_is_flagged_though_each_stage_was_answered() -> None:
    story = with_child()
    raised = d("2024-03-04")
    story.challenge("ch-1", "c1", "iro-kit", iso(raised))
    story.respond("ch-1", iso(CALENDAR.add_working_days(raised, 8)))
    story.escalate("ch-1", "stage_1", iso(CALENDAR.add_working_days(raised, 12)))
    story.respond("ch-1", iso(CALENDAR.add_working_days(raised, 24)))
    story.escalate("ch-1", "stage_2", iso(CALENDAR.add_working_days(raised, 27)))
    resolved = CALENDAR.add_working_days(raised, 37)
    story.resolve("ch-1", iso(resolved))

    [flag] = flags(story, "2024-12-31", "suppressed_challenge", "stalled")
    assert flag.raised_on == CALENDAR.add_working_days(raised, 20) + timedelta(days=1)
    assert (flag.status, flag.cleared_on) == ("cleared", resolved)
    assert flag.details["working_days"] == 37
    assert "suppressed" not in flag.explanation


def test_five_months_of_holding_replies_do_not_stop_the_clock() -> None:
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-01-08")
    for weeks in range(3, 22, 3):
        story.respond("ch-1", iso(d("2024-01-08") + timedelta(weeks=weeks)))

    [flag] = flags(story, "2024-06-10", "suppressed_challenge", "stalled")
    assert (flag.status, flag.severity) == ("open", "high")


def test_a_challenge_answered_once_and_left_open_for_twenty_months_is_flagged() -> None:
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2023-02-06")
    story.respond("ch-1", "2023-02-17")

    [flag] = flags(story, "2024-10-07", "suppressed_challenge", "stalled")
    assert (flag.status, flag.severity) == ("open", "high")
    assert flag.details["working_days"] > 400


def test_a_recommendation_that_lapses_is_flagged() -> None:
    story = with_child()
    story.recommend("c1", "rec-1", "2024-03-01", due="2024-05-01")

    assert flags(story, "2024-05-01", "recommendation_not_followed") == []
    [flag] = flags(story, "2024-06-03", "recommendation_not_followed", "lapsed")
    assert (flag.raised_on, flag.subjects["case_id"]) == (d("2024-05-02"), "c1")


def test_a_recommendation_recorded_as_lapsed_is_flagged() -> None:
    story = with_child()
    story.recommend("c1", "rec-1", "2024-03-01", due="2024-06-01")
    story.recommendation_outcome("c1", "rec-1", "lapsed", "2024-04-02")

    [flag] = flags(story, "2024-06-03", "recommendation_not_followed", "lapsed")
    assert flag.raised_on == d("2024-04-02")


def test_the_post_18_plan_recommended_three_times_over_is_flagged() -> None:
    # 001, Mary: a year before her 18th birthday there was still no plan for where she would
    # live, though it had been raised at more than one review.
    story = with_child()
    story.recommend("c1", "rec-1", "2023-06-05", due="2023-09-01")
    story.recommend("c1", "rec-2", "2023-12-04", due="2024-03-01", repeats="rec-1")
    story.recommend("c1", "rec-3", "2024-06-03", due="2024-09-02", repeats="rec-2")

    [flag] = flags(story, "2024-06-03", "recommendation_not_followed", "repeated")
    assert (flag.severity, flag.details["times_made"]) == ("high", 3)
    assert flag.details["recommendation_ids"] == ["rec-1", "rec-2", "rec-3"]


def test_a_review_the_iro_required_and_never_held_is_flagged() -> None:
    story = with_child()
    story.review("c1", "2023-02-20")
    story.require_review("c1", "iro-kit", "2023-04-03", hold_by="2023-04-17")

    [flag] = flags(story, "2023-05-01", "review_overdue", "required")
    assert (flag.raised_on, flag.severity) == (d("2023-04-18"), "high")


def test_a_challenge_to_a_case_closed_on_false_information_is_judged_like_any_other() -> None:
    # 001, Roy: a case closed on a manager's word that his mother had agreed to his return.
    story = with_child()
    story.close("c1", "2024-03-01")
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-05", about="case_closure")

    [stalled] = flags(story, "2024-06-03", "suppressed_challenge", "stalled")
    assert stalled.subjects["challenge_id"] == "ch-1"
    assert flags(story, "2024-06-03", "suppressed_challenge", "closed_without_outcome") == []


def test_the_high_court_route_stops_the_local_clock_and_the_unconsulted_move_is_flagged() -> None:
    # 001, the second Peter: a permanent move decided without assessment, review, or
    # consulting the child; Cafcass sided with the authority; his carers, as litigation
    # friend, obtained a High Court order restraining the move.
    story = with_child()
    story.decide("c1", "dec-1", "2024-12-02", child_consulted=False, iro_consulted=False,
                 parents_consulted=False, distance_miles=15)
    story.challenge("ch-1", "c1", "iro-kit", "2024-12-03", about="dec-1")
    story.refer_to_cafcass("ch-1", "2024-12-09")
    story.legal_step("ch-1", "legal_advice", "2024-12-11")
    story.legal_step("ch-1", "court_application", "2024-12-13")
    story.legal_step("ch-1", "court_order", "2024-12-18")

    assert flags(story, "2025-03-03", "suppressed_challenge", "stalled") == []
    [flag] = flags(story, "2025-03-03", "decision_without_consultation")
    assert (flag.severity, flag.subjects["case_id"]) == ("high", "c1")
    assert flag.details["not_consulted"] == ["child", "IRO", "parents"]


# Plans and children's voices


def test_a_move_of_100_miles_announced_at_review_without_consulting_the_child_is_flagged() -> None:
    # 001, Linda: told at her review that she would move 100 miles, leaving school and CAMHS.
    story = with_child()
    story.decide("c1", "dec-1", "2024-04-15", child_consulted=False, iro_consulted=True,
                 distance_miles=100)

    [flag] = flags(story, "2024-12-31", "decision_without_consultation")
    assert flag.severity == "high"
    assert (flag.details["not_consulted"], flag.details["distance_miles"]) == (["child"], 100)


def test_a_decision_made_without_consulting_the_iro_is_flagged() -> None:
    # 001, Sally: senior management reversed staying put, agreed at two reviews.
    story = with_child()
    story.decide("c1", "dec-1", "2024-04-15", kind="leaving_care", iro_consulted=False,
                 child_consulted=False)

    [flag] = flags(story, "2024-12-31", "decision_without_consultation")
    assert flag.details["not_consulted"] == ["child", "IRO"]


def test_seven_placement_breakdowns_in_nine_months_are_one_instability_flag() -> None:
    # 001, Simon: seven placement breakdowns within nine months.
    story = with_child(entered="2024-01-08")
    for n in range(7):
        story.revise_plan("c1", iso(d("2024-01-29") + timedelta(weeks=5 * n)), emergency=True)

    assert flags(story, "2024-12-31", "plan_changed_without_review") == []
    [flag] = flags(story, "2024-12-31", "placement_instability")
    assert (flag.severity, flag.details["placements"]) == ("high", 8)


def test_an_emergency_move_is_not_flagged_as_a_plan_changed_without_review() -> None:
    story = with_child(entered="2024-01-08")
    story.revise_plan("c1", "2024-03-04", emergency=True)

    assert flags(story, "2024-12-31", "plan_changed_without_review") == []


def test_a_review_chaired_by_a_social_worker_does_not_count() -> None:
    story = staffed(since="2023-01-02")
    story.officer("sw-dee", role="social_worker")
    story.case("c1", "2024-01-08", iro="iro-kit")
    story.review("c1", "2024-01-22", chair="sw-dee")

    [flag] = flags(story, "2024-03-01", "review_overdue")
    assert flag.details["review_number"] == 1
    assert flag.status == "open"


def test_a_review_chaired_by_an_iro_whose_engagement_had_ended_does_not_count() -> None:
    story = with_child(entered="2024-01-08")
    story.officer("iro-ex", on="2023-01-02")
    story.end_engagement("iro-ex", "resigned", "2024-01-05")
    story.review("c1", "2024-01-22", chair="iro-ex")

    [flag] = flags(story, "2024-03-01", "review_overdue")
    assert flag.status == "open"


def test_caseload_is_judged_per_full_time_iro() -> None:
    story = staffed(since="2023-01-02")
    story.officer("iro-pat", fte=0.5)
    for n in range(40):
        story.case(f"c{n}", "2024-01-08", iro="iro-pat")

    [flag] = flags(story, "2024-02-01", "caseload_excess")
    assert (flag.details["fte"], flag.details["per_fte"]) == (0.5, 80)


def test_a_child_in_short_breaks_is_reviewed_on_the_regulation_48_schedule() -> None:
    story = with_child(entered="2024-01-08")
    story.review("c1", "2024-01-26")
    story.case("sb1", "2024-01-08", iro="iro-kit", short_breaks=True)
    story.review("sb1", "2024-03-25")
    story.review("sb1", "2024-09-20")
    story.review("c1", "2024-04-19")
    story.review("c1", "2024-10-11")

    assert story.flags("2024-10-31", "review_overdue") == []


def test_a_child_in_short_breaks_not_reviewed_within_three_months_is_flagged() -> None:
    story = with_child(entered="2024-01-08")
    story.case("sb1", "2024-01-08", iro="iro-kit", short_breaks=True)

    assert [f.subjects["case_id"] for f in story.flags("2024-04-08", "review_overdue")
            if f.subjects["case_id"] == "sb1"] == []
    [flag] = [f for f in story.flags("2024-04-09", "review_overdue")
              if f.subjects["case_id"] == "sb1"]
    assert flag.details["due_on"] == "2024-04-08"


def test_a_child_in_care_long_before_the_record_began_is_judged_only_from_then() -> None:
    # The "2,231 days late": a return's first review is not the child's first ever.
    story = staffed(since="2017-01-02")
    story.case("c1", "2017-03-06", on="2023-04-01", iro="iro-kit")
    story.review("c1", "2023-05-10")
    assert story.flags("2023-10-31", "review_overdue") == []
    [late] = story.flags("2024-12-31", "review_overdue")
    assert late.details["due_on"] == "2023-11-10"


# Told by another hand: the same stories through other doors, dates at the edges of windows


def test_a_threat_on_the_same_date_a_year_after_a_challenge_is_flagged() -> None:
    # Twelve months on, across a 29 February: 366 days. The lookback is at least 12 months.
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-01-10")
    story.resolve("ch-1", "2024-01-24")
    story.discipline("iro-kit", "threatened", "2025-01-10", actor="dir-moss")

    [flag] = flags(story, "2025-12-31", "disciplinary_after_challenge")
    assert flag.details["days_after_dispute"] == 366


@pytest.mark.parametrize("raised_in", ["meeting", "supervision"])
def test_a_threat_seven_months_after_a_concern_raised_in_a_meeting_is_flagged(
        raised_in: str) -> None:
    story = with_child()
    story.concern("con-1", "iro-kit", "2024-01-10", raised_in=raised_in)
    story.discipline("iro-kit", "threatened", "2024-08-12", actor="dir-moss")

    [flag] = flags(story, "2024-12-31", "disciplinary_after_challenge")
    assert flag.subjects["concern_id"] == "con-1"


def test_a_threat_recorded_as_about_a_concern_raised_long_before_is_flagged() -> None:
    # She said in the review minutes she would challenge; the threat came more than a year on.
    story = with_child()
    story.concern("con-1", "iro-kit", "2023-03-01", case="c1")
    story.discipline("iro-kit", "threatened", "2024-04-10", actor="dir-moss",
                     about=("concern:con-1",))

    [flag] = flags(story, "2024-12-31", "disciplinary_after_challenge")
    assert flag.subjects["concern_id"] == "con-1"


def test_a_contract_ended_and_recorded_as_about_the_childs_case_is_flagged() -> None:
    story = staffed(since="2023-01-02")
    story.officer("iro-fin", employment="freelance")
    story.case("c1", "2023-02-01", iro="iro-fin")
    story.end_engagement("iro-fin", "contract_terminated", "2024-04-10", about=("case:c1",))

    [flag] = flags(story, "2024-12-31", "engagement_ended_after_dispute")
    assert flag.subjects["case_id"] == "c1"


def test_the_directors_demand_recorded_as_an_instruction_joins_the_deleted_post_to_it() -> None:
    # The same story as the IRO manager's, the director's demand recorded as an instruction to
    # edit the report rather than as an edit request on it.
    story = staffed(since="2023-01-02")
    story.draft_report("rep-1", "irom-ola", "2024-01-15", content="as written")
    story.instruct("in-1", "edit_report", ["irom-ola"], "2024-02-01", actor="dir-moss")
    story.submit_report("rep-1", "2024-02-20", content="as written", actor="irom-ola")
    story.end_engagement("irom-ola", "post_deleted", "2024-11-18")

    [ending] = flags(story, "2024-12-31", "engagement_ended_after_dispute")
    assert (ending.subjects["instruction_id"], ending.details["instruction_ids"]) == (
        "in-1", ["in-1"])
    assert [step["what"] for step in ending.details["episode"]] == [
        "Instruction.Recorded", "AnnualReport.Submitted", "Officer.EngagementEnded"]
    story.record_last("instruction", "in-1")  # her account of the demand, recorded later
    [late] = flags(story, "2024-12-31", "engagement_ended_after_dispute")
    assert (late.id, late.subjects, late.raised_on) == (ending.id, ending.subjects,
                                                        ending.raised_on)


def test_an_instruction_to_edit_the_report_from_the_iro_service_itself_is_no_dispute() -> None:
    story = staffed(since="2023-01-02")
    story.draft_report("rep-1", "iro-kit", "2024-01-15", content="as written")
    story.instruct("in-1", "edit_report", ["iro-kit"], "2024-02-01", actor="irom-ola")
    story.discipline("iro-kit", "threatened", "2024-06-03", actor="dir-moss")
    story.end_engagement("iro-kit", "redundancy", "2024-11-18")
    assert flags(story, "2024-12-31", "engagement_ended_after_dispute") == []
    assert flags(story, "2024-12-31", "disciplinary_after_challenge") == []


def test_the_director_editing_the_report_himself_then_the_managers_redundancy_is_one_episode(
        ) -> None:
    # 000: the DCS "wanted to edit/suppress the report"; here he edits it himself, she
    # submits her own text, and she later has to take redundancy.
    story = staffed(since="2023-01-02")
    story.draft_report("rep-1", "irom-ola", "2024-01-15", content="as written")
    story.revise_report("rep-1", "2024-02-01", actor="dir-moss", content="softened")
    story.submit_report("rep-1", "2024-02-20", content="as written", actor="irom-ola")
    story.end_engagement("irom-ola", "redundancy", "2024-11-18")

    [edited] = flags(story, "2024-12-31", "report_interference")
    assert (edited.details["pattern"], edited.status) == ("edited", "cleared")
    [ending] = flags(story, "2024-12-31", "engagement_ended_after_dispute")
    assert ending.subjects["report_id"] == "rep-1"
    assert [step["what"] for step in ending.details["episode"]] == [
        "AnnualReport.Revised", "AnnualReport.Submitted", "Officer.EngagementEnded"]


def test_the_iro_manager_threatened_months_after_refusing_the_directors_edit_is_flagged(
        ) -> None:
    # The same story with a threat in place of the ending.
    story = staffed(since="2023-01-02")
    story.draft_report("rep-1", "irom-ola", "2024-01-15", content="as written")
    story.request_edit("rep-1", "2024-02-01", actor="dir-moss")
    story.submit_report("rep-1", "2024-02-20", content="as written", actor="irom-ola")
    story.discipline("irom-ola", "threatened", "2024-06-17", actor="dir-moss")

    [flag] = flags(story, "2024-12-31", "disciplinary_after_challenge")
    assert (flag.subjects["report_id"], flag.details["report_ids"]) == ("rep-1", ["rep-1"])
    assert [step["what"] for step in flag.details["episode"]] == [
        "AnnualReport.EditRequested", "AnnualReport.Submitted",
        "Officer.DisciplinaryActionRecorded"]


def test_the_iro_manager_threatened_after_an_instruction_to_edit_the_report_is_flagged() -> None:
    story = staffed(since="2023-01-02")
    story.draft_report("rep-1", "irom-ola", "2024-01-15", content="as written")
    story.instruct("in-1", "edit_report", ["irom-ola"], "2024-02-01", actor="dir-moss")
    story.submit_report("rep-1", "2024-02-20", content="as written", actor="irom-ola")
    story.discipline("irom-ola", "threatened", "2024-06-17", actor="dir-moss")

    [flag] = flags(story, "2024-12-31", "disciplinary_after_challenge")
    assert (flag.subjects["instruction_id"], flag.details["instruction_ids"]) == (
        "in-1", ["in-1"])
    assert "instruction to edit the annual report in-1" in flag.explanation
    story.record_last("instruction", "in-1")
    [late] = flags(story, "2024-12-31", "disciplinary_after_challenge")
    assert (late.id, late.subjects) == (flag.id, flag.subjects)


@pytest.mark.parametrize("act", ["post_deleted", "threatened"])
def test_an_act_against_the_iro_manager_a_year_after_the_edit_but_soon_after_her_refusal_is_flagged(
        act: str) -> None:
    # "Nine months later" counted from her refusal: the director asked in January, she sent
    # the report as written in March, her post went (or the threat came) the next February.
    story = staffed(since="2022-06-01")
    story.draft_report("rep-1", "irom-ola", "2022-12-01", content="as written")
    story.request_edit("rep-1", "2023-01-10", actor="dir-moss")
    story.submit_report("rep-1", "2023-03-01", content="as written", actor="irom-ola")
    if act == "post_deleted":
        story.end_engagement("irom-ola", "post_deleted", "2024-02-05")
        rule = "engagement_ended_after_dispute"
    else:
        story.discipline("irom-ola", "threatened", "2024-02-05", actor="dir-moss")
        rule = "disciplinary_after_challenge"

    [flag] = flags(story, "2024-12-31", rule)
    assert flag.subjects["report_id"] == "rep-1"
    assert [step["what"] for step in flag.details["episode"]][:2] == [
        "AnnualReport.EditRequested", "AnnualReport.Submitted"]


def test_the_director_suppressing_the_report_then_the_managers_redundancy_is_flagged() -> None:
    story = staffed(since="2023-01-02")
    story.draft_report("rep-1", "irom-ola", "2024-01-15", content="as written")
    story.withhold_report("rep-1", "2024-02-01")
    story.submit_report("rep-1", "2024-03-04", content="as written", actor="irom-ola")
    story.end_engagement("irom-ola", "redundancy", "2024-12-02")

    [ending] = flags(story, "2024-12-31", "engagement_ended_after_dispute")
    assert ending.subjects["report_id"] == "rep-1"


def test_a_dispute_of_37_working_days_pressed_only_by_escalations_is_flagged() -> None:
    story = with_child()
    raised = d("2024-03-04")
    story.challenge("ch-1", "c1", "iro-kit", iso(raised))
    for days, stage in ((10, "stage_1"), (19, "stage_2"), (30, "director")):
        story.escalate("ch-1", stage, iso(CALENDAR.add_working_days(raised, days)))
    story.resolve("ch-1", iso(CALENDAR.add_working_days(raised, 37)), outcome="not_upheld")

    [flag] = flags(story, "2024-12-31", "suppressed_challenge", "stalled")
    assert (flag.details["working_days"], flag.status) == (37, "cleared")


@pytest.mark.parametrize(("days", "stalled"), [(20, False), (21, True)])
def test_a_dispute_is_stalled_from_its_21st_working_day_in_total(days: int,
                                                                  stalled: bool) -> None:
    story = with_child()
    raised = d("2024-03-04")
    story.challenge("ch-1", "c1", "iro-kit", iso(raised))
    story.respond("ch-1", iso(CALENDAR.add_working_days(raised, 3)))
    story.resolve("ch-1", iso(CALENDAR.add_working_days(raised, days)))
    assert bool(flags(story, "2024-12-31", "suppressed_challenge", "stalled")) is stalled


def test_holding_replies_from_the_director_and_an_escalation_do_not_stop_the_clock() -> None:
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-01-08")
    story.respond("ch-1", "2024-01-29", actor="dir-moss")
    story.escalate("ch-1", "stage_1", "2024-02-05")
    for weeks in range(6, 22, 3):
        story.respond("ch-1", iso(d("2024-01-08") + timedelta(weeks=weeks)), actor="dir-moss")

    [flag] = flags(story, "2024-06-10", "suppressed_challenge", "stalled")
    assert (flag.status, flag.severity) == ("open", "high")
    assert flag.details["responses"] == 7


def test_a_challenge_to_a_closure_escalated_and_left_unanswered_is_stalled() -> None:
    story = with_child()
    story.close("c1", "2024-03-01")
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-05", about="case_closure")
    story.escalate("ch-1", "stage_1", "2024-03-20")

    [flag] = flags(story, "2024-07-01", "suppressed_challenge", "stalled")
    assert (flag.status, flag.severity) == ("open", "high")


def test_a_judicial_review_letter_leaves_the_local_clock_running() -> None:
    # A pre-action letter asks the authority to answer: until it does, or a court application
    # is made, the dispute is still the authority's to resolve.
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-04")
    story.legal_step("ch-1", "judicial_review_letter", "2024-03-20", taken_by="child")

    [flag] = flags(story, "2024-06-30", "suppressed_challenge", "stalled")
    assert flag.status == "open"
    story.legal_step("ch-1", "court_application", "2024-07-01", taken_by="child")
    [flag] = flags(story, "2024-07-31", "suppressed_challenge", "stalled")
    assert (flag.status, flag.cleared_on) == ("cleared", d("2024-07-01"))


def test_a_recommendation_recorded_as_lapsed_after_its_due_day_is_flagged_from_that_day(
        ) -> None:
    story = with_child()
    story.recommend("c1", "rec-1", "2024-03-01", due="2024-05-01")
    story.recommendation_outcome("c1", "rec-1", "lapsed", "2024-06-10")

    [flag] = flags(story, "2024-06-30", "recommendation_not_followed", "lapsed")
    assert flag.raised_on == d("2024-05-02")


def test_the_post_18_plan_declined_then_lapsed_then_made_a_third_time_is_flagged() -> None:
    story = with_child()
    story.recommend("c1", "rec-1", "2023-06-05", due="2023-09-01")
    story.recommendation_outcome("c1", "rec-1", "declined", "2023-07-03")
    story.recommend("c1", "rec-2", "2023-12-04", due="2024-03-01", repeats="rec-1")
    story.recommendation_outcome("c1", "rec-2", "lapsed", "2024-03-04")
    story.recommend("c1", "rec-3", "2024-06-03", due="2024-09-02", repeats="rec-2")

    [flag] = flags(story, "2024-06-03", "recommendation_not_followed", "repeated")
    assert flag.details["times_made"] == 3


@pytest.mark.parametrize("held", ["late, by the IRO", "in time, by a social worker"])
def test_a_review_the_iro_required_not_held_in_time_by_an_iro_is_flagged(held: str) -> None:
    story = with_child()
    story.officer("sw-dee", role="social_worker")
    story.review("c1", "2023-02-20")
    story.require_review("c1", "iro-kit", "2023-04-03", hold_by="2023-04-17")
    if held == "late, by the IRO":
        story.review("c1", "2023-05-10")
    else:
        story.review("c1", "2023-04-10", chair="sw-dee")

    [flag] = flags(story, "2023-06-01", "review_overdue", "required")
    assert flag.raised_on == d("2023-04-18")


def test_a_move_of_100_miles_recorded_as_a_plan_revision_without_the_child_is_flagged() -> None:
    # The same story as Linda's, told as the plan's revision at the review, not a decision.
    story = with_child()
    story.review("c1", "2024-04-15")
    story.revise_plan("c1", "2024-04-15", via_review=True, iro_consulted=True,
                      child_consulted=False)

    [flag] = flags(story, "2024-12-31", "decision_without_consultation")
    assert (flag.severity, flag.details["not_consulted"]) == ("high", ["child"])


def test_a_far_move_of_any_kind_made_without_the_child_is_high() -> None:
    story = with_child()
    story.decide("c1", "dec-1", "2024-04-15", kind="other", child_consulted=False,
                 distance_miles=100)

    [flag] = flags(story, "2024-12-31", "decision_without_consultation")
    assert flag.severity == "high"


def test_seven_moves_in_nine_months_some_in_emergency_some_at_review_are_instability() -> None:
    story = with_child(entered="2024-01-08")
    moves = ["2024-02-01", "2024-03-11", "2024-04-22", "2024-05-30", "2024-07-01",
             "2024-08-15", "2024-10-07"]
    for n, day in enumerate(moves):
        at_review = n % 2 == 1
        if at_review:
            story.review("c1", day)
        story.revise_plan("c1", day, emergency=not at_review, via_review=at_review,
                          iro_consulted=at_review)

    assert flags(story, "2024-12-31", "plan_changed_without_review") == []
    [flag] = flags(story, "2024-12-31", "placement_instability")
    assert (flag.severity, flag.details["placements"], flag.details["emergency_moves"]) == (
        "high", 8, 4)


def test_seven_moves_known_only_from_the_return_are_one_instability_flag() -> None:
    story = with_child(entered="2024-01-08")
    for n in range(7):
        day = iso(d("2024-01-29") + timedelta(weeks=5 * n))
        story.cases["c1"].revise_care_plan("placement_move", "RNE P", False, False,
                                           story.stamp(day, source="import"))
        story.events.extend(story.cases["c1"].collect_events())

    [flag] = flags(story, "2024-12-31", "placement_instability")
    assert (flag.severity, flag.details["placements"]) == ("high", 8)


def test_a_later_review_chaired_by_a_social_worker_does_not_count() -> None:
    story = staffed(since="2023-01-02")
    story.officer("sw-dee", role="social_worker")
    story.case("c1", "2024-01-08", iro="iro-kit")
    story.review("c1", "2024-01-22")
    story.review("c1", "2024-04-01", chair="sw-dee")

    [flag] = flags(story, "2024-05-01", "review_overdue")
    assert (flag.details["review_number"], flag.status) == (2, "open")


def test_a_review_chaired_by_the_iro_after_her_contract_ended_does_not_count() -> None:
    story = with_child(entered="2024-01-08")
    story.review("c1", "2024-01-22")
    story.end_engagement("iro-kit", "contract_terminated", "2024-02-01")
    story.review("c1", "2024-04-01", chair="iro-kit")

    [flag] = flags(story, "2024-05-01", "review_overdue")
    assert flag.details["review_number"] == 2


def test_caseload_is_judged_per_full_time_iro_when_hours_are_recorded_later() -> None:
    story = staffed(since="2023-01-02")
    story.officer("iro-pat")
    story.record_fte("iro-pat", 0.5, "2024-01-02")
    for n in range(36):
        story.case(f"c{n}", "2024-01-08", iro="iro-pat")

    [flag] = flags(story, "2024-02-01", "caseload_excess")
    assert (flag.details["fte"], flag.details["per_fte"]) == (0.5, 72)


def test_short_breaks_recorded_after_the_case_opened_put_it_on_the_regulation_48_schedule(
        ) -> None:
    story = with_child(entered="2024-01-08")
    story.case("sb1", "2024-01-08", iro="iro-kit")
    story.short_breaks("sb1", True, "2024-01-08")
    story.review("sb1", "2024-03-25")
    story.review("sb1", "2024-09-20")

    assert [f for f in story.flags("2024-10-31", "review_overdue")
            if f.subjects["case_id"] == "sb1"] == []


def test_a_child_in_care_before_the_return_with_no_review_in_it_is_due_one_six_months_on(
        ) -> None:
    story = staffed(since="2017-01-02")
    story.source_period("2023-04-01", "2024-03-31", "2024-05-01")
    story.case("c1", "2017-03-06", on="2023-04-01", iro="iro-kit", source="import")

    [flag] = story.flags("2024-12-31", "review_overdue")
    assert (flag.details["due_on"], flag.details["days_late"]) == ("2023-10-01", 182)


# Healthy controls: the same kinds of history, handled well, raise nothing.


def healthy(story: Story, as_of: str) -> list[Flag]:
    return story.flags(as_of)


def test_a_concern_answered_and_no_threat_raises_nothing() -> None:
    story = with_child(entered="2024-01-08")
    story.review("c1", "2024-01-26")
    story.concern("con-1", "iro-kit", "2024-02-01", case="c1", raised_in="email")
    assert healthy(story, "2024-04-01") == []


def test_a_dispute_resolved_at_stage_1_within_twenty_working_days_raises_nothing() -> None:
    # 001, Ashley: the dispute failed at stage 1; at stage 2 the manager agreed staying put.
    story = with_child(entered="2024-01-08")
    story.review("c1", "2024-01-26")
    raised = d("2024-02-05")
    story.challenge("ch-1", "c1", "iro-kit", iso(raised))
    story.respond("ch-1", iso(CALENDAR.add_working_days(raised, 5)))
    story.escalate("ch-1", "stage_2", iso(CALENDAR.add_working_days(raised, 7)))
    story.resolve("ch-1", iso(CALENDAR.add_working_days(raised, 18)))
    assert healthy(story, "2024-04-01") == []


def test_a_recommendation_completed_on_time_raises_nothing() -> None:
    story = with_child(entered="2024-01-08")
    story.review("c1", "2024-01-26")
    story.recommend("c1", "rec-1", "2024-01-26", due="2024-03-01")
    story.recommendation_outcome("c1", "rec-1", "completed", "2024-02-20")
    assert healthy(story, "2024-04-01") == []


def test_a_move_decided_with_the_child_and_iro_consulted_raises_nothing() -> None:
    story = with_child(entered="2024-01-08")
    story.review("c1", "2024-01-26")
    story.decide("c1", "dec-1", "2024-01-26", child_consulted=True, iro_consulted=True,
                 parents_consulted=True, distance_miles=4)
    story.revise_plan("c1", "2024-01-26", via_review=True, iro_consulted=True,
                      child_consulted=True)
    assert healthy(story, "2024-04-01") == []


def test_one_planned_move_in_a_year_raises_nothing() -> None:
    story = with_child(entered="2024-01-08")
    story.review("c1", "2024-01-26")
    story.revise_plan("c1", "2024-01-26", via_review=True, iro_consulted=True)
    assert healthy(story, "2024-04-01") == []


def test_a_part_time_iro_within_the_range_raises_nothing() -> None:
    story = staffed(since="2023-01-02")
    story.officer("iro-pat", fte=0.5)
    for n in range(30):
        story.case(f"c{n}", "2024-01-08", iro="iro-pat")
        story.review(f"c{n}", "2024-01-26", chair="iro-pat")
    assert healthy(story, "2024-03-01") == []


def test_a_threat_more_than_a_year_after_an_unlinked_challenge_raises_nothing() -> None:
    story = with_child(entered="2023-01-09")
    story.review("c1", "2023-01-27")
    story.challenge("ch-1", "c1", "iro-kit", "2023-02-06")
    story.resolve("ch-1", "2023-02-20")
    story.review("c1", "2023-04-24")
    story.review("c1", "2023-10-16")
    story.review("c1", "2024-04-08")
    story.discipline("iro-kit", "threatened", "2024-03-11", actor="dir-moss")
    assert flags(story, "2024-05-01", "disciplinary_after_challenge") == []


def test_a_threat_more_than_a_year_after_the_report_was_sent_as_written_raises_nothing() -> None:
    story = staffed(since="2023-01-02")
    story.draft_report("rep-1", "irom-ola", "2023-01-16", content="as written")
    story.request_edit("rep-1", "2023-02-01", actor="dir-moss")
    story.submit_report("rep-1", "2023-02-20", content="as written", actor="irom-ola")
    story.discipline("irom-ola", "threatened", "2024-03-04", actor="dir-moss")
    assert flags(story, "2024-12-31", "disciplinary_after_challenge") == []


def test_a_post_deleted_more_than_a_year_after_the_report_was_sent_as_written_raises_nothing(
        ) -> None:
    story = staffed(since="2022-06-01")
    story.draft_report("rep-1", "irom-ola", "2022-12-01", content="as written")
    story.request_edit("rep-1", "2023-01-10", actor="dir-moss")
    story.submit_report("rep-1", "2023-03-01", content="as written", actor="irom-ola")
    story.end_engagement("irom-ola", "post_deleted", "2024-03-04")
    assert flags(story, "2024-12-31", "engagement_ended_after_dispute") == []


def test_a_report_sent_as_written_with_no_one_interfering_is_no_dispute() -> None:
    story = staffed(since="2023-01-02")
    story.draft_report("rep-1", "irom-ola", "2024-01-15", content="as written")
    story.submit_report("rep-1", "2024-02-20", content="as written", actor="irom-ola")
    story.discipline("irom-ola", "threatened", "2024-04-01", actor="dir-moss")
    story.end_engagement("irom-ola", "post_deleted", "2024-11-18")
    assert healthy(story, "2024-12-31") == []


@pytest.mark.parametrize("how", ["resigned", "retired"])
def test_an_iro_leaving_of_their_own_accord_after_a_challenge_raises_nothing(how: str) -> None:
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-02-05")
    story.resolve("ch-1", "2024-02-19")
    story.end_engagement("iro-kit", how, "2024-06-03")
    assert flags(story, "2024-12-31", "engagement_ended_after_dispute") == []


def test_a_case_moved_to_another_iro_months_after_a_concern_raises_nothing() -> None:
    story = with_child(entered="2023-01-09")
    story.review("c1", "2023-01-27")
    story.concern("con-1", "iro-kit", "2023-02-06", case="c1", raised_in="email")
    story.review("c1", "2023-04-24")
    story.assign("c1", "iro-lee", "2023-07-03")
    story.review("c1", "2023-10-16", chair="iro-lee")
    assert healthy(story, "2023-12-01") == []


def test_an_instruction_withdrawn_within_days_and_the_challenge_escalated_raises_nothing(
        ) -> None:
    story = with_child(entered="2024-01-08")
    story.review("c1", "2024-01-26")
    raised = d("2024-02-05")
    story.challenge("ch-1", "c1", "iro-kit", iso(raised))
    story.instruct("in-1", "do_not_escalate", ["iro-kit"], iso(raised + timedelta(days=1)))
    story.rescind("in-1", iso(raised + timedelta(days=3)), actor="dir-moss")
    story.escalate("ch-1", "stage_1", iso(CALENDAR.add_working_days(raised, 4)))
    story.resolve("ch-1", iso(CALENDAR.add_working_days(raised, 12)), outcome="not_upheld")
    story.review("c1", "2024-04-22")
    assert healthy(story, "2024-06-01") == []


def test_a_challenge_pressed_and_resolved_then_no_act_against_the_iro_raises_nothing() -> None:
    story = with_child(entered="2024-01-08")
    story.review("c1", "2024-01-26")
    raised = d("2024-02-05")
    story.challenge("ch-1", "c1", "iro-kit", iso(raised))
    story.escalate("ch-1", "director", iso(CALENDAR.add_working_days(raised, 4)))
    story.resolve("ch-1", iso(CALENDAR.add_working_days(raised, 12)), outcome="upheld")
    story.review("c1", "2024-04-22")
    assert healthy(story, "2024-06-01") == []
