"""The flags read model on both stores: however the stream is split into batches, and whichever
process applies which batch, the flags equal those of a rebuild from zero."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

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
