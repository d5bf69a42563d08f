"""Planted patterns around a challenge: retaliation against the IRO who raised it
(disciplinary action, reallocation, an ended engagement) and its suppression (withdrawn under
instruction, stalled unanswered, its case closed under it)."""

from __future__ import annotations

from datetime import date, timedelta

from iro_ledger.generator import protocol
from iro_ledger.generator.history import enter_care, keep_in_care
from iro_ledger.generator.planting import attempt, fresh_manager, pick_case, when
from iro_ledger.generator.workdays import add_working_days
from iro_ledger.generator.world import END, Case, Challenge, World


def disciplinary(world: World, times: int) -> None:
    """Disciplinary action within 180 days after a challenge; twice by the same actor is the
    critical form (NAIRO: "threatened IROs with disciplinary action on two occasions")."""
    variant = "disciplinary_after_challenge" + ("_twice" if times > 1 else "")
    day, last = when(world, 0.25, 200)

    def act(on: date) -> bool:
        actor = fresh_manager(world, on)
        if actor is None:
            return False
        case = pick_case(world, on, 60, "disciplinary_after_challenge")
        challenge = protocol.raise_challenge(world, on, case, "care_plan")
        protocol.play(world, challenge, protocol.healthy_script(world, may_withdraw=False))
        gaps = sorted(world.rng.sample(range(25, 170), times))

        def discipline(d: date) -> None:
            world.emit(d, "record_disciplinary_action", actor=actor, officer_id=challenge.officer,
                       stage="threatened" if d == on + timedelta(days=gaps[0])
                       or world.chance(0.5) else "started",
                       stated_reason="Conduct towards colleagues at a review meeting.")

        for gap in gaps:
            world.at(on + timedelta(days=gap), discipline)
        entry = world.expect("disciplinary_after_challenge", variant,
                             on + timedelta(days=gaps[0]), officer_id=challenge.officer,
                             challenge_id=challenge.id)
        if times > 1:
            entry["severity"] = "critical"
        return True

    attempt(world, day, last, act, variant)


def reallocation(world: World, while_open: bool) -> None:
    """The case taken from the IRO within 90 days after their challenge on it, or while the
    challenge is still open."""
    variant = "reallocation_while_open" if while_open else "reallocation_after_challenge"
    day, last = when(world, 0.25, 130)

    def act(on: date) -> bool:
        case = pick_case(world, on, 150, variant, movable=True)
        challenge = protocol.raise_challenge(world, on, case, "care_plan")
        if while_open:
            protocol.play(world, challenge, [
                (world.between(2, 4), protocol.respond(world)),
                (world.between(2, 3), lambda d, c: _take_away(world, case, c, variant, d)),
                (world.between(3, 6), protocol.resolve(world))])
        else:
            protocol.play(world, challenge, protocol.healthy_script(world, may_withdraw=False))
            world.at(on + timedelta(days=world.between(35, 80)),
                     lambda d: _take_away(world, case, challenge, variant, d))
        return True

    attempt(world, day, last, act, variant)


def _take_away(world: World, case: Case, challenge: Challenge, variant: str, day: date) -> None:
    reason = world.rng.choice(("workload", "other", "after_dispute"))
    world.assign(day, case, world.pick_iro(day, (challenge.officer,), transfer=True), reason)
    world.expect("reallocation_after_dispute", variant, day, officer_id=challenge.officer,
                 case_id=case.id, challenge_id=challenge.id)


def contract_ended(world: World) -> None:
    """A freelance IRO challenges; 100-170 days later the contract is terminated and the cases
    go to colleagues (after the 90-day reallocation window, so only this rule is raised)."""
    variant = "engagement_ended_after_challenge"
    day, _ = when(world, 0.1, 340)

    def engage(on: date) -> None:
        freelance = world.register(on, "iro", world.rng.choice(("freelance", "agency")),
                                   reserved=True)
        first, last = on + timedelta(days=60), on + timedelta(days=120)

        def challenge(d: date) -> bool:
            cases = [c for c in world.cases.values() if c.open_on(d) and c.iro == freelance.id
                     and (c.exit_on is None or c.exit_on > d + timedelta(days=60))]
            case = (world.rng.choice(cases) if cases
                    else enter_care(world, d, None, freelance.id))
            case.reserved = True
            raised = protocol.raise_challenge(world, d, case, "care_plan")
            protocol.play(world, raised, protocol.healthy_script(world, may_withdraw=False))
            ends = d + timedelta(days=world.between(100, 170))
            freelance.ended_on = ends  # no new cases from now: only first allocations to move
            world.at(ends, lambda e: _terminate(world, freelance.id, raised, variant, e), 3)
            return True

        attempt(world, first, last, challenge, variant)

    world.at(day, engage)


