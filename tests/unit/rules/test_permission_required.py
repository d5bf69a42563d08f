from tests.unit.rules.story import d, staffed


def test_instruction_to_ask_permission_before_challenging_is_flagged() -> None:
    story = staffed()
    story.instruct("ins-1", "permission_before_challenge", ["iro-kit"], "2023-05-02")
    [flag] = story.flags("2023-06-01", "permission_required")
    assert (flag.severity, flag.status, flag.raised_on) == ("high", "open", d("2023-05-02"))
    assert flag.subjects == {"instruction_id": "ins-1", "officer_id": "iro-kit"}
    assert [(r.kind, r.id, r.event_type) for r in flag.evidence] == [
        ("instruction", "ins-1", "Instruction.Recorded")]
    assert "mgr-ada (team manager" in flag.explanation
    assert "iro-kit (IRO" in flag.explanation and "2 May 2023" in flag.explanation


def test_permission_before_cafcass_referral_to_all_iros_is_flagged_for_the_authority() -> None:
    story = staffed()
    story.instruct("ins-2", "permission_before_cafcass_referral", ["all_iros"], "2023-05-02")
    [flag] = story.flags("2023-06-01", "permission_required")
    assert flag.subjects == {"instruction_id": "ins-2"}
    assert "every IRO of Fenwick Vale Council" in flag.explanation


def test_rescinding_permission_rule_clears_the_flag() -> None:
    story = staffed()
    story.instruct("ins-1", "permission_before_challenge", ["iro-kit"], "2023-05-02")
    story.rescind("ins-1", "2023-07-10", actor="dir-moss")
    [flag] = story.flags("2023-08-01", "permission_required")
    assert flag.status == "cleared"
    assert [(h.action, h.on) for h in flag.history] == [
        ("raised", d("2023-05-02")), ("cleared", d("2023-07-10"))]
    assert flag.history[-1].event is not None
    assert flag.history[-1].event.event_type == "Instruction.Rescinded"
    [before] = story.flags("2023-07-09", "permission_required")
    assert before.status == "open" and len(before.history) == 1


def test_other_instruction_kinds_raise_no_permission_flag() -> None:
    story = staffed()
    story.instruct("ins-3", "additional_duties", ["iro-kit"], "2023-05-02")
    assert story.flags("2023-06-01", "permission_required") == []


def test_no_flag_exists_before_the_instruction_was_given() -> None:
    story = staffed()
    story.instruct("ins-1", "permission_before_challenge", ["iro-kit"], "2023-05-02")
    assert story.flags("2023-05-01", "permission_required") == []


def test_rescission_recorded_long_after_clears_the_flag_from_its_own_date() -> None:
    story = staffed()
    story.instruct("ins-1", "permission_before_challenge", ["all_iros"], "2023-05-02")
    story.instruct("ins-2", "other", ["iro-kit"], "2023-09-01")
    story.rescind("ins-1", "2023-06-01")  # recorded in September, back-dated to June
    assert [f.status for f in story.flags("2023-05-31", "permission_required")] == ["open"]
    [flag] = story.flags("2023-06-01", "permission_required")
    assert (flag.status, flag.cleared_on) == ("cleared", d("2023-06-01"))
