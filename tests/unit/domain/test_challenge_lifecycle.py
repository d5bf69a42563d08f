"""Any sequence of acts on a challenge keeps to the protocol, checked against a plain model.

The model is the issue's wording: stages only move up; nothing within the protocol follows
resolution or withdrawal; Cafcass referral, its outcome and arbitration remain possible; only
the raiser withdraws. Every refused act leaves the record unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from iro_ledger.domain.errors import DomainError, NotPermitted
from iro_ledger.domain.values import ChallengeOutcome, ChallengeStage
from tests.builders import challenge, officer, stamp

RAISER = "iro-kit"


class ChallengeProtocol(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.challenge = challenge(officer(RAISER))
        self.rank, self.closed_as = 0, None
        self.referred, self.cafcass_outcome, self.arbitration = False, False, False
        self.accepted = 1

    def attempt(self, act: Callable[[], None], allowed: bool,
                refusal: type[DomainError] = DomainError) -> bool:
        version = self.challenge.version
        try:
            act()
        except refusal:
            assert not allowed, "the domain refused what the protocol allows"
            assert self.challenge.version == version
            return False
        assert allowed, "the domain accepted what the protocol forbids"
        self.accepted += 1
        return True

    @rule(to=st.sampled_from(list(ChallengeStage)))
    def escalate(self, to: ChallengeStage) -> None:
        allowed = self.closed_as is None and to.rank > self.rank
        if self.attempt(lambda: self.challenge.escalate(to, "hos-sam", stamp()), allowed):
            self.rank = to.rank

    @rule()
    def respond(self) -> None:
        self.attempt(lambda: self.challenge.respond("noted", stamp()), self.closed_as is None)

    @rule(outcome=st.sampled_from(list(ChallengeOutcome)))
    def resolve(self, outcome: ChallengeOutcome) -> None:
        if self.attempt(lambda: self.challenge.resolve(outcome, stamp()), self.closed_as is None):
            self.closed_as = "resolved"

    @rule(by_raiser=st.booleans())
    def withdraw(self, by_raiser: bool) -> None:
        actor = RAISER if by_raiser else "dir-lee"
        act = lambda: self.challenge.withdraw("", stamp(actor=actor))  # noqa: E731
        if not by_raiser:
            self.attempt(act, False, NotPermitted)
        elif self.attempt(act, self.closed_as is None):
            self.closed_as = "withdrawn"

    @rule()
    def refer_to_cafcass(self) -> None:
        if self.attempt(lambda: self.challenge.refer_to_cafcass(stamp()), not self.referred):
            self.referred = True

    @rule()
    def record_cafcass_outcome(self) -> None:
        allowed = self.referred and not self.cafcass_outcome
        if self.attempt(lambda: self.challenge.record_cafcass_outcome("no action", "", stamp()),
                        allowed):
            self.cafcass_outcome = True

    @rule()
    def request_arbitration(self) -> None:
        if self.attempt(lambda: self.challenge.request_arbitration("Northbridge Panel", stamp()),
                        not self.arbitration):
            self.arbitration = True

    @invariant()
    def the_record_agrees_with_the_protocol(self) -> None:
        assert self.challenge.stage.rank == self.rank
        assert self.challenge.closed_as == self.closed_as
        assert self.challenge.version == self.accepted


ChallengeProtocol.TestCase.settings = settings(max_examples=60, stateful_step_count=25,
                                               deadline=None)
test_any_sequence_of_acts_keeps_to_the_protocol = ChallengeProtocol.TestCase
