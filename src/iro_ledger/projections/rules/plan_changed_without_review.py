"""plan_changed_without_review: a care plan changed outside a review or without the IRO.

Basis: statutory guidance (Care Planning, Placement and Case Review (England) Regulations 2010
and the IRO Handbook): a significant change to a child's care plan, above all a placement move,
goes through a review chaired by the IRO, with the IRO consulted.

Raised by `Case.CarePlanRevised` with `via_review` false or `iro_consulted` false, one flag per
revision. Severity `high` for a change of a `high_changes` kind (placement_move); otherwise
`warning` when the IRO was not consulted, `info` when the IRO was consulted but no review was
held. Cleared by the earliest `Case.ReviewHeld` on the case dated on or after the revision:
the change has then been before a review. The flag names the officer who was the IRO on the
day of the revision. Records come late, so each flag of the case is settled again whenever a
review or an assignment is recorded on it: a back-dated review clears it from its own date,
and a back-dated assignment changes the IRO it names.
"""

from __future__ import annotations

from typing import Any

from iro_ledger.domain.case import Case
from iro_ledger.projections.rules.facts import Book, CaseFacts, said
from iro_ledger.projections.rules.flag import Ref, Severity
from iro_ledger.projections.rules.observe import Seen
from iro_ledger.projections.rules.unit import Context, RuleUnit

RULE = "plan_changed_without_review"
BASIS = ("Care Planning, Placement and Case Review (England) Regulations 2010 and the IRO "
         "Handbook: significant changes to a child's care plan, above all a placement move, go "
         "through a review, with the IRO consulted.")


def react(book: Book, seen: Seen, ctx: Context) -> None:
    event = seen.event
    if isinstance(event, Case.CarePlanRevised) and not (event.via_review and event.iro_consulted):
        config = ctx.config.plan_changed_without_review
        severity = (Severity.HIGH if event.change in config.high_changes
                    else Severity.WARNING if not event.iro_consulted else Severity.INFO)
        _judge(book, book.cases[seen.record], seen.ref, severity, {
            "change": event.change, "summary": event.summary, "revised_by": seen.actor,
            "via_review": event.via_review, "iro_consulted": event.iro_consulted})
    elif isinstance(event, Case.ReviewHeld | Case.IroAssigned):
        case = book.cases[seen.record]
        for flag in book.rule_flags(RULE):
            anchor = flag.history[0].event
            if flag.subjects["case_id"] == case.id and anchor is not None:
                _judge(book, case, anchor, flag.severity, flag.details)


def _judge(book: Book, case: CaseFacts, revision: Ref, severity: Severity,
           details: dict[str, Any]) -> None:
    """Raise or update the flag of one revision from the case as now known; clear it if due."""
    day = revision.occurred_on
    missing = " and ".join(
        text for text, absent in (("without a review", not details["via_review"]),
                                  ("without the IRO being consulted",
                                   not details["iro_consulted"])) if absent)
    iro = case.iro_on(day)
    subjects = {"case_id": case.id, **({"officer_id": iro} if iro else {})}
    flag = book.raise_flag(
        RULE, severity, subjects, key={"case_id": case.id}, anchor=revision, on=day,
        by=revision, note=f"the care plan was revised ({details['change']})",
        evidence=[revision],
        explanation=(
            f"On {said(day)}, {book.who(details['revised_by'])} revised the care plan of "
            f"{book.child(case.id)} ({details['change'].replace('_', ' ')}: "
            f"\"{details['summary']}\") {missing}"
            f"{f'; the IRO was {book.who(iro)}' if iro else ''}. Significant changes to a "
            "child's care plan should go through a review with the IRO consulted."),
        basis=BASIS, details=details)
    later = sorted((r for r in case.reviews if r.occurred_on >= day),
                   key=lambda r: (r.occurred_on, r.event_number))
    if later:
        book.clear_flag(flag, later[0], f"a review was held on {said(later[0].occurred_on)}.")


UNIT = RuleUnit(RULE, BASIS, react=react)
