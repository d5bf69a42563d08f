"""The Ledger on a real store: the same behaviour on SQLite and on PostgreSQL.

Provenance on every stored event, idempotent command ids, unique ids per kind, optimistic
concurrency between writers, atomic units of work, reads, and durability across reopening.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from iro_ledger.application import Ledger, Principal, Role
from iro_ledger.application.store import store_env
from iro_ledger.domain.errors import (
    AlreadyRecorded,
    BadTiming,
    InvariantViolation,
    NotPermitted,
    NotRecorded,
)
from tests.builders import LA, command

STORED_ON = datetime(2024, 12, 2, 10, 30, tzinfo=UTC)
ROOT = Principal("root", Role.ADMIN)
ADA = Principal("mgr-ada", Role.LA_MANAGER, LA)
KIT = Principal("iro-kit", Role.IRO, LA)
HISTORY: list[tuple[Principal, str, dict[str, Any]]] = [
    (ROOT, "register_authority", {"occurred_on": "2024-01-01"}),
    (ADA, "register_officer", {"occurred_on": "2024-01-15"}),
    (ADA, "register_officer", {"officer_id": "iro-max", "occurred_on": "2024-01-15"}),
    (ADA, "open_case", {"occurred_on": "2024-03-01"}),
    (ADA, "assign_iro", {"occurred_on": "2024-03-02"}),
    (KIT, "raise_challenge", {"about": "care_plan", "occurred_on": "2024-04-02"}),
]
"""Fenwick Cross: two IROs, case-7 allocated to iro-kit, who challenges its care plan."""


def open_ledger(url: str) -> Ledger:
    return Ledger(env=store_env(url))


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    ledger = open_ledger(database_url)
    for principal, name, fields in HISTORY:
        ledger.execute(command(name, **fields), principal, "api", now=STORED_ON)
    yield ledger
    ledger.close()


def test_every_stored_event_carries_its_provenance(ledger: Ledger) -> None:
    ledger.execute(command("revise_care_plan", actor="tm-ray", command_id="k-1"), KIT, "cli",
                   now=STORED_ON)

    revised = ledger.read("case", LA, "case-7", ADA).events[-1]
    assert {k: revised[k] for k in ("type", "occurred_on", "recorded_at", "recorded_by",
                                    "actor", "source", "command_id")} == {
        "type": "CarePlanRevised", "occurred_on": "2024-06-03",
        "recorded_at": STORED_ON.isoformat(), "recorded_by": "iro-kit", "actor": "tm-ray",
        "source": "cli", "command_id": "k-1"}


def test_the_actor_defaults_to_whoever_recorded_the_command(ledger: Ledger) -> None:
    ledger.execute(command("close_case"), ADA, "api")

    closed = ledger.read("case", LA, "case-7", ADA).events[-1]
    assert (closed["actor"], closed["recorded_by"], closed["command_id"]) == (
        "mgr-ada", "mgr-ada", None)


def test_a_repeated_command_id_is_answered_the_same_and_stores_nothing(ledger: Ledger) -> None:
    first = ledger.execute(command("escalate_challenge", command_id="k-7"), KIT, "api")
    stored = ledger.count_events()

    again = ledger.execute(command("escalate_challenge", command_id="k-7"), KIT, "api")

    assert (again.answer(), again.replayed) == (first.answer(), True)
    assert ledger.count_events() == stored
    assert ledger.read("challenge", LA, "ch-1", KIT).version == 2


def test_a_command_id_reused_for_a_different_command_is_refused(ledger: Ledger) -> None:
    ledger.execute(command("escalate_challenge", command_id="k-7"), KIT, "api")
    stored = ledger.count_events()

    with pytest.raises(InvariantViolation, match="already used for a different command"):
        ledger.execute(command("escalate_challenge", to_stage="director", command_id="k-7"),
                       KIT, "api")
    assert ledger.count_events() == stored


def test_command_ids_belong_to_the_principal_who_sent_them(ledger: Ledger) -> None:
    ledger.execute(command("record_decision", command_id="k-1"), ADA, "api")

    other = ledger.execute(command("record_decision", decision_id="dec-2", command_id="k-1"),
                           Principal("mgr-bo", Role.LA_MANAGER, LA), "api")

    assert (other.replayed, other.event_numbers) == (False, [4])


@pytest.mark.parametrize("name", [
    "register_authority", "register_officer", "open_case", "raise_challenge",
    "record_instruction", "draft_annual_report",
])
def test_an_id_already_used_in_its_kind_is_refused_and_nothing_stored(
        ledger: Ledger, name: str) -> None:
    if name not in {recorded for _, recorded, _ in HISTORY}:
        ledger.execute(command(name), ROOT, "api")
    stored = ledger.count_events()

    with pytest.raises(AlreadyRecorded, match="already recorded"):
        ledger.execute(command(name), ROOT, "api")
    assert ledger.count_events() == stored


def test_the_same_id_may_name_records_of_other_kinds_and_authorities(ledger: Ledger) -> None:
    ledger.execute(command("record_instruction", instruction_id="case-7"), ROOT, "api")
    ledger.execute(command("register_authority", la_code="FX2", name="Holt Vale"), ROOT, "api")
    ledger.execute(command("open_case", la_code="FX2"), ROOT, "api")

    assert ledger.read("case", "FX2", "case-7", ROOT).la_code == "FX2"
    assert ledger.read("instruction", LA, "case-7", ROOT).kind == "instruction"


def test_an_iro_of_another_authority_cannot_be_assigned(ledger: Ledger) -> None:
    ledger.execute(command("register_authority", la_code="FX2", name="Holt Vale"), ROOT, "api")
    ledger.execute(command("register_officer", la_code="FX2", officer_id="iro-zed"), ROOT, "api")

    with pytest.raises(NotRecorded, match=f"no officer 'iro-zed' is recorded in {LA}"):
        ledger.execute(command("assign_iro", officer_id="iro-zed"), ROOT, "api")
    assert ledger.read("case", LA, "case-7", ADA).state["iro"] == "iro-kit"


def test_a_future_dated_command_is_refused_and_nothing_stored(ledger: Ledger) -> None:
    stored = ledger.count_events()

    with pytest.raises(BadTiming, match="in the future"):
        ledger.execute(command("close_case", occurred_on="2024-12-03"), ADA, "api",
                       now=STORED_ON)
    assert ledger.count_events() == stored


def test_of_two_writers_racing_on_a_record_one_commits_and_the_other_stores_nothing(
        ledger: Ledger) -> None:
    winner, loser = ledger.unit_of_work(), ledger.unit_of_work()
    won = winner.apply(command("resolve_challenge"), ADA, "api")
    lost = loser.apply(command("withdraw_challenge"), KIT, "api")
    winner.commit([won])
    stored = ledger.count_events()

    with pytest.raises(IntegrityError):
        loser.commit([lost])
    assert ledger.count_events() == stored
    assert ledger.read("challenge", LA, "ch-1", ADA).state["closed_as"] == "resolved"


def test_of_two_writers_racing_to_create_an_id_one_wins(ledger: Ledger) -> None:
    winner, loser = ledger.unit_of_work(), ledger.unit_of_work()
    won = winner.apply(command("open_case", case_id="case-8"), ADA, "api")
    lost = loser.apply(command("open_case", case_id="case-8", child_ref="child-other"),
                       ADA, "api")
    winner.commit([won])

    with pytest.raises(IntegrityError):
        loser.commit([lost])
    assert ledger.read("case", LA, "case-8", ADA).state["child_ref"] == "child-fc-0193"
    with pytest.raises(AlreadyRecorded):
        ledger.execute(command("open_case", case_id="case-8"), ADA, "api")


def test_a_command_that_loses_a_race_is_applied_again_to_the_new_state(
        database_url: str, ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    rival = open_ledger(database_url)
    save = ledger.save_events
    races: list[int] = []

    def rival_writes_first(events: Any, **kwargs: Any) -> Any:
        if not races:
            races.append(rival.execute(command("respond_to_challenge"), ADA, "api").position)
        return save(events, **kwargs)

    monkeypatch.setattr(ledger, "save_events", rival_writes_first)
    outcome = ledger.execute(command("escalate_challenge"), KIT, "api")
    rival.close()

    assert outcome.event_numbers == [3]
    assert [e["type"] for e in ledger.read("challenge", LA, "ch-1", KIT).events] == [
        "Raised", "Responded", "Escalated"]


def test_a_command_that_keeps_losing_races_is_refused_cleanly(
        database_url: str, ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    rival = open_ledger(database_url)
    save = ledger.save_events

    def rival_always_writes_first(events: Any, **kwargs: Any) -> Any:
        rival.execute(command("respond_to_challenge"), ADA, "api")
        return save(events, **kwargs)

    monkeypatch.setattr(ledger, "save_events", rival_always_writes_first)
    with pytest.raises(InvariantViolation, match="changed while this command was applied"):
        ledger.execute(command("escalate_challenge"), KIT, "api")
    rival.close()

    assert [e["type"] for e in ledger.read("challenge", LA, "ch-1", KIT).events] == [
        "Raised", "Responded", "Responded", "Responded"]


def test_a_unit_of_several_commands_is_stored_together(ledger: Ledger) -> None:
    unit = ledger.unit_of_work()
    outcomes = [unit.apply(command(name, **fields), ADA, "import") for name, fields in [
        ("open_case", {"case_id": "case-8"}),
        ("assign_iro", {"case_id": "case-8", "officer_id": "iro-max"}),
        ("record_decision", {"case_id": "case-8"}),
    ]]
    assert ledger.count_events() == len(HISTORY)

    committed = unit.commit(outcomes)

    assert [o.event_numbers for o in committed] == [[1], [2], [3]]
    assert len({o.position for o in committed}) == 1
    assert ledger.count_events() == len(HISTORY) + 3


def test_a_unit_whose_commit_fails_stores_none_of_its_commands(ledger: Ledger) -> None:
    unit = ledger.unit_of_work()
    outcomes = [unit.apply(command("open_case", case_id="case-8"), ADA, "import"),
                unit.apply(command("escalate_challenge"), KIT, "import")]
    ledger.execute(command("respond_to_challenge"), ADA, "api")
    stored = ledger.count_events()

    with pytest.raises(IntegrityError):
        unit.commit(outcomes)
    assert ledger.count_events() == stored
    with pytest.raises(NotRecorded):
        ledger.read("case", LA, "case-8", ADA)


def test_a_unit_left_uncommitted_after_a_refusal_stores_nothing(ledger: Ledger) -> None:
    unit = ledger.unit_of_work()
    unit.apply(command("open_case", case_id="case-8"), ADA, "import")
    with pytest.raises(AlreadyRecorded):
        unit.apply(command("open_case", case_id="case-8"), ADA, "import")

    assert ledger.count_events() == len(HISTORY)


def test_a_read_returns_the_records_state_and_events(ledger: Ledger) -> None:
    view = ledger.read("case", LA, "case-7", ADA)

    assert (view.kind, view.id, view.la_code, view.version) == ("case", "case-7", LA, 2)
    assert (view.state["iro"], view.state["child_ref"]) == ("iro-kit", "child-fc-0193")
    assert [(e["number"], e["type"]) for e in view.events] == [(1, "Opened"),
                                                               (2, "IroAssigned")]


def test_a_record_of_another_authority_cannot_be_read(ledger: Ledger) -> None:
    with pytest.raises(NotPermitted):
        ledger.read("case", LA, "case-7", Principal("mgr-zed", Role.LA_MANAGER, "FX2"))


def test_an_unknown_record_is_not_found(ledger: Ledger) -> None:
    with pytest.raises(NotRecorded):
        ledger.read("challenge", LA, "ch-404", ADA)


def test_a_read_by_an_inspector_is_itself_recorded(ledger: Ledger) -> None:
    ledger.read("challenge", LA, "ch-1", Principal("insp-vale", Role.INSPECTOR))

    assert ledger.count_events() == len(HISTORY) + 1


def test_events_survive_closing_and_reopening_the_store(database_url: str,
                                                        ledger: Ledger) -> None:
    before = ledger.read("challenge", LA, "ch-1", KIT)
    position = ledger.position()
    ledger.close()

    reopened = open_ledger(database_url)
    try:
        assert reopened.read("challenge", LA, "ch-1", KIT) == before
        assert (reopened.count_events(), reopened.position()) == (len(HISTORY), position)
        outcome = reopened.execute(command("escalate_challenge"), KIT, "api")
    finally:
        reopened.close()
    assert outcome.event_numbers == [2]
