"""The life of a flag: raising, clearing and withdrawal, decided here for every rule.

A rule says only what its flags now are, from the facts as now known: a `Finding` for each
flag that stands (its raisings and clearings in valid time, its evidence and words), gathered
in a `Verdict` about one subject (a case, a challenge, a report...). `settle` brings the
book's flags into line with it, and never deletes anything:

- a flag found for the first time is raised, with the clearings the finding already has;
- a flag found again gains the entries of its timeline its history lacks, as long as what its
  history then says still holds on every day (a late record that clears it earlier, or raises
  it again, only adds); its words, severity and subjects take the finding's;
- if an entry the history holds no longer holds (a raising no later record supports), the
  flag is *withdrawn*, naming the late record, and raised afresh from the finding;
- a flag of the rule within the verdict's scope that the finding no longer includes is
  withdrawn, with the rule's reason, naming the late record; found again later, it is raised
  again under the same id.

Deadline rules (judged as of a day) give findings too; `standing` makes each a flag as it
stands that day, which is never stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from iro_ledger.projections.base import EventRef
from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.facts import DefeatFacts
from iro_ledger.projections.rules.flag import (
    Action,
    Flag,
    HistoryEntry,
    Severity,
    Status,
    flag_id,
    standing_of,
)


def raised(on: date, by: EventRef | None, note: str) -> HistoryEntry:
    """A raising in a finding's timeline: by an event, or (None) by a deadline passing."""
    return HistoryEntry(action=Action.RAISED, on=on, event=by, note=note)


def cleared(by: EventRef, note: str, on: date | None = None) -> HistoryEntry:
    """A clearing in a finding's timeline, on its event's date unless told."""
    return HistoryEntry(action=Action.CLEARED, on=on or by.occurred_on, event=by, note=note)


@dataclass(frozen=True)
class Finding:
    """One flag as a rule now finds it."""

    key: dict[str, str]
    """The subjects its id is made from (with `anchor`), e.g. the challenge and the pattern."""
    anchor: EventRef
    """The event the flag hangs on, for its id: the same events give the same ids."""
    severity: Severity
    subjects: dict[str, str]
    timeline: list[HistoryEntry]
    """Its raisings and clearings in valid-time order, a raising first."""
    evidence: list[EventRef]
    """The events behind it besides those of its timeline."""
    explanation: str
    details: dict[str, Any] = field(default_factory=dict)


def _never(flag: Flag, by: EventRef) -> str:
    return (f"{by.event_type} on {by.kind} {by.id}, recorded after the flag was raised, shows "
            "it does not apply.")


@dataclass(frozen=True)
class Verdict:
    """What a rule now finds about one subject."""

    scope: dict[str, str]
    """Which of the rule's flags the verdict speaks for (`Flag.matches`): any of them it does
    not find stands withdrawn."""
    found: list[Finding]
    why_not: Callable[[Flag, EventRef], str] = _never
    """Why a flag in scope, raised before, no longer stands (or no longer stands as its history
    says), given the late record that showed it: the note of its withdrawal."""


def settle(book: Book, rule: str, basis: str, verdict: Verdict, by: EventRef) -> None:
    """Make the book's flags of `rule` in the verdict's scope what the verdict finds; `by` is
    the record that made the rule judge again."""
    found = {_settle(book, rule, basis, finding, verdict, by) for finding in verdict.found}
    for flag in book.in_scope(rule, verdict.scope):
        if flag.id not in found and flag.status is not Status.WITHDRAWN:
            _withdraw(book, flag, by, verdict.why_not(flag, by))


def standing(book: Book, rule: str, basis: str, finding: Finding) -> Flag:
    """A deadline rule's finding as the flag it makes on the day it was judged for."""
    timeline = finding.timeline
    return Flag(id=flag_id(rule, book.la_code, finding.key, finding.anchor.key), rule=rule,
                severity=finding.severity, la_code=book.la_code, subjects=finding.subjects,
                raised_on=timeline[0].on, status=timeline[-1].action.status,
                history=list(timeline), evidence=_evidence(finding),
                explanation=finding.explanation, basis=basis, details=finding.details)


