"""`iro-ledger worker` as a real process on PostgreSQL: follows new events through
LISTEN/NOTIFY, sends nothing while idle, survives SIGKILL, stops cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest

from iro_ledger.application.commands import parse_command
from iro_ledger.projections import flags_on, measures
from iro_ledger.projections.timeline import read_timeline
from iro_ledger.settings import Settings
from iro_ledger.wiring import Services, build_services
from tests.unit.projections.story import ADMIN, LA, busy_authority, dump, record_all

EXECUTABLE = Path(sys.executable).with_name("iro-ledger")


@pytest.fixture
def services(postgres_url: str) -> Iterator[Services]:
    built = build_services(Settings(database_url=postgres_url))
    yield built
    built.close()


def start_worker(url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "IRO_LEDGER_DATABASE_URL": url}
    return subprocess.Popen([str(EXECUTABLE), "worker", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def stop(worker: subprocess.Popen[str], how: int = signal.SIGTERM) -> tuple[int, str]:
    worker.send_signal(how)
    _, err = worker.communicate(timeout=15)
    return worker.returncode, err


def eventually(check: Callable[[], bool], worker: subprocess.Popen[str],
               seconds: float = 30) -> float:
    """Seconds until `check` holds; fails if the worker dies or time runs out."""
    started = time.monotonic()
    while not check():
        assert worker.poll() is None, f"the worker exited: {worker.communicate()[1]}"
        assert time.monotonic() - started < seconds, "the read models never caught up"
        time.sleep(0.01)
    return time.monotonic() - started


def caught_up(services: Services) -> Callable[[], bool]:
    return lambda: all(s.lag == 0 for s in services.projections.status())


def test_the_worker_catches_up_then_shows_a_new_write_within_moments(
        services: Services, postgres_url: str) -> None:
    record_all(services.ledger, busy_authority(20))
    worker = start_worker(postgres_url)
    try:
        eventually(caught_up(services), worker)
        close = parse_command({"command": "close_case", "la_code": LA, "case_id": "c2",
                               "occurred_on": "2024-12-02", "reason": "adopted"})
        services.ledger.execute(close, ADMIN, "api")

        def shown() -> bool:
            with services.projections.db.reading() as tx:
                found = read_timeline(tx, LA, "c2")
            return found is not None and found["closed_on"] == "2024-12-02"

        assert eventually(shown, worker) < 2.0
    finally:
        code, err = stop(worker)
    assert code == 0, err


def test_the_worker_stores_todays_flags_after_a_batch_so_no_reader_judges_them(
        services: Services, postgres_url: str) -> None:
    record_all(services.ledger, busy_authority(6))
    worker = start_worker(postgres_url)
    try:
        eventually(caught_up(services), worker)
        close = parse_command({"command": "close_case", "la_code": LA, "case_id": "c2",
                               "occurred_on": "2024-12-02", "reason": "adopted"})
        services.ledger.execute(close, ADMIN, "api")

        eventually(stored_today(services), worker)
    finally:
        code, err = stop(worker)
    assert code == 0, err


def stored_today(services: Services) -> Callable[[], bool]:
    def stored() -> bool:
        with services.projections.db.reading() as tx:
            rows = tx.query(f"SELECT judged_for FROM {flags_on.TABLES[1]}"
                            " WHERE la_code = ? AND position >= 0", (LA,))
        return any(str(r["judged_for"]).startswith(services.reads.today().isoformat())
                   for r in rows)
    return stored


def measured_today(services: Services) -> Callable[[], bool]:
    today = measures.period_of(None, None, services.reads.today())
    return lambda: not measures.outdated(services.projections, today)


def test_an_idle_worker_stores_the_year_to_today_s_measures_so_no_reader_works_them_out(
        services: Services, postgres_url: str) -> None:
    record_all(services.ledger, busy_authority(6))
    worker = start_worker(postgres_url)
    try:
        eventually(caught_up(services), worker)
        close = parse_command({"command": "close_case", "la_code": LA, "case_id": "c2",
                               "occurred_on": "2024-12-02", "reason": "adopted"})
        services.ledger.execute(close, ADMIN, "api")
        eventually(caught_up(services), worker)

        eventually(measured_today(services), worker)
    finally:
        code, err = stop(worker)
    assert code == 0, err
    with services.projections.db.reading() as tx:
        assert measures.changed_at(tx, LA) == services.ledger.position()


def test_an_idle_worker_sends_nothing_to_the_database(
        services: Services, postgres_url: str) -> None:
    record_all(services.ledger, busy_authority(4))
    worker = start_worker(postgres_url)
    try:
        eventually(caught_up(services), worker)
        eventually(measured_today(services), worker)  # what it does while idle, once
        time.sleep(0.3)
        with psycopg.connect(postgres_url, autocommit=True) as watch:
            since = watch.execute("SELECT clock_timestamp()").fetchone()
            time.sleep(1.0)
            busy = watch.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state_change > %s", since).fetchone()
        assert busy == (0,), "something queried the database while nothing was written"
    finally:
        stop(worker)


def test_a_worker_killed_mid_way_and_restarted_gives_the_same_views_as_a_rebuild(
        services: Services, postgres_url: str) -> None:
    record_all(services.ledger, busy_authority(150))
    top = services.ledger.position()
    worker = start_worker(postgres_url, "--batch-size", "10")

    def part_way() -> bool:
        return 0 < max(services.projections.positions().values()) < top

    eventually(part_way, worker)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=15)
    assert min(services.projections.positions().values()) < top
    restarted = start_worker(postgres_url)
    try:
        eventually(caught_up(services), restarted)
        eventually(stored_today(services), restarted)
        eventually(measured_today(services), restarted)
    finally:
        code, err = stop(restarted)
    assert code == 0, err
    followed, answered = views(services), answers(services)
    services.projections.rebuild()
    assert views(services) == followed
    assert answers(services) == answered


def answers(services: Services) -> dict[str, Any]:
    """What reads are answered from the answers stored for them: today's flags (the worker
    stored them while idle; after a rebuild a read judges and stores them again), a past
    day's, and the year to today's measures, each word for word."""
    with services.reads.by(ADMIN, "cli") as reader:
        return {"today": [f.public() for f in reader.flags(la_code=LA).flags],
                "2024-12-31": [f.public() for f in reader.flags(
                    la_code=LA, as_of=date(2024, 12, 31)).flags],
                "measures": reader.measures(LA).measures}


def views(services: Services) -> dict[str, list[str]]:
    """Every read model's rows but the answers stored for reads (a day's flags, measures),
    which the worker stores while idle and a rebuild drops: those are what was asked, when."""
    asked = {*flags_on.TABLES[:2], measures.STORED}
    return {t: rows for t, rows in dump(services.projections).items() if t not in asked}


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_worker_stops_cleanly_when_told(postgres_url: str, how: int) -> None:
    worker = start_worker(postgres_url)
    deadline = time.monotonic() + 30
    assert worker.stderr is not None
    while "following" not in worker.stderr.readline():
        assert time.monotonic() < deadline and worker.poll() is None
    started = time.monotonic()
    code, err = stop(worker, how)
    assert code == 0, err
    assert "stopped at position" in err
    assert time.monotonic() - started < 5
