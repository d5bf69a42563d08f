"""What a read answers: plain data, with the store position the read models had reached."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    withdrawn_by: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Flag id -> the late record that withdrew it, with its provenance and `days_late`."""
    next: str | None = None
    """The cursor of the page after this one (None on the last page)."""

    def public(self, flags: list[Flag] | None = None) -> list[dict[str, Any]]:
        """The flags (these, in this order, if given) as JSON-ready data, each withdrawn one
        with the late record that withdrew it (`withdrawn_by`, null for the others)."""
        return [shown(f, self.withdrawn_by.get(f.id))
                for f in (self.flags if flags is None else flags)]


@dataclass(frozen=True)
class FlagRead:
    """One flag, and the late record that withdrew it when it stands withdrawn."""

    flag: Flag
    withdrawn_by: dict[str, Any] | None

    def public(self) -> dict[str, Any]:
        return shown(self.flag, self.withdrawn_by)


def shown(flag: Flag, withdrawn_by: dict[str, Any] | None) -> dict[str, Any]:
    """A flag as every surface shows it: a withdrawn one says which late record withdrew it,
    dated when, recorded when, and how many days late."""
    data = flag.public()
    data["withdrawn_by"] = withdrawn_by
    if withdrawn_by is not None:
        behalf = (f" for {withdrawn_by['on_behalf_of']}" if withdrawn_by["on_behalf_of"]
                  else "")
        data["explanation"] += (
            f" The record that withdrew it ({withdrawn_by['kind']} {withdrawn_by['id']}, "
            f"event {withdrawn_by['event_number']}) says it happened on "
            f"{withdrawn_by['occurred_on']} but was recorded on "
            f"{withdrawn_by['recorded_at'][:10]} by {withdrawn_by['recorded_by']}{behalf}, "
            f"{withdrawn_by['days_late']} days late.")
    return data


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
class DataQualityRead:
    """An authority's data-quality findings: counts by dataset and kind (the measure
    `data_quality_findings`) and one page of its rows. Never flags."""

    la_code: str
    by_dataset: dict[str, dict[str, int]]
    findings: int
    """Every finding recorded about the authority's data."""
    total: int
    """Rows matching the filter (dataset, kind)."""
    offset: int
    limit: int
    rows: list[dict[str, Any]]
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
    flags: FlagsRead
    """Every flag touching the dispute, withdrawn ones too (with their late records)."""
    receipts: list[dict[str, Any]]
    consistency: dict[str, Any]
    position: int


@dataclass(frozen=True)
class HistoryEvent:
    """One stored event of a record, as the history's exports read it."""

    position: int
    kind: str
    la_code: str
    ref: str
    number: int
    type: str
    """`Outer.Inner`, e.g. `Challenge.Raised`."""
    occurred_on: str
    recorded_at: str
    recorded_by: str
    actor: str
    source: str
    on_behalf_of: str | None
    fields: dict[str, Any]
