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