def _evidence(finding: Finding) -> list[EventRef]:
    refs = [*finding.evidence, *(h.event for h in finding.timeline if h.event is not None)]
    unique = {r.key: r for r in refs}
    return sorted(unique.values(), key=lambda r: r.position)


def _settle(book: Book, rule: str, basis: str, finding: Finding, verdict: Verdict,
            by: EventRef) -> str:
    fid = flag_id(rule, book.la_code, finding.key, finding.anchor.key)
    timeline = finding.timeline
    flag = book.flags.get(fid)
    if flag is None:
        flag = Flag(id=fid, rule=rule, severity=finding.severity, la_code=book.la_code,
                    subjects=finding.subjects, raised_on=timeline[0].on, status=Status.OPEN,
                    history=[], evidence=[], explanation=finding.explanation, basis=basis,
                    details=finding.details)
        book.add_flag(flag)
        missing = timeline
    else:
        # Judged again on later knowledge: the words may be fuller, the history stays.
        flag.severity, flag.subjects = finding.severity, finding.subjects
        flag.explanation, flag.details = finding.explanation, finding.details
        book.index_flag(flag)
        missing = timeline
        if flag.status is not Status.WITHDRAWN:
            held = flag.episode()
            shapes = {_shape(h) for h in held}
            missing = [h for h in timeline if _shape(h) not in shapes]
            if not _same_course(sorted([*held, *missing], key=HistoryEntry.order), timeline):
                _withdraw(book, flag, by, verdict.why_not(flag, by))
                missing = timeline
    for entry in missing:
        flag.record(entry.action, entry.on, entry.event, entry.note)
    flag.raised_on = timeline[0].on
    flag.add_evidence(*finding.evidence)
    book.dirty_flags.add(fid)
    return fid


def _withdraw(book: Book, flag: Flag, by: EventRef, note: str) -> None:
    """The late record `by` shows the flag never applied as raised. It stays visible."""
    if flag.status is not Status.WITHDRAWN:
        flag.record(Action.WITHDRAWN, flag.raised_on, by, note)
        book.dirty_flags.add(flag.id)


def _shape(entry: HistoryEntry) -> tuple[Action, date, str]:
    return entry.action, entry.on, entry.event.key if entry.event is not None else ""


def _same_course(merged: list[HistoryEntry], timeline: list[HistoryEntry]) -> bool:
    """Whether the history with the timeline's entries added gives the timeline's status on
    every day: then adding them tells the truth, and nothing need be withdrawn."""
    wanted = sorted(timeline, key=HistoryEntry.order)
    days = sorted({h.on for h in merged} | {h.on for h in wanted})
    return all(_status(merged, day) == _status(wanted, day) for day in days)


def _status(entries: list[HistoryEntry], day: date) -> Action | None:
    entry = standing_of(entries, day)
    return None if entry is None else entry.action


def defeats(book: Book, before: dict[str, Flag], after: dict[str, Flag], by: EventRef,
            day: date) -> list[DefeatFacts]:
    """What the record `by`, made on `day`, did to the flags that stood open on that day just
    before it (`before`; `after` is the same reading after it): each one it cleared or
    withdrew. A deadline flag it made vanish (never stored) is kept now, withdrawn, naming it:
    no flag that could be seen disappears."""
    found = []
    for fid, flag in before.items():
        now = after.get(fid)
        if now is not None and now.status is Status.OPEN:
            continue
        if now is None:
            held = book.flags.get(fid)
            if held is None:
                held = flag.model_copy(deep=True)
                book.add_flag(held)
            else:  # withdrawn before, found again since: its new raising, then withdrawn
                for entry in flag.history:
                    held.record(entry.action, entry.on, entry.event, entry.note)
            _withdraw(book, held, by, (
                f"{by.event_type} on {by.kind} {by.id}, dated {said(by.occurred_on)} and "
                f"recorded on {said(day)}, after the flag was raised, shows it never applied."))
        effect = ("cleared" if now is not None and now.status is Status.CLEARED
                  else "withdrawn")
        found.append(DefeatFacts(
            id=f"{by.key}>{fid}", late=by, recorded_on=day, effect=effect, flag_id=fid,
            flag_rule=flag.rule, flag_raised_on=flag.raised_on, flag_subjects=flag.subjects,
            flag_evidence=flag.evidence))
    return found
