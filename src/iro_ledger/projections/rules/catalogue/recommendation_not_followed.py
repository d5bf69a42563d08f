"""recommendation_not_followed: a review's recommendation left to lapse, or made again and again.

Basis: Care Planning, Placement and Case Review (England) Regulations 2010, reg 36 and the IRO
Handbook: the authority acts on the decisions of a review, and the IRO monitors that it does;
Ofsted's 2013 thematic report found a "lack of rigour in review recommendations and
follow-up". NAIRO's case study: a young person's home after 18 raised at more than one review,
with no plan a year before her birthday.

A deadline rule, judged as of a day, one flag per recommendation and pattern:

- `lapsed`: a `Case.RecommendationMade` with no outcome by the end of its `due_on` while its
  case was open is raised the day after, cleared by the outcome finally recorded (completed
  or declined) or by the case closing; one recorded as `lapsed` is raised on that day, never
  cleared. Severity `lapsed_severity` (warning).
- `repeated`: the making that brings one recommendation to `repeated_at` (3) times in all
  (a family through `repeats` links, each naming the last making or the first), raised on
  the day it is made, and cleared when that one is
  recorded completed. Severity `repeated_severity` (high).

A declined recommendation is the authority's answer, not a lapse: the IRO may challenge it.
"""

from __future__ import annotations

from datetime import date, timedelta

from iro_ledger.projections.rules.book import Book, said
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.facts import CaseFacts, Recommendation
from iro_ledger.projections.rules.lifecycle import Finding, cleared, raised
from iro_ledger.projections.rules.rule import Rule

NAME = "recommendation_not_followed"
BASIS = ("Care Planning, Placement and Case Review (England) Regulations 2010, reg 36, and the "
         "IRO Handbook: the authority acts on a review's recommendations and the IRO monitors "
         "that it does; Ofsted (2013) found a lack of rigour in following them up.")


def as_of(book: Book, day: date, rules: RulesConfig) -> list[Finding]:
    found: list[Finding] = []
    for case in book.cases.values():
        made = [r for r in case.recommendations if r.made.occurred_on <= day]
        for recommendation in made:
            lapse = _lapsed(book, case, recommendation, day, rules)
            if lapse is not None:
                found.append(lapse)
        found.extend(_repeated(book, case, made, day, rules))
    return found


def _subjects(case: CaseFacts, recommendation: Recommendation, day: date) -> dict[str, str]:
    iro = case.iro_on(day)
    return {"case_id": case.id, "recommendation_id": recommendation.id,
            **({"officer_id": iro} if iro else {})}


def _lapsed(book: Book, case: CaseFacts, recommendation: Recommendation, day: date,
            rules: RulesConfig) -> Finding | None:
    due = recommendation.due_on
    outcome = recommendation.outcome_ref
    if outcome is not None and outcome.occurred_on > day:
        outcome = None
    closed = case.closed if case.closed and case.closed.occurred_on <= day else None
    if outcome is not None and recommendation.outcome == "lapsed":
        timeline = [raised(outcome.occurred_on, outcome, "the recommendation was recorded as "
                                                         "lapsed")]
        how = f"was recorded as lapsed on {said(outcome.occurred_on)}"
        if outcome.occurred_on > due:
            timeline = [raised(due + timedelta(days=1), None, f"no outcome by {said(due)}")]
            how = (f"had no outcome by {said(due)}, and was recorded as lapsed on "
                   f"{said(outcome.occurred_on)}")
    else:
        if day <= due or (outcome is not None and outcome.occurred_on <= due) or (
                closed is not None and closed.occurred_on <= due):
            return None
        timeline = [raised(due + timedelta(days=1), None, f"no outcome by {said(due)}")]
        ends = min([r for r in (outcome, closed) if r is not None],
                   key=lambda r: (r.occurred_on, r.position), default=None)
        if ends is None:
            how = f"had no outcome by {said(due)}; as of {said(day)} it still has none"
        elif ends is outcome:
            timeline.append(cleared(ends, f"the outcome ({recommendation.outcome}) was "
                                          "recorded."))
            how = (f"had no outcome by {said(due)}; it was recorded as "
                   f"{recommendation.outcome} on {said(ends.occurred_on)}, "
                   f"{(ends.occurred_on - due).days} days late")
        else:
            timeline.append(cleared(ends, "the case closed."))
            how = f"had no outcome by {said(due)} and the case closed without one"
    return Finding(
        key={"case_id": case.id, "recommendation_id": recommendation.id, "pattern": "lapsed"},
        anchor=recommendation.made, severity=rules.recommendation_not_followed.lapsed_severity,
        subjects=_subjects(case, recommendation, due), timeline=timeline,
        evidence=[recommendation.made],
        explanation=(f"Recommendation {recommendation.id} for {book.child(case.id)}, made on "
                     f"{said(recommendation.made.occurred_on)} and due by {said(due)}, {how}. "
                     "A review's recommendations are to be acted on, and the IRO to see that "
                     "they are."),
        details={"pattern": "lapsed", "due_on": due.isoformat(),
                 "outcome": recommendation.outcome if outcome is not None else None})


def _repeated(book: Book, case: CaseFacts, made: list[Recommendation], day: date,
              rules: RulesConfig) -> list[Finding]:
    config = rules.recommendation_not_followed
    by_id = {r.id: r for r in made}
    found = []
    def root(r: Recommendation) -> str:
        seen = {r.id}
        while r.repeats in by_id and r.repeats not in seen:
            r = by_id[r.repeats or ""]
            seen.add(r.id)
        return r.id

    def when(r: Recommendation) -> tuple[date, int]:
        return r.made.occurred_on, r.made.position

    roots = {r.id: root(r) for r in made}
    for recommendation in made:
        # Every making of the same recommendation up to this one, however each names the one
        # it repeats (the last, or the first): one family through its `repeats` links.
        chain = sorted((r for r in made if roots[r.id] == roots[recommendation.id]
                        and when(r) <= when(recommendation)), key=when)
        if len(chain) != config.repeated_at:
            continue  # flagged once, on the making that reached the count
        timeline = [raised(recommendation.made.occurred_on, recommendation.made,
                           f"the recommendation was made a {_ordinal(len(chain))} time")]
        done = recommendation.outcome_ref
        if done is not None and done.occurred_on <= day and recommendation.outcome == "completed":
            timeline.append(cleared(done, "the recommendation was completed."))
        dates = ", ".join(said(r.made.occurred_on) for r in chain)
        found.append(Finding(
            key={"case_id": case.id, "recommendation_id": recommendation.id,
                 "pattern": "repeated"},
            anchor=recommendation.made, severity=config.repeated_severity,
            subjects=_subjects(case, recommendation, recommendation.made.occurred_on),
            timeline=timeline, evidence=[r.made for r in chain],
            explanation=(f"The same recommendation for {book.child(case.id)} has been made "
                         f"{len(chain)} times ({dates}); what became of the earlier ones: "
                         f"{_outcomes(chain[:-1])}. What a review keeps asking for is not "
                         "happening."),
            details={"pattern": "repeated", "times_made": len(chain),
                     "recommendation_ids": [r.id for r in chain],
                     "outcomes": [r.outcome for r in chain[:-1]]}))
    return found


def _outcomes(chain: list[Recommendation]) -> str:
    return ", ".join(r.outcome or "no outcome" for r in chain)


def _ordinal(n: int) -> str:
    return {2: "second", 3: "third"}.get(n, f"{n}th")


RULE = Rule(NAME, BASIS, as_of=as_of)
