from datetime import timedelta

import pytest

from tests.unit.rules.story import Story, d, staffed


def challenged_by_freelancer() -> Story:
    story = staffed()
    story.officer("iro-fen", employment="freelance")
    story.case("c1", "2023-02-01", iro="iro-fen")
    story.challenge("ch-1", "c1", "iro-fen", "2023-03-01")
    story.resolve("ch-1", "2023-03-20")
    return story


def test_freelance_contract_terminated_after_challenges_is_flagged() -> None:
    story = challenged_by_freelancer()
    story.end_engagement("iro-fen", "contract_terminated", "2023-06-30")
    [flag] = story.flags("2023-12-31", "engagement_ended_after_dispute")
    assert (flag.severity, flag.raised_on) == ("high", d("2023-06-30"))
    assert flag.subjects == {"officer_id": "iro-fen", "challenge_id": "ch-1"}
    assert [r.event_type for r in flag.evidence] == ["Challenge.Raised",
                                                     "Officer.EngagementEnded"]
    assert "iro-fen (IRO, freelance)" in flag.explanation
    assert "contract terminated" in flag.explanation


@pytest.mark.parametrize(("days", "flagged"), [(366, True), (367, False)])
def test_engagement_window_is_a_year(days: int, flagged: bool) -> None:
    story = challenged_by_freelancer()
    story.end_engagement("iro-fen", "redundancy",
                         (d("2023-03-01") + timedelta(days=days)).isoformat())
    assert bool(story.flags("2024-12-31", "engagement_ended_after_dispute")) is flagged


def test_resignation_after_a_challenge_is_not_flagged() -> None:
    story = challenged_by_freelancer()
    story.end_engagement("iro-fen", "resigned", "2023-06-30")
    assert story.flags("2023-12-31", "engagement_ended_after_dispute") == []


def test_iro_managers_post_deleted_after_refusing_report_edits_is_flagged() -> None:
    story = staffed()
    story.draft_report("ar-2023", "irom-ola", "2023-05-02")
    story.request_edit("ar-2023", "2023-05-15", actor="dir-moss")
    story.end_engagement("irom-ola", "post_deleted", "2023-09-01")
    [flag] = story.flags("2023-12-31", "engagement_ended_after_dispute")
    assert flag.subjects == {"officer_id": "irom-ola", "report_id": "ar-2023"}
    assert [r.event_type for r in flag.evidence] == [
        "AnnualReport.EditRequested", "Officer.EngagementEnded"]
    assert "annual report ar-2023" in flag.explanation


# Records made late: the rule judges valid time, whatever order the records came in.


def test_report_dispute_recorded_after_the_ending_is_flagged_as_if_recorded_before() -> None:
    story = staffed()
    story.draft_report("ar-2023", "irom-ola", "2023-05-02")
    story.end_engagement("irom-ola", "post_deleted", "2023-09-01")
    assert story.flags("2023-12-31", "engagement_ended_after_dispute") == []
    story.request_edit("ar-2023", "2023-05-15", actor="dir-moss")
    [flag] = story.flags("2023-12-31", "engagement_ended_after_dispute")
    assert (flag.raised_on, flag.subjects) == (
        d("2023-09-01"), {"officer_id": "irom-ola", "report_id": "ar-2023"})
    assert flag.history[0].event is not None
    assert flag.history[0].event.event_type == "Officer.EngagementEnded"


def test_each_report_dispute_counts_on_its_own_date() -> None:
    story = staffed(since="2022-01-04")
    story.draft_report("ar-2022", "irom-ola", "2022-06-01")
    # 367 and 180 days before the ending: the second request is in the window, the first is not.
    story.request_edit("ar-2022", "2022-08-30", actor="dir-moss")
    story.request_edit("ar-2022", "2023-03-05", actor="dir-moss")
    story.end_engagement("irom-ola", "redundancy", "2023-09-01")
    [flag] = story.flags("2023-12-31", "engagement_ended_after_dispute")
    assert flag.details["days_after_dispute"] == 180
    assert [r.occurred_on for r in flag.evidence if r.event_type == "AnnualReport.EditRequested"
            ] == [d("2023-03-05")]


def test_flag_is_withdrawn_when_a_late_draft_shows_the_report_went_as_its_author_wrote_it(
) -> None:
    story = staffed()
    story.draft_report("ar-2023", "irom-ola", "2023-05-02", content="v1")
    story.submit_report("ar-2023", "2023-06-01", content="v2")
    story.end_engagement("irom-ola", "post_deleted", "2023-09-01")
    assert story.flags("2023-12-31", "engagement_ended_after_dispute")
    story.revise_report("ar-2023", "2023-05-20", actor="irom-ola", content="v2")
    assert story.flags("2023-12-31", "engagement_ended_after_dispute") == []
    [flag] = story.flags("2023-12-31", "engagement_ended_after_dispute", withdrawn=True)
    assert flag.history[-1].event is not None
    assert flag.history[-1].event.event_type == "AnnualReport.Revised"
