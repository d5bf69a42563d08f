"""The ledger accepts every generated line: no rejection, in the order written.

The ledger runs on an in-memory SQLite store, so the test touches no file or server.
"""

from __future__ import annotations

from iro_ledger.application import Ledger, Principal, Role
from iro_ledger.application.commands import parse_command_json
from iro_ledger.application.store import store_env
from iro_ledger.domain.errors import DomainError
from iro_ledger.generator import GeneratorSpec, generate


def test_the_ledger_accepts_a_whole_generated_history() -> None:
    history = generate(GeneratorSpec(authorities=1, children=25, years=4, seed=21, healthy=1))
    ledger = Ledger(env=store_env("sqlite:///:memory:"))
    admin = Principal(sub="generator-test", role=Role.ADMIN)
    rejected = []
    for number, line in enumerate(history.lines, start=1):
        try:
            ledger.execute(parse_command_json(line), admin, "import")
        except DomainError as refusal:
            rejected.append(f"line {number}: {refusal}: {line}")
    assert rejected == []
    assert ledger.count_events() >= len(history.lines)
