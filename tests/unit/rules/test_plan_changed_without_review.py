from tests.unit.rules.story import Story, d, staffed


def in_care() -> Story:
    story = staffed()
    story.case("c1", "2023-02-01", iro="iro-kit")
    return story


def test_placement_move_without_review_or_iro_is_high() -> None:
    story = in_care()
    story.revise_plan("c1", "2023-04-03", change="placement_move")
    [flag] = story.flags("2023-04-30", "plan_changed_without_review")
    assert (flag.severity, flag.status, flag.raised_on) == ("high", "open", d("2023-04-03"))
    assert flag.subjects == {"case_id": "c1", "officer_id": "iro-kit"}
    assert "without a review and without the IRO being consulted" in flag.explanation


def test_other_change_without_the_iro_is_a_warning_and_with_the_iro_is_info() -> None:
    story = in_care()
    story.revise_plan("c1", "2023-04-03", change="contact", iro_consulted=False)
    story.revise_plan("c1", "2023-04-10", change="education", iro_consulted=True)
    flags = story.flags("2023-04-30", "plan_changed_without_review")
    assert [f.severity for f in flags] == ["warning", "info"]


def test_plan_changed_through_a_review_with_the_iro_is_not_flagged() -> None:
    story = in_care()
    story.revise_plan("c1", "2023-04-03", via_review=True, iro_consulted=True)
    assert story.flags("2023-04-30", "plan_changed_without_review") == []


def test_a_review_after_the_change_clears_the_flag() -> None:
    story = in_care()
    story.revise_plan("c1", "2023-04-03")
    story.review("c1", "2023-04-20", chair="iro-kit")
    [flag] = story.flags("2023-12-31", "plan_changed_without_review")
    assert [(h.action, h.on) for h in flag.history] == [
        ("raised", d("2023-04-03")), ("cleared", d("2023-04-20"))]


# Records made late: the rule judges valid time, whatever order the records came in.


def test_a_review_recorded_late_clears_the_flag_from_its_own_date() -> None:
    story = in_care()
    story.revise_plan("c1", "2023-04-03")
    story.review("c1", "2023-06-20", chair="iro-kit")
    story.review("c1", "2023-04-20", chair="iro-kit")
    [flag] = story.flags("2023-12-31", "plan_changed_without_review")
    assert (flag.status, flag.cleared_on) == ("cleared", d("2023-04-20"))
    [before] = story.flags("2023-05-31", "plan_changed_without_review")
    assert before.status == "cleared"


def test_an_assignment_recorded_late_names_the_iro_of_the_day() -> None:
    story = in_care()
    story.revise_plan("c1", "2023-04-03")
    story.assign("c1", "iro-lee", "2023-03-01")
    [flag] = story.flags("2023-04-30", "plan_changed_without_review")
    assert flag.subjects == {"case_id": "c1", "officer_id": "iro-lee"}
    assert "the IRO was iro-lee" in flag.explanation
