"""A command's fingerprint is the hash every stored receipt holds, however it is worked out."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from iro_ledger.application.idempotency import fingerprint
from tests.builders import EXAMPLES, command


def _as_stored(content: dict[str, Any]) -> str:
    """The fingerprint's definition, as receipts were first written with it."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_command_has_the_fingerprint_its_receipt_would_hold(name: str) -> None:
    content = command(name).model_dump(mode="json", exclude={"command_id"})
    assert fingerprint(content) == _as_stored(content)


@pytest.mark.parametrize("content", [
    {"summary": "Agreed with the child's social worker é", "z": 1},
    {"fte": 0.5, "miles": 3},
    {"fte": 1e-05},
    {"text": 'quote " backslash \\ newline \n nul \x00 del \x7f', "b": [True, None]},
    {"counts": {"b": 2, "a": {"d": 1, "c": [1, 2]}}},
    {"big": 2**70},
])
def test_content_written_otherwise_by_orjson_still_has_its_stored_fingerprint(
        content: dict[str, Any]) -> None:
    assert fingerprint(content) == _as_stored(content)
