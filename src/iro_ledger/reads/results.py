"""What a read answers: plain data, with the store position the read models had reached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from iro_ledger.projections.base import Period
from iro_ledger.projections.rules.flag import Flag


class NotServed(Exception):
    """The read model a read needs is not running in this process (HTTP 503)."""


@dataclass(frozen=True)
class FlagsRead:
    """Flags as they stood at the end of `as_of`, oldest first (one page of `total`)."""

    as_of: date
    flags: list[Flag]
    position: int
    total: int

    def public(self) -> list[dict[str, Any]]:
        return [f.public() for f in self.flags]


@dataclass(frozen=True)
class RegisterRead:
    """One page of the challenge register, in the order raised, days counted to `as_of`."""

    as_of: date
    total: int
    items: list[dict[str, Any]]
    position: int


@dataclass(frozen=True)
class MeasuresRead:
    la_code: str
    period: Period
    measures: list[dict[str, Any]]
    """Each measure as plain data: name, value, unit, note, evidence."""
    position: int


@dataclass(frozen=True)
class Found:
    """One read model document (a case's timeline, an officer's record)."""

    doc: dict[str, Any]
    position: int


@dataclass(frozen=True)
class DisputeRead:
    """A challenge and everything around it (`reads.disputes`), with a receipt for every event
    any of it cites, all into one signed checkpoint, and the consistency file from that
    checkpoint to the latest."""

    la_code: str
    challenge_id: str
    authority_name: str | None
    as_of: date
    challenge: dict[str, Any]
    """The challenge register's document, days counted as of `as_of`."""
    timeline: dict[str, Any]
    """The case's timeline."""
    officer: dict[str, Any]
    """The raising officer's record as of `as_of`."""
    instructions: list[dict[str, Any]]
    """The officer's instructions in force while the challenge ran."""
    acts: list[dict[str, Any]]
    """What management did to the officer."""
    flags: list[Flag]
    """Every flag touching the dispute, withdrawn ones too."""
    receipts: list[dict[str, Any]]
    consistency: dict[str, Any]
    position: int
