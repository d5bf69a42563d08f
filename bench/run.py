"""Benchmarks: each figure is a ratio against a raw baseline run side by side on this machine.

    python bench/run.py [--children 150] [--rounds 3] [--store sqlite|postgres]

- ingest:  the ledger's command path (validate, authorise, load records, check invariants,
           one transaction per command) against the bare eventsourcing library appending the
           same number of events, one transaction each, to the same kind of store.
- rebuild: every read model rebuilt from zero against only reading and decoding the events.
- merkle:  appending leaves to the Merkle log against only hashing them (SHA-256).
- memory:  peak Python allocation of a rebuild against reading and decoding the events.

Targets are ratios, not seconds, so they hold on a faster or slower machine. Rounds alternate
ours and the baseline and the median ratio is reported. Nothing here is a test: a ratio over
its target is printed, not failed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from iro_ledger.application import Ledger, Principal, Role
from iro_ledger.application.commands import parse_command_json
from iro_ledger.application.store import store_env
from iro_ledger.generator import GeneratorSpec, generate
from iro_ledger.settings import Settings
from iro_ledger.trust.keys import ensure_signing_key
from iro_ledger.trust.merkle import InMemoryNodeStore, MerkleLog
from iro_ledger.wiring import build_services

TARGETS = {"ingest": 4.0, "rebuild": 25.0, "merkle": 10.0, "memory": 30.0}
"""Ingest does real work per command (load, check, one transaction); a Merkle append hashes
about twice per leaf plus bookkeeping in Python; rebuild writes six read models."""
ADMIN = Principal("bench", Role.ADMIN)


class Note(Aggregate):
    """The baseline's aggregate: one small event, no rules."""

    class Written(Aggregate.Created):
        text: str


SERVER = os.environ.get("IRO_LEDGER_TEST_DSN", "postgresql://postgres@127.0.0.1:5432/test")
CREATED: list[str] = []
"""PostgreSQL databases this run made, dropped at its end."""


def fresh_url(store: str, workdir: Path) -> str:
    if store == "sqlite":
        return f"sqlite:///{workdir / f'{uuid.uuid4().hex}.sqlite'}"
    name = f"iro_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    CREATED.append(name)
    return SERVER.rsplit("/", 1)[0] + f"/{name}"


def drop_created() -> None:
    if CREATED:
        with psycopg.connect(SERVER, autocommit=True) as conn:
            for name in CREATED:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def ingest_pair(lines: list[str], store: str, workdir: Path) -> tuple[float, float]:
    ledger = Ledger(env=store_env(fresh_url(store, workdir)))
    commands = [parse_command_json(line) for line in lines]
    ours = timed(lambda: [ledger.execute(c, ADMIN, "import") for c in commands])
    events = ledger.count_events()
    ledger.close()
    raw = Application[uuid.UUID](env=store_env(fresh_url(store, workdir)))
    baseline = timed(lambda: [raw.save(Note._create(Note.Written, text="x"))
                              for _ in range(events)])
    raw.close()
    return ours, baseline


def rebuild_pair(url: str) -> tuple[float, float, int, int]:
    services = build_services(Settings(database_url=url))
    ledger = services.ledger

    def decode_all() -> None:
        start = 1
        while page := ledger.recorder.select_notifications(start=start, limit=500):
            for notification in page:
                ledger.mapper.to_domain_event(notification)
            start = page[-1].id + 1

    tracemalloc.start()
    ours = timed(lambda: services.projections.rebuild(None))
    ours_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    baseline = timed(decode_all)
    base_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    services.close()
    return ours, baseline, ours_peak, base_peak


def merkle_pair(leaves: int) -> tuple[float, float]:
    data = [os.urandom(200) for _ in range(leaves)]
    ours = timed(lambda: MerkleLog(InMemoryNodeStore()).append(
        hashlib.sha256(b"\x00" + d).digest() for d in data))
    baseline = timed(lambda: [hashlib.sha256(b"\x00" + d).digest() for d in data])
    return ours, baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    os.environ.setdefault("POSTGRES_PASSWORD", "bench")
    keys = tempfile.mkdtemp()
    os.environ["IRO_LEDGER_SIGNING_KEY_PATH"] = str(Path(keys) / "checkpoint.pem")
    ensure_signing_key(Path(os.environ["IRO_LEDGER_SIGNING_KEY_PATH"]))
    lines = generate(GeneratorSpec(authorities=1, children=args.children, years=3)).lines
    ratios: dict[str, list[float]] = {name: [] for name in TARGETS}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            run_rounds(args, lines, ratios, Path(tmp))
        finally:
            drop_created()
    for name, values in ratios.items():
        median = statistics.median(values)
        print(f"{name:<10}{median:>14.2f}{min(values):>8.2f}{max(values):>8.2f}"
              f"{TARGETS[name]:>9.1f}  {'yes' if median <= TARGETS[name] else 'NO'}")


def run_rounds(args: argparse.Namespace, lines: list[str], ratios: dict[str, list[float]],
               workdir: Path) -> None:
    """Fill one store with the history, then alternate ours and the baselines."""
    url = fresh_url(args.store, workdir)
    ledger = Ledger(env=store_env(url))
    for line in lines:
        ledger.execute(parse_command_json(line), ADMIN, "import")
    events = ledger.count_events()
    ledger.close()
    print(f"store={args.store} commands={len(lines)} events={events} rounds={args.rounds}")
    for _ in range(args.rounds):
        ours, base = ingest_pair(lines, args.store, workdir)
        ratios["ingest"].append(ours / base)
        ours, base, ours_peak, base_peak = rebuild_pair(url)
        ratios["rebuild"].append(ours / base)
        ratios["memory"].append(ours_peak / max(base_peak, 1))
        ours, base = merkle_pair(events)
        ratios["merkle"].append(ours / base)
    print(f"{'measure':<10}{'median ratio':>14}{'min':>8}{'max':>8}{'target':>9}  within")


if __name__ == "__main__":
    main()
