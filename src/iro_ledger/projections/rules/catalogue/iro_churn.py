"""iro_churn: a child who has had too many IROs in a short time.

Basis: children's views gathered by NAIRO: each change of IRO undoes the relationship the role
depends on; a child should keep their IRO unless there is good reason.

Judged as of a day from the case's `Case.IroAssigned` events dated up to it. An assignment
churns when `min_iros` (3) or more different officers held the case at some time within the
`window_months` (12) ending on its date (an officer counts if they held the case on any day of
that window, the window's first day included). The first churning assignment raises the flag;
later churning assignments, each within the window of the one before, join it as evidence.
Severity `warning`, `high` once `high_at` (4) IROs fall within one window. Never cleared: it is
a fact of the child's experience.
"""

from __future__ import annotations

from datetime import date

from iro_ledger.projections.base import EventRef
from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.calendar import add_months
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.facts import Assignment, CaseFacts
from iro_ledger.projections.rules.flag import Severity
from iro_ledger.projections.rules.lifecycle import Finding, raised
from iro_ledger.projections.rules.rule import Rule

NAME = "iro_churn"
BASIS = ("Children's views gathered by NAIRO: each change of IRO undoes the relationship the "
         "role depends on; a child should keep their IRO unless there is good reason.")


def as_of(book: Book, day: date, rules: RulesConfig) -> list[Finding]:
    found: list[Finding] = []
    for case in book.cases.values():
        found.extend(_case_flags(book, case, day, rules))
    return found


def _case_flags(book: Book, case: CaseFacts, day: date, rules: RulesConfig) -> list[Finding]:
    config = rules.iro_churn
    held = sorted((a for a in case.assignments if a.ref.occurred_on <= day),
                  key=lambda a: (a.ref.occurred_on, a.ref.position))
    episodes: list[list[tuple[Assignment, list[Assignment]]]] = []
    for index, assignment in enumerate(held):
        start = add_months(assignment.ref.occurred_on, -config.window_months)
        within = [a for k, a in enumerate(held[: index + 1])
                  if k == index or held[k + 1].ref.occurred_on > start]
        if len({a.officer_id for a in within}) < config.min_iros:
            continue
        last = episodes[-1][-1][0].ref.occurred_on if episodes else None
        if last is not None and last >= start:
            episodes[-1].append((assignment, within))
        else:
            episodes.append([(assignment, within)])
    return [_flag(book, case, episode, rules) for episode in episodes]


def _flag(book: Book, case: CaseFacts, episode: list[tuple[Assignment, list[Assignment]]],
          rules: RulesConfig) -> Finding:
    config = rules.iro_churn
    first, first_within = episode[0]
    most = max(len({a.officer_id for a in within}) for _, within in episode)
    severity = Severity.HIGH if most >= config.high_at else config.severity
    evidence: dict[str, EventRef] = {a.ref.key: a.ref for _, within in episode for a in within}
    last, last_within = episode[-1]
    officers = list(dict.fromkeys(a.officer_id for a in last_within))
    start = add_months(last.ref.occurred_on, -config.window_months)
    names = ", ".join(f"{book.who(a.officer_id)} from {said(a.ref.occurred_on)}"
                      for a in last_within)
    return Finding(
        key={"case_id": case.id}, anchor=first.ref, severity=severity,
        subjects={"case_id": case.id},
        timeline=[raised(first.ref.occurred_on, first.ref,
                         f"{len({a.officer_id for a in first_within})} IROs within "
                         f"{config.window_months} months")],
        evidence=list(evidence.values()),
        explanation=(f"Between {said(start)} and {said(last.ref.occurred_on)}, "
                     f"{book.child(case.id)} had {len(officers)} different IROs: {names}. "
                     "Children tell NAIRO that each change of IRO undoes the relationship the "
                     "role depends on."),
        details={"iros": officers, "window_months": config.window_months,
                 "most_iros_in_window": most,
                 "last_change_on": last.ref.occurred_on.isoformat()})


RULE = Rule(NAME, BASIS, as_of=as_of, watch=("Case.IroAssigned",))
