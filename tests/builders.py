"""Tiny builders for tests: a stamp, the usual records of a fictional authority, a command.

Every date is fixed in the past, so no test depends on the day it runs. The authority,
its officers and the child are fictional.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from iro_ledger.commands import CommandBase, parse_command
from iro_ledger.domain.case import Case
from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.officer import Officer
from iro_ledger.domain.record import Stamp

LA = "FX1"
"""The fictional authority of Fenwick Cross."""
RECORDED_AT = datetime(2024, 12, 2, 10, 30, tzinfo=UTC)
"""When the ledger stores everything the builders make; later than every default date."""
LATER = "2024-06-03"
"""The default day things happen on, after every record below has begun."""


def day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def stamp(on: date | str = LATER, actor: str = "mgr-ada", **provenance: Any) -> Stamp:
    """Provenance for one command; `provenance` overrides recorded_at, recorded_by, source..."""
    fields: dict[str, Any] = {"recorded_at": RECORDED_AT, "recorded_by": actor,
                              "source": "api", "command_id": None, **provenance}
    return Stamp(occurred_on=day(on), actor=actor, **fields)


def officer(ref: str = "iro-kit", role: str = "iro", employment: str = "employed",
            on: date | str = "2024-01-15", la_code: str = LA) -> Officer:
    return Officer.register(la_code, ref, role, employment, stamp(on))


def open_case(ref: str = "case-7", on: date | str = "2024-03-01") -> Case:
    return Case.open(LA, ref, "child-fc-0193", "C2", day("2024-02-20"), stamp(on))


def challenge(raiser: Officer | None = None, case: Case | None = None, ref: str = "ch-1",
              about: str = "care_plan", on: date | str = "2024-04-02") -> Challenge:
    """A challenge raised informally by `raiser` (an IRO by default) on an open case."""
    raiser = raiser or officer()
    return Challenge.raise_(ref, case or open_case(), raiser, about,
                            "the placement plan ignores the child's wishes",
                            stamp(on, actor=raiser.ref))


def command(name: str, **fields: Any) -> CommandBase:
    """A command in the batch form, in the fictional authority, dated LATER unless given."""
    return parse_command({"command": name, "la_code": LA, "occurred_on": LATER, **fields})
