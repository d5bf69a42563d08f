"""The CLI's monitoring commands: the projection worker, rebuild and status, and measures.

`measures` reads through the read service, which catches the read models up first, so it
works straight after `ingest` with no worker running, on either store.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from datetime import UTC, date, datetime
from types import FrameType
from typing import Annotated, Any

import psycopg
import typer
from eventsourcing.persistence import PersistenceError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from iro_ledger.cli.app import app
from iro_ledger.cli.core import (
    Token,
    day_option,
    fail,
    principal_for,
    redacted,
    refuse_unsafe,
    services,
)
from iro_ledger.cli.tables import cell, show, table
from iro_ledger.domain.errors import DomainError
from iro_ledger.identity.startup import store_host
from iro_ledger.projections.runner import BATCH_SIZE, GATHER_SECONDS, Projections
from iro_ledger.settings import get_settings
from iro_ledger.web.present import measure_label, measure_parts

projections_app = typer.Typer(help="Inspect and rebuild the read models.",
                              no_args_is_help=True)
app.add_typer(projections_app, name="projections")


BatchSize = Annotated[int, typer.Option("--batch-size", min=1, max=10_000,
                                         help="Events applied per transaction.")]


@app.command()
def worker(
    verbose: Annotated[bool, typer.Option("--verbose", help="A line per batch.")] = False,
    batch_size: BatchSize = BATCH_SIZE,
    gather_ms: Annotated[int, typer.Option(
        "--gather-ms", min=0, max=1000,
        help="After a new event, wait this long for more before applying them (fewer, larger "
             "transactions; a read waiting for its own write waits up to this much more).")]
        = int(GATHER_SECONDS * 1000),
) -> None:
    """Run the read models on PostgreSQL: catch up, then follow new events until SIGTERM/SIGINT.

    On SQLite there is nothing to follow from another process: the read models catch up
    in-process before each read, so the worker catches up once and exits.
    """
    settings = get_settings()
    refuse_unsafe(settings, store_host(settings), "the store's host", warn=False)
    err = Console(stderr=True)
    with services(settings) as built:
        runner = built.projections
        runner.batch_size = batch_size
        runner.gather_seconds = gather_ms / 1000
        if runner.db.dialect == "sqlite":
            read = runner.catch_up()
            err.print(f"SQLite: caught up ({read} events); read models catch up in-process "
                      "on SQLite, so there is nothing to follow")
            return

        def stop(signum: int, frame: FrameType | None) -> None:
            runner.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        err.print(f"worker: following {redacted(settings.resolved_database_url())} "
                  f"with {', '.join(runner.models)}")

        def report(position: int) -> None:
            if verbose:
                err.print(f"worker: applied up to position {position}")

        def between_batches(busy: Callable[[], bool]) -> None:
            # Between batches (and every IDLE_SECONDS with no event: a new day begins
            # without one), yielding to waiting events: today's flags stored for every
            # authority, one at least however busy, so no reader waits for a whole book to
            # be judged (at national scale, 150 authorities judged whole took a day's first
            # reader 20 s); then the year to today's measures of every authority whose
            # stored ones are behind, so an inspector's first read finds them.
            if "flags" in runner.models:
                built.reads.judge_today(busy)
            if "measures" in runner.models and not busy():
                built.reads.measure_today(busy)

        try:
            runner.follow(on_batch=report, on_idle=between_batches)
        except PersistenceError as down:
            fail(f"the store failed: {down}")
        positions = runner.positions()
        err.print(f"worker: stopped at position {min(positions.values(), default=0)}")


@projections_app.command("rebuild")
def rebuild(
    name: Annotated[str | None, typer.Argument(help="One read model (default: all).")] = None,
    batch_size: BatchSize = BATCH_SIZE,
) -> None:
    """Drop a read model's tables and replay every event into them from zero."""
    settings = get_settings()
    with services(settings) as built:
        runner = built.projections
        runner.batch_size = batch_size
        names = _names(runner, name)
        console = Console(stderr=True)
        columns = (TextColumn("rebuilding {task.description}"), BarColumn(),
                   TaskProgressColumn(), TimeElapsedColumn())
        top = runner.ledger.position()
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(", ".join(names), total=max(top, 1))

            def advance(position: int, target: int) -> None:
                progress.update(task, completed=position, total=max(target, 1))

            started = datetime.now(UTC)
            try:
                read = runner.rebuild(names, progress=advance)
            except psycopg.errors.InsufficientPrivilege as refused:
                fail(f"{refused.diag.message_primary}: only the tables' owner may rebuild "
                     "them; run this with the owner's database URL (docs/operations.md)")
            progress.update(task, completed=max(top, 1))
        seconds = (datetime.now(UTC) - started).total_seconds()
        rate = read / seconds if seconds > 0 else 0.0
        typer.echo(json.dumps({"rebuilt": names, "events": read, "seconds": round(seconds, 3),
                               "events_per_second": round(rate)}))


@projections_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Each read model's position and lag behind the store."""
    settings = get_settings()
    with services(settings) as built:
        rows = [s.as_dict() for s in built.projections.status()]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    shown = table("read model", "tracking key", "position", "store", "lag")
    for row in rows:
        shown.add_row(*(cell(row[k]) for k in ("name", "key", "position", "ledger_position",
                                               "lag")))
    show(shown)


@app.command()
def measures(
    la: Annotated[str, typer.Option("--la", help="The authority's la_code.")],
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD "
                                                           "(default: a year before --to).")]
    = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (default: today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    token: Token = None,
) -> None:
    """An authority's measures for a period, each with the events behind it."""
    settings = get_settings()
    first, last = day_option("--from", start), day_option("--to", end)
    principal = principal_for(settings, token)
    with services(settings) as built, built.reads.by(principal, "cli") as reader:
        try:
            asked = reader.period(first, last)
            if reader.authority_name(la) is None:
                fail(f"no authority {la!r} is recorded")
            found = reader.measures(la, asked.start, asked.end)
        except DomainError as refused:
            fail(str(refused))
    period = found.period
    if as_json:
        typer.echo(json.dumps({"la_code": la, "from": period.start.isoformat(),
                               "to": period.end.isoformat(), "measures": found.measures}))
        return
    _print_measures(la, found.measures, period.start, period.end)


def _names(runner: Projections, name: str | None) -> list[str]:
    if name is None:
        return list(runner.models)
    if name not in runner.models:
        fail(f"no read model {name!r}; known: {', '.join(runner.models)}")
    return [name]


def _print_measures(la: str, found: list[dict[str, Any]], start: date, end: date) -> None:
    shown = table("measure", "value", "unit", "events", title=f"{la}: {start} to {end}")
    for measure in found:
        shown.add_row(measure_label(measure["name"]), "\n".join(measure_parts(measure)),
                      cell(measure["unit"]), str(len(measure["evidence"])))
    show(shown)
