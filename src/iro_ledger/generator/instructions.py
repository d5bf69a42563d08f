"""Planted instructions to drop or hold back challenges (instruction_in_force): one left
standing, one under which a challenge refused at its first answer is taken no further, and one
under which a challenge raised weeks later is withdrawn (suppressed_challenge, flags_v11).

Each registers a `HeldBack` on the world while in force, so the IRO's healthy challenges are
neither withdrawn nor resolved against them under it (`protocol`)."""

from __future__ import annotations

from datetime import date, timedelta

from iro_ledger.generator import protocol
from iro_ledger.generator.planting import attempt, pick_case, when
from iro_ledger.generator.workdays import add_working_days
from iro_ledger.generator.world import Challenge, HeldBack, World

RULE = "instruction_in_force"
WINDOW_WORKING_DAYS = 20
"""The rule's window: an instruction in force longer than this is flagged."""
_KINDS = ("withdraw_challenge", "do_not_escalate")


def _instruct(world: World, day: date, officer: str, kind: str, actor: str) -> tuple[str, HeldBack]:
    """Record the instruction to one IRO and hold them back under it; its id."""
    instruction = world.next_id("INS", 3)
    held = HeldBack(day, [officer])
    world.held_back.append(held)
    world.instructions.append((day, [officer]))
    world.emit(day, "record_instruction", actor=actor, instruction_id=instruction,
               issued_to=[officer], kind=kind,
               text="Challenges on this case are not to be taken further.")
    return instruction, held


def _rescind(world: World, held: HeldBack, instruction: str, actor: str, day: date) -> None:
    held.rescinded = day
    world.emit(day, "rescind_instruction", actor=actor, instruction_id=instruction)


def _expect_stood(world: World, variant: str, given: date, instruction: str,
                  officer: str) -> None:
    stood = add_working_days(given, WINDOW_WORKING_DAYS) + timedelta(days=1)
    if stood <= world.end:
        world.expect(RULE, variant, stood, instruction_id=instruction, officer_id=officer)


def stood(world: World) -> None:
    """An instruction not to escalate (or to withdraw) to one IRO, never rescinded."""
    variant = "instruction_stood"
    day, last = when(world, 0.3, 45)

    def act(on: date) -> bool:
        iros = [o for o in world.iros(on)
                if not o.reserved and o.ended_on is None and RULE not in o.tags]
        if not iros:
            return False
        officer = world.rng.choice(iros)
        officer.tags.add(RULE)
        instruction, _ = _instruct(world, on, officer.id, world.rng.choice(_KINDS),
                                   world.anyone("head_of_service", on))
        _expect_stood(world, variant, on, instruction, officer.id)
        return True

    attempt(world, day, last, act, variant)


def not_pursued(world: World) -> None:
    """Told not to escalate days after raising a challenge; refused at the first answer, the
    IRO takes it no further; the instruction is rescinded a week later."""
    variant = "instruction_challenge_not_pursued"
    day, last = when(world, 0.2, 45)

    def act(on: date) -> bool:
        case = pick_case(world, on, 45, RULE)
        challenge = protocol.raise_challenge(world, on, case, "care_plan")
        actor = world.anyone("service_manager", on)
        given: list[tuple[str, HeldBack]] = []

        def instruct(d: date, c: Challenge) -> None:
            given.append(_instruct(world, d, c.officer, "do_not_escalate", actor))

        def refuse(d: date, c: Challenge) -> None:
            protocol.resolve(world, "not_upheld", guarded=False)(d, c)
            instruction, held = given[0]
            world.expect(RULE, variant, d, instruction_id=instruction, challenge_id=c.id,
                         officer_id=c.officer, case_id=case.id)
            world.at(d + timedelta(days=world.between(3, 7)),
                     lambda r: _rescind(world, held, instruction, actor, r))

        protocol.play(world, challenge, [(world.between(1, 3), instruct),
                                         (world.between(2, 4), protocol.respond(world)),
                                         (world.between(1, 3), refuse)])
        return True

    attempt(world, day, last, act, variant)


def withdrawn_while_in_force(world: World) -> None:
    """An instruction to withdraw challenges stands; seven to ten weeks later the IRO raises
    one and withdraws it within days: suppressed, however long after the instruction
    (flags_v11). The instruction, standing past its window, is rescinded after."""
    variant = "suppressed_withdrawn_while_instructed"
    day, last = when(world, 0.2, 120)

    def act(on: date) -> bool:
        case = pick_case(world, on, 120, RULE)
        officer, actor = case.iro, world.anyone("head_of_service", on)
        instruction, held = _instruct(world, on, officer, world.rng.choice(_KINDS), actor)
        _expect_stood(world, variant, on, instruction, officer)

        def raise_it(d: date) -> None:
            challenge = protocol.raise_challenge(world, d, case, "care_plan")

            def give_in(w: date, c: Challenge) -> None:
                protocol.withdraw(world, "I have been told not to pursue it.")(w, c)
                world.expect("suppressed_challenge", variant, w, challenge_id=c.id,
                             officer_id=c.officer, case_id=case.id)
                world.at(w + timedelta(days=world.between(2, 9)),
                         lambda r: _rescind(world, held, instruction, actor, r))

            protocol.play(world, challenge, [(world.between(2, 5), give_in)])

        world.at(on + timedelta(days=world.between(50, 70)), raise_it)
        return True

    attempt(world, day, last, act, variant)
