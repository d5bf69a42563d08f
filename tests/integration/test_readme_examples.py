"""Every example in the README runs as written, in order, in a fresh shell (issue 11).

The README's shell blocks are run by bash in an empty folder holding only `.venv` (this test's
environment), with no `IRO_LEDGER_*` variable set and a data directory of its own, as a newcomer
would after `make run`: the first fails the test, naming the line. The `make` lines are left
out: `make test` is what CI runs, and `make run` serves until stopped (its host and port are
tested in test_first_minutes.py). Commands quoted inline with placeholders (`DIR`, `CODE`) must
name real commands and options.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import typer.main

from iro_ledger.cli import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def shell_lines() -> list[str]:
    blocks = re.findall(r"^```sh\n(.*?)^```", README, flags=re.S | re.M)
    return [line for block in blocks for line in block.splitlines()
            if line.strip() and not line.startswith("make ")]


def test_the_readme_has_examples_to_run() -> None:
    lines = shell_lines()
    assert lines[0].startswith(". .venv/bin/activate")
    assert sum(line.startswith("iro-ledger ") for line in lines) >= 15


def test_every_readme_example_runs_as_written_in_a_fresh_shell(tmp_path: Path) -> None:
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("IRO_LEDGER_")}
    env |= {"XDG_DATA_HOME": str(tmp_path / "data"), "COLUMNS": "100"}
    script = "\n".join([
        "set -euo pipefail",
        "trap 'echo \"README line failed ($?): $BASH_COMMAND\" >&2' ERR",
        *shell_lines(),
    ])

    ran = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=900)

    assert ran.returncode == 0, ran.stderr[-3000:]
    assert (tmp_path / "data" / "iro-ledger" / "ledger.sqlite").exists()


def inline_commands() -> list[list[str]]:
    spans = re.findall(r"`(iro-ledger [^`]+)`", README.replace("\n", " "))
    return [shlex.split(span)[1:] for span in spans]


def test_every_command_quoted_inline_names_real_commands_and_options() -> None:
    root = typer.main.get_command(app)
    checked = 0
    for words in inline_commands():
        command: Any = root
        rest = list(words)
        while hasattr(command, "commands") and rest and rest[0] in command.commands:
            command = command.commands[rest.pop(0)]
        assert not hasattr(command, "commands"), f"iro-ledger {' '.join(words)}: no such command"
        options = {o for p in command.params for o in p.opts}
        for word in rest:
            if word.startswith("--"):
                assert word.split("=")[0] in options, f"iro-ledger {' '.join(words)}: {word}"
        checked += 1
    assert checked >= 5
