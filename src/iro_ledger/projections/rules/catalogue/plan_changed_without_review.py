"""plan_changed_without_review: a care plan changed outside a review or without the IRO.

Basis: Care Planning, Placement and Case Review (England) Regulations 2010, reg 32(2), and
the IRO Handbook: a significant change to a child's care plan, above all a placement move, is
first considered at a review chaired by the IRO, with the IRO consulted, unless a review is
not reasonably practicable.

Raised by `Case.CarePlanRevised` with `via_review` false or `iro_consulted` false, one flag per
revision, unless it is recorded as an `emergency` (made outside a review because one was not
reasonably practicable, as reg 32(2) allows): a run of those is placement_instability's.
Severity `high` for a change of a `high_changes` kind (placement_move); otherwise
`warning` when the IRO was not consulted, `info` when the IRO was consulted but no review was
held. Cleared by the earliest `Case.ReviewHeld` on the case dated on or after the revision:
the change has then been before a review. The flag names the officer who was the IRO on the
day of the revision. Records come late, so each flag of the case is settled again whenever a
review or an assignment is recorded on it: a back-dated review clears it from its own date,
and a back-dated assignment changes the IRO it names.
"""

from __future__ import annotations

from collections.abc import Iterable

from iro_ledger.domain.case import Case
from iro_ledger.projections.base import Envelope
from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.facts import CaseFacts, PlanRevision
from iro_ledger.projections.rules.flag import Severity
from iro_ledger.projections.rules.lifecycle import Finding, Verdict, cleared, raised
from iro_ledger.projections.rules.rule import Rule

NAME = "plan_changed_without_review"
BASIS = ("Care Planning, Placement and Case Review (England) Regulations 2010, reg 32(2), "
         "and the IRO Handbook: significant changes to a child's care plan, above all a "
         "placement move, are first considered at a review, with the IRO consulted, unless a "
         "review is not reasonably practicable.")


def reads(book: Book, env: Envelope) -> Iterable[str]:
    if isinstance(env.event, Case.CarePlanRevised | Case.ReviewHeld | Case.IroAssigned):
        yield env.record


def judge(book: Book, case_id: str, config: RulesConfig) -> Verdict:
    case = book.cases[case_id]
    found = [_finding(book, case, revision, config) for revision in case.plan_revisions
             if not (revision.via_review and revision.iro_consulted) and not revision.emergency]
    return Verdict({"case_id": case.id}, found)


def _finding(book: Book, case: CaseFacts, revision: PlanRevision,
             config: RulesConfig) -> Finding:
    """One revision's flag from the case as now known, cleared by the first review after."""
    high = config.plan_changed_without_review.high_changes
    severity = (Severity.HIGH if revision.change in high
                else Severity.WARNING if not revision.iro_consulted else Severity.INFO)
    day = revision.ref.occurred_on
    missing = " and ".join(
        text for text, absent in (("without a review", not revision.via_review),
                                  ("without the IRO being consulted",
                                   not revision.iro_consulted)) if absent)
    iro = case.iro_on(day)
    timeline = [raised(day, revision.ref, f"the care plan was revised ({revision.change})")]
    later = sorted((r for r in case.reviews if r.occurred_on >= day),
                   key=lambda r: (r.occurred_on, r.event_number))
    if later:
        timeline.append(cleared(later[0], f"a review was held on {said(later[0].occurred_on)}."))
    return Finding(
        key={"case_id": case.id}, anchor=revision.ref, severity=severity,
        subjects={"case_id": case.id, **({"officer_id": iro} if iro else {})},
        timeline=timeline, evidence=[revision.ref],
        explanation=(
            f"On {said(day)}, {book.who(revision.revised_by)} revised the care plan of "
            f"{book.child(case.id)} ({revision.change.replace('_', ' ')}: "
            f"\"{revision.summary}\") {missing}"
            f"{f'; the IRO was {book.who(iro)}' if iro else ''}. Significant changes to a "
            "child's care plan should go through a review with the IRO consulted."),
        details={"change": revision.change, "summary": revision.summary,
                 "revised_by": revision.revised_by, "via_review": revision.via_review,
                 "iro_consulted": revision.iro_consulted})


RULE = Rule(NAME, BASIS, reads=reads, judge=judge)
