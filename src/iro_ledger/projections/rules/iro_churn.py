"""iro_churn: a child who has had too many IROs in a short time.

Basis: children's views gathered by NAIRO: each change of IRO undoes the relationship the role
depends on; a child should keep their IRO unless there is good reason.

Raised by a `Case.IroAssigned` after which `min_iros` (3) or more different officers held the
case at some time within the `window_months` (12) ending on its date (an officer counts if
they held the case on any day of that window, the window's first day included). Further
assignments while the count stays at or above the threshold, each within the window of the
last, join the same flag as evidence. Severity `warning`, `high` at `high_at` (4) IROs.
Never cleared: it is a fact of the child's experience.
"""

from __future__ import annotations

from datetime import date

from iro_ledger.domain.case import Case
from iro_ledger.projections.rules.calendar import add_months
from iro_ledger.projections.rules.facts import Assignment, Book, said
from iro_ledger.projections.rules.flag import Severity
from iro_ledger.projections.rules.observe import Seen
from iro_ledger.projections.rules.unit import Context, RuleUnit

RULE = "iro_churn"
BASIS = ("Children's views gathered by NAIRO: each change of IRO undoes the relationship the "
         "role depends on; a child should keep their IRO unless there is good reason.")


def react(book: Book, seen: Seen, ctx: Context) -> None:
    if not isinstance(seen.event, Case.IroAssigned):
        return
    config = ctx.config.iro_churn
    case = book.cases[seen.record]
    day = seen.ref.occurred_on
    start = add_months(day, -config.window_months)
    held = sorted((a for a in case.assignments if a.ref.occurred_on <= day),
                  key=lambda a: (a.ref.occurred_on, a.ref.position))
    within: list[Assignment] = []
    for index, assignment in enumerate(held):
        until = held[index + 1].ref.occurred_on if index + 1 < len(held) else None
        if until is None or until > start:
            within.append(assignment)
    officers = list(dict.fromkeys(a.officer_id for a in within))
    if len(officers) < config.min_iros:
        return
    earlier = [f for f in book.rule_flags(RULE) if f.subjects["case_id"] == case.id
               and date.fromisoformat(f.details["last_change_on"]) >= start]
    anchor = earlier[0].history[0].event if earlier and earlier[0].history[0].event else seen.ref
    severity = Severity.HIGH if len(officers) >= config.high_at else config.severity
    if earlier:
        severity = max(severity, earlier[0].severity, key=lambda s: Severity(s).rank)
    names = ", ".join(f"{book.who(a.officer_id)} from {said(a.ref.occurred_on)}" for a in within)
    book.raise_flag(
        RULE, severity, {"case_id": case.id}, anchor=anchor, on=day, by=seen.ref,
        note=f"{len(officers)} IROs within {config.window_months} months",
        evidence=[a.ref for a in within],
        explanation=(f"Between {said(start)} and {said(day)}, {book.child(case.id)} had "
                     f"{len(officers)} different IROs: {names}. Children tell NAIRO that each "
                     "change of IRO undoes the relationship the role depends on."),
        basis=BASIS,
        details={"iros": officers, "window_months": config.window_months,
                 "last_change_on": day.isoformat()})


UNIT = RuleUnit(RULE, BASIS, react=react)
