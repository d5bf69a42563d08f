"""Planted variations on the seed stories that slipped through before flags_v10-v13 (design
notes, "The seed stories through their variations"): a threat soon after an old challenge was
pressed again, a case taken from its IRO soon after a concern about it, the post-18 plan
recommended three times each naming the first, and disciplinary action known only by its
outcome."""

from __future__ import annotations

from datetime import date, timedelta

from iro_ledger.generator import protocol
from iro_ledger.generator.disputes import raise_concern
from iro_ledger.generator.history import keep_in_care
from iro_ledger.generator.planting import attempt, pick_case, when
from iro_ledger.generator.world import Challenge, World

_THREAT = "Undermining the service's decisions in front of the family."


def _new_manager(world: World, day: date) -> str:
    """A newly appointed head of service, who has taken no disciplinary action yet: the
    authority's own managers are left to the patterns planted first."""
    manager = world.register(day, "head_of_service").id
    world.disciplinary_actors.add(manager)
    return manager


def threat_after_pressed_again(world: World) -> None:
    """A challenge refused at its first answer, taken to Cafcass a year on, and a threat
    weeks after the referral: more than a year after the raising, within a year of the last
    time the IRO pressed it (flags_v10)."""
    variant = "disciplinary_after_pressed_again"
    day, last = when(world, 0.15, 470)

    def act(on: date) -> bool:
        actor = _new_manager(world, on)
        case = pick_case(world, on, 470, "disciplinary_after_challenge")
        keep_in_care(world, case, on)
        challenge = protocol.raise_challenge(world, on, case, "care_plan")
        protocol.play(world, challenge, [(world.between(2, 5), protocol.respond(world)),
                                         (world.between(1, 3), protocol.resolve(world))])
        referral = on + timedelta(days=world.between(340, 380))

        def refer(d: date) -> None:
            world.concerns.append((challenge.officer, d))  # pressed again: guards see it
            protocol.refer_to_cafcass(world)(d, challenge)

        def threaten(d: date) -> None:
            world.emit(d, "record_disciplinary_action", actor=actor,
                       officer_id=challenge.officer, stage="threatened", stated_reason=_THREAT)
            world.expect("disciplinary_after_challenge", variant, d,
                         officer_id=challenge.officer, challenge_id=challenge.id)

        world.at(referral, refer)
        world.at(referral + timedelta(days=world.between(30, 60)), threaten)
        return True

    attempt(world, day, last, act, variant)


def reallocation_after_concern(world: World) -> None:
    """A concern about the case in review minutes or an email; the case is taken from the IRO
    three to eight weeks later (flags_v10)."""
    variant = "reallocation_after_concern"
    day, last = when(world, 0.25, 100)

    def act(on: date) -> bool:
        case = pick_case(world, on, 100, variant, movable=True)
        officer = case.iro
        concern = raise_concern(world, on, case, world.anyone("team_manager", on))

        def take_away(d: date) -> None:
            world.assign(d, case, world.pick_iro(d, (officer,), transfer=True), "workload")
            world.expect("reallocation_after_dispute", variant, d, officer_id=officer,
                         case_id=case.id, concern_id=concern)

        world.at(on + timedelta(days=world.between(20, 60)), take_away)
        return True

    attempt(world, day, last, act, variant)


def concluded_only(world: World) -> None:
    """A written warning recorded by its outcome alone, months after the IRO's challenge
    (flags_v13)."""
    variant = "disciplinary_concluded_only"
    day, last = when(world, 0.25, 200)

    def act(on: date) -> bool:
        actor = _new_manager(world, on)
        case = pick_case(world, on, 60, "disciplinary_after_challenge")
        challenge = protocol.raise_challenge(world, on, case, "care_plan")
        protocol.play(world, challenge, protocol.healthy_script(world, may_withdraw=False))

        def warn(d: date, c: Challenge = challenge) -> None:
            world.emit(d, "record_disciplinary_action", actor=actor, officer_id=c.officer,
                       stage="concluded", stated_reason="Written warning: " + _THREAT)
            world.expect("disciplinary_after_challenge", variant, d, officer_id=c.officer,
                         challenge_id=c.id)

        world.at(on + timedelta(days=world.between(40, 170)), warn)
        return True

    attempt(world, day, last, act, variant)
