"""The dispute resolution protocol as the generator plays it: raising, answering, escalating,
resolving and withdrawing challenges, step by step on working days.

A script is a list of (working days after the previous step, action). Healthy scripts answer
every stage and finish well inside the 20 working days the IRO Handbook allows; planted
patterns write their own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from iro_ledger.generator.workdays import add_working_days
from iro_ledger.generator.world import Case, Challenge, World

Action = Callable[[date, Challenge], None]
Script = list[tuple[int, Action]]

_ADDRESSED = {"stage_1": "service_manager", "stage_2": "head_of_service",
              "stage_3": "director", "director": "director"}
_GROUNDS = (
    "The plan does not address the child's wish to keep contact with siblings.",
    "The placement move was decided without assessing the child's education needs.",
    "The recommendation from the last review has not been acted on.",
    "Permanence planning has drifted beyond the timescale agreed at review.",
    "The decision does not take account of the child's health assessment.",
    "The child's views were not sought before the decision.",
)
_RESPONSES = (
    "The service has considered the concerns and will revisit the plan at a meeting.",
    "A manager will meet the IRO and the social worker to agree next steps.",
    "The decision stands; reasons are set out in the attached note.",
    "The service accepts the point and will amend the plan.",
)


def raise_challenge(world: World, day: date, case: Case, about: str) -> Challenge:
    challenge = Challenge(world.next_id("DRP", 4), case.id, case.iro, day)
    case.challenges.append(challenge)
    world.challenges[challenge.id] = challenge
    world.emit(day, "raise_challenge", actor=challenge.officer, challenge_id=challenge.id,
               case_id=case.id, officer_id=challenge.officer, about=about,
               grounds=world.rng.choice(_GROUNDS))
    return challenge


def play(world: World, challenge: Challenge, script: Script, day: date | None = None) -> None:
    """Run the script's steps, each on its working day, from `day` (default: when raised)."""
    if not script:
        return
    gap, action = script[0]
    when = add_working_days(day or challenge.raised, gap)

    def step(on: date) -> None:
        action(on, challenge)
        play(world, challenge, script[1:], on)

    world.at(when, step)


def responder(world: World, challenge: Challenge, day: date) -> str:
    role = _ADDRESSED.get(challenge.stage, "team_manager")
    return world.anyone(role, day)


def respond(world: World) -> Action:
    def act(day: date, challenge: Challenge) -> None:
        world.emit(day, "respond_to_challenge", actor=responder(world, challenge, day),
                   challenge_id=challenge.id, response=world.rng.choice(_RESPONSES))
    return act


def escalate(world: World, stage: str) -> Action:
    def act(day: date, challenge: Challenge) -> None:
        challenge.stage = stage
        world.emit(day, "escalate_challenge", actor=challenge.officer,
                   challenge_id=challenge.id, to_stage=stage,
                   addressed_to=responder(world, challenge, day))
    return act


def resolve(world: World, outcome: str | None = None, guarded: bool = True) -> Action:
    """Resolved with `outcome` (drawn when None). `guarded`: upheld instead while an instruction
    to drop or hold back challenges binds the IRO, as an answer against them would then be a
    challenge not pursued (instruction_in_force)."""
    def act(day: date, challenge: Challenge) -> None:
        chosen = outcome or world.rng.choices(
            ("upheld", "partially_upheld", "not_upheld"), (4, 3, 3))[0]
        if guarded and world.held_back_on(challenge.officer, day):
            chosen = "upheld"
        challenge.ended_on = day
        world.emit(day, "resolve_challenge", actor=responder(world, challenge, day),
                   challenge_id=challenge.id, outcome=chosen)
    return act


def withdraw(world: World, reason: str) -> Action:
    def act(day: date, challenge: Challenge) -> None:
        challenge.ended_on = day
        world.emit(day, "withdraw_challenge", actor=challenge.officer,
                   challenge_id=challenge.id, reason=reason)
    return act


def refer_to_cafcass(world: World) -> Action:
    def act(day: date, challenge: Challenge) -> None:
        world.emit(day, "refer_to_cafcass", actor=challenge.officer, challenge_id=challenge.id)
    return act


def cafcass_outcome(world: World) -> Action:
    def act(day: date, challenge: Challenge) -> None:
        world.emit(day, "record_cafcass_outcome", actor=challenge.officer,
                   challenge_id=challenge.id,
                   outcome=world.rng.choice(("advice given", "no further action",
                                             "local authority agreed to review the plan")),
                   summary="Cafcass discussed the case with the IRO and the service.")
    return act


def healthy_script(world: World, may_withdraw: bool = True) -> Script:
    """Answered at each stage and settled within 16 working days; now and then withdrawn by
    the IRO on reflection, or, once settled against the IRO, taken to Cafcass."""
    rng = world.rng
    if may_withdraw and rng.random() < 0.08:
        return [(rng.randint(2, 6), _withdraw_unless_instructed(world))]
    script: Script = [(rng.randint(2, 6), respond(world))]
    if rng.random() < 0.35:
        stage = rng.choice(("stage_1", "stage_1", "stage_2"))
        script += [(rng.randint(1, 3), escalate(world, stage)),
                   (rng.randint(1, 3), respond(world))]
    if rng.random() < 0.12:
        return [*script, (rng.randint(1, 2), resolve(world, "not_upheld")),
                (rng.randint(5, 15), refer_to_cafcass(world)),
                (rng.randint(20, 60), cafcass_outcome(world))]
    return [*script, (rng.randint(1, 2), resolve(world))]


def cafcass_midway_script(world: World) -> Script:
    """Escalated, then referred to Cafcass before any answer: the stage clock stops there, so
    settling it weeks later is no stall (DESIGN.md's rule for suppressed_challenge)."""
    rng = world.rng
    return [(rng.randint(2, 5), respond(world)),
            (rng.randint(1, 3), escalate(world, "stage_1")),
            (rng.randint(3, 8), refer_to_cafcass(world)),
            (rng.randint(20, 40), cafcass_outcome(world)),
            (rng.randint(2, 6), resolve(world))]


def _withdraw_unless_instructed(world: World) -> Action:
    def act(day: date, challenge: Challenge) -> None:
        if world.instructed(challenge.officer, day) or world.held_back_on(challenge.officer, day):
            respond(world)(day, challenge)
            play(world, challenge, [(world.rng.randint(1, 3), resolve(world))], day)
        else:
            withdraw(world, "Resolved in discussion with the social worker.")(day, challenge)
    return act
