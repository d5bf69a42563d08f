"""Flags served from what is stored: the flags of a day as the rules engine judges them, pages
by cursor that meet every flag once, counts that agree with the listing, and a record made
after a read shown by the next one (issue 12: reads flat as data grows)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from iro_ledger.application import Principal, Role
from iro_ledger.domain.errors import InvalidValue
from iro_ledger.projections.flags import FlagQuery, Flags, read_flags
from iro_ledger.projections.rules.flag import Flag
from iro_ledger.settings import Settings
from iro_ledger.wiring import Services, build_services
from tests.integration.test_flags_cli import TROUBLED, cli, healthy, ingested, troubled

__all__ = ["ingested"]

ADMIN = Principal(sub="stored-days", role=Role.ADMIN)
DAYS = [date(2023, 6, 30), date(2024, 2, 29), date(2024, 12, 31), date(2026, 1, 1)]


@pytest.fixture
def services(ingested: str) -> Iterator[Services]:
    built = build_services(Settings(database_url=ingested))
    try:
        yield built
    finally:
        built.close()


def judged(services: Services, day: date, status: str | None = None) -> list[Flag]:
    """The flags the rules engine gives from the stored books, loaded for the asking."""
    model = services.projections.models["flags"]
    assert isinstance(model, Flags)
    with services.projections.db.reading() as tx:
        return read_flags(tx, model.config, FlagQuery(status=status), day)


@pytest.mark.parametrize("day", DAYS)
def test_the_stored_flags_of_a_day_are_those_the_rules_engine_judges(services: Services,
                                                                      day: date) -> None:
    with services.reads.by(ADMIN, "cli") as reader:
        for status in (None, "open", "cleared", "withdrawn"):
            served = reader.flags(status=status, as_of=day).flags
            assert [f.public() for f in served] == [
                f.public() for f in judged(services, day, status)]


def test_pages_by_cursor_meet_every_flag_once_in_the_order_asked(services: Services) -> None:
    day = date(2024, 12, 31)
    with services.reads.by(ADMIN, "cli") as reader:
        for sort, descending in ((None, False), ("severity", True), ("rule", False),
                                 ("explanation", True)):
            whole = reader.flags(as_of=day, sort=sort, descending=descending)
            assert whole.total == len(whole.flags) > 3
            paged, after = [], None
            while True:
                page = reader.flags(as_of=day, sort=sort, descending=descending, limit=2,
                                    after=after)
                assert page.total == whole.total
                paged += page.flags
                after = page.next
                if after is None:
                    break
            assert [f.id for f in paged] == [f.id for f in whole.flags]


def test_a_cursor_not_given_by_the_listing_is_refused(services: Services) -> None:
    with services.reads.by(ADMIN, "cli") as reader, pytest.raises(InvalidValue):
        reader.flags(limit=2, after="bm90IGEgY3Vyc29y")


def test_the_cli_pages_by_the_cursor_it_prints(ingested: str) -> None:
    whole = cli(ingested, "flags", "--json", "--as-of", "2024-12-31")
    assert whole.exit_code == 0, whole.output
    paged, after = [], list[str]()
    while True:
        page = cli(ingested, "flags", "--json", "--as-of", "2024-12-31", "--limit", "3",
                   *after)
        assert page.exit_code == 0, page.output
        paged += json.loads(page.stdout)
        more = [line for line in page.stderr.splitlines() if line.startswith("more: ")]
        if not more:
            break
        after = more[0].removeprefix("more: ").split(" ")
    assert [f["id"] for f in paged] == [f["id"] for f in json.loads(whole.stdout)]
    refused = cli(ingested, "flags", "--limit", "3", "--after", "bm90IGEgY3Vyc29y")
    assert refused.exit_code == 2 and len(refused.stderr.strip().splitlines()) == 1


def test_counts_agree_with_the_listing(services: Services) -> None:
    day = date(2024, 12, 31)
    with services.reads.by(ADMIN, "cli") as reader:
        listed = reader.flags(as_of=day).flags
        counted = reader.flag_counts(("rule", "month"), as_of=day)
    assert {(c["rule"], c["month"]): int(c["n"]) for c in counted} == dict(
        Counter((f.rule, f"{f.raised_on:%Y-%m}") for f in listed))


def test_a_record_made_after_a_read_is_shown_by_the_next(ingested: str, tmp_path: Path,
                                                       services: Services) -> None:
    day = date(2026, 6, 30)
    with services.reads.by(ADMIN, "cli") as reader:
        before = {f.id for f in reader.flags(TROUBLED, as_of=day).flags}
    line = {"command": "record_instruction", "instruction_id": "ins-stored-days",
            "la_code": TROUBLED, "actor": "mgr-x", "issued_to": ["all_iros"],
            "kind": "permission_before_challenge", "text": "Ask me first.",
            "occurred_on": "2026-06-01"}
    path = tmp_path / "later.jsonl"
    path.write_text(json.dumps(line) + "\n")
    assert cli(ingested, "ingest", str(path)).exit_code == 0
    with services.reads.by(ADMIN, "cli") as reader:
        after = reader.flags(TROUBLED, as_of=day).flags
    assert {f.id for f in after} - before == {
        f.id for f in after if f.subjects.get("instruction_id") == "ins-stored-days"} != set()
    assert [f.public() for f in after] == [
        f.public() for f in judged(services, day) if f.la_code == TROUBLED]


def test_stored_days_follow_the_history_batch_by_batch(database_url: str,
                                                       tmp_path: Path) -> None:
    """Days read before the history arrives are kept up to date as each batch is applied,
    subject by subject, and end as the rules engine judges them from the whole store."""
    lines = troubled().lines + healthy().lines
    parts = [lines[n: n + 23] for n in range(0, len(lines), 23)]
    built = build_services(Settings(database_url=database_url))
    built.projections.batch_size = 7
    try:
        for n, part in enumerate(parts):
            path = tmp_path / f"part{n}.jsonl"
            path.write_text("\n".join(json.dumps(line) for line in part) + "\n")
            assert cli(database_url, "ingest", str(path)).exit_code == 0
            if n == 0:
                with built.reads.by(ADMIN, "cli") as reader:
                    for day in DAYS[:3]:
                        reader.flags(as_of=day)
            built.projections.catch_up(["flags"])
        with built.projections.db.reading() as tx:
            held = {str(r["judged_for"]): int(r["position"]) for r in tx.query(
                "SELECT judged_for, position FROM flags_days_v18 WHERE la_code = ?",
                (TROUBLED,))}
            changed = tx.one("SELECT position FROM flags_changed_v18 WHERE la_code = ?",
                             (TROUBLED,))
        assert changed is not None and len(held) == 3
        assert set(held.values()) == {int(changed["position"])}, "followed, not judged anew"
        with built.reads.by(ADMIN, "cli") as reader:
            for day in DAYS[:3]:
                for status in (None, "withdrawn"):
                    assert [f.public() for f in reader.flags(status=status, as_of=day).flags] \
                        == [f.public() for f in judged(built, day, status)]
    finally:
        built.close()
