"""The dispute resolution protocol: raising, escalating, answering, closing, going outside."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iro_ledger.domain.challenge import Challenge
from iro_ledger.domain.errors import (
    BadTiming,
    InvalidValue,
    InvariantViolation,
    NotPermitted,
    NotRecorded,
)
from iro_ledger.domain.values import ChallengeOutcome, ChallengeStage, OfficerRole
from tests.builders import challenge, officer, open_case, stamp

RAISER = "iro-kit"


def test_a_raised_challenge_is_open_at_the_informal_stage() -> None:
    raised = challenge(officer(RAISER))

    assert (raised.case_id, raised.officer_id, raised.about) == ("case-7", RAISER, "care_plan")
    assert (raised.stage, raised.is_open) == (ChallengeStage.INFORMAL, True)
    event = raised.collect_events()[0]
    assert isinstance(event, Challenge.Raised)
    assert (event.grounds, event.actor) == ("the placement plan ignores the child's wishes",
                                            RAISER)


def test_an_iro_manager_may_raise_a_challenge() -> None:
    assert challenge(officer("iro-mgr-jo", role="iro_manager")).is_open


@pytest.mark.parametrize(
    "role", [r for r in OfficerRole if r not in (OfficerRole.IRO, OfficerRole.IRO_MANAGER)])
def test_challenges_are_raised_only_by_iros_and_their_managers(role: OfficerRole) -> None:
    with pytest.raises(InvalidValue) as refused:
        challenge(officer("o-9", role=role))
    assert refused.value.field == "officer_id"


def test_an_officer_whose_engagement_ended_cannot_raise_a_challenge() -> None:
    gone = officer()
    gone.end_engagement("redundancy", "", stamp("2024-03-01"))

    with pytest.raises(InvariantViolation, match="engagement already ended"):
        challenge(gone)


def test_a_challenge_needs_an_open_case() -> None:
    case = open_case()
    case.close("adopted", stamp("2024-03-30"))

    with pytest.raises(InvariantViolation, match="is closed"):
        challenge(case=case)


def test_a_challenge_cannot_predate_its_case() -> None:
    with pytest.raises(BadTiming, match="case case-7"):
        challenge(case=open_case(on="2024-03-01"), on="2024-02-28")


def test_a_challenge_cannot_predate_its_raisers_registration() -> None:
    with pytest.raises(BadTiming, match="officer iro-kit"):
        challenge(officer(on="2024-04-10"), on="2024-04-02")


def test_a_challenge_about_an_unrecorded_decision_is_refused() -> None:
    with pytest.raises(NotRecorded):
        challenge(about="dec-404")


def test_a_challenge_cannot_predate_the_decision_it_is_about() -> None:
    case = open_case()
    case.record_decision("dec-1", "placement", "", stamp("2024-05-01"))

    with pytest.raises(BadTiming):
        challenge(case=case, about="dec-1", on="2024-04-30")


def test_a_challenge_must_state_its_grounds() -> None:
    iro = officer()
    with pytest.raises(InvalidValue) as refused:
        Challenge.raise_("ch-1", open_case(), iro, "care_plan", " ", stamp(actor=iro.ref))
    assert refused.value.field == "grounds"


def test_an_escalation_may_bypass_stages() -> None:
    raised = challenge()

    raised.escalate("director", "dir-lee", stamp())

    assert raised.stage is ChallengeStage.DIRECTOR


@pytest.mark.parametrize(("now_at", "to"), [
    ("stage_1", "stage_1"), ("stage_2", "stage_1"), ("director", "stage_3"),
    ("stage_1", "informal"),
])
def test_an_escalation_never_stays_or_moves_down(now_at: str, to: str) -> None:
    raised = challenge()
    raised.escalate(now_at, "hos-sam", stamp())

    with pytest.raises(InvariantViolation, match="can only move up"):
        raised.escalate(to, "hos-sam", stamp())
    assert raised.stage == now_at


def test_an_escalation_to_an_unknown_stage_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidValue) as refused:
        challenge().escalate("stage_9", "hos-sam", stamp())
    assert refused.value.field == "to_stage"


@given(st.lists(st.sampled_from([s.value for s in ChallengeStage]), max_size=12))
def test_any_sequence_of_escalations_only_ever_raises_the_stage(attempts: list[str]) -> None:
    raised = challenge()
    for to in attempts:
        before = raised.stage
        try:
            raised.escalate(to, "hos-sam", stamp())
        except InvariantViolation:
            assert ChallengeStage(to).rank <= before.rank
            assert raised.stage is before
        else:
            assert raised.stage.rank > before.rank


def test_a_challenge_may_be_responded_to_more_than_once() -> None:
    raised = challenge()

    raised.respond("we will review the plan", stamp(actor="tm-ray"))
    raised.respond("the plan stands", stamp(actor="tm-ray"))

    assert [type(e).__name__ for e in raised.collect_events()] == [
        "Raised", "Responded", "Responded"]


@pytest.mark.parametrize("outcome", list(ChallengeOutcome))
def test_a_resolution_records_its_outcome_and_ends_the_local_protocol(
        outcome: ChallengeOutcome) -> None:
    raised = challenge()

    raised.resolve(outcome, stamp())

    assert (raised.closed_as, raised.outcome, raised.is_open) == ("resolved", outcome, False)


def test_an_unknown_resolution_outcome_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidValue) as refused:
        challenge().resolve("shelved", stamp())
    assert refused.value.field == "outcome"


def test_the_raiser_may_withdraw_their_challenge() -> None:
    raised = challenge(officer(RAISER))

    raised.withdraw("resolved informally", stamp(actor=RAISER))

    assert raised.closed_as == "withdrawn"


@pytest.mark.parametrize("actor", ["dir-lee", "iro-max", "mgr-ada"])
def test_only_the_raiser_may_withdraw_a_challenge(actor: str) -> None:
    raised = challenge(officer(RAISER))

    with pytest.raises(NotPermitted, match=RAISER):
        raised.withdraw("told to", stamp(actor=actor))
    assert raised.is_open


CLOSINGS: dict[str, Callable[[Challenge], None]] = {
    "resolved": lambda x: x.resolve("not_upheld", stamp("2024-05-01")),
    "withdrawn": lambda x: x.withdraw("", stamp("2024-05-01", actor=RAISER)),
}
WITHIN_PROTOCOL: dict[str, Callable[[Challenge], None]] = {
    "escalate": lambda x: x.escalate("stage_2", "hos-sam", stamp()),
    "respond": lambda x: x.respond("too late", stamp()),
    "resolve": lambda x: x.resolve("upheld", stamp()),
    "withdraw": lambda x: x.withdraw("", stamp(actor=RAISER)),
}


@pytest.mark.parametrize("closing", CLOSINGS)
@pytest.mark.parametrize("act", WITHIN_PROTOCOL)
def test_nothing_within_the_protocol_follows_resolution_or_withdrawal(
        closing: str, act: str) -> None:
    closed = challenge(officer(RAISER))
    CLOSINGS[closing](closed)

    with pytest.raises(InvariantViolation, match=f"is {closing}"):
        WITHIN_PROTOCOL[act](closed)
    assert closed.version == 2


@pytest.mark.parametrize("closing", CLOSINGS)
def test_cafcass_and_arbitration_remain_open_after_the_local_protocol_ends(closing: str) -> None:
    closed = challenge(officer(RAISER))
    CLOSINGS[closing](closed)

    closed.refer_to_cafcass(stamp(actor=RAISER))
    closed.record_cafcass_outcome("care proceedings issued", "", stamp())
    closed.request_arbitration("Northbridge Arbitration Panel", stamp(actor=RAISER))

    assert (closed.cafcass_referred, closed.cafcass_outcome, closed.arbitration_body) == (
        True, "care proceedings issued", "Northbridge Arbitration Panel")


def test_a_challenge_is_referred_to_cafcass_once() -> None:
    raised = challenge()
    raised.refer_to_cafcass(stamp())

    with pytest.raises(InvariantViolation, match="already referred"):
        raised.refer_to_cafcass(stamp())


def test_a_cafcass_outcome_needs_a_referral() -> None:
    with pytest.raises(InvariantViolation, match="never referred"):
        challenge().record_cafcass_outcome("no action", "", stamp())


def test_a_cafcass_outcome_is_recorded_once() -> None:
    raised = challenge()
    raised.refer_to_cafcass(stamp())
    raised.record_cafcass_outcome("no action", "", stamp())

    with pytest.raises(InvariantViolation, match="already has a Cafcass outcome"):
        raised.record_cafcass_outcome("care proceedings issued", "", stamp())


def test_arbitration_names_its_body_and_is_requested_once() -> None:
    raised = challenge()
    with pytest.raises(InvalidValue) as refused:
        raised.request_arbitration(" ", stamp())
    assert refused.value.field == "body"

    raised.request_arbitration("Northbridge Arbitration Panel", stamp())
    with pytest.raises(InvariantViolation, match="already before"):
        raised.request_arbitration("Another Panel", stamp())


def test_nothing_happens_to_a_challenge_before_it_was_raised() -> None:
    with pytest.raises(BadTiming):
        challenge(on="2024-04-02").respond("pre-emptive", stamp("2024-04-01"))


def test_a_resolved_challenge_can_still_be_corrected() -> None:
    resolved = challenge()
    resolved.resolve("upheld", stamp("2024-05-01"))

    resolved.correct(2, "the outcome was partially upheld", {"outcome": "partially_upheld"},
                     stamp())

    assert (resolved.closed_as, resolved.corrections) == ("resolved", [2])
