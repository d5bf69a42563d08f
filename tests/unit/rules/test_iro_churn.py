from tests.unit.rules.story import Story, d, staffed


def in_care() -> Story:
    story = staffed()
    story.officer("iro-max")
    story.officer("iro-nia")
    story.case("c1", "2023-02-01", iro="iro-kit")
    return story


def test_third_iro_within_twelve_months_is_flagged() -> None:
    story = in_care()
    story.assign("c1", "iro-lee", "2023-06-01")
    story.assign("c1", "iro-max", "2023-11-01")
    [flag] = story.flags("2023-12-31", "iro_churn")
    assert (flag.severity, flag.status, flag.raised_on) == ("warning", "open", d("2023-11-01"))
    assert flag.subjects == {"case_id": "c1"}
    assert flag.details["iros"] == ["iro-kit", "iro-lee", "iro-max"]
    assert len(flag.evidence) == 3


def test_third_iro_twelve_months_after_the_second_arrived_is_not_flagged() -> None:
    story = in_care()
    story.assign("c1", "iro-lee", "2023-06-01")
    story.assign("c1", "iro-max", "2024-06-01")
    assert story.flags("2024-12-31", "iro_churn") == []


def test_third_iro_a_day_inside_the_twelve_months_is_flagged() -> None:
    story = in_care()
    story.assign("c1", "iro-lee", "2023-06-01")
    story.assign("c1", "iro-max", "2024-05-31")
    assert len(story.flags("2024-12-31", "iro_churn")) == 1


def test_a_fourth_iro_joins_the_same_flag_and_makes_it_high() -> None:
    story = in_care()
    story.assign("c1", "iro-lee", "2023-06-01")
    story.assign("c1", "iro-max", "2023-11-01")
    story.assign("c1", "iro-nia", "2023-12-01")
    [flag] = story.flags("2023-12-31", "iro_churn")
    assert flag.severity == "high"
    assert flag.raised_on == d("2023-11-01")
    assert len(flag.evidence) == 4


def test_churn_is_judged_as_of_the_day_asked_about() -> None:
    story = in_care()
    story.assign("c1", "iro-lee", "2023-06-01")
    story.assign("c1", "iro-max", "2023-11-01")
    story.assign("c1", "iro-nia", "2023-12-01")
    assert story.flags("2023-10-31", "iro_churn") == []
    [before_the_fourth] = story.flags("2023-11-30", "iro_churn")
    assert before_the_fourth.severity == "warning" and len(before_the_fourth.evidence) == 3


def test_a_new_bout_of_churn_after_a_settled_year_is_a_new_flag() -> None:
    story = in_care()
    story.assign("c1", "iro-lee", "2023-03-01")
    story.assign("c1", "iro-max", "2023-04-01")
    story.assign("c1", "iro-nia", "2024-06-01")
    story.assign("c1", "iro-kit", "2024-07-01")
    flags = story.flags("2024-12-31", "iro_churn")
    assert [f.raised_on for f in flags] == [d("2023-04-01"), d("2024-07-01")]
    assert len({f.id for f in flags}) == 2