def _terminate(world: World, officer_id: str, challenge: Challenge, variant: str,
               day: date) -> None:
    for case in [c for c in world.cases.values() if c.open_on(day) and c.iro == officer_id]:
        world.assign(day, case, world.pick_iro(day, (officer_id,), transfer=True),
                     "officer_left")
    world.emit(day, "end_engagement", END, actor=world.anyone("head_of_service", day),
               officer_id=officer_id, how="contract_terminated",
               reason="Contract not renewed: budget pressures.")
    world.expect("engagement_ended_after_dispute", variant, day, officer_id=officer_id,
                 challenge_id=challenge.id)


def post_deleted_after_report(world: World, report: str, author: str, disputed: date) -> None:
    """The IRO manager who refused the director's edits loses their post 40-150 days later."""
    day = disputed + timedelta(days=world.between(40, 150))

    def delete(on: date) -> None:
        successor = world.register(on, "iro_manager")
        world.iro_manager = successor.id
        world.emit(on, "end_engagement", END, actor=world.anyone("director", on),
                   officer_id=author, how="post_deleted",
                   reason="Service restructure: IRO manager post deleted.")
        world.expect("engagement_ended_after_dispute", "engagement_ended_after_report_dispute",
                     on, officer_id=author, report_id=report)

    world.at(day, delete)


def withdrawn_after_instruction(world: World) -> None:
    variant = "suppressed_withdrawn_after_instruction"
    day, last = when(world, 0.2, 40)

    def act(on: date) -> bool:
        case = pick_case(world, on, 45, variant)
        challenge = protocol.raise_challenge(world, on, case, "care_plan")
        instruction = world.next_id("INS", 3)
        kind = world.rng.choice(("withdraw_challenge", "do_not_escalate"))

        def instruct(d: date, c: Challenge) -> None:
            world.instructions.append((d, [c.officer]))
            world.emit(d, "record_instruction", actor=world.anyone("service_manager", d),
                       instruction_id=instruction, issued_to=[c.officer], kind=kind,
                       text="Do not pursue this challenge; the decision has been made.")

        def give_in(d: date, c: Challenge) -> None:
            protocol.withdraw(world, "Instructed by my manager.")(d, c)
            world.expect("suppressed_challenge", variant, d, challenge_id=c.id,
                         officer_id=c.officer, case_id=case.id, instruction_id=instruction)

        protocol.play(world, challenge, [(world.between(2, 5), instruct),
                                         (world.between(3, 8), give_in)])
        return True

    attempt(world, day, last, act, variant)


def stalled(world: World, at_stage: bool) -> None:
    """Raised (or escalated) and never answered: past 20 working days by the history's end."""
    variant = "suppressed_stalled" + ("_at_stage" if at_stage else "")
    day, last = when(world, 0.5, 62 if at_stage else 48)

    def act(on: date) -> bool:
        case = pick_case(world, on, 0, variant)
        keep_in_care(world, case, on)
        challenge = protocol.raise_challenge(world, on, case, "care_plan")
        if not at_stage:
            _expect_stall(world, challenge, on, variant)
            return True

        def escalate(d: date, c: Challenge) -> None:
            protocol.escalate(world, world.rng.choice(("stage_1", "stage_2")))(d, c)
            _expect_stall(world, c, d, variant)

        protocol.play(world, challenge, [(world.between(2, 4), protocol.respond(world)),
                                         (world.between(1, 2), escalate)])
        return True

    attempt(world, day, last, act, variant)


def _expect_stall(world: World, challenge: Challenge, stage_start: date, variant: str) -> None:
    late = add_working_days(stage_start, 20) + timedelta(days=1)
    world.expect("suppressed_challenge", variant, late, challenge_id=challenge.id,
                 officer_id=challenge.officer, case_id=challenge.case_id)


def closed_under_challenge(world: World) -> None:
    """Answered, then the case closed by a manager while the challenge is open: ended by
    someone other than the raiser with no outcome recorded (the only way this domain language
    can express it: only the raiser may withdraw, and a resolution always carries an outcome)."""
    variant = "suppressed_closed_without_outcome"
    day, last = when(world, 0.2, 40)

    def act(on: date) -> bool:
        case = pick_case(world, on, 30, variant)
        challenge = protocol.raise_challenge(world, on, case, "care_plan")

        def close(d: date, c: Challenge) -> None:
            world.close(d, case, "returned home", world.anyone("team_manager", d))
            world.expect("suppressed_challenge", variant, d, challenge_id=c.id,
                         officer_id=c.officer, case_id=case.id)

        protocol.play(world, challenge, [(world.between(2, 5), protocol.respond(world)),
                                         (world.between(2, 6), close)])
        return True

    attempt(world, day, last, act, variant)
