"""The Flag: one sign of compromised independence, its evidence, and the history of its status.

A flag names its rule, severity, authority and subjects, the exact events behind it, and says
in plain English what happened and why it matters. It is never deleted: it clears only by a
later event its rule names, and both the raising and the clearing stay in its history.

Rules judge valid time (`occurred_on`), and records are often made late. A record that
arrives late may show that a flag never applied on the facts as now known (a resolution dated
before the reassignment it was blamed on): the flag is then *withdrawn*, not deleted. Its
history keeps the raising and the withdrawal with the late record that caused it, it is left
out of listings and measures unless asked for, and it is raised again (same id) if still later
records make it apply after all. Within the latest raising, entries count in order of their
valid dates, so a flag's status on a day does not depend on the order the records came in.
"""

from __future__ import annotations

import hashlib
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from iro_ledger.projections.base import EventRef


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
    WITHDRAWN = "withdrawn"
    """Raised on the records as they then stood; later records show it never applied."""


class Action(StrEnum):
    """What an entry of a flag's history did."""

    RAISED = "raised"
    CLEARED = "cleared"
    WITHDRAWN = "withdrawn"

    @property
    def status(self) -> Status:
        return {Action.RAISED: Status.OPEN, Action.CLEARED: Status.CLEARED,
                Action.WITHDRAWN: Status.WITHDRAWN}[self]


class HistoryEntry(BaseModel):
    action: Action
    """`raised` when the flag was raised (or raised again), `cleared` when it cleared,
    `withdrawn` when a later record showed it never applied."""
    on: date
    """The valid date it took effect; a withdrawal reaches back to the flag's `raised_on`."""

    def order(self) -> tuple[date, str, str, int]:
        """Valid-time order; on one day, a record's events in its own order, records by id."""
        if self.event is None:
            return self.on, "", "", 0
        return self.on, self.event.kind, self.event.id, self.event.event_number
    event: EventRef | None
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
    evidence: list[EventRef]
    explanation: str
    basis: str
    details: dict[str, Any] = {}
    """Facts particular to the rule: the pattern, counts, days late, the kind of instruction."""

    def add_evidence(self, *refs: EventRef) -> bool:
        """Add references not yet held, in store order; True if any was new."""
        known = {r.key for r in self.evidence}
        new = [r for r in refs if r.key not in known]
        if new:
            self.evidence = sorted([*self.evidence, *new], key=lambda r: r.position)
        return bool(new)

    def record(self, action: Action, on: date, event: EventRef | None, note: str) -> None:
        self.history.append(HistoryEntry(action=action, on=on, event=event, note=note))
        self.status = self.standing().action.status
        if event is not None:
            self.add_evidence(event)

    def matches(self, scope: dict[str, str]) -> bool:
        """Whether each of `scope`'s names has its value among the flag's subjects, or else
        its details (`pattern`, say)."""
        return all(self.subjects.get(k, self.details.get(k)) == v for k, v in scope.items())

    def episode(self) -> list[HistoryEntry]:
        """The entries since the flag was last withdrawn (all of them if never), by valid date.

        The last entry of all is a withdrawal when the flag stands withdrawn.
        """
        last = max((i for i, h in enumerate(self.history) if h.action is Action.WITHDRAWN),
                   default=-1)
        if self.history and last == len(self.history) - 1:
            return [self.history[last]]
        return sorted(self.history[last + 1:], key=HistoryEntry.order)

    def standing(self, day: date | None = None) -> HistoryEntry:
        """The entry that decides the status at the end of `day` (None: as things now stand).

        The first entry of the last spell: a second clearing of a cleared flag, or raising of
        an open one, changes nothing.
        """
        episode = self.episode()
        if episode[-1].action is Action.WITHDRAWN:
            return episode[-1]
        current = standing_of(episode, day)
        if current is None:
            raise ValueError(f"flag {self.id} had not been raised by {day}")
        return current

    def stood_on(self, day: date) -> bool:
        """Whether, on the records as now known, the flag had been raised by the end of `day`."""
        return self.raised_on <= day and any(h.on <= day for h in self.episode())

    def as_of(self, day: date) -> Flag | None:
        """The flag as it stood at the end of `day` in valid time; None if not yet raised."""
        if not self.stood_on(day):
            return None
        history = [h for h in self.history if h.on <= day]
        evidence = [r for r in self.evidence if r.occurred_on <= day]
        status = self.standing(day).action.status
        if history == self.history and evidence == self.evidence and status is self.status:
            return self
        return self.model_copy(update={"history": history, "evidence": evidence,
                                       "status": status})

    @property
    def cleared_on(self) -> date | None:
        return self.standing().on if self.status is Status.CLEARED else None

    def public(self) -> dict[str, Any]:
        """The flag as JSON-ready data, with the status sentence added to the explanation."""
        data = self.model_dump(mode="json")
        data["cleared_on"] = None if self.cleared_on is None else self.cleared_on.isoformat()
        last = self.standing()
        if last.action is Action.CLEARED:
            data["explanation"] = (f"{self.explanation} Cleared on {last.on.isoformat()}: "
                                   f"{last.note}")
        elif last.action is Action.WITHDRAWN:
            data["explanation"] = f"{self.explanation} Withdrawn: {last.note}"
        return data


def standing_of(entries: list[HistoryEntry], day: date | None = None) -> HistoryEntry | None:
    """Of raisings and clearings in valid-time order, the one that decides the status at the
    end of `day` (None: of them all): the first entry of the last spell. None if none by then."""
    current: HistoryEntry | None = None
    for entry in entries:
        if day is not None and entry.on > day:
            break
        if current is None or entry.action is not current.action:
            current = entry
    return current


def flag_id(rule: str, la_code: str, subjects: dict[str, str], anchor: str) -> str:
    """A stable id from the rule, the authority, its subjects and the raising event's key.

    The same events give the same ids on every rebuild, on either store.
    """
    subject_text = ",".join(f"{k}={subjects[k]}" for k in sorted(subjects))
    digest = hashlib.sha256(f"{rule}|{la_code}|{subject_text}|{anchor}".encode()).hexdigest()
    return f"{rule}-{digest[:16]}"
