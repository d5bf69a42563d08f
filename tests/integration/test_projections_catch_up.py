"""The projection machinery on both stores: catch-up, status, rebuild, crashes, racing runners."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import date

import pytest

from iro_ledger.application import Principal
from iro_ledger.application.commands import CommandBase, parse_command
from iro_ledger.projections import Envelope, ReadModel, Tx
from iro_ledger.projections.challenges import RegisterQuery, read_register
from iro_ledger.projections.runner import Projections
from iro_ledger.projections.timeline import read_timeline
from iro_ledger.settings import Settings
from iro_ledger.wiring import Services, build_services
from tests.unit.projections.story import ADMIN, LA, busy_authority, dump, record_all


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    built = build_services(Settings(database_url=database_url))
    yield built
    built.close()


def other_runner(services: Services, batch_size: int = 500) -> Projections:
    """The same read models in another process's clothes: its own connections and caches."""
    again = build_services(services.settings)
    again.projections.batch_size = batch_size
    return again.projections


def test_after_ingest_a_catch_up_brings_every_read_model_to_the_store_position(
        services: Services) -> None:
    record_all(services.ledger, busy_authority(30))
    top = services.ledger.position()
    assert {s.name: s.lag for s in services.projections.status()} == {
        name: top for name in services.projections.models}
    services.projections.catch_up()
    assert {s.lag for s in services.projections.status()} == {0}
    with services.projections.db.reading() as tx:
        case = read_timeline(tx, LA, "c3")
        total, items = read_register(tx, RegisterQuery(LA), date(2024, 12, 31))
    assert case is not None and [e["ref"]["type"] for e in case["entries"]][:2] == [
        "Case.Opened", "Case.IroAssigned"]
    assert total == 10 and {i["outcome"] for i in items} == {"upheld"}


def test_status_shows_the_lag_of_new_events_until_the_next_catch_up(services: Services) -> None:
    record_all(services.ledger, busy_authority(6))
    services.projections.catch_up()
    services.ledger.execute(*_close("c1"))
    assert {s.lag for s in services.projections.status()} == {1}
    services.projections.refresh()
    assert {s.lag for s in services.projections.status()} == {0}


def _close(case_id: str) -> tuple[CommandBase, Principal, str]:
    command = parse_command({"command": "close_case", "la_code": LA, "case_id": case_id,
                             "occurred_on": "2024-12-01", "reason": "adopted"})
    return command, ADMIN, "cli"


def test_catching_up_bit_by_bit_gives_the_same_views_as_a_rebuild(services: Services) -> None:
    commands = busy_authority(12)
    services.projections.batch_size = 7
    for start in range(0, len(commands), 29):
        record_all(services.ledger, commands[start:start + 29])
        services.projections.catch_up()
    live = dump(services.projections)
    services.projections.rebuild()
    assert dump(services.projections) == live


class Crashing(ReadModel):
    """A read model that dies in the middle of its `crash_on`-th batch, after writing rows."""

    name = "crashing"
    tables = ("crashing_v1",)

    def __init__(self, crash_on: int) -> None:
        self.crash_on, self.batches = crash_on, 0

    def create(self, tx: Tx) -> None:
        tx.execute("CREATE TABLE IF NOT EXISTS crashing_v1 (position BIGINT PRIMARY KEY)")

    def apply(self, tx: Tx, batch: Sequence[Envelope]) -> None:
        self.batches += 1
        for n, env in enumerate(batch):
            tx.execute("INSERT INTO crashing_v1 (position) VALUES (?)", (env.position,))
            if self.batches == self.crash_on and n == len(batch) // 2:
                raise RuntimeError("the process died here")


def test_a_crash_in_the_middle_of_a_batch_leaves_no_trace_and_a_restart_finishes_exactly_once(
        services: Services) -> None:
    record_all(services.ledger, busy_authority(12))
    crashing = Projections(services.ledger, services.projections.db, [Crashing(crash_on=3)],
                           batch_size=10)
    with pytest.raises(RuntimeError, match="died"):
        crashing.catch_up()
    assert crashing.positions() == {"crashing": 20}
    restarted = Projections(services.ledger, services.projections.db, [Crashing(crash_on=0)],
                            batch_size=10)
    restarted.catch_up()
    rows = services.projections.db.query("SELECT position FROM crashing_v1 ORDER BY position")
    positions = [r["position"] for r in rows]
    assert positions == sorted(set(positions))
    assert len(positions) == services.ledger.count_events()


def test_two_runners_catching_up_at_once_apply_each_event_once(services: Services) -> None:
    record_all(services.ledger, busy_authority(30))
    runners = [other_runner(services, batch_size=40) for _ in range(2)]
    threads = [threading.Thread(target=r.catch_up) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    raced = dump(services.projections)
    services.projections.rebuild()
    assert dump(services.projections) == raced
    for runner in runners:
        runner.db.close()
        runner.ledger.close()


def test_rebuilding_one_read_model_replays_it_alone(services: Services) -> None:
    record_all(services.ledger, busy_authority(6))
    services.projections.catch_up()
    before = services.projections.positions()
    services.ledger.execute(*_close("c1"))
    read = services.projections.rebuild(["timeline"])
    after = services.projections.positions()
    assert read == services.ledger.position()
    assert after["timeline"] == services.ledger.position()
    assert after["challenges"] == before["challenges"]
