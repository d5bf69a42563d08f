"""An IRO's challenge under the authority's dispute resolution protocol.

The lifecycle the IRO Handbook describes: raised informally, escalated up the stages (never
down; stages may be skipped), responded to, resolved or withdrawn. Only the raiser may
withdraw. After resolution or withdrawal the local protocol is over, but the IRO may still
refer to Cafcass, Cafcass's outcome may be recorded, arbitration may be requested, and the
route beyond them recorded: legal advice, a judicial review letter, a court application or
order (often taken by the child or a carer as litigation friend, with the IRO's support). A
challenge to the closing of its case (`about` = `case_closure`) may be raised on a closed case.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from iro_ledger.domain.case import Case
from iro_ledger.domain.errors import InvalidValue, InvariantViolation, NotPermitted
from iro_ledger.domain.officer import Officer
from iro_ledger.domain.record import LedgerRecord, Stamp, check_choice
from iro_ledger.domain.values import (
    ChallengeOutcome,
    ChallengeStage,
    LegalStep,
    LegalStepTaker,
)


class Challenge(LedgerRecord):
    KIND = "challenge"

    def __init__(
        self, la_code: str, ref: str, occurred_on: date, case_id: str, officer_id: str,
        about: str, grounds: str,
    ) -> None:
        super().__init__(la_code, ref, occurred_on)
        self.case_id = case_id
        self.officer_id = officer_id
        self.about = about
        self.stage = ChallengeStage.INFORMAL
        self.closed_as: str | None = None
        """'resolved' or 'withdrawn' once the local protocol has ended."""
        self.outcome: str | None = None
        self.cafcass_referred = False
        self.cafcass_outcome: str | None = None
        self.arbitration_body: str | None = None
        self.legal_steps: list[str] = []

    class Raised(LedgerRecord.Created):

        ERASABLE = ("grounds",)
        case_id: str
        officer_id: str
        about: str
        grounds: str

    class Escalated(LedgerRecord.Event):
        to_stage: str
        addressed_to: str

        def apply(self, aggregate: Any) -> None:
            aggregate.stage = ChallengeStage(self.to_stage)

    class Responded(LedgerRecord.Event):

        ERASABLE = ("response",)
        response: str

    class Resolved(LedgerRecord.Event):
        outcome: str

        def apply(self, aggregate: Any) -> None:
            aggregate.closed_as = "resolved"
            aggregate.outcome = self.outcome

    class Withdrawn(LedgerRecord.Event):

        ERASABLE = ("reason",)
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.closed_as = "withdrawn"

    class ReferredToCafcass(LedgerRecord.Event):
        def apply(self, aggregate: Any) -> None:
            aggregate.cafcass_referred = True

    class CafcassOutcomeRecorded(LedgerRecord.Event):

        ERASABLE = ("summary",)
        outcome: str
        summary: str

        def apply(self, aggregate: Any) -> None:
            aggregate.cafcass_outcome = self.outcome

    class ArbitrationRequested(LedgerRecord.Event):
        body: str

        def apply(self, aggregate: Any) -> None:
            aggregate.arbitration_body = self.body

    class LegalStepRecorded(LedgerRecord.Event):

        ERASABLE = ("summary",)
        """A step on the route beyond the authority and Cafcass."""

        step: str
        taken_by: str
        summary: str

        def apply(self, aggregate: Any) -> None:
            aggregate.legal_steps.append(self.step)

    @classmethod
    def raise_(cls, challenge_id: str, case: Case, officer: Officer, about: str, grounds: str,
               stamp: Stamp) -> Challenge:
        """Raise a challenge on an open case (or on the closing of a closed one); it cannot
        predate the case or the officer."""
        case.check_not_before_start(stamp.occurred_on)
        officer.check_can_challenge()
        officer.check_not_before_start(stamp.occurred_on)
        case.check_can_be_challenged_about(about, stamp.occurred_on)
        if not grounds.strip():
            raise InvalidValue("grounds", "a challenge must state its grounds")
        return cls._begin(cls.Raised, case.la_code, challenge_id, stamp, case_id=case.ref,
                          officer_id=officer.ref, about=about, grounds=grounds)

    @property
    def is_open(self) -> bool:
        return self.closed_as is None

    def check_open(self) -> None:
        if not self.is_open:
            raise InvariantViolation(
                f"challenge {self.ref} is {self.closed_as}; the local protocol has ended")

    def escalate(self, to_stage: str, addressed_to: str, stamp: Stamp) -> None:
        check_choice("to_stage", to_stage, ChallengeStage)
        self.check_open()
        target = ChallengeStage(to_stage)
        if target.rank <= self.stage.rank:
            raise InvariantViolation(
                f"challenge {self.ref} is at {self.stage}; it can only move up, not to {target}")
        self._record(self.Escalated, stamp, to_stage=to_stage, addressed_to=addressed_to)

    def respond(self, response: str, stamp: Stamp) -> None:
        self.check_open()
        self._record(self.Responded, stamp, response=response)

    def resolve(self, outcome: str, stamp: Stamp) -> None:
        check_choice("outcome", outcome, ChallengeOutcome)
        self.check_open()
        self._record(self.Resolved, stamp, outcome=outcome)

    def withdraw(self, reason: str, stamp: Stamp) -> None:
        if stamp.actor != self.officer_id:
            raise NotPermitted(
                f"only {self.officer_id}, who raised challenge {self.ref}, may withdraw it")
        self.check_open()
        self._record(self.Withdrawn, stamp, reason=reason)

    def refer_to_cafcass(self, stamp: Stamp) -> None:
        if self.cafcass_referred:
            raise InvariantViolation(f"challenge {self.ref} is already referred to Cafcass")
        self._record(self.ReferredToCafcass, stamp)

    def record_cafcass_outcome(self, outcome: str, summary: str, stamp: Stamp) -> None:
        if not self.cafcass_referred:
            raise InvariantViolation(f"challenge {self.ref} was never referred to Cafcass")
        if self.cafcass_outcome is not None:
            raise InvariantViolation(f"challenge {self.ref} already has a Cafcass outcome")
        self._record(self.CafcassOutcomeRecorded, stamp, outcome=outcome, summary=summary)

    def request_arbitration(self, body: str, stamp: Stamp) -> None:
        if not body.strip():
            raise InvalidValue("body", "name the arbitration body")
        if self.arbitration_body is not None:
            raise InvariantViolation(
                f"challenge {self.ref} is already before {self.arbitration_body}")
        self._record(self.ArbitrationRequested, stamp, body=body)

    def record_legal_step(self, step: str, taken_by: str, summary: str, stamp: Stamp) -> None:
        """Legal advice, a judicial review letter, a court application or order: may follow
        the end of the local protocol, as a referral to Cafcass may."""
        check_choice("step", step, LegalStep)
        check_choice("taken_by", taken_by, LegalStepTaker)
        if step == LegalStep.COURT_ORDER and LegalStep.COURT_APPLICATION not in self.legal_steps:
            raise InvariantViolation(
                f"challenge {self.ref} has no court application recorded for an order to answer")
        self._record(self.LegalStepRecorded, stamp, step=step, taken_by=taken_by,
                     summary=summary)
