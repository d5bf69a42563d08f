"""The Flag: one sign of compromised independence, its evidence, and the history of its status.

A flag names its rule, severity, authority and subjects, the exact events behind it, and says
in plain English what happened and why it matters. It is never deleted: it clears only by a
later event its rule names, and both the raising and the clearing stay in its history.
"""

from __future__ import annotations

import hashlib
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class Status(StrEnum):
    OPEN = "open"
    CLEARED = "cleared"


class Action(StrEnum):
    """What an entry of a flag's history did."""

    RAISED = "raised"
    CLEARED = "cleared"

    @property
    def status(self) -> Status:
        return Status.OPEN if self is Action.RAISED else Status.CLEARED


class Ref(BaseModel):
    """A reference to one stored event: enough to find it in the store and on its record."""

    model_config = ConfigDict(frozen=True)

    kind: str
    """The record's kind: case, challenge, officer, instruction, report."""
    id: str
    """The record's client id (case_id, challenge_id, ...)."""
    event_number: int
    """The event's number within its record (1 for the record's first event)."""
    position: int
    """The event's position in the whole store (notification id)."""
    event_type: str
    """The event's class, e.g. `Challenge.Raised`."""
    occurred_on: date

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.id}#{self.event_number}"


class HistoryEntry(BaseModel):
    action: Action
    """`raised` when the flag was raised (or raised again), `cleared` when it cleared."""
    on: date
    event: Ref | None
    """The event that did it; None when the passing of a deadline did it."""
    note: str


class Flag(BaseModel):
    id: str
    rule: str
    severity: Severity
    la_code: str
    subjects: dict[str, str]
    """officer_id, case_id, challenge_id, instruction_id, report_id, as apply."""
    raised_on: date
    status: Status
    history: list[HistoryEntry]
    evidence: list[Ref]
    explanation: str
    basis: str
    details: dict[str, Any] = {}
    """Facts particular to the rule: the pattern, counts, days late, the kind of instruction."""

    def add_evidence(self, *refs: Ref) -> bool:
        """Add references not yet held, in store order; True if any was new."""
        known = {r.key for r in self.evidence}
        new = [r for r in refs if r.key not in known]
        if new:
            self.evidence = sorted([*self.evidence, *new], key=lambda r: r.position)
        return bool(new)

    def record(self, action: Action, on: date, event: Ref | None, note: str) -> None:
        self.history.append(HistoryEntry(action=action, on=on, event=event, note=note))
        self.status = action.status
        if event is not None:
            self.add_evidence(event)

    def as_of(self, day: date) -> Flag | None:
        """The flag as it stood at the end of `day` in valid time; None if not yet raised."""
        if self.raised_on > day:
            return None
        history = [h for h in self.history if h.on <= day]
        evidence = [r for r in self.evidence if r.occurred_on <= day]
        if history == self.history and evidence == self.evidence:
            return self
        return self.model_copy(update={"history": history, "evidence": evidence,
                                       "status": history[-1].action.status})

    @property
    def cleared_on(self) -> date | None:
        return self.history[-1].on if self.status is Status.CLEARED else None

    def public(self) -> dict[str, Any]:
        """The flag as JSON-ready data, with the status sentence added to the explanation."""
        data = self.model_dump(mode="json")
        data["cleared_on"] = None if self.cleared_on is None else self.cleared_on.isoformat()
        last = self.history[-1]
        if last.action is Action.CLEARED:
            data["explanation"] = (f"{self.explanation} Cleared on {last.on.isoformat()}: "
                                   f"{last.note}")
        return data


def flag_id(rule: str, la_code: str, subjects: dict[str, str], anchor: str) -> str:
    """A stable id from the rule, the authority, its subjects and the raising event's key.

    The same events give the same ids on every rebuild, on either store.
    """
    subject_text = ",".join(f"{k}={subjects[k]}" for k in sorted(subjects))
    digest = hashlib.sha256(f"{rule}|{la_code}|{subject_text}|{anchor}".encode()).hexdigest()
    return f"{rule}-{digest[:16]}"
