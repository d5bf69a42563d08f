"""A newcomer's first ten minutes (issue 11): `make run` where they choose, a busy port told in
one line before anything else, and CLI tables that fit the terminal and show whole ids."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from iro_ledger.cli import app

ROOT = Path(__file__).resolve().parents[2]


def cli(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


@pytest.fixture
def busy_port() -> Iterator[int]:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        yield int(taken.getsockname()[1])
    finally:
        taken.close()


@pytest.mark.parametrize("command", ["demo", "serve"])
def test_a_busy_port_is_one_line_before_anything_else(
        tmp_path: Path, busy_port: int, command: str) -> None:
    env = {"IRO_LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.sqlite'}",
           "IRO_LEDGER_SIGNING_KEY_PATH": str(tmp_path / "key.pem")}

    result = cli(env, command, "--port", str(busy_port))

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (f"iro-ledger: cannot listen on 127.0.0.1:{busy_port}: port "
                             f"{busy_port} is already in use; choose another with --port "
                             "(make run PORT=...)\n")
    assert not (tmp_path / "ledger.sqlite").exists()  # nothing was seeded or opened


@pytest.mark.parametrize("port", ["0", "65536", "99999"])
def test_a_port_outside_the_tcp_range_is_refused(tmp_path: Path, port: str) -> None:
    result = cli({"IRO_LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"},
                 "serve", "--port", port)
    assert result.exit_code == 2
    assert "--port" in result.stderr


def test_make_run_serves_on_the_host_and_port_it_is_given() -> None:
    make = shutil.which("make")
    assert make is not None, "GNU make is needed: the Quick start is `make run`"
    told = subprocess.run([make, "-n", "run", "PORT=8123", "HOST=0.0.0.0"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout
    default = subprocess.run([make, "-n", "run"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    assert "iro-ledger demo --host 0.0.0.0 --port 8123" in told
    assert "iro-ledger demo --host 127.0.0.1 --port 8000" in default


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("demo")
    env = {"IRO_LEDGER_DATABASE_URL": f"sqlite:///{home / 'ledger.sqlite'}",
           "IRO_LEDGER_SIGNING_KEY_PATH": str(home / "key.pem")}
    seeded = cli(env, "demo", "--no-serve")
    assert seeded.exit_code == 0, seeded.output
    return env


TABLES = [
    ["flags", "--la", "EMR", "--as-of", "2026-09-30"],
    ["flags", "--status", "withdrawn"],
    ["challenges", "--la", "EMR", "--as-of", "2026-09-30"],
    ["measures", "--la", "EMR", "--to", "2026-09-30"],
    ["timeline", "EMR-C03", "--la", "EMR"],
    ["projections", "status"],
]


@pytest.mark.parametrize("width", [80, 132])
@pytest.mark.parametrize("args", TABLES, ids=lambda a: " ".join(a[:2]))
def test_every_table_fits_the_terminal_and_reads_as_words(
        demo_env: dict[str, str], args: list[str], width: int) -> None:
    shown = cli({**demo_env, "COLUMNS": str(width)}, *args)

    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    assert "None" not in shown.stdout
    assert "{" not in shown.stdout and "…" not in shown.stdout


@pytest.mark.parametrize("args", TABLES, ids=lambda a: " ".join(a[:2]))
def test_every_table_has_json_for_machines(demo_env: dict[str, str], args: list[str]) -> None:
    shown = cli(demo_env, *args, "--json")

    assert shown.exit_code == 0, shown.output
    json.loads(shown.stdout)


def test_the_flags_table_shows_every_flag_id_whole_on_one_line(
        demo_env: dict[str, str]) -> None:
    ids = [f["id"] for f in json.loads(cli(demo_env, "flags", "--json").stdout)]
    table = cli({**demo_env, "COLUMNS": "80"}, "flags").stdout

    assert ids
    lines = [line.strip() for line in table.splitlines()]
    for flag_id in ids:
        assert any(line.startswith(flag_id) for line in lines), flag_id


def test_the_challenge_register_shows_every_challenge_id_whole(
        demo_env: dict[str, str]) -> None:
    items = json.loads(cli(demo_env, "challenges", "--la", "EMR", "--json").stdout)["items"]
    table = cli({**demo_env, "COLUMNS": "80"}, "challenges", "--la", "EMR").stdout

    assert items
    for item in items:
        assert item["challenge_id"] in table.split()
