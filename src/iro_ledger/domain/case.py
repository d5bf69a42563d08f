"""A looked-after child's case: IRO allocation, care plan, reviews, recommendations, decisions.

`child_ref` is a pseudonym, never a name. Recommendation and decision ids are unique within
their case, which is where a challenge names them. Facts added after the first stores were
written (consultation on decisions, emergency changes, repeats, short breaks) are keyword
fields with defaults, so older events read as "not stated".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from iro_ledger.domain.errors import BadTiming, InvalidValue, InvariantViolation, NotRecorded
from iro_ledger.domain.officer import Officer
from iro_ledger.domain.record import LedgerRecord, Stamp, check_choice, check_ref
from iro_ledger.domain.values import (
    CASE_CLOSURE,
    AssignmentReason,
    ChildParticipation,
    OfficerRole,
    PlanChange,
    RecommendationOutcome,
)

MAX_MILES = 10_000


@dataclass(frozen=True)
class Consultation:
    """Who was consulted before a decision or a change of plan; None where not stated."""

    child_consulted: bool | None = None
    iro_consulted: bool | None = None
    parents_consulted: bool | None = None
    distance_miles: int | None = None
    """How far a move takes the child from where they live now, where it is a move."""

    def fields(self) -> dict[str, Any]:
        if self.distance_miles is not None and not 0 <= self.distance_miles <= MAX_MILES:
            raise InvalidValue("distance_miles", f"must be 0-{MAX_MILES}")
        return {"child_consulted": self.child_consulted, "iro_consulted": self.iro_consulted,
                "parents_consulted": self.parents_consulted,
                "distance_miles": self.distance_miles}


class Case(LedgerRecord):
    KIND = "case"

    def __init__(
        self,
        la_code: str,
        ref: str,
        occurred_on: date,
        child_ref: str,
        legal_status: str,
        entered_care_on: date,
        short_breaks: bool = False,
    ) -> None:
        super().__init__(la_code, ref, occurred_on)
        self.child_ref = child_ref
        self.legal_status = legal_status
        self.entered_care_on = entered_care_on
        self.short_breaks = short_breaks
        """Looked after in a series of short breaks (reg 48): a review schedule of its own."""
        self.iro: str | None = None
        self.closed_on: date | None = None
        self.erased_on: date | None = None
        self.recommendations: dict[str, str | None] = {}
        """Recommendation id to its outcome, None while outstanding."""
        self.decisions: set[str] = set()
        self.recommended_on: dict[str, date] = {}
        self.decided_on: dict[str, date] = {}
        """When each recommendation and decision was made: nothing may refer to it earlier."""

    class Opened(LedgerRecord.Created):

        ERASABLE = ("child_ref",)
        child_ref: str
        legal_status: str
        entered_care_on: date
        short_breaks: bool = field(default=False, kw_only=True)

    class ShortBreaksRecorded(LedgerRecord.Event):
        """From `occurred_on` the child is (or is no longer) looked after in short breaks."""

        short_breaks: bool

        def apply(self, aggregate: Any) -> None:
            aggregate.short_breaks = self.short_breaks

    class IroAssigned(LedgerRecord.Event):
        officer_id: str
        reason: str
        previous_officer_id: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.iro = self.officer_id

    class CarePlanRevised(LedgerRecord.Event):

        ERASABLE = ("summary",)
        change: str
        summary: str
        via_review: bool
        iro_consulted: bool
        emergency: bool = field(default=False, kw_only=True)
        """Made outside a review because one was not reasonably practicable (reg 32(2))."""
        child_consulted: bool | None = field(default=None, kw_only=True)
        distance_miles: int | None = field(default=None, kw_only=True)

    class ReviewHeld(LedgerRecord.Event):
        chaired_by: str
        child_participation: str
        child_seen_before: bool

    class ReviewRequired(LedgerRecord.Event):

        ERASABLE = ("reason",)
        """The IRO required the authority to hold a review (reg 33(3)(a)) by `hold_by`."""

        officer_id: str
        reason: str
        hold_by: date

    class RecommendationMade(LedgerRecord.Event):

        ERASABLE = ("text",)
        recommendation_id: str
        text: str
        due_on: date
        repeats: str | None = field(default=None, kw_only=True)
        """An earlier recommendation of the case this one makes again."""

        def apply(self, aggregate: Any) -> None:
            aggregate.recommendations[self.recommendation_id] = None
            aggregate.recommended_on[self.recommendation_id] = self.occurred_on

    class RecommendationOutcomeRecorded(LedgerRecord.Event):

        ERASABLE = ("reason",)
        recommendation_id: str
        outcome: str
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.recommendations[self.recommendation_id] = self.outcome

    class DecisionRecorded(LedgerRecord.Event):

        ERASABLE = ("summary",)
        decision_id: str
        kind: str
        summary: str
        child_consulted: bool | None = field(default=None, kw_only=True)
        iro_consulted: bool | None = field(default=None, kw_only=True)
        parents_consulted: bool | None = field(default=None, kw_only=True)
        distance_miles: int | None = field(default=None, kw_only=True)

        def apply(self, aggregate: Any) -> None:
            aggregate.decisions.add(self.decision_id)
            aggregate.decided_on[self.decision_id] = self.occurred_on

    class Closed(LedgerRecord.Event):

        ERASABLE = ("reason",)
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.closed_on = self.occurred_on

    class Erased(LedgerRecord.Event):
        """The case's personal free text (and that of its challenges and concerns) was
        erased by destroying the keys it was sealed with; the events themselves remain."""

        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.erased_on = self.occurred_on

    @classmethod
    def open(
        cls,
        la_code: str,
        case_id: str,
        child_ref: str,
        legal_status: str,
        entered_care_on: date,
        stamp: Stamp,
        short_breaks: bool = False,
    ) -> Case:
        check_ref("child_ref", child_ref)
        if entered_care_on > stamp.occurred_on:
            raise BadTiming("entered_care_on", "a child cannot enter care after the case opens")
        return cls._begin(
            cls.Opened, la_code, case_id, stamp, child_ref=child_ref,
            legal_status=legal_status, entered_care_on=entered_care_on,
            short_breaks=short_breaks,
        )

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def check_open(self) -> None:
        if not self.is_open:
            raise InvariantViolation(f"case {self.ref} is closed")

    def _record_open(self, event_class: type[LedgerRecord.Event], stamp: Stamp,
                     **fields: Any) -> None:
        self.check_open()
        self._record(event_class, stamp, **fields)

    def assign_iro(self, officer: Officer, reason: str, stamp: Stamp) -> None:
        check_choice("reason", reason, AssignmentReason)
        officer.check_can_review()
        officer.check_not_before_start(stamp.occurred_on)
        if officer.ref == self.iro:
            raise InvariantViolation(
                f"officer {officer.ref} is already the IRO for case {self.ref}")
        self._record_open(self.IroAssigned, stamp, officer_id=officer.ref, reason=reason,
                          previous_officer_id=self.iro)

    def revise_care_plan(self, change: str, summary: str, via_review: bool,
                         iro_consulted: bool, stamp: Stamp, emergency: bool = False,
                         consultation: Consultation | None = None) -> None:
        check_choice("change", change, PlanChange)
        if emergency and via_review:
            raise InvalidValue("emergency", "a change made at a review is not an emergency "
                               "change outside one")
        facts = (consultation or Consultation()).fields()
        self._record_open(self.CarePlanRevised, stamp, change=change, summary=summary,
                          via_review=via_review, iro_consulted=iro_consulted,
                          emergency=emergency, child_consulted=facts["child_consulted"],
                          distance_miles=facts["distance_miles"])

    def record_short_breaks(self, short_breaks: bool, stamp: Stamp) -> None:
        if short_breaks == self.short_breaks:
            raise InvariantViolation(f"case {self.ref} is already recorded as "
                                     f"{'' if short_breaks else 'not '}in short breaks")
        self._record_open(self.ShortBreaksRecorded, stamp, short_breaks=short_breaks)

    def require_review(self, officer: Officer, reason: str, hold_by: date,
                       stamp: Stamp) -> None:
        """An IRO (or IRO manager) requires a review to be held by `hold_by`."""
        if officer.role not in (OfficerRole.IRO, OfficerRole.IRO_MANAGER):
            raise InvalidValue("officer_id", f"officer {officer.ref} is a {officer.role}; "
                               "an IRO requires a review")
        officer.check_engaged()
        officer.check_not_before_start(stamp.occurred_on)
        if hold_by < stamp.occurred_on:
            raise BadTiming("hold_by", "a review cannot be required before it is asked for")
        if not reason.strip():
            raise InvalidValue("reason", "say why the review is required")
        self._record_open(self.ReviewRequired, stamp, officer_id=officer.ref, reason=reason,
                          hold_by=hold_by)

    def hold_review(self, chair: Officer, child_participation: str, child_seen_before: bool,
                    stamp: Stamp) -> None:
        check_choice("child_participation", child_participation, ChildParticipation)
        chair.check_not_before_start(stamp.occurred_on)
        self._record_open(self.ReviewHeld, stamp, chaired_by=chair.ref,
                          child_participation=child_participation,
                          child_seen_before=child_seen_before)

    def make_recommendation(self, recommendation_id: str, text: str, due_on: date,
                            stamp: Stamp, repeats: str | None = None) -> None:
        check_ref("recommendation_id", recommendation_id)
        if recommendation_id in self.recommendations:
            raise InvariantViolation(
                f"recommendation {recommendation_id} is already recorded on case {self.ref}")
        if due_on < stamp.occurred_on:
            raise BadTiming("due_on", "a recommendation cannot fall due before it is made")
        if repeats is not None:
            if repeats not in self.recommendations:
                raise NotRecorded(f"case {self.ref} has no recommendation {repeats} to repeat")
            _check_not_before("recommendation", repeats, self.recommended_on[repeats],
                              stamp.occurred_on)
        self._record_open(self.RecommendationMade, stamp, recommendation_id=recommendation_id,
                          text=text, due_on=due_on, repeats=repeats)

    def record_recommendation_outcome(self, recommendation_id: str, outcome: str, reason: str,
                                      stamp: Stamp) -> None:
        check_choice("outcome", outcome, RecommendationOutcome)
        if recommendation_id not in self.recommendations:
            raise NotRecorded(f"case {self.ref} has no recommendation {recommendation_id}")
        if self.recommendations[recommendation_id] is not None:
            raise InvariantViolation(
                f"recommendation {recommendation_id} already has an outcome "
                f"({self.recommendations[recommendation_id]})")
        _check_not_before("recommendation", recommendation_id,
                          self.recommended_on[recommendation_id], stamp.occurred_on)
        self._record_open(self.RecommendationOutcomeRecorded, stamp,
                          recommendation_id=recommendation_id, outcome=outcome, reason=reason)

    def record_decision(self, decision_id: str, kind: str, summary: str, stamp: Stamp,
                        consultation: Consultation | None = None) -> None:
        check_ref("decision_id", decision_id)
        if decision_id in self.decisions:
            raise InvariantViolation(
                f"decision {decision_id} is already recorded on case {self.ref}")
        self._record_open(self.DecisionRecorded, stamp, decision_id=decision_id, kind=kind,
                          summary=summary, **(consultation or Consultation()).fields())

    def close(self, reason: str, stamp: Stamp) -> None:
        self._record_open(self.Closed, stamp, reason=reason)

    def erase(self, reason: str, stamp: Stamp) -> None:
        """Record the erasure of the case's personal free text (open or closed, and again if
        asked: each request is kept)."""
        if not reason.strip():
            raise InvalidValue("reason", "an erasure must give its reason")
        self._record(self.Erased, stamp, reason=reason)

    def check_can_be_challenged_about(self, about: str, on: date) -> None:
        """A challenge names a decision or recommendation of its case, the care plan, the
        case's closure, or other. Only a challenge to the closure may come after it."""
        if about == CASE_CLOSURE:
            return
        self.check_open()
        if about in ("care_plan", "other"):
            return
        if about not in self.decisions and about not in self.recommendations:
            raise NotRecorded(
                f"case {self.ref} has no decision or recommendation {about!r} "
                f"(use 'care_plan', '{CASE_CLOSURE}' or 'other' for anything else)")
        made = min(d for d in (self.decided_on.get(about), self.recommended_on.get(about)) if d)
        _check_not_before("decision or recommendation", about, made, on)


def _check_not_before(what: str, ref: str, made_on: date, occurred_on: date) -> None:
    if occurred_on < made_on:
        raise BadTiming("occurred_on", f"{occurred_on.isoformat()} is before {what} {ref} "
                        f"was made on {made_on.isoformat()}")
