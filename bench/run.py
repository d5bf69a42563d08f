"""Benchmarks against the limit: each figure beside a raw PostgreSQL baseline, in the same run.

    python bench/run.py              # make bench: a small history, minutes
    python bench/run.py --national   # make bench-national: at least 10M events, hours

Steps, each in its own process where its memory matters (bench/child.py):
- load:     the history through the ledger's command path, events/s, against COPY of the
            same stored rows into a table of the same shape (`bulk_ratio`).
- rebuild:  every read model from zero, events/s, against a raw SELECT of every event and a
            `json.loads` of its state (`rebuild_ratio`); the worker's peak RSS.
- api:      commands through HTTP (uvicorn in a subprocess, the worker following beside it) by
            1, 4 and 8 closed-loop clients, commands/s and p50/p99, against psycopg single-row
            INSERT + COMMIT by as many clients (`api_ratio_N`).
- reads:    p95 of flags (one authority, all), case timeline, challenge register, measures and
            a record's receipts (Merkle proofs) through HTTP.
Ratios are ours over raw: higher is better, 1.0 is the limit. Nothing here is a test.
The last line is one JSON object with every figure (see bench/README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from clients import RAW_TABLE, http_commands, p95_ms, raw_commits
from iro_ledger.generator import GeneratorSpec, generate
from iro_ledger.identity.tokens import TokenPolicy, mint_token
from memory import peak_rss_mb

BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
CLI = str(Path(PYTHON).with_name("iro-ledger"))
SERVER = os.environ.get("IRO_LEDGER_TEST_DSN", "postgresql://postgres@127.0.0.1:5432/test")
TARGETS = {"api_ratio_4": 0.25, "api_ratio_8": 0.25, "bulk_ratio": 0.3, "rebuild_ratio": 0.5}
CLIENTS = (1, 4, 8)


@dataclass(frozen=True)
class Size:
    authorities: int
    children: int
    years: int
    seconds: float
    """How long each closed-loop run lasts."""
    samples: int
    """Requests per read figure."""
    load_mode: str
    records_cached: int
    """IRO_LEDGER_RECORDS_CACHED: a national history interleaves 150 authorities by date, so
    a record comes back only after hundreds of thousands of others (settings.py)."""


SMALL = Size(authorities=2, children=150, years=3, seconds=4.0, samples=40,
             load_mode="ingest", records_cached=20_000)
NATIONAL = Size(authorities=150, children=0, years=5, seconds=20.0, samples=200,
                load_mode="ingest", records_cached=1_000_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", action="store_true",
                        help="at least --events events (hours), instead of a small history")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--seconds", type=float, help="each closed-loop run")
    parser.add_argument("--keep", action="store_true", help="leave the database for a look")
    parser.add_argument("--history", type=Path,
                        help="load this JSON Lines history (kept) instead of generating one")
    parser.add_argument("--gather-ms", type=int,
                        help="the worker's --gather-ms (its default if not given)")
    args = parser.parse_args()
    # A SIGTERM (e.g. from `timeout`) unwinds like Ctrl-C: servers stopped, database dropped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    size = NATIONAL if args.national else SMALL
    if args.national:
        size = Size(**{**size.__dict__, "children": children_for(args.events, size)})
    if args.seconds:
        size = Size(**{**size.__dict__, "seconds": args.seconds})
    with tempfile.TemporaryDirectory(prefix="iro-bench-") as tmp:
        bench = Bench(Path(tmp), size, args.gather_ms, args.history)
        try:
            figures = bench.run()
        finally:
            bench.stop_processes()
            if not args.keep:
                bench.drop()
    report(figures)


def children_for(events: int, size: Size) -> int:
    """Children per authority for about `events` events (calibrated on one small authority)."""
    probe = generate(GeneratorSpec(authorities=1, children=200, years=size.years)).lines
    per_child = len(probe) * 2 / 200  # a command and its idempotency receipt, about
    return int(events / (size.authorities * per_child) * 1.1) + 1


class Bench:
    def __init__(self, workdir: Path, size: Size, gather_ms: int | None = None,
                 history: Path | None = None) -> None:
        self.workdir = workdir
        self.history = history
        self.gather = [] if gather_ms is None else ["--gather-ms", str(gather_ms)]
        self.size = size
        self.name = f"iro_bench_{uuid.uuid4().hex[:10]}"
        self.url = SERVER.rsplit("/", 1)[0] + f"/{self.name}"
        self.secret = secrets.token_urlsafe(48)
        self.env = {**os.environ, "IRO_LEDGER_DATABASE_URL": self.url,
                    "IRO_LEDGER_ALLOW_SUPERUSER": "true",
                    "IRO_LEDGER_SIGNING_KEY_PATH": str(workdir / "checkpoint.pem"),
                    "POSTGRES_PASSWORD": os.environ.get("POSTGRES_PASSWORD", "bench"),
                    "IRO_LEDGER_JWT_SECRET": self.secret,
                    # The clients stand for many people: one principal's limit is not measured.
                    "IRO_LEDGER_RATE_LIMIT_PER_MINUTE": "0",
                    "IRO_LEDGER_RECORDS_CACHED": str(size.records_cached),
                    "PYTHONPATH": os.pathsep.join(
                        filter(None, [str(BENCH), os.environ.get("PYTHONPATH")]))}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.figures: dict[str, Any] = {}

    def run(self) -> dict[str, Any]:
        history = self.history or self.workdir / "history.jsonl"
        if self.history:
            lines = history.read_text().splitlines()
            say(f"history: {len(lines)} commands from {history}")
        else:
            lines = self.write_history(history)
        with psycopg.connect(SERVER, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {self.name}")
        subprocess.run([CLI, "keys", "generate"], env=self.env, check=False,
                       capture_output=True)
        self.load(history)
        self.rebuild()
        subprocess.run([CLI, "checkpoint"], env=self.env, check=True, capture_output=True)
        self.api()
        self.reads(lines)
        self.stop_processes()
        return self.figures

    # The history and loading it

    def write_history(self, path: Path) -> list[str]:
        size = self.size
        spec = GeneratorSpec(authorities=size.authorities, children=size.children,
                             years=size.years)
        began = time.perf_counter()
        lines = generate(spec).lines
        path.write_text("\n".join(lines) + "\n")
        say(f"history: {len(lines)} commands, {size.authorities} authorities, "
            f"{size.children} children each, {size.years} years "
            f"({time.perf_counter() - began:.1f} s to generate)")
        return lines

    def load(self, history: Path) -> None:
        ours = self.child("load", str(history), "--mode", self.size.load_mode)
        events = self.scalar("SELECT count(*) FROM ledger_events")
        self.figures["events"] = events
        copy_seconds = self.copy_baseline()
        ours_rate, raw_rate = events / ours["seconds"], events / copy_seconds
        self.figures.update(bulk_events_per_s=round(ours_rate), copy_events_per_s=round(raw_rate),
                            bulk_ratio=round(ours_rate / raw_rate, 4),
                            load_rss_mb=ours["rss_mb"], load_mode=self.size.load_mode)
        say(f"load ({self.size.load_mode}): {events} events in {ours['seconds']:.1f} s "
            f"= {ours_rate:.0f}/s; COPY {raw_rate:.0f}/s; ratio {ours_rate / raw_rate:.3f}")

    def copy_baseline(self) -> float:
        """COPY the stored rows, exactly as stored, into an empty table of the same shape."""
        dump = self.workdir / "events.copy"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("CREATE TABLE bench_copy (originator_id uuid NOT NULL,"
                         " originator_version bigint NOT NULL, topic text, state bytea,"
                         " notification_id bigserial,"
                         " PRIMARY KEY (originator_id, originator_version))")
            conn.execute("CREATE UNIQUE INDEX bench_copy_nid ON bench_copy (notification_id)")
            with dump.open("wb") as out, conn.cursor().copy(
                    "COPY (SELECT originator_id, originator_version, topic, state"
                    " FROM ledger_events ORDER BY notification_id) TO STDOUT"
                    " (FORMAT BINARY)") as source:
                for chunk in source:
                    out.write(chunk)
        with psycopg.connect(self.url) as conn:
            began = time.perf_counter()
            with conn.cursor().copy("COPY bench_copy (originator_id, originator_version, topic,"
                                    " state) FROM STDIN (FORMAT BINARY)") as sink, \
                    dump.open("rb") as source:
                while chunk := source.read(1 << 20):
                    sink.write(chunk)
            conn.commit()
            seconds = time.perf_counter() - began
            conn.execute("DROP TABLE bench_copy")
            conn.commit()
        dump.unlink()
        return seconds

    # Rebuilding the read models

    def rebuild(self) -> None:
        ours = self.child("rebuild")
        events = self.figures["events"]
        raw_seconds = self.raw_read()
        ours_rate, raw_rate = events / ours["seconds"], events / raw_seconds
        self.figures.update(rebuild_events_per_s=round(ours_rate),
                            raw_read_events_per_s=round(raw_rate),
                            rebuild_ratio=round(ours_rate / raw_rate, 4),
                            rebuild_s=ours["seconds"], rebuild_cpu_s=ours["cpu_seconds"],
                            rebuild_rss_mb=ours["rss_mb"])
        say(f"rebuild: {ours['seconds']:.1f} s = {ours_rate:.0f} events/s, peak RSS "
            f"{ours['rss_mb']:.0f} MB; raw SELECT + json.loads {raw_rate:.0f}/s; "
            f"ratio {ours_rate / raw_rate:.3f}")

    def raw_read(self) -> float:
        began = time.perf_counter()
        with psycopg.connect(self.url) as conn, conn.cursor(name="raw_read") as cursor:
            cursor.itersize = 5000
            cursor.execute("SELECT notification_id, originator_id, originator_version, topic,"
                           " state FROM ledger_events ORDER BY notification_id")
            for row in cursor:
                json.loads(row[4])
        return time.perf_counter() - began

    # Commands through HTTP

    def api(self) -> None:
        port = free_port()
        self.processes["worker"] = subprocess.Popen([CLI, "worker", *self.gather], env=self.env,
                                                    stderr=subprocess.DEVNULL)
        self.processes["serve"] = subprocess.Popen(
            [CLI, "serve", "--port", str(port)], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.port = port
        wait_for_health(port)
        self.token = mint_token(TokenPolicy(self.secret), "bench-client", "admin")
        la_code = self.scalar("SELECT la_code FROM projection_records WHERE kind = 'authority'"
                              " ORDER BY la_code LIMIT 1")
        state_bytes = int(self.scalar("SELECT avg(length(state))::int FROM ledger_events"))
        for clients in CLIENTS:
            ours = http_commands(port, self.token, la_code, "2025-03-31", clients,
                                 self.size.seconds, uuid.uuid4().hex[:8])
            raw = raw_commits(self.url, clients, self.size.seconds, state_bytes)
            ratio = ours.per_second / raw.per_second if raw.per_second else 0.0
            self.figures[f"api_{clients}"] = ours.summary()
            self.figures[f"raw_commits_{clients}"] = raw.summary()
            self.figures[f"api_ratio_{clients}"] = round(ratio, 4)
            self.figures[f"api_p99_ms_{clients}"] = round(ours.percentile_ms(99), 2)
            say(f"api, {clients} client(s): {ours.per_second:.0f} commands/s, "
                f"p50 {ours.percentile_ms(50):.1f} ms, p99 {ours.percentile_ms(99):.1f} ms"
                f"{f', {len(ours.failures)} failed: {ours.failures[0]}' if ours.failures else ''}"
                f"; raw commits {raw.per_second:.0f}/s, p99 {raw.percentile_ms(99):.1f} ms;"
                f" ratio {ratio:.3f}")
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")

    # Reads through HTTP

    def reads(self, lines: list[str]) -> None:
        self.wait_projected()
        rng = random.Random(12)
        opened = [json.loads(line) for line in lines if '"open_case"' in line]
        raised = [json.loads(line) for line in lines if '"raise_challenge"' in line]
        cases = rng.sample(opened, min(len(opened), self.size.samples))
        las = sorted({c["la_code"] for c in opened})
        figures = {
            "flags_p95_ms": [f"/flags?la_code={rng.choice(las)}" for _ in cases],
            "flags_all_p95_ms": ["/flags" for _ in cases[: max(5, len(cases) // 4)]],
            "timeline_p95_ms": [f"/authorities/{c['la_code']}/cases/{c['case_id']}/timeline"
                                for c in cases],
            "register_p95_ms": [f"/authorities/{rng.choice(las)}/challenges" for _ in cases],
            "measures_p95_ms": [f"/authorities/{rng.choice(las)}/measures" for _ in cases],
            "proof_ms": [f"/proof/receipts?la_code={c['la_code']}&kind=challenge"
                         f"&id={c['challenge_id']}"
                         for c in rng.sample(raised, min(len(raised), self.size.samples))],
        }
        for name, paths in figures.items():
            self.figures[name] = round(p95_ms(self.timed_gets(paths)), 2)
            say(f"{name.removesuffix('_ms').replace('_', ' ')}: {self.figures[name]:.1f} ms "
                f"({len(paths)} requests)")

    def timed_gets(self, paths: list[str]) -> list[float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Authorization": f"Bearer {self.token}"}
        took = []
        for path in paths:
            began = time.perf_counter()
            conn.request("GET", path, headers=headers)
            answer = conn.getresponse()
            body = answer.read()
            took.append(time.perf_counter() - began)
            if answer.status != 200:
                raise RuntimeError(f"GET {path}: {answer.status} {body[:300]!r}")
        return took

    def wait_projected(self) -> None:
        while True:
            behind = self.scalar("SELECT (SELECT max(notification_id) FROM ledger_events)"
                                 " - min(position) FROM projection_tracking")
            if not behind or behind <= 0:
                return
            time.sleep(0.5)

    # Processes and the database

    def child(self, *args: str) -> dict[str, Any]:
        done = subprocess.run([PYTHON, str(BENCH / "child.py"), *args], env=self.env,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"child {args[0]} failed:\n{done.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    def stop_processes(self) -> None:
        for name, process in list(self.processes.items()):
            with contextlib.suppress(OSError):  # it had already ended
                self.figures[f"{name}_rss_mb"] = peak_rss_mb(process.pid)
            process.send_signal(signal.SIGTERM)
            process.wait()
            del self.processes[name]
        if "worker_rss_mb" in self.figures:
            self.figures["worker_rss_mb"] = max(self.figures["worker_rss_mb"],
                                                self.figures.get("rebuild_rss_mb", 0))

    def scalar(self, sql: str) -> Any:
        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute(sql).fetchone()
        return row[0] if row else None

    def drop(self) -> None:
        with psycopg.connect(SERVER, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_health(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the API did not answer on port {port}")


def say(text: str) -> None:
    print(text, flush=True)


def report(figures: dict[str, Any]) -> None:
    for name, target in TARGETS.items():
        value = figures.get(name)
        if value is not None:
            say(f"{name:<16}{value:>9.3f}  target >= {target}  "
                f"{'met' if value >= target else 'NOT MET'}")
    say(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
