"""Batch ingest through the Ledger, on SQLite and PostgreSQL: good lines apply, bad lines
record nothing, atomic batches are all or nothing, and repeated command ids store nothing new."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from iro_ledger.application import Ledger, Principal, Role
from iro_ledger.application.ingest import (
    LineError,
    Rejection,
    ingest,
    numbered,
    parse_entry,
    read_entries,
)
from iro_ledger.application.store import store_env
from iro_ledger.settings import Settings
from iro_ledger.wiring import build_services
from tests.fixtures_data import ANCHOR, BadLine, bad_lines, batch_commands, iro_lines

ADMIN = Principal(sub="cli:tester", role=Role.ADMIN)
IRO_2 = Principal(sub="iro-2", role=Role.IRO, la_code="EMR")
SMALL = 6
"""Cases per authority for tests where the size of the history does not matter."""


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    ledger = Ledger(env=store_env(database_url))
    yield ledger
    ledger.close()


def events_after(lines: list[Any], principal: Principal, tmp_path: Path,
                 history: list[dict[str, Any]]) -> int:
    """How many events a fresh store holds after `history` and then `lines`, all accepted."""
    reference = Ledger(env=store_env(f"sqlite:///{tmp_path / 'reference.sqlite'}"))
    try:
        assert not ingest(reference, numbered(history), ADMIN).rejected
        assert not ingest(reference, numbered(lines), principal).rejected
        return reference.count_events()
    finally:
        reference.close()


def assert_reported(rejections: list[Rejection], expected: dict[int, BadLine]) -> None:
    assert [r.line for r in rejections] == sorted(expected)
    for rejection in rejections:
        bad = expected[rejection.line]
        assert rejection.command == bad.command
        assert bad.reason in rejection.reason, rejection.report()


def test_each_bad_line_is_rejected_with_its_number_and_records_nothing(
        ledger: Ledger, tmp_path: Path) -> None:
    history = batch_commands(SMALL)
    assert not ingest(ledger, numbered(history), ADMIN).rejected
    good = [{"command": "hold_review", "la_code": "EMR", "occurred_on": ANCHOR.isoformat(),
             "case_id": "case-001", "chaired_by": "iro-1", "child_participation": "attended",
             "child_seen_before": True}]
    bad = bad_lines()
    lines: list[Any] = [bad[0].line, good[0], *(b.line for b in bad[1:])]
    seen: list[Rejection] = []

    summary = ingest(ledger, numbered(lines), ADMIN, on_rejection=seen.append)

    assert (summary.accepted, len(summary.rejected)) == (1, len(bad))
    assert seen == summary.rejected
    expected = {1: bad[0], **{n: b for n, b in enumerate(bad[1:], start=3)}}
    assert_reported(summary.rejected, expected)
    assert ledger.count_events() == events_after(good, ADMIN, tmp_path, history)


def test_an_iro_token_records_only_what_an_iro_may(ledger: Ledger, tmp_path: Path) -> None:
    history = batch_commands(SMALL)
    assert not ingest(ledger, numbered(history), ADMIN).rejected
    good, refused = iro_lines("iro-2")

    summary = ingest(ledger, numbered([*good, *(b.line for b in refused)]), IRO_2)

    assert summary.accepted == len(good)
    assert_reported(summary.rejected, {n: b for n, b in enumerate(refused, start=len(good) + 1)})
    assert ledger.count_events() == events_after(good, IRO_2, tmp_path, history)


def test_an_atomic_batch_with_one_bad_line_records_nothing(ledger: Ledger) -> None:
    lines: list[Any] = batch_commands(SMALL)
    lines.insert(40, bad_lines()[4].line)

    summary = ingest(ledger, numbered(lines), ADMIN, atomic=True)

    assert summary.as_dict() == {"accepted": 0, "rejected": 1, "committed": False}
    assert summary.rejected[0].line == 41
    assert ledger.count_events() == 0


def test_an_atomic_batch_of_good_lines_records_everything(ledger: Ledger, tmp_path: Path) -> None:
    history = batch_commands(SMALL)

    summary = ingest(ledger, numbered(history), ADMIN, atomic=True)

    assert summary.as_dict() == {"accepted": len(history), "rejected": 0}
    assert ledger.count_events() == events_after([], ADMIN, tmp_path, history)


def test_ingesting_a_batch_again_answers_each_command_id_and_stores_nothing_new(
        ledger: Ledger) -> None:
    history = batch_commands(SMALL)
    ingest(ledger, numbered(history), ADMIN)
    stored = ledger.count_events()

    again = ingest(ledger, numbered(history), ADMIN)

    assert again.as_dict() == {"accepted": len(history), "rejected": 0,
                               "replayed": len(history)}
    assert ledger.count_events() == stored


def test_a_file_is_read_by_line_number_with_blank_lines_skipped(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"command": "a"}\n\n   \n{"command": "b"}\n\xff\xfe\n')

    entries = read_entries(path)

    assert [number for number, _ in entries] == [1, 4, 5]
    assert entries[0][1] == '{"command": "a"}'
    with pytest.raises(LineError, match="not UTF-8"):
        parse_entry(entries[2][1])


def test_a_misspelt_field_is_refused_not_dropped() -> None:
    line = ('{"command": "register_authority", "la_code": "EMR", "occurred_on": "2025-01-01",'
            ' "name": "Borough of Eastmere", "nmae": "typo"}')
    with pytest.raises(LineError, match="nmae: Extra inputs are not permitted"):
        parse_entry(line)


@pytest.mark.parametrize(("line", "reason"), [
    ('{"command": "register_authority", "la_code": "EMR", "occurred_on": "2025-01-01",'
     ' "name": "Borough of\\u0000Eastmere"}', "name: Value error, text may not contain"),
    ('{"command": "correct_record", "la_code": "EMR", "occurred_on": "2025-01-01",'
     ' "kind": "case", "record_id": "case-001", "corrects_event": 1, "reason": "typo",'
     ' "details": ' + '{"a": ' * 20 + "{}" + "}" * 20 + "}", "nests deeper than 8 levels"),
    ('{"command": "correct_record", "la_code": "EMR", "occurred_on": "2025-01-01",'
     ' "kind": "case", "record_id": "case-001", "corrects_event": 1, "reason": "typo",'
     ' "details": {"n": NaN}}', "numbers must be finite"),
])
def test_a_line_a_reader_could_not_read_back_is_refused(line: str, reason: str) -> None:
    with pytest.raises(LineError, match=reason):
        parse_entry(line)


@pytest.mark.parametrize("records_cached", [0, 3])
def test_a_history_loads_the_same_whatever_the_records_cached(
        records_cached: int, tmp_path: Path) -> None:
    """A bulk load larger than the cache loads records back from the store: the same events."""
    stores = []
    for cached in (records_cached, 20_000):
        settings = Settings(database_url=f"sqlite:///{tmp_path / f'c{cached}.sqlite'}",
                            signing_key_path=tmp_path / "checkpoint.pem",
                            records_cached=cached)
        services = build_services(settings)
        try:
            assert services.ledger.records_cache.size == cached
            assert not ingest(services.ledger, numbered(batch_commands(SMALL)), ADMIN).rejected
            stores.append([(n.originator_id, n.originator_version, n.topic)
                           for n in services.ledger.recorder.select_notifications(1, 10_000)])
        finally:
            services.close()
    assert stores[0] == stores[1] and len(stores[0]) > 50
