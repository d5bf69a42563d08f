"""caseload_excess: an IRO holding more open cases than guidance envisages, per full-time post.

Basis: the IRO Handbook envisages a caseload of 50-70 looked-after children for a full-time
IRO; far above it, an IRO cannot know each child or challenge what needs challenging.

A deadline rule, judged as of a day from the cases' `Case.IroAssigned` and `Case.Closed`
dates: an officer's caseload on a day is the open cases whose IRO they are at the end of that
day, judged per full-time post: the limit is `max_open_cases` (70) times the officer's FTE
that day (`Officer.Registered.fte`, `Officer.FteChanged`; 1.0 when not stated), so a half-time
IRO is over it above 35. One flag per officer: raised on the first day the caseload exceeds
the limit, by the assignment (or change of working time) that took it over; cleared on the
day an assignment away, a closure or more working time brings it back within; raised again
(same flag) if it exceeds it again. Severity `warning`, `high` once the peak per full-time
post exceeds `high_above` (90).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from iro_ledger.projections.base import EventRef
from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.flag import Action, HistoryEntry, Severity
from iro_ledger.projections.rules.lifecycle import Finding, cleared, raised
from iro_ledger.projections.rules.rule import Rule

NAME = "caseload_excess"
BASIS = ("The IRO Handbook envisages a caseload of 50-70 looked-after children for a "
         "full-time IRO; far above it an IRO cannot know each child or challenge for them.")

Change = tuple[date, int, int, EventRef]
"""(day, store position, +1 or -1, the event that made the change)."""


def as_of(book: Book, day: date, config: RulesConfig) -> list[Finding]:
    flags = []
    for officer_id, changes in _changes(book, day).items():
        # On one day, by case and the case's own order, never by the order cases were recorded.
        ordered = sorted(changes, key=lambda c: (c[0], c[3].id, c[3].event_number))
        flag = _flag(book, officer_id, ordered, day, config)
        if flag is not None:
            flags.append(flag)
    return flags


def _changes(book: Book, day: date) -> dict[str, list[Change]]:
    """Each officer's +1 (took a case) and -1 (lost or closed one), up to `day`."""
    changes: dict[str, list[Change]] = defaultdict(list)
    for case in book.cases.values():
        held = sorted((a for a in case.assignments if a.ref.occurred_on <= day),
                      key=lambda a: (a.ref.occurred_on, a.ref.position))
        closed = case.closed if case.closed and case.closed.occurred_on <= day else None
        for index, assignment in enumerate(held):
            ends = held[index + 1].ref if index + 1 < len(held) else closed
            ref = assignment.ref
            if closed is not None and closed.occurred_on < ref.occurred_on:
                continue
            changes[assignment.officer_id].append((ref.occurred_on, ref.position, 1, ref))
            if ends is not None:
                changes[assignment.officer_id].append(
                    (ends.occurred_on, ends.position, -1, ends))
    return changes


def _flag(book: Book, officer_id: str, changes: list[Change], day: date,
          rules: RulesConfig) -> Finding | None:
    config = rules.caseload_excess
    limit = config.max_open_cases
    officer = book.officers.get(officer_id)
    # Changes of working time move the limit: an officer at half time may hold half as many.
    worktime = [(c.on, c.ref) for c in (officer.fte if officer else [])
                if c.ref is not None and c.on <= day]
    by_day: dict[date, list[Change]] = defaultdict(list)
    for change in changes:
        by_day[change[0]].append(change)
    days = sorted(set(by_day) | {on for on, _ in worktime})
    count, peak, peak_per_fte, history = 0, 0, 0.0, list[HistoryEntry]()
    fte = 1.0
    for on in days:
        moves = by_day.get(on, [])
        count += sum(c[2] for c in moves)
        fte = officer.fte_on(on) if officer else 1.0
        allowed = limit * fte
        is_open = bool(history) and history[-1].action is Action.RAISED
        resized = [ref for when, ref in worktime if when == on]
        if count > allowed and not is_open:
            by = ([c[3] for c in moves if c[2] > 0] or resized)[-1]
            history.append(raised(on, by, f"the caseload rose to {count} open cases"
                                          f"{_per(count, fte)}"))
        elif count <= allowed and is_open:
            by = ([c[3] for c in moves if c[2] < 0] or resized)[-1]
            history.append(cleared(by, f"the caseload fell to {count} open cases"
                                       f"{_per(count, fte)}.", on=on))
        if is_open or count > allowed:
            peak = max(peak, count)
            peak_per_fte = max(peak_per_fte, count / fte)
    if not history:
        return None
    first = history[0]
    assert first.event is not None
    severity = Severity.HIGH if peak_per_fte > config.high_above else config.severity
    now = (f"As of {said(day)} it is {count}{_per(count, fte)}."
           if history[-1].action is Action.RAISED else "")
    share = "" if fte == 1.0 else f", working {fte:g} of a full-time post,"
    return Finding(
        key={"officer_id": officer_id}, anchor=first.event, severity=severity,
        subjects={"officer_id": officer_id}, timeline=history, evidence=[],
        explanation=(f"From {said(first.on)}, {book.who(officer_id)}{share} was the IRO for "
                     f"more than {limit} open cases per full-time post, at most {peak}"
                     f"{_per(peak, fte)}. {now} The IRO Handbook envisages 50-70 children for "
                     "a full-time IRO.").replace("  ", " "),
        details={"max_open_cases": limit, "peak": peak, "caseload": count, "fte": fte,
                 "per_fte": round(count / fte, 1), "peak_per_fte": round(peak_per_fte, 1)})


def _per(count: int, fte: float) -> str:
    return "" if fte == 1.0 else f" ({count / fte:g} per full-time post)"


RULE = Rule(NAME, BASIS, as_of=as_of, watch=("Case.IroAssigned", "Case.Closed"))
