"""The server's CPU per command: `iro-ledger serve` alone (no worker), driven through HTTP.

    python bench/serve_cpu.py                      # this tree's code, 3 rounds
    python bench/serve_cpu.py --src A --src B      # two trees' `src`, interleaved round by round
    python bench/serve_cpu.py --src src --src "src --no-access-log"   # serve's flags after it
    python bench/serve_cpu.py --profile 8          # also a py-spy profile of a run at 8 clients

A database of its own (`iro_http_...`, dropped at the end) holds a small generated history;
one server per `--src` serves it on its own port. Each round runs, for 4 and 8 clients, every
server in turn and then raw psycopg single-row commits (bench/clients.py), and reads each
server's utime + stime from /proc before and after its run: CPU per command is that over
the commands answered. On a shared machine compare the servers within a round.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import psycopg

from clients import RAW_TABLE, Load, http_commands, raw_commits
from iro_ledger.generator import GeneratorSpec, generate
from iro_ledger.identity.tokens import TokenPolicy, mint_token
from run import BENCH, CLI, PYTHON, SERVER, free_port, say, wait_for_health

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> tuple[float, float]:
    """utime and stime of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICKS, int(fields[12]) / TICKS


class Servers:
    """A database with a small history and one `iro-ledger serve` per source tree."""

    def __init__(self, workdir: Path, sources: list[str]) -> None:
        self.name = f"iro_http_{uuid.uuid4().hex[:10]}"
        self.url = SERVER.rsplit("/", 1)[0] + f"/{self.name}"
        self.secret = secrets.token_urlsafe(48)
        self.workdir = workdir
        self.env = {**os.environ, "IRO_LEDGER_DATABASE_URL": self.url,
                    "IRO_LEDGER_ALLOW_SUPERUSER": "true",
                    "IRO_LEDGER_SIGNING_KEY_PATH": str(workdir / "checkpoint.pem"),
                    "POSTGRES_PASSWORD": "x", "IRO_LEDGER_JWT_SECRET": self.secret,
                    "IRO_LEDGER_RATE_LIMIT_PER_MINUTE": "0"}
        self.sources = sources
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}
        self.la_code = ""
        self.state_bytes = 0

    def env_for(self, source: str) -> dict[str, str]:
        return {**self.env, "PYTHONPATH": f"{source.split()[0]}:{BENCH}"}

    def prepare(self) -> None:
        lines = generate(GeneratorSpec(authorities=1, children=100, years=2)).lines
        self.la_code = str(json.loads(lines[0])["la_code"])
        history = self.workdir / "history.jsonl"
        history.write_text("\n".join(lines) + "\n")
        with psycopg.connect(SERVER, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {self.name}")
        env = self.env_for(self.sources[0])
        subprocess.run([CLI, "keys", "generate"], env=env, check=False, capture_output=True)
        subprocess.run([PYTHON, str(BENCH / "child.py"), "load", str(history)], env=env,
                       check=True, capture_output=True)
        with psycopg.connect(self.url) as conn:
            row = conn.execute("SELECT avg(length(state))::int FROM ledger_events").fetchone()
        self.state_bytes = int(row[0]) if row else 500
        say(f"{self.name}: {len(lines)} commands loaded")

    def start(self) -> None:
        for source in self.sources:
            port = free_port()
            self.processes[source] = subprocess.Popen(
                [CLI, "serve", "--port", str(port), *source.split()[1:]],
                env=self.env_for(source),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.ports[source] = port
            wait_for_health(port)

    def drive(self, source: str, clients: int,
              seconds: float) -> tuple[Load, float, float]:
        """A closed-loop run against one server: the load, and its user and system CPU ms
        per command."""
        token = mint_token(TokenPolicy(self.secret), "bench-client", "admin")
        pid = self.processes[source].pid
        user, system = cpu_seconds(pid)
        load = http_commands(self.ports[source], token, self.la_code, "2025-03-31", clients,
                             seconds, uuid.uuid4().hex[:8])
        user_after, system_after = cpu_seconds(pid)
        commands = max(1, len(load.latencies))
        return (load, (user_after - user) * 1000 / commands,
                (system_after - system) * 1000 / commands)

    def stop(self) -> None:
        for process in self.processes.values():
            process.send_signal(signal.SIGTERM)
            process.wait(30)
        self.processes.clear()

    def drop(self) -> None:
        with psycopg.connect(SERVER, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def profile(servers: Servers, source: str, clients: int, seconds: float, out: Path) -> None:
    """A py-spy profile of one run, as collapsed stacks."""
    spy = shutil.which("py-spy") or os.environ.get("PY_SPY", "")
    if not spy:
        say("py-spy not found (PATH or PY_SPY): no profile")
        return
    pid = servers.processes[source].pid
    recorder = subprocess.Popen([spy, "record", "--pid", str(pid), "--format", "raw",
                                 "--rate", "250", "--output", str(out), "--nonblocking"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    servers.drive(source, clients, seconds)
    recorder.send_signal(signal.SIGINT)
    recorder.wait(60)
    say(f"profile: {out} (collapsed stacks)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", action="append",
                        help="a tree's src directory, then any flags for serve (repeatable)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--profile", type=int, metavar="CLIENTS",
                        help="profile the first server at this many clients")
    parser.add_argument("--profile-out", type=Path, default=Path("serve-profile.txt"))
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    sources = [" ".join([str(Path(s.split()[0]).resolve()), *s.split()[1:]])
               for s in args.src or [str(BENCH.parent / "src")]]
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="iro-http-") as tmp:
        servers = Servers(Path(tmp), sources)
        try:
            servers.prepare()
            servers.start()
            for source in sources:  # warm each server up: imports, caches, connections
                servers.drive(source, 4, 1.0)
            if args.profile:
                profile(servers, sources[0], args.profile, args.seconds, args.profile_out)
            for number in range(args.rounds):
                for clients in (4, 8):
                    for source in sources:
                        load, user_ms, system_ms = servers.drive(source, clients, args.seconds)
                        results.append(say_run(number, source, clients, load, user_ms,
                                               system_ms))
                    raw = raw_commits(servers.url, clients, args.seconds,
                                      servers.state_bytes)
                    say(f"round {number} raw commits, {clients} clients: "
                        f"{raw.per_second:.0f}/s, p99 {raw.percentile_ms(99):.1f} ms")
            with psycopg.connect(servers.url, autocommit=True) as conn:
                conn.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        finally:
            servers.stop()
            servers.drop()
    print(json.dumps(results))


def say_run(number: int, source: str, clients: int, load: Load, user_ms: float,
            system_ms: float) -> dict[str, Any]:
    failed = f", {len(load.failures)} failed: {load.failures[0]}" if load.failures else ""
    say(f"round {number} {source}, {clients} clients: {load.per_second:.0f} commands/s, "
        f"p50 {load.percentile_ms(50):.1f} ms, p99 {load.percentile_ms(99):.1f} ms, "
        f"server CPU {user_ms + system_ms:.2f} ms/command (user {user_ms:.2f}, "
        f"system {system_ms:.2f}){failed}")
    return {"round": number, "source": source, "clients": clients,
            "cpu_ms": user_ms + system_ms, **load.summary()}


if __name__ == "__main__":
    main()
