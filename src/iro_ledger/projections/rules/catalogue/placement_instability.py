"""placement_instability: a child moved from placement to placement.

Basis: the DfE's placement stability indicator counts children looked after with 3 or more
placements during a year; NAIRO's case study: a boy of eight with seven placement breakdowns
within nine months, until his IRO challenged for an assessment matching him to carers.

A deadline rule, judged as of a day. A case's placements are the one it began with and one for
each `Case.CarePlanRevised` of change `placement_move` (emergency or not). Within any
`window_months` (12), the placements are the one held when the window opens and each move in
it; when they reach `min_placements` (3), the flag is raised on the day of the move that took
them there, and cleared the day the window again holds fewer (time passing: no event). One
flag per run of instability; a later run raises a new one. Severity `warning`; `high` once a
run reaches `high_at` (5) placements. One flag for the run, not one per move: the moves are
its evidence, and an emergency move is not flagged on its own (plan_changed_without_review).
"""

from __future__ import annotations

from datetime import date, timedelta

from iro_ledger.projections.base import EventRef
from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.calendar import add_months
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.facts import CaseFacts
from iro_ledger.projections.rules.flag import Action, HistoryEntry, Severity
from iro_ledger.projections.rules.lifecycle import Finding, cleared, raised
from iro_ledger.projections.rules.rule import Rule

NAME = "placement_instability"
BASIS = ("The DfE's placement stability indicator: children looked after with 3 or more "
         "placements in a year; NAIRO reports seven placement breakdowns within nine months.")


def as_of(book: Book, day: date, rules: RulesConfig) -> list[Finding]:
    found: list[Finding] = []
    for case in book.cases.values():
        found.extend(_runs(book, case, day, rules))
    return found


def _runs(book: Book, case: CaseFacts, day: date, rules: RulesConfig) -> list[Finding]:
    config = rules.placement_instability
    moves = sorted((r.ref for r in case.plan_revisions
                    if r.change == "placement_move" and r.ref.occurred_on <= day),
                   key=lambda r: (r.occurred_on, r.position))
    closed = case.closed if case.closed and case.closed.occurred_on <= day else None
    found, run = [], list[EventRef]()

    def in_window(end: date) -> list[EventRef]:
        opens = add_months(end, -config.window_months) + timedelta(days=1)
        return [m for m in moves if opens <= m.occurred_on <= end]

    for move in moves:
        window = in_window(move.occurred_on)
        placements = len(window) + 1
        if placements < config.min_placements:
            if run:
                found.append(_finding(book, case, run, day, closed, rules))
                run = []
            continue
        run = run or list(window[-(config.min_placements - 1):])
        if move not in run:
            run.append(move)
    if run:
        found.append(_finding(book, case, run, day, closed, rules))
    return found


def _finding(book: Book, case: CaseFacts, run: list[EventRef], day: date,
             closed: EventRef | None, rules: RulesConfig) -> Finding:
    config = rules.placement_instability
    first_move = run[config.min_placements - 2]  # the move that brought the count to the min
    raised_on = first_move.occurred_on
    peak = _peak(run, config.window_months)
    # The run ends when the window, moving on, holds fewer than min_placements again.
    ends = add_months(run[-(config.min_placements - 1)].occurred_on, config.window_months)
    timeline = [raised(raised_on, first_move, f"a {_ordinal(config.min_placements)} placement "
                                              "within a year")]
    if closed is not None and closed.occurred_on <= ends:
        timeline.append(cleared(closed, "the case closed."))
    elif ends < day:
        timeline.append(HistoryEntry(action=Action.CLEARED, on=ends + timedelta(days=1),
                                     event=None, note="a year passed with fewer placements."))
    iro = case.iro_on(raised_on)
    dates = ", ".join(said(m.occurred_on) for m in run)
    emergencies = sum(1 for r in case.plan_revisions if r.ref in run and r.emergency)
    return Finding(
        key={"case_id": case.id}, anchor=first_move,
        severity=Severity.HIGH if peak >= config.high_at else config.severity,
        subjects={"case_id": case.id, **({"officer_id": iro} if iro else {})},
        timeline=timeline, evidence=run,
        explanation=(f"{book.child(case.id)[0].upper()}{book.child(case.id)[1:]} moved "
                     f"placement {len(run)} times ({dates}), {peak} placements within "
                     f"{config.window_months} months at most"
                     f"{f', {emergencies} of the moves in an emergency' if emergencies else ''}"
                     f"{f'; the IRO was {book.who(iro)}' if iro else ''}. The DfE counts 3 or "
                     "more placements in a year as instability; each move costs a child "
                     "carers, school and friends."),
        details={"placements": peak, "moves": [m.occurred_on.isoformat() for m in run],
                 "emergency_moves": emergencies})


def _peak(run: list[EventRef], months: int) -> int:
    """The most placements any window of `months` holds across the run."""
    best = 0
    for move in run:
        opens = add_months(move.occurred_on, -months) + timedelta(days=1)
        best = max(best, 1 + sum(1 for m in run if opens <= m.occurred_on <= move.occurred_on))
    return best


def _ordinal(n: int) -> str:
    return {2: "second", 3: "third"}.get(n, f"{n}th")


RULE = Rule(NAME, BASIS, as_of=as_of)
