"""One transaction per event, as eventsourcing's `Projection`, against ours: a batch of them.

    python bench/batches.py [--children 40] [--store sqlite|postgres] [--rounds 3]

eventsourcing 9.5's `ProjectionRunner` hands a projection one event at a time
(`Projection.process_event(event, tracking)`), and the projection records the view's change
and the tracking position in one transaction per event. Our runner hands each read model a
batch (500 events) and writes its rows and the position once per batch. This times a rebuild
of every read model over the same store both ways (notifications read in pages of 500 either
way; then each event in its own transaction per model, or each page in one), alternating,
and prints events per second and the ratio. Design notes quote it; nothing here is a test.
On PostgreSQL, run as the application role or with IRO_LEDGER_ALLOW_SUPERUSER=true.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg

from iro_ledger.application import Principal, Role
from iro_ledger.application.ingest import ingest, read_entries
from iro_ledger.generator import GeneratorSpec, generate
from iro_ledger.projections import Envelope, ReadModel
from iro_ledger.settings import Settings
from iro_ledger.wiring import build_services

SERVER = os.environ.get("IRO_LEDGER_TEST_DSN", "postgresql://postgres@127.0.0.1:5432/test")
LOADER = Principal("bench-loader", Role.ADMIN)
Advance = Callable[[ReadModel, int, int, Sequence[Envelope]], bool]


def one_each(advance: Advance) -> Advance:
    """Our runner's step, one event per transaction: the notifications are still read in pages,
    as eventsourcing's subscription reads them."""

    def step(model: ReadModel, after: int, last: int, envelopes: Sequence[Envelope]) -> bool:
        for env in envelopes:
            if not advance(model, after, env.position, [env]):
                return False
            after = env.position
        return advance(model, after, last, [])

    return step


def rebuild(url: str, per_event: bool, keys: Path) -> tuple[float, int]:
    services = build_services(Settings(database_url=url, signing_key_path=keys / "k.pem",
                                       checkpoint_every_events=10**9))
    try:
        if per_event:
            runner: Any = services.projections
            runner._advance = one_each(runner._advance)
        began = time.perf_counter()
        read = services.projections.rebuild(None)
        return time.perf_counter() - began, read
    finally:
        services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=40)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("POSTGRES_PASSWORD", "bench")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        name = f"iro_batches_{uuid.uuid4().hex[:10]}"
        if args.store == "sqlite":
            url = f"sqlite:///{work / 'store.sqlite'}"
        else:
            with psycopg.connect(SERVER, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {name}")
            url = SERVER.rsplit("/", 1)[0] + f"/{name}"
        try:
            history = work / "history.jsonl"
            spec = GeneratorSpec(authorities=1, children=args.children, years=3)
            history.write_text("\n".join(generate(spec).lines) + "\n")
            services = build_services(Settings(database_url=url,
                                               signing_key_path=work / "k.pem",
                                               checkpoint_every_events=10**9))
            try:
                ingest(services.ledger, read_entries(history), LOADER)
            finally:
                services.close()
            single, batched, events = [], [], 0
            for _ in range(args.rounds):
                seconds, events = rebuild(url, True, work)
                single.append(seconds)
                seconds, events = rebuild(url, False, work)
                batched.append(seconds)
            one, many = statistics.median(single), statistics.median(batched)
            print(f"store={args.store} events={events} rounds={args.rounds}")
            print(f"one event per transaction: {events / one:8.0f} events/s ({one:.2f} s)")
            print(f"batches of 500:            {events / many:8.0f} events/s ({many:.2f} s)")
            print(f"ratio (batched / one each): {one / many:.1f}")
        finally:
            if args.store == "postgres":
                with psycopg.connect(SERVER, autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
