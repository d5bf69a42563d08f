"""instruction_in_force: an instruction to drop or hold back challenges that stands past 20
working days, and a challenge resolved against the IRO and taken no further while it stood."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from iro_ledger.projections.rules.book import Book
from iro_ledger.projections.rules.calendar import working_calendar
from iro_ledger.projections.rules.catalogue.instruction_in_force import stood_as_of
from iro_ledger.projections.rules.config import load_config
from iro_ledger.projections.rules.flag import Flag
from tests.unit.rules.story import LA, Story, d, recorded, staffed

CALENDAR = working_calendar()
RULE = "instruction_in_force"


def flags(story: Story, as_of: str, pattern: str | None = None) -> list[Flag]:
    return [f for f in story.flags(as_of, RULE)
            if pattern is None or f.details.get("pattern") == pattern]


def with_child() -> Story:
    story = staffed()
    story.officer("hos-tam", role="head_of_service")
    story.case("c1", "2023-02-01", iro="iro-kit")
    return story


def test_an_instruction_not_to_escalate_standing_past_twenty_working_days_is_flagged() -> None:
    story = with_child()
    story.instruct("in-1", "do_not_escalate", ["iro-kit"], "2024-03-01", actor="hos-tam")
    deadline = CALENDAR.add_working_days(d("2024-03-01"), 20)

    assert flags(story, deadline.isoformat()) == []
    [flag] = flags(story, (deadline + timedelta(days=1)).isoformat(), "stood")
    assert (flag.severity, flag.status) == ("high", "open")
    assert flag.raised_on == deadline + timedelta(days=1)
    assert flag.subjects == {"instruction_id": "in-1", "officer_id": "iro-kit"}
    assert "hos-tam (head of service" in flag.explanation


def test_rescinding_the_instruction_clears_its_flag() -> None:
    story = with_child()
    story.instruct("in-1", "withdraw_challenge", ["all_iros"], "2024-03-01", actor="hos-tam")
    story.rescind("in-1", "2024-06-03", actor="hos-tam")

    [flag] = flags(story, "2024-12-31", "stood")
    assert (flag.status, flag.cleared_on) == ("cleared", d("2024-06-03"))
    assert flag.subjects == {"instruction_id": "in-1"}


def test_an_instruction_rescinded_within_the_window_raises_nothing() -> None:
    story = with_child()
    story.instruct("in-1", "do_not_escalate", ["iro-kit"], "2024-03-01", actor="hos-tam")
    story.rescind("in-1", "2024-03-15", actor="hos-tam")
    assert flags(story, "2024-12-31") == []


def test_the_standing_instruction_names_the_challenges_open_while_it_stood() -> None:
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-02-20")
    story.instruct("in-1", "do_not_escalate", ["iro-kit"], "2024-03-01", actor="hos-tam")
    story.challenge("ch-other", "c1", "iro-lee", "2024-03-04")

    [flag] = flags(story, "2024-06-03", "stood")
    assert flag.details["challenges_open"] == ["ch-1"]
    assert ("challenge", "ch-1") in {(r.kind, r.id) for r in flag.evidence}


def test_a_challenge_resolved_against_the_iro_and_not_escalated_under_the_instruction_is_flagged(
        ) -> None:
    # The IRO was told not to escalate; the authority said no at the informal stage, and
    # the dispute went no further. Nothing was withdrawn, so nothing else is raised.
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-01")
    story.instruct("in-1", "do_not_escalate", ["iro-kit"], "2024-03-04", actor="hos-tam")
    story.resolve("ch-1", "2024-03-11", outcome="not_upheld")
    story.rescind("in-1", "2024-03-18", actor="hos-tam")

    [flag] = flags(story, "2024-12-31")
    assert flag.details["pattern"] == "challenge_not_pursued"
    assert (flag.severity, flag.status, flag.raised_on) == ("high", "open", d("2024-03-11"))
    assert flag.subjects["challenge_id"] == "ch-1"
    assert flag.details["outcome"] == "not_upheld"
    assert story.flags("2024-12-31", "suppressed_challenge") == []


def test_a_challenge_escalated_despite_the_instruction_is_not_called_not_pursued() -> None:
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-01")
    story.instruct("in-1", "do_not_escalate", ["all_iros"], "2024-03-04", actor="hos-tam")
    story.escalate("ch-1", "stage_1", "2024-03-06")
    story.resolve("ch-1", "2024-03-11", outcome="not_upheld")
    story.rescind("in-1", "2024-03-18", actor="hos-tam")
    assert flags(story, "2024-12-31") == []


def test_a_challenge_upheld_while_the_instruction_stood_has_nothing_left_to_pursue() -> None:
    story = with_child()
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-01")
    story.instruct("in-1", "do_not_escalate", ["iro-kit"], "2024-03-04", actor="hos-tam")
    story.resolve("ch-1", "2024-03-11", outcome="upheld")
    story.rescind("in-1", "2024-03-18", actor="hos-tam")
    assert flags(story, "2024-12-31") == []


def test_a_challenge_resolved_after_the_instruction_was_rescinded_raises_nothing() -> None:
    story = with_child()
    story.instruct("in-1", "do_not_escalate", ["iro-kit"], "2024-03-01", actor="hos-tam")
    story.rescind("in-1", "2024-03-08", actor="hos-tam")
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-11")
    story.resolve("ch-1", "2024-03-18", outcome="not_upheld")
    assert flags(story, "2024-12-31") == []


def test_instructions_of_other_kinds_are_not_judged() -> None:
    story = with_child()
    story.instruct("in-1", "additional_duties", ["all_iros"], "2024-01-08")
    story.instruct("in-2", "other", ["iro-kit"], "2024-01-08")
    story.challenge("ch-1", "c1", "iro-kit", "2024-03-01")
    story.resolve("ch-1", "2024-03-11", outcome="not_upheld")
    assert flags(story, "2024-12-31") == []


def test_a_rescission_recorded_months_late_that_unmakes_the_flag_is_itself_flagged() -> None:
    story = staffed(since="2024-01-02", now=recorded("2024-03-01"))
    story.instruct("in-1", "do_not_escalate", ["iro-kit"], "2024-03-01", actor="dir-moss")
    assert [f.status for f in flags(story, "2024-09-02")] == ["open"]
    # Six months on, a rescission "dated" a week after the instruction.
    story.now = recorded("2024-09-02")
    story.rescind("in-1", "2024-03-08", actor="dir-moss")

    assert flags(story, "2024-12-31") == []
    [stood] = story.flags("2024-12-31", RULE, withdrawn=True)  # kept, not deleted
    assert stood.status == "withdrawn"
    [late] = story.flags("2024-12-31", "late_record_changed_a_flag")
    assert late.subjects["flag_id"] == stood.id


def test_the_window_and_kinds_are_configuration(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[instruction_in_force]\nwindow_working_days = 5\n'
                     'kinds = ["additional_duties"]\n')
    config = load_config(rules)
    story = with_child()
    story.instruct("in-1", "additional_duties", ["all_iros"], "2024-03-01", actor="hos-tam")
    story.instruct("in-2", "do_not_escalate", ["all_iros"], "2024-03-01", actor="hos-tam")

    [flag] = story.flags("2024-03-11", RULE, config=config)
    assert flag.subjects["instruction_id"] == "in-1"


def test_a_standing_instruction_is_worded_alike_whatever_order_its_facts_were_loaded_in() -> None:
    story = with_child()
    story.case("c2", "2023-02-01", iro="iro-kit")
    for ref, case, on in (("ch-9", "c2", "2024-02-21"), ("ch-10", "c1", "2024-02-20"),
                          ("ch-2", "c2", "2024-02-20"), ("ch-1", "c1", "2024-02-22")):
        story.challenge(ref, case, "iro-kit", on)
    story.instruct("in-1", "do_not_escalate", ["iro-kit"], "2024-03-01", actor="hos-tam")
    story.instruct("in-2", "withdraw_challenge", ["all_iros"], "2024-03-01", actor="hos-tam")
    engine = story.engine()
    as_loaded = engine.books[LA]
    reloaded = Book(LA)
    reloaded.authority = as_loaded.authority
    for kind in ("officer", "case", "challenge", "instruction"):
        for facts in reversed(list(as_loaded.table(kind).values())):
            reloaded.put(kind, facts)

    worded = [[(f.key, f.explanation, f.details, f.evidence)
               for f in stood_as_of(book, d("2024-06-03"), engine.config)]
              for book in (as_loaded, reloaded)]

    assert worded[0] == worded[1]
    assert [f[2]["challenges_open"] for f in worded[0]] == [
        ["ch-10", "ch-2", "ch-9", "ch-1"]] * 2
