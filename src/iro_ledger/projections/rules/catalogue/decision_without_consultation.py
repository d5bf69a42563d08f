"""decision_without_consultation: a decision about a child made without consulting them, their
IRO or their parents.

Basis: Children Act 1989 s.22(4)-(5): before making any decision about a child it looks after,
the authority ascertains the wishes and feelings of the child and their parents and gives
them due consideration; the IRO Handbook: significant decisions are made with the IRO
consulted. NAIRO's case studies: a move 100 miles away announced at a review without having
been discussed with the girl; a permanent move decided without consulting the child or the
birth parents, and without the IRO.

Raised by `Case.DecisionRecorded` with `child_consulted`, `iro_consulted` or
`parents_consulted` recorded false, and by `Case.CarePlanRevised` with `child_consulted`
false (its IRO is plan_changed_without_review's), one flag per decision or revision, on its
date. A consultation not stated is not judged. Severity `severity` (warning); `high_severity`
(high) when the IRO was not consulted, when the decision is of a `high_kinds` kind (a
placement move), or when it moves the child `far_miles` (20) or more. Never cleared:
consulting afterwards does not unmake a decision made without it.
"""

from __future__ import annotations

from collections.abc import Iterable

from iro_ledger.domain.case import Case
from iro_ledger.projections.base import Envelope, EventRef
from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.facts import CaseFacts
from iro_ledger.projections.rules.lifecycle import Finding, Verdict, raised
from iro_ledger.projections.rules.rule import Rule

NAME = "decision_without_consultation"
BASIS = ("Children Act 1989 s.22(4)-(5): before any decision about a looked-after child the "
         "authority ascertains the child's and the parents' wishes and feelings and gives them "
         "due consideration; the IRO Handbook: significant decisions are made with the IRO "
         "consulted.")


def reads(book: Book, env: Envelope) -> Iterable[str]:
    if isinstance(env.event, Case.DecisionRecorded | Case.CarePlanRevised | Case.IroAssigned):
        yield env.record


def judge(book: Book, case_id: str, config: RulesConfig) -> Verdict:
    case = book.cases[case_id]
    found = [_finding(book, case, d.ref, d.id, d.kind, d.summary, d.decided_by,
                      {"child": d.child_consulted, "IRO": d.iro_consulted,
                       "parents": d.parents_consulted}, d.distance_miles, config)
             for d in case.decisions]
    found += [_finding(book, case, r.ref, None, r.change, r.summary, r.revised_by,
                       {"child": r.child_consulted}, r.distance_miles, config)
              for r in case.plan_revisions]
    return Verdict({"case_id": case.id}, [f for f in found if f is not None])


def _finding(book: Book, case: CaseFacts, ref: EventRef, decision_id: str | None, kind: str,
             summary: str, by: str, consulted: dict[str, bool | None],
             distance: int | None, rules: RulesConfig) -> Finding | None:
    config = rules.decision_without_consultation
    missing = [who for who, was in consulted.items() if was is False]
    if not missing:
        return None
    far = distance is not None and distance >= config.far_miles
    high = "IRO" in missing or kind in config.high_kinds or far
    day = ref.occurred_on
    iro = case.iro_on(day)
    what = f"decision {decision_id}" if decision_id else "a change to the care plan"
    how_far = f", {distance} miles from where the child lives," if distance else ""
    key = {"case_id": case.id, **({"decision_id": decision_id} if decision_id else {})}
    return Finding(
        key=key, anchor=ref, severity=config.high_severity if high else config.severity,
        subjects={**key, **({"officer_id": iro} if iro else {})},
        timeline=[raised(day, ref, "made without consulting the " + " or the ".join(missing))],
        evidence=[],
        explanation=(f"On {said(day)}, {book.who(by)} recorded {what} for {book.child(case.id)}"
                     f" ({kind.replace('_', ' ')}{how_far}: \"{summary}\") made without "
                     f"consulting the {' or the '.join(missing)}"
                     f"{f'; the IRO was {book.who(iro)}' if iro else ''}. The child's wishes "
                     "and feelings, and the parents', are to be sought before any decision, "
                     "and the IRO consulted on significant ones."),
        details={"kind": kind, "not_consulted": missing, "distance_miles": distance,
                 "decided_by": by})


RULE = Rule(NAME, BASIS, reads=reads, judge=judge)
