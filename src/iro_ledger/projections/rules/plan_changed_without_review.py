"""plan_changed_without_review: a care plan changed outside a review or without the IRO.

Basis: statutory guidance (Care Planning, Placement and Case Review (England) Regulations 2010
and the IRO Handbook): a significant change to a child's care plan, above all a placement move,
goes through a review chaired by the IRO, with the IRO consulted.

Raised by `Case.CarePlanRevised` with `via_review` false or `iro_consulted` false, one flag per
revision. Severity `high` for a change of a `high_changes` kind (placement_move); otherwise
`warning` when the IRO was not consulted, `info` when the IRO was consulted but no review was
held. Cleared by a later `Case.ReviewHeld` on the case (dated on or after the revision): the
change has then been before a review.
"""

from __future__ import annotations

from iro_ledger.domain.case import Case
from iro_ledger.projections.rules.facts import Book, said
from iro_ledger.projections.rules.flag import Flag, Ref, Severity
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
        day = seen.ref.occurred_on
        case = book.cases[seen.record]
        severity = (Severity.HIGH if event.change in config.high_changes
                    else Severity.WARNING if not event.iro_consulted else Severity.INFO)
        missing = " and ".join(
            text for text, absent in (("without a review", not event.via_review),
                                      ("without the IRO being consulted",
                                       not event.iro_consulted)) if absent)
        iro = case.iro_on(day)
        subjects = {"case_id": case.id, **({"officer_id": iro} if iro else {})}
        flag = book.raise_flag(
            RULE, severity, subjects, key={"case_id": case.id}, anchor=seen.ref, on=day,
            by=seen.ref, note=f"the care plan was revised ({event.change})",
            evidence=[seen.ref],
            explanation=(
                f"On {said(day)}, {book.who(seen.actor)} revised the care plan of "
                f"{book.child(case.id)} ({event.change.replace('_', ' ')}: "
                f"\"{event.summary}\") {missing}"
                f"{f'; the IRO was {book.who(iro)}' if iro else ''}. Significant changes to a "
                "child's care plan should go through a review with the IRO consulted."),
            basis=BASIS,
            details={"change": event.change, "via_review": event.via_review,
                     "iro_consulted": event.iro_consulted})
        # A review dated on or after the change but recorded before it still answers it.
        later = sorted((r for r in case.reviews if r.occurred_on >= day),
                       key=lambda r: (r.occurred_on, r.position))
        if later:
            _cleared_by_review(book, flag, later[0])
    elif isinstance(event, Case.ReviewHeld):
        for flag in book.open_flags(RULE, case_id=seen.record):
            if flag.raised_on <= seen.ref.occurred_on:
                _cleared_by_review(book, flag, seen.ref, event.chaired_by)


def _cleared_by_review(book: Book, flag: Flag, review: Ref, chair: str | None = None) -> None:
    chaired = f" chaired by {book.who(chair)}" if chair else ""
    book.clear_flag(flag, review, f"a review{chaired} was held.")


UNIT = RuleUnit(RULE, BASIS, react=react)
