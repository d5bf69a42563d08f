"""Planted patterns around a challenge or a concern raised outside the protocol: retaliation
against the IRO who raised it (disciplinary action, reallocation, an ended engagement), its
suppression (withdrawn under instruction, its case closed under it) and its drift (left
unresolved past the 20 working days the IRO Handbook allows in total)."""

from __future__ import annotations

from datetime import date, timedelta

from iro_ledger.generator import protocol
from iro_ledger.generator.history import enter_care, keep_in_care
from iro_ledger.generator.planting import attempt, fresh_manager, pick_case, when
from iro_ledger.generator.workdays import add_working_days
from iro_ledger.generator.world import END, Case, Challenge, HeldBack, World


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


_CONCERN_SETTINGS = ("review_minutes", "recommendation", "email")


def raise_concern(world: World, day: date, case: Case, raised_with: str) -> str:
    """The case's IRO raises a concern outside the protocol; its id."""
    concern = world.next_id("CON", 4)
    world.concerns.append((case.iro, day))
    world.emit(day, "record_concern", actor=case.iro, concern_id=concern, officer_id=case.iro,
               case_id=case.id, raised_in=world.rng.choice(_CONCERN_SETTINGS),
               raised_with=raised_with,
               summary="There is still no plan for where the child will live after 18.")
    return concern


def threatened(world: World, form: str) -> None:
    """A threat of disciplinary action 25-170 days after a concern raised outside the protocol
    (`concern`), 200-330 days after a challenge (`long_after`), or, with nothing raised at all,
    recorded as being about the child's case (`linked`: the threat that stopped a challenge)."""
    variant = f"disciplinary_{form}"
    day, last = when(world, 0.25, 340)

    def act(on: date) -> bool:
        actor = fresh_manager(world, on)
        if actor is None:
            return False
        case = pick_case(world, on, 340, "disciplinary_after_challenge")
        officer, about, subjects = case.iro, [], {}
        threat = on + timedelta(days=world.between(25, 170))
        if form == "after_concern":
            subjects["concern_id"] = raise_concern(world, on, case, actor)
        elif form == "long_after":
            challenge = protocol.raise_challenge(world, on, case, "care_plan")
            protocol.play(world, challenge, protocol.healthy_script(world, may_withdraw=False))
            threat = on + timedelta(days=world.between(200, 330))
        else:
            about, threat = [f"case:{case.id}"], on
        world.at(threat, lambda d: world.emit(
            d, "record_disciplinary_action", actor=actor, officer_id=officer,
            stage="threatened", about=about,
            stated_reason="Undermining the team's decisions in front of the family."))
        world.expect("disciplinary_after_challenge", variant, threat, officer_id=officer,
                     **subjects)
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


def contract_ended(world: World, how: str = "contract_terminated",
                   after: str = "challenge") -> None:
    """An IRO challenges (or raises a concern outside the protocol); 100-170 days later the
    engagement ends (`how`: a freelance contract terminated, an employed IRO dismissed or moved
    out of the role) and the cases go to colleagues (after the 90-day reallocation window, so
    only this rule is raised)."""
    variant = ("engagement_ended_after_challenge" if how == "contract_terminated"
               else f"engagement_ended_{how}") + ("" if after == "challenge" else "_concern")
    day, _ = when(world, 0.1, 340)

    def engage(on: date) -> None:
        employment = (world.rng.choice(("freelance", "agency")) if how == "contract_terminated"
                      else "employed")
        officer = world.register(on, "iro", employment, reserved=True)
        first, last = on + timedelta(days=60), on + timedelta(days=120)

        def dispute(d: date) -> bool:
            cases = [c for c in world.cases.values() if c.open_on(d) and c.iro == officer.id
                     and (c.exit_on is None or c.exit_on > d + timedelta(days=60))]
            case = (world.rng.choice(cases) if cases
                    else enter_care(world, d, None, officer.id))
            case.reserved = True
            if after == "challenge":
                raised = protocol.raise_challenge(world, d, case, "care_plan")
                protocol.play(world, raised, protocol.healthy_script(world, may_withdraw=False))
                subjects = {"challenge_id": raised.id}
            else:
                subjects = {"concern_id": raise_concern(
                    world, d, case, world.anyone("head_of_service", d))}
            ends = d + timedelta(days=world.between(100, 170))
            officer.ended_on = ends  # no new cases from now: only first allocations to move
            world.at(ends, lambda e: _terminate(world, officer.id, how, subjects, variant, e), 3)
            return True

        attempt(world, first, last, dispute, variant)

    world.at(day, engage)


_ENDED_BECAUSE = {"contract_terminated": "Contract not renewed: budget pressures.",
                  "dismissed": "Dismissed following a capability process.",
                  "moved_role": "Moved to a quality assurance role."}


