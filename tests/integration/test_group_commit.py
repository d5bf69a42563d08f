"""Group commit on a real store: commands stored together, each keeping its own answer.

A group is applied in one unit and stored in one transaction; a refused command is answered
with its own refusal and takes nothing else down; a repeated `command_id` in the group, or of
a command stored before, is answered from its receipt; a failed commit stores nothing of
the group and leaves no half-made record behind; records come from the cache, kept true when
another process writes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import OperationalError, StoredEvent

from iro_ledger.application import Ledger, Outcome, Principal, Role
from iro_ledger.application.ledger import Request
from iro_ledger.application.recorder import Guard, StaleRecords
from iro_ledger.application.store import store_env
from iro_ledger.domain.errors import DomainError, InvariantViolation, NotRecorded
from tests.builders import LA, command

ROOT = Principal("root", Role.ADMIN)
ADA = Principal("mgr-ada", Role.LA_MANAGER, LA)
KIT = Principal("iro-kit", Role.IRO, LA)
HISTORY: list[tuple[Principal, str, dict[str, Any]]] = [
    (ROOT, "register_authority", {"occurred_on": "2024-01-01"}),
    (ADA, "register_officer", {"occurred_on": "2024-01-15"}),
    (ADA, "open_case", {"occurred_on": "2024-03-01"}),
    (ADA, "assign_iro", {"occurred_on": "2024-03-02"}),
    (KIT, "raise_challenge", {"about": "care_plan", "occurred_on": "2024-04-02"}),
]


def open_ledger(url: str) -> Ledger:
    return Ledger(env=store_env(url))


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    ledger = open_ledger(database_url)
    for principal, name, fields in HISTORY:
        ledger.execute(command(name, **fields), principal, "api")
    yield ledger
    ledger.close()


def request(principal: Principal, name: str, **fields: Any) -> Request:
    return Request(command(name, **fields), principal, "api")


def types(ledger: Ledger, kind: str, ref: str) -> list[str]:
    return [e["type"] for e in ledger.read(kind, LA, ref, ROOT).events]


def test_a_refused_command_in_a_group_takes_none_of_the_others_down(ledger: Ledger) -> None:
    stored = ledger.count_events()

    results = ledger.apply_together([
        request(ADA, "revise_care_plan", change="education"),
        request(ADA, "respond_to_challenge", challenge_id="ch-404"),
        request(KIT, "escalate_challenge"),
        request(ADA, "revise_care_plan", change="health"),
    ])

    first, refused, escalated, last = results
    assert isinstance(refused, NotRecorded)
    assert isinstance(first, Outcome) and isinstance(escalated, Outcome)
    assert isinstance(last, Outcome)
    assert (first.event_numbers, last.event_numbers, escalated.event_numbers) == ([3], [4], [2])
    assert first.position == last.position == escalated.position == ledger.position()
    assert ledger.count_events() == stored + 3
    assert types(ledger, "case", "case-7")[-2:] == ["CarePlanRevised", "CarePlanRevised"]


def test_a_command_refused_after_another_changed_its_record_leaves_that_change_whole(
        ledger: Ledger) -> None:
    results = ledger.apply_together([
        request(KIT, "escalate_challenge"),
        request(KIT, "escalate_challenge"),
        request(ADA, "respond_to_challenge"),
    ])

    assert isinstance(results[0], Outcome) and results[0].event_numbers == [2]
    assert isinstance(results[1], InvariantViolation)
    assert isinstance(results[2], Outcome) and results[2].event_numbers == [3]
    assert types(ledger, "challenge", "ch-1") == ["Raised", "Escalated", "Responded"]


def test_a_command_id_repeated_within_one_group_is_stored_once_and_answered_twice(
        ledger: Ledger) -> None:
    stored = ledger.count_events()

    first, again = ledger.apply_together([
        request(ADA, "revise_care_plan", command_id="same-1"),
        request(ADA, "revise_care_plan", command_id="same-1"),
    ])

    assert isinstance(first, Outcome) and isinstance(again, Outcome)
    assert (first.replayed, again.replayed) == (False, True)
    assert again.event_numbers == first.event_numbers
    assert ledger.count_events() == stored + 2  # the event and its receipt


def test_a_repeat_of_a_stored_command_is_answered_from_its_receipt_beside_new_ones(
        ledger: Ledger) -> None:
    before = ledger.execute(command("revise_care_plan", command_id="r-1"), ADA, "api")
    stored = ledger.count_events()

    repeat, new = ledger.apply_together([
        request(ADA, "revise_care_plan", command_id="r-1"),
        request(ADA, "close_case", command_id="r-2"),
    ])

    assert isinstance(repeat, Outcome) and repeat.replayed
    assert repeat.event_numbers == before.event_numbers
    assert isinstance(new, Outcome) and not new.replayed
    assert ledger.count_events() == stored + 2
    assert types(ledger, "case", "case-7")[-2:] == ["CarePlanRevised", "Closed"]


def test_a_repeated_id_naming_a_different_command_is_refused_in_the_group(
        ledger: Ledger) -> None:
    ledger.execute(command("revise_care_plan", command_id="x-1"), ADA, "api")

    reused, fine = ledger.apply_together([
        request(ADA, "close_case", command_id="x-1"),
        request(ADA, "revise_care_plan", change="health"),
    ])

    assert isinstance(reused, InvariantViolation)
    assert isinstance(fine, Outcome)
    assert types(ledger, "case", "case-7")[-1] == "CarePlanRevised"


def test_a_failed_commit_stores_nothing_of_the_group_and_the_next_sees_the_stored_state(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    stored = ledger.count_events()
    save = ledger.save_events

    def store_down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("the store went away")

    monkeypatch.setattr(ledger, "save_events", store_down)
    with pytest.raises(OperationalError):
        ledger.apply_together([request(ADA, "revise_care_plan"), request(ADA, "close_case")])
    monkeypatch.setattr(ledger, "save_events", save)

    assert ledger.count_events() == stored
    again = ledger.execute(command("revise_care_plan"), ADA, "api")
    assert again.event_numbers == [3]


def test_a_group_is_one_transaction_so_a_crash_inside_it_stores_none_of_it(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from iro_ledger.application import ledger as ledger_module
    from iro_ledger.application import recorder

    ledger = open_ledger(postgres_url)
    for principal, name, fields in HISTORY:
        ledger.execute(command(name, **fields), principal, "api")
    stored = ledger.count_events()
    # A small group goes in one statement; a large one (ingest's) statement by statement.
    monkeypatch.setattr(ledger_module, "DEFERRED_GROUP", 0)
    monkeypatch.setattr(recorder, "INSERT_CHUNK", 1)  # a statement per event
    statements: list[int] = []
    execute = ledger.recorder.insert_chunk

    def dies_on_the_third(*args: Any, **kwargs: Any) -> Any:
        statements.append(1)
        if len(statements) == 3:
            raise RuntimeError("the process died mid-insert")
        return execute(*args, **kwargs)

    monkeypatch.setattr(ledger.recorder, "insert_chunk", dies_on_the_third)
    with pytest.raises(RuntimeError, match="died"):
        ledger.apply_together([request(ADA, "revise_care_plan", command_id="c-1"),
                               request(ADA, "close_case", command_id="c-2")])
    monkeypatch.undo()

    assert len(statements) >= 3
    assert ledger.count_events() == stored
    ledger.close()


def test_another_process_writing_a_cached_record_is_seen_by_the_next_group(
        ledger: Ledger, database_url: str) -> None:
    ledger.execute(command("revise_care_plan"), ADA, "api")  # case-7 now cached
    other = open_ledger(database_url)
    other.execute(command("revise_care_plan", change="health"), ADA, "api")
    other.close()

    result = ledger.execute(command("close_case"), ADA, "api")

    assert result.event_numbers == [5]
    assert types(ledger, "case", "case-7")[-1] == "Closed"


def test_a_refusal_never_rests_on_a_cached_record_another_process_has_changed(
        ledger: Ledger, database_url: str) -> None:
    other = open_ledger(database_url)
    other.execute(command("refer_to_cafcass"), KIT, "api")  # ch-1 as cached here is unreferred
    other.close()

    outcome = ledger.execute(command("record_cafcass_outcome"), KIT, "api")

    assert outcome.event_numbers == [3]
    assert types(ledger, "challenge", "ch-1")[-2:] == ["ReferredToCafcass",
                                                       "CafcassOutcomeRecorded"]


def test_a_group_reading_a_record_another_process_changed_stores_nothing_then_applies_again(
        ledger: Ledger, database_url: str) -> None:
    other = open_ledger(database_url)
    other.execute(command("revise_care_plan", change="health"), ADA, "api")
    other.close()
    stored = ledger.count_events()

    results = ledger.apply_together([
        request(ADA, "revise_care_plan", change="education", command_id="g-1"),
        request(ADA, "respond_to_challenge", challenge_id="ch-404"),
        request(KIT, "escalate_challenge", command_id="g-2"),
    ])

    revised, refused, escalated = results
    assert isinstance(revised, Outcome) and revised.event_numbers == [4]
    assert isinstance(refused, NotRecorded)
    assert isinstance(escalated, Outcome) and escalated.event_numbers == [2]
    assert ledger.count_events() == stored + 4  # two events, two receipts
    assert types(ledger, "case", "case-7")[-2:] == ["CarePlanRevised", "CarePlanRevised"]


def test_text_recorded_after_another_process_erased_the_case_is_sealed_with_a_live_key(
        ledger: Ledger, database_url: str) -> None:
    other = open_ledger(database_url)
    other.execute(command("erase_case"), ROOT, "api")  # ch-1's key, used here lately, is gone
    other.close()

    ledger.execute(command("respond_to_challenge", response="AFTER-ERASURE"), ADA, "api")

    reader = open_ledger(database_url)
    events = reader.read("challenge", LA, "ch-1", ROOT).events
    reader.close()
    assert events[-1]["response"] == "AFTER-ERASURE"


def test_commands_from_many_threads_each_get_their_own_answer(ledger: Ledger) -> None:
    answers: dict[int, Outcome | DomainError] = {}

    def record(n: int) -> None:
        name = "respond_to_challenge" if n % 5 == 0 else "revise_care_plan"
        ref = "ch-404" if n % 5 == 0 else "case-7"
        fields = {"challenge_id": ref} if n % 5 == 0 else {"summary": f"revision {n}"}
        try:
            answers[n] = ledger.execute(command(name, command_id=f"t-{n}", **fields), ADA,
                                        "api")
        except DomainError as refused:
            answers[n] = refused

    threads = [threading.Thread(target=record, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    refused = sorted(n for n, a in answers.items() if isinstance(a, DomainError))
    assert refused == list(range(0, 40, 5))
    numbers = sorted(a.event_numbers[0] for a in answers.values() if isinstance(a, Outcome))
    assert numbers == list(range(3, 3 + 32))
    summaries = [e["summary"] for e in ledger.read("case", LA, "case-7", ROOT).events[2:]]
    assert sorted(summaries) == sorted(f"revision {n}" for n in range(40) if n % 5)


def probe(version: int = 1) -> StoredEvent:
    return StoredEvent(originator_id=uuid4(), originator_version=version,
                       topic="tests.integration:Probe", state=b"{}")


def test_a_guarded_insert_stores_nothing_when_more_was_stored_since_than_it_reads(
        postgres_url: str) -> None:
    """The guard reads at most `scan` events after its position (through the position
    index, never the whole store): beyond that it cannot vouch for the records it read."""
    ledger = open_ledger(postgres_url)
    try:
        recorder = ledger.recorder
        after = ledger.position()
        other = open_ledger(postgres_url)
        other.recorder.insert_events([probe(), probe(), probe()])
        other.close()
        unrelated = frozenset({uuid4()})

        with pytest.raises(StaleRecords):
            recorder.insert_guarded([probe()], Guard(after, frozenset(), unrelated, scan=3))
        stored = recorder.insert_guarded([probe()], Guard(after, frozenset(), unrelated,
                                                          scan=4))

        assert len(stored) == 1 and ledger.position() == stored[0]
    finally:
        ledger.close()
