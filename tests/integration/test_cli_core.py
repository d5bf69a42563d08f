"""`iro-ledger stats`, `token`, `demo` and `serve` against real stores."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from click.testing import Result
from typer.testing import CliRunner

from iro_ledger.application import Role
from iro_ledger.cli import app
from iro_ledger.generator import demo
from iro_ledger.identity.tokens import TokenPolicy, decode_token, mint_token
from iro_ledger.settings import DEV_SECRET


def cli(url: str, *args: str, **env: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"IRO_LEDGER_DATABASE_URL": url, **env})


def stats(url: str) -> dict[str, object]:
    result = cli(url, "stats", "--json")
    assert result.exit_code == 0, result.output
    figures: dict[str, object] = json.loads(result.stdout)
    return figures


def test_stats_of_an_empty_store_counts_no_events(database_url: str) -> None:
    figures = stats(database_url)

    assert figures["events"] == 0
    assert figures["position"] == 0
    assert figures["store"] == database_url.split(":", 1)[0]


def test_stats_never_prints_the_database_password(postgres_url: str) -> None:
    # The test server trusts local connections, so any password is accepted and must be hidden.
    with_password = postgres_url.replace("postgres@", "postgres:hunter2-secret@", 1)
    assert with_password != postgres_url

    for args in (("stats",), ("stats", "--json")):
        result = cli(with_password, *args)
        assert result.exit_code == 0, result.output
        assert "hunter2-secret" not in result.output
        assert "postgres:***@" in result.output


def test_token_mints_a_token_for_the_configured_secret() -> None:
    result = CliRunner().invoke(app, ["token", "--sub", "iro.marsh", "--role", "iro",
                                      "--la", "EMR", "--ttl-minutes", "5"])

    assert result.exit_code == 0, result.stderr
    principal = decode_token(TokenPolicy(DEV_SECRET), result.stdout.strip())
    assert (principal.sub, principal.role, principal.la_code) == ("iro.marsh", Role.IRO, "EMR")


@pytest.mark.parametrize(("args", "says"), [
    (["--sub", "x", "--role", "wizard"], "unknown role 'wizard'"),
    (["--sub", "x", "--role", "iro"], "must belong to an authority"),
    (["--sub", "x", "--role", "inspector", "--la", "EMR"], "belongs to no authority"),
    (["--sub", "x", "--role", "admin", "--ttl-minutes", "-5"], "ttl_minutes must be positive"),
])
def test_token_refuses_an_impossible_principal(args: list[str], says: str) -> None:
    result = CliRunner().invoke(app, ["token", *args])

    assert result.exit_code == 2
    assert result.stderr.startswith("iro-ledger: ")
    assert says in result.stderr
    assert result.stdout == ""


def test_demo_seeding_is_idempotent(database_url: str) -> None:
    first = cli(database_url, "demo", "--no-serve")
    assert first.exit_code == 0, first.output
    seeded = stats(database_url)["events"]

    again = cli(database_url, "demo", "--no-serve")

    assert again.exit_code == 0, again.output
    commands = len(demo.demo_commands())
    assert f"{commands} commands, {commands} newly recorded" in first.stdout
    assert f"{commands} commands, 0 newly recorded" in again.stdout
    assert seeded == 2 * commands
    assert stats(database_url)["events"] == seeded


def test_demo_prints_tokens_for_an_admin_an_iro_and_an_inspector(sqlite_url: str) -> None:
    result = cli(sqlite_url, "demo", "--no-serve")

    tokens = [line.rsplit(" ", 1)[1] for line in result.stdout.splitlines()
              if line.startswith("  ")]
    principals = [decode_token(TokenPolicy(DEV_SECRET), token) for token in tokens]
    assert {p.role for p in principals} == {Role.ADMIN, Role.IRO, Role.INSPECTOR}
    assert "http://" not in result.stdout


def test_demo_serves_the_seeded_store_at_the_printed_url(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "IRO_LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite'}"}
    executable = Path(sys.executable).with_name("iro-ledger")
    server = subprocess.Popen([str(executable), "demo", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/health", server)
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert health == 200
    assert f"http://127.0.0.1:{port}/login?code=" in out
    assert "login?token=" not in out


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, server: subprocess.Popen[str], seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "the demo server exited"
        try:
            with urlopen(url, timeout=2) as response:
                return int(response.status)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


class TestTheDemoStory:
    """The demo tells the independence patterns DESIGN.md catalogues, all in the past."""

    commands = demo.demo_commands()

    def of(self, name: str, **fields: object) -> list[dict[str, object]]:
        return [c for c in self.commands if c["command"] == name
                and all(c.get(k) == v for k, v in fields.items())]

    def test_every_command_is_dated_in_the_past_in_time_order_with_its_own_id(self) -> None:
        days = [date.fromisoformat(str(c["occurred_on"])) for c in self.commands]
        assert days == sorted(days)
        assert max(days) <= demo.ANCHOR < date.today()
        ids = [c["command_id"] for c in self.commands]
        assert len(set(ids)) == len(ids)

    def test_it_has_about_twenty_cases_over_two_years(self) -> None:
        cases = self.of("open_case")
        assert 18 <= len(cases) <= 24
        days = [date.fromisoformat(str(c["occurred_on"])) for c in self.commands]
        assert (max(days) - min(days)).days >= 700

    def test_it_has_the_patterns_the_rules_look_for(self) -> None:
        assert self.of("record_instruction", kind="permission_before_challenge")
        gagged = self.of("record_instruction", kind="do_not_escalate")[0]
        withdrawn = [w for w in self.of("withdraw_challenge")
                     if w["actor"] in gagged["issued_to"]]  # type: ignore[operator]
        assert withdrawn and _days(gagged, withdrawn[0]) <= 30
        assert self.of("assign_iro", reason="after_dispute")
        assert self.of("record_disciplinary_action", stage="threatened")
        freelance = {c["officer_id"] for c in self.of("register_officer", employment="freelance")}
        ended = self.of("end_engagement", how="contract_terminated")
        assert ended and ended[0]["officer_id"] in freelance
        assert self.of("request_report_edit", actor="dir.halloran")
        draft = self.of("draft_annual_report", report_id="EMR-AR-2025")[0]
        submitted = self.of("submit_annual_report", report_id="EMR-AR-2025")[0]
        assert draft["content_sha256"] != submitted["content_sha256"]
        assert self.of("revise_care_plan", via_review=False, change="placement_move")

    def test_one_case_has_a_review_overdue_at_the_end_of_the_story(self) -> None:
        last_review: dict[str, date] = {}
        for review in self.of("hold_review"):
            last_review[str(review["case_id"])] = date.fromisoformat(str(review["occurred_on"]))
        closed = {c["case_id"] for c in self.of("close_case")}
        overdue = [case for case, on in last_review.items()
                   if case not in closed and (demo.ANCHOR - on).days > 183]
        assert overdue


def _days(earlier: dict[str, object], later: dict[str, object]) -> int:
    return (date.fromisoformat(str(later["occurred_on"]))
            - date.fromisoformat(str(earlier["occurred_on"]))).days


GOOD_SECRET = "a-production-secret-of-more-than-32-bytes-0123456789"


@pytest.mark.parametrize(("args", "env"), [
    (["serve", "--host", "0.0.0.0"], {}),
    (["serve", "--host", "10.1.2.3"], {"IRO_LEDGER_JWT_SECRET": "short"}),
    (["demo", "--host", "0.0.0.0"], {}),
    (["worker"], {"IRO_LEDGER_DATABASE_URL": "postgresql://iro_app@db:5432/ledger"}),
])
def test_a_start_reachable_from_elsewhere_without_a_proper_secret_is_refused(
        sqlite_url: str, args: list[str], env: dict[str, str]) -> None:
    result = cli(sqlite_url, *args, **env)

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("iro-ledger: refusing to start")
    assert "IRO_LEDGER_JWT_SECRET" in result.stderr
    assert result.stdout == ""


def test_a_production_start_refuses_a_token_signed_with_the_development_secret(
        tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "IRO_LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite'}",
           "IRO_LEDGER_JWT_SECRET": GOOD_SECRET}
    executable = Path(sys.executable).with_name("iro-ledger")
    server = subprocess.Popen([str(executable), "serve", "--host", "0.0.0.0", "--port",
                               str(port)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    forged = mint_token(TokenPolicy(DEV_SECRET), "anyone", "admin")
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/health", server) == 200
        request = Request(f"http://127.0.0.1:{port}/flags",
                          headers={"Authorization": f"Bearer {forged}"})
        with pytest.raises(HTTPError) as refused:
            urlopen(request, timeout=10)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert refused.value.code == 401
    assert "warning" not in err


def _children(pid: int) -> list[int]:
    """Worker processes started by `pid` (multiprocessing's spawned children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in command:
                found.append(int(entry.name))
    return found


def test_serve_with_two_workers_stores_each_command_once_whichever_process_takes_it(
        postgres_url: str) -> None:
    port = _free_port()
    env = {**os.environ, "IRO_LEDGER_DATABASE_URL": postgres_url,
           "IRO_LEDGER_JWT_SECRET": GOOD_SECRET, "IRO_LEDGER_ALLOW_SUPERUSER": "true"}
    executable = Path(sys.executable).with_name("iro-ledger")
    server = subprocess.Popen([str(executable), "serve", "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    token = mint_token(TokenPolicy(GOOD_SECRET), "root", "admin")

    def post(name: str, body: dict[str, object]) -> tuple[int, dict[str, object], bool]:
        request = Request(f"http://127.0.0.1:{port}/commands/{name}", method="POST",
                          data=json.dumps(body).encode(),
                          headers={"Authorization": f"Bearer {token}",
                                   "Content-Type": "application/json"})
        with urlopen(request, timeout=30) as answer:  # a new connection each time
            return (int(answer.status), json.loads(answer.read()),
                    answer.headers.get("Idempotent-Replayed") == "true")

    try:
        assert _wait_for(f"http://127.0.0.1:{port}/health", server) == 200
        workers = _children(server.pid)
        post("register_authority", {"la_code": "TWO", "occurred_on": "2025-01-01",
                                    "name": "Two Workers"})
        day = {"la_code": "TWO", "occurred_on": "2025-01-02"}
        post("open_case", {**day, "case_id": "c-1", "child_ref": "CH-1",
                           "legal_status": "C2", "entered_care_on": "2025-01-02"})
        plan = {**day, "case_id": "c-1", "change": "health", "summary": "Agreed.",
                "via_review": True, "iro_consulted": True}
        answers = [post("revise_care_plan", {**plan, "command_id": f"r-{n}"})
                   for n in range(12)]
        again = post("revise_care_plan", {**plan, "command_id": "r-3"})
    finally:
        server.terminate()
        # One process may still be building its app when the other has answered all of
        # this (a loaded machine): it stops once started, which may take a while.
        server.communicate(timeout=120)
    assert len(workers) == 2
    assert [a[1]["event_numbers"] for a in answers] == [[n + 2] for n in range(12)]
    assert again[1]["event_numbers"] == [5] and again[2]


@pytest.mark.parametrize(("flags", "logged"), [([], True), (["--no-access-log"], False)])
def test_serve_writes_an_access_line_per_request_unless_told_not_to(
        tmp_path: Path, flags: list[str], logged: bool) -> None:
    port = _free_port()
    env = {**os.environ, "IRO_LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'log.sqlite'}"}
    executable = Path(sys.executable).with_name("iro-ledger")
    server = subprocess.Popen([str(executable), "serve", "--port", str(port), *flags], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/health", server) == 200
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    assert ('"GET /health HTTP/1.1" 200' in out + err) is logged
