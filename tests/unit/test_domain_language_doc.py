"""The published domain language must list every command and every field the code accepts."""

import re
from pathlib import Path

import pytest

from iro_ledger.application.commands import COMMAND_TYPES, CommandBase

DOC = Path(__file__).resolve().parents[2] / "docs" / "domain-language.md"


def _row(command: str) -> str:
    rows = [line for line in DOC.read_text().splitlines() if line.startswith(f"| `{command}` |")]
    assert len(rows) == 1, f"{command} should have exactly one row in {DOC.name}"
    return rows[0]


@pytest.mark.parametrize("model", COMMAND_TYPES, ids=lambda m: m.command_name())
def test_every_command_and_its_fields_are_documented(model: type[CommandBase]) -> None:
    row = _row(model.command_name())
    documented = set(re.findall(r"`([a-z_0-9]+)`", row)) - {model.command_name()}
    accepted = set(model.model_fields) - set(CommandBase.model_fields) - {"command"}
    assert documented == accepted


def test_the_common_fields_are_documented() -> None:
    text = DOC.read_text()
    for field in CommandBase.model_fields:
        assert f"| `{field}`" in text
