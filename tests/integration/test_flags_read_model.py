"""The flags read model on both stores: however the stream is split into batches, and whichever
process applies which batch, the flags equal those of a rebuild from zero."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from iro_ledger.projections import flags, runner
from iro_ledger.projections.flags import FlagQuery, Flags, read_flags
from iro_ledger.settings import Settings
from iro_ledger.wiring import Services, build_services
from tests.integration.test_flags_cli import EXPECTED, TROUBLED, cli, healthy, summary, troubled

AS_OF = date(2024, 12, 31)


def ingest(url: str, path: Path, lines: list[dict[str, Any]]) -> None:
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = cli(url, "ingest", str(path))
    assert result.exit_code == 0, result.output


def flags_of(services: Services) -> list[dict[str, Any]]:
    model = services.projections.models["flags"]
    assert isinstance(model, Flags)
    with services.projections.db.reading() as tx:
        return [f.public() for f in read_flags(tx, model.config, FlagQuery(), AS_OF)]


def opened(url: str, batch_size: int = 500) -> Iterator[Services]:
    services = build_services(Settings(database_url=url))
    services.projections.batch_size = batch_size
    try:
        yield services
    finally:
        services.close()


def test_two_processes_taking_turns_give_the_flags_of_a_rebuild(database_url: str,
                                                                tmp_path: Path) -> None:
    lines = troubled().lines + healthy().lines
    thirds = [lines[: len(lines) // 3], lines[len(lines) // 3: 2 * len(lines) // 3],
              lines[2 * len(lines) // 3:]]
    first_gen, second_gen = opened(database_url, 61), opened(database_url, 97)
    first, second = next(first_gen), next(second_gen)
    try:
        for n, (part, runner) in enumerate(zip(thirds, (first, second, first), strict=True)):
            ingest(database_url, tmp_path / f"part{n}.jsonl", part)
            runner.projections.catch_up(["flags"])
        taking_turns = flags_of(first)
        first.projections.rebuild(["flags"])
        rebuilt = flags_of(first)
    finally:
        first_gen.close()
        second_gen.close()
    assert taking_turns == rebuilt
    assert summary([f for f in rebuilt if f["la_code"] == TROUBLED]) == EXPECTED


def test_a_model_keeping_one_authority_s_book_at_a_time_gives_the_flags_of_a_rebuild(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two authorities' histories taking turns in small batches: each batch reads back the
    book the last one let go, and the flags are those of a rebuild holding both."""
    first, other = troubled().lines, healthy().lines
    mixed = [line for n in range(0, max(len(first), len(other)), 20)
             for line in first[n:n + 20] + other[n:n + 20]]
    ingest(database_url, tmp_path / "mixed.jsonl", mixed)
    gen = opened(database_url, 13)
    services = next(gen)
    try:
        services.projections.rebuild(["flags"])
        whole = flags_of(services)
        monkeypatch.setattr(flags, "BOOKS_KEPT", 1)
        monkeypatch.setattr(runner, "REBUILD_BATCH_SIZE", 13)
        services.projections.rebuild(["flags"])
        one_at_a_time = flags_of(services)
    finally:
        gen.close()
    assert one_at_a_time == whole
    assert summary([f for f in one_at_a_time if f["la_code"] == TROUBLED]) == EXPECTED


def flag_tables(services: Services) -> dict[str, list[str]]:
    with services.projections.db.reading() as tx:
        return {table: sorted(json.dumps(r, sort_keys=True, default=str)
                              for r in tx.query(f"SELECT * FROM {table}"))
                for table in Flags.tables[:2]}


@pytest.mark.parametrize("chosen", [None, ["flags"]], ids=["every-model", "flags-alone"])
def test_a_rebuild_one_authority_at_a_time_stores_the_flags_of_one_in_store_order(
        postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        chosen: list[str] | None) -> None:
    first, other = troubled().lines, healthy().lines
    mixed = [line for n in range(0, max(len(first), len(other)), 20)
             for line in first[n:n + 20] + other[n:n + 20]]
    ingest(postgres_url, tmp_path / "mixed.jsonl", mixed)
    gen = opened(postgres_url)
    services = next(gen)
    try:
        monkeypatch.setattr(runner, "REBUILD_BATCH_SIZE", 50)
        services.projections.rebuild(apart=False)
        in_store_order = flag_tables(services)
        services.projections.rebuild(chosen)
        apart = flag_tables(services)
        positions = services.projections.positions()
        top = services.ledger.position()
    finally:
        gen.close()
    assert apart == in_store_order
    assert {len(rows) > 0 for rows in apart.values()} == {True}
    assert set(positions.values()) == {top}


def test_a_rebuild_one_authority_at_a_time_outlasts_the_store_s_idle_transaction_timeout(
        postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page applied slower than the event store's idle-in-transaction timeout (the library
    sets 5 s; here 1 s) does not end the cursor the authority's events are read through."""
    ingest(postgres_url, tmp_path / "troubled.jsonl", troubled().lines)
    monkeypatch.setenv("POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT", "1")
    monkeypatch.setattr(runner, "REBUILD_BATCH_SIZE", 50)
    applied = Flags.apply
    slow = [True]

    def slowly(self: Flags, tx: Any, batch: Any) -> None:
        if slow:
            slow.clear()
            time.sleep(1.5)
        applied(self, tx, batch)

    monkeypatch.setattr(Flags, "apply", slowly)
    gen = opened(postgres_url)
    services = next(gen)
    try:
        services.projections.rebuild(["flags"])
        rebuilt = flags_of(services)
    finally:
        gen.close()
    assert not slow
    assert summary([f for f in rebuilt if f["la_code"] == TROUBLED]) == EXPECTED
