from tests.unit.rules.story import Story, d, staffed


def drafted() -> Story:
    story = staffed()
    story.draft_report("ar-2023", "irom-ola", "2023-05-02", content="v1")
    return story


def test_director_asking_to_edit_the_annual_report_is_flagged() -> None:
    story = drafted()
    story.request_edit("ar-2023", "2023-05-15", actor="dir-moss")
    [flag] = story.flags("2023-12-31", "report_interference")
    assert (flag.details["pattern"], flag.severity, flag.status) == (
        "edit_requested", "high", "open")
    assert flag.subjects == {"report_id": "ar-2023", "officer_id": "irom-ola"}
    assert "dir-moss (director, employed)" in flag.explanation
    assert [r.event_type for r in flag.evidence] == [
        "AnnualReport.Drafted", "AnnualReport.EditRequested"]


def test_the_iro_service_editing_its_own_report_is_not_flagged() -> None:
    story = drafted()
    story.request_edit("ar-2023", "2023-05-15", actor="irom-ola")
    story.request_edit("ar-2023", "2023-05-16", actor="iro-kit")
    story.revise_report("ar-2023", "2023-05-20", actor="irom-ola", content="v2")
    story.submit_report("ar-2023", "2023-06-01", content="v2")
    assert story.flags("2023-12-31", "report_interference") == []


def test_submitting_a_report_that_differs_from_the_authors_draft_is_critical() -> None:
    story = drafted()
    story.revise_report("ar-2023", "2023-05-20", actor="dir-moss", content="softened")
    story.submit_report("ar-2023", "2023-06-01", content="softened")
    found = {f.details["pattern"]: f for f in story.flags("2023-12-31", "report_interference")}
    assert set(found) == {"edited", "altered_submission"}
    flag = found["altered_submission"]
    assert flag.severity == "critical"
    assert flag.details["to"] == "ofsted"
    edited = found["edited"]
    assert (edited.severity, edited.status, edited.details["edited_by"]) == (
        "high", "open", "dir-moss")


def test_the_director_editing_the_report_is_flagged_until_the_author_submits_her_own() -> None:
    story = drafted()
    story.revise_report("ar-2023", "2023-05-20", actor="dir-moss", content="softened")
    assert [f.details["pattern"] for f in story.flags("2023-05-31", "report_interference")
            ] == ["edited"]
    story.submit_report("ar-2023", "2023-06-01", content="v1", actor="irom-ola")
    [flag] = story.flags("2023-12-31", "report_interference")
    assert (flag.status, flag.cleared_on) == ("cleared", d("2023-06-01"))


def test_submitting_the_authors_draft_clears_the_edit_request() -> None:
    story = drafted()
    story.request_edit("ar-2023", "2023-05-15", actor="dir-moss")
    story.submit_report("ar-2023", "2023-06-01", content="v1")
    [flag] = story.flags("2023-12-31", "report_interference")
    assert flag.status == "cleared"
    assert flag.history[-1].event is not None
    assert flag.history[-1].event.event_type == "AnnualReport.Submitted"


def test_withholding_the_report_is_flagged_until_it_is_submitted() -> None:
    story = drafted()
    story.withhold_report("ar-2023", "2023-06-01")
    [flag] = story.flags("2023-07-31", "report_interference")
    assert (flag.details["pattern"], flag.status) == ("withheld", "open")
    story.submit_report("ar-2023", "2023-08-01", content="v1")
    [flag] = story.flags("2023-12-31", "report_interference")
    assert flag.status == "cleared"


# Records made late: the rule judges valid time, whatever order the records came in.


def test_edit_request_recorded_after_a_faithful_submission_is_raised_and_cleared_by_it() -> None:
    story = drafted()
    story.submit_report("ar-2023", "2023-06-01", content="v1")
    story.request_edit("ar-2023", "2023-05-15", actor="dir-moss")
    [flag] = story.flags("2023-12-31", "report_interference")
    assert [(h.action, h.on) for h in flag.history] == [
        ("raised", d("2023-05-15")), ("cleared", d("2023-06-01"))]


def test_submission_dated_before_the_withholding_does_not_clear_it() -> None:
    story = drafted()
    story.withhold_report("ar-2023", "2023-06-01")
    story.submit_report("ar-2023", "2023-05-20", content="v1")
    [flag] = story.flags("2023-12-31", "report_interference")
    assert (flag.details["pattern"], flag.status) == ("withheld", "open")


def test_authors_draft_recorded_late_shows_the_submission_was_not_altered() -> None:
    story = drafted()
    story.submit_report("ar-2023", "2023-06-01", content="v2")
    assert story.flags("2023-12-31", "report_interference")
    story.revise_report("ar-2023", "2023-05-20", actor="irom-ola", content="v2")
    assert story.flags("2023-12-31", "report_interference") == []
    [flag] = story.flags("2023-12-31", "report_interference", withdrawn=True)
    assert (flag.details["pattern"], flag.status) == ("altered_submission", "withdrawn")
