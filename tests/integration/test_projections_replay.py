"""Live processing equals a rebuild: whatever the writes, batch sizes and crashes in between.

A hypothesis test on SQLite (a fresh file per example): a random history is written in random
slices; after each slice the read models catch up with a random batch size, or die in the
middle of a random batch and are restarted by a fresh runner that knows nothing in memory.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from iro_ledger.application.commands import parse_command
from iro_ledger.domain.errors import DomainError
from iro_ledger.projections import Envelope, ReadModel, Tx
from iro_ledger.projections.runner import Projections
from iro_ledger.settings import Settings
from iro_ledger.wiring import Services, build_services
from tests.unit.projections.story import ADMIN, MOVES, Move, dump, move_commands


class Dying(ReadModel):
    """A read model that applies its batch, then dies before the position is written."""

    def __init__(self, inner: ReadModel, on_batch: int) -> None:
        self.inner, self.on_batch, self.batches = inner, on_batch, 0
        self.name, self.version = inner.name, inner.version  # type: ignore[misc]
        self.tables = inner.tables  # type: ignore[misc]

    def create(self, tx: Tx) -> None:
        self.inner.create(tx)

    def apply(self, tx: Tx, batch: Sequence[Envelope]) -> None:
        self.inner.apply(tx, batch)
        self.batches += 1
        if self.batches == self.on_batch:
            raise RuntimeError("killed mid-batch")


def write(services: Services, moves: list[Move]) -> None:
    """The moves of `random_history`, on the real store; refused moves record nothing."""
    on = date(2024, 1, 5)
    for kind, n, i, j, days in moves:
        command, fields = move_commands(n, i, j)[kind]
        on = date.fromordinal(on.toordinal() + days)
        data = {"command": command, "la_code": "FX1", "occurred_on": on.isoformat(), **fields}
        with contextlib.suppress(DomainError):
            services.ledger.execute(parse_command(data), ADMIN, "cli")




def write_cast(services: Services) -> None:
    cast: list[dict[str, Any]] = [
        {"command": "register_authority", "occurred_on": "2024-01-02", "name": "Fenwick Cross"},
        {"command": "register_officer", "occurred_on": "2024-01-02", "officer_id": "mgr-ada",
         "role": "team_manager", "employment": "employed"}]
    cast += [{"command": "register_officer", "occurred_on": "2024-01-02", "officer_id": f"iro-{k}",
              "role": "iro", "employment": "employed"} for k in range(3)]
    for n in range(3):
        cast += [{"command": "open_case", "occurred_on": "2024-01-05", "case_id": f"c{n}",
                  "child_ref": f"child-c{n}", "legal_status": "C2",
                  "entered_care_on": "2024-01-05"},
                 {"command": "assign_iro", "occurred_on": "2024-01-05", "case_id": f"c{n}",
                  "officer_id": f"iro-{n}", "reason": "first_allocation"}]
    for data in cast:
        services.ledger.execute(parse_command({"la_code": "FX1", **data}), ADMIN, "cli")


step = st.tuples(st.integers(1, 20), st.integers(1, 30), st.integers(0, 3), st.integers(0, 9),
                 st.integers(1, 30))
"""(moves written, batch size, the batch to die in (0 for none), which read model dies, the
restarted runner's batch size)."""
moves = st.lists(st.tuples(st.sampled_from(MOVES), st.integers(0, 3), st.integers(0, 2),
                           st.integers(0, 3), st.integers(0, 12)), min_size=5, max_size=50)


@settings(max_examples=12, deadline=None)
@given(moves, st.lists(step, min_size=1, max_size=5))
def test_live_processing_with_interruptions_equals_a_rebuild(
        history: list[Move], steps: list[tuple[int, int, int, int, int]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(Settings(database_url=f"sqlite:///{Path(tmp) / 'l.sqlite'}"))
        try:
            write_cast(services)
            done = 0
            for count, batch_size, die_on, victim, restart_size in steps:
                write(services, history[done:done + count])
                done += count
                models = list(services.projections.models.values())
                if die_on:
                    # One read model dies; those before it in the batch have moved on.
                    index = victim % len(models)
                    mixed = [Dying(m, die_on) if k == index else m for k, m in enumerate(models)]
                    dying = Projections(services.ledger, services.projections.db, mixed,
                                        batch_size)
                    with contextlib.suppress(RuntimeError):
                        dying.catch_up()
                fresh = Projections(services.ledger, services.projections.db, models,
                                    restart_size)
                fresh.catch_up()
            write(services, history[done:])
            services.projections.catch_up()
            live = dump(services.projections)
            services.projections.rebuild()
            assert dump(services.projections) == live
        finally:
            services.close()