def _terminate(world: World, officer_id: str, how: str, subjects: dict[str, str],
               variant: str, day: date) -> None:
    for case in [c for c in world.cases.values() if c.open_on(day) and c.iro == officer_id]:
        world.assign(day, case, world.pick_iro(day, (officer_id,), transfer=True),
                     "officer_left")
    world.emit(day, "end_engagement", END, actor=world.anyone("head_of_service", day),
               officer_id=officer_id, how=how, reason=_ENDED_BECAUSE[how])
    world.expect("engagement_ended_after_dispute", variant, day, officer_id=officer_id,
                 **subjects)


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


def withdrawn_after_threat(world: World) -> None:
    """A challenge withdrawn days after its raiser was threatened with disciplinary action:
    the threat (disciplinary_after_challenge) and the withdrawal (suppressed_challenge,
    `withdrawn_after_threat`, critical) are both expected."""
    variant = "suppressed_withdrawn_after_threat"
    day, last = when(world, 0.2, 40)

    def act(on: date) -> bool:
        actor = fresh_manager(world, on)
        if actor is None:
            return False
        case = pick_case(world, on, 45, variant)
        challenge = protocol.raise_challenge(world, on, case, "care_plan")

        def threaten(d: date, c: Challenge) -> None:
            world.emit(d, "record_disciplinary_action", actor=actor, officer_id=c.officer,
                       stage="threatened", stated_reason="Undermining the service's decision.")
            world.expect("disciplinary_after_challenge", variant, d, officer_id=c.officer,
                         challenge_id=c.id)

        def give_in(d: date, c: Challenge) -> None:
            protocol.withdraw(world, "I no longer wish to pursue this.")(d, c)
            entry = world.expect("suppressed_challenge", variant, d, challenge_id=c.id,
                                 officer_id=c.officer, case_id=case.id)
            entry["severity"] = "critical"

        protocol.play(world, challenge, [(world.between(2, 5), threaten),
                                         (world.between(3, 8), give_in)])
        return True

    attempt(world, day, last, act, variant)


def withdrawn_after_instruction(world: World) -> None:
    """A challenge withdrawn days after an instruction to withdraw it (or not to escalate it),
    which is rescinded a few days later, well inside the 20 working days after which a
    standing instruction is itself flagged (instruction_in_force)."""
    variant = "suppressed_withdrawn_after_instruction"
    day, last = when(world, 0.2, 40)

    def act(on: date) -> bool:
        case = pick_case(world, on, 45, variant)
        challenge = protocol.raise_challenge(world, on, case, "care_plan")
        instruction = world.next_id("INS", 3)
        kind = world.rng.choice(("withdraw_challenge", "do_not_escalate"))
        held = HeldBack(on, [challenge.officer])
        manager: list[str] = []

        def instruct(d: date, c: Challenge) -> None:
            held.given = d
            world.held_back.append(held)
            world.instructions.append((d, [c.officer]))
            manager.append(world.anyone("service_manager", d))
            world.emit(d, "record_instruction", actor=manager[0],
                       instruction_id=instruction, issued_to=[c.officer], kind=kind,
                       text="Do not pursue this challenge; the decision has been made.")

        def rescind(d: date) -> None:
            held.rescinded = d
            world.emit(d, "rescind_instruction", actor=manager[0], instruction_id=instruction)

        def give_in(d: date, c: Challenge) -> None:
            protocol.withdraw(world, "Instructed by my manager.")(d, c)
            world.expect("suppressed_challenge", variant, d, challenge_id=c.id,
                         officer_id=c.officer, case_id=case.id, instruction_id=instruction)
            world.at(d + timedelta(days=world.between(1, 5)), rescind)

        protocol.play(world, challenge, [(world.between(2, 5), instruct),
                                         (world.between(3, 8), give_in)])
        return True

    attempt(world, day, last, act, variant)


def drifting(world: World) -> None:
    """Answered at every stage, yet resolved only on its 37th working day: the IRO Handbook's
    20 working days are for the whole dispute, not for each stage."""
    variant = "suppressed_stalled_in_total"
    day, last = when(world, 0.3, 70)

    def act(on: date) -> bool:
        case = pick_case(world, on, 0, variant)
        keep_in_care(world, case, on)
        challenge = protocol.raise_challenge(world, on, case, "care_plan")
        protocol.play(world, challenge, [
            (8, protocol.respond(world)), (4, protocol.escalate(world, "stage_1")),
            (12, protocol.respond(world)), (3, protocol.escalate(world, "stage_2")),
            (10, protocol.resolve(world))])
        _expect_stall(world, challenge, on, variant)
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
            _expect_stall(world, c, c.raised, variant)  # 20 working days in total

        protocol.play(world, challenge, [(world.between(2, 4), protocol.respond(world)),
                                         (world.between(1, 2), escalate)])
        return True

    attempt(world, day, last, act, variant)


def _expect_stall(world: World, challenge: Challenge, raised: date, variant: str) -> None:
    late = add_working_days(raised, 20) + timedelta(days=1)
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
