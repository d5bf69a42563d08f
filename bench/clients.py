"""Closed-loop load clients: N threads each sending one request after the last one answered.

Both sides of a comparison run here, in the same process and the same way: `http_commands`
posts commands to a served API; `raw_commits` makes single-row INSERT + COMMIT transactions
with psycopg, the most a PostgreSQL client can commit one at a time on this machine.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg


@dataclass
class Load:
    """What one run of N clients did: completed requests, their latencies, failures."""

    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile_ms(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index] * 1000

    def summary(self) -> dict[str, float]:
        return {"per_second": round(self.per_second, 1), "p50_ms": round(self.percentile_ms(50), 2),
                "p99_ms": round(self.percentile_ms(99), 2), "failures": len(self.failures)}


def closed_loop(clients: int, seconds: float,
                make_worker: Callable[[int], Callable[[], None]]) -> Load:
    """Run `clients` threads for `seconds`; each calls its own step function in a loop."""
    load = Load(clients)
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)
    deadline = [0.0]

    def run(index: int) -> None:
        step = make_worker(index)
        mine: list[float] = []
        errors: list[str] = []
        start_gate.wait()
        while (began := time.perf_counter()) < deadline[0]:
            try:
                step()
            except Exception as failure:
                errors.append(f"{type(failure).__name__}: {failure}"[:300])
                continue
            mine.append(time.perf_counter() - began)
        with lock:
            load.latencies.extend(mine)
            load.failures.extend(errors)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start_gate.wait()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - began
    return load


def http_commands(port: int, token: str, la_code: str, occurred_on: str, clients: int,
                  seconds: float, tag: str) -> Load:
    """Each client opens a case of its own, then revises its plan three times, and again."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def make_worker(index: int) -> Callable[[], None]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        state = {"n": 0, "case": ""}

        def step() -> None:
            n = state["n"]
            state["n"] = n + 1
            common = {"la_code": la_code, "occurred_on": occurred_on,
                      "command_id": f"{tag}-{index}-{n}"}
            if n % 4 == 0:
                state["case"] = f"BENCH-{tag}-{index}-{n}"
                name, body = "open_case", {**common, "case_id": state["case"],
                                           "child_ref": f"CH-{tag}-{index}-{n}",
                                           "legal_status": "C2", "entered_care_on": occurred_on}
            else:
                name, body = "revise_care_plan", {**common, "case_id": state["case"],
                                                  "change": "education", "summary": "Agreed.",
                                                  "via_review": True, "iro_consulted": True}
            conn.request("POST", f"/commands/{name}", json.dumps(body), headers)
            answer = conn.getresponse()
            text = answer.read()
            if answer.status != 201:
                raise RuntimeError(f"{answer.status} {text[:200]!r}")

        return step

    return closed_loop(clients, seconds, make_worker)


RAW_TABLE = "bench_raw_commits"


def raw_commits(dsn: str, clients: int, seconds: float, state_bytes: int) -> Load:
    """Each client commits one row at a time into a table shaped like the event store's."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {RAW_TABLE} (originator_id uuid NOT NULL,"
                     " originator_version bigint NOT NULL, topic text, state bytea,"
                     " notification_id bigserial, PRIMARY KEY (originator_id, originator_version))")
    state = os.urandom(state_bytes // 2).hex().encode()[:state_bytes]
    connections: list[psycopg.Connection[tuple[object, ...]]] = []

    def make_worker(index: int) -> Callable[[], None]:
        conn = psycopg.connect(dsn)
        connections.append(conn)

        def step() -> None:
            conn.execute(f"INSERT INTO {RAW_TABLE} (originator_id, originator_version, topic,"
                         " state) VALUES (%s, 1, %s, %s)", (uuid.uuid4(), "bench:Row", state))
            conn.commit()

        return step

    try:
        return closed_loop(clients, seconds, make_worker)
    finally:
        for conn in connections:
            conn.close()


def p95_ms(samples: list[float]) -> float:
    if not samples:
        return 0.0
    if len(samples) < 20:
        return max(samples) * 1000
    return statistics.quantiles(samples, n=20)[-1] * 1000
