"""Planted variations on the seed stories that slipped through before flags_v10-v13 (design
notes, "The seed stories through their variations"): a threat soon after an old challenge was
pressed again, a case taken from its IRO soon after a concern about it, the post-18 plan
recommended three times each naming the first, and disciplinary action known only by its
outcome; and the issue's stories no other planter tells: a review chaired by a social worker
(not the statutory review), a child on short breaks never reviewed (reg 48), a recommendation
recorded as lapsed, and a challenge to a case's closure left unanswered."""

from __future__ import annotations

from datetime import date, timedelta

from iro_ledger.generator import protocol
from iro_ledger.generator.disputes import raise_concern
from iro_ledger.generator.history import enter_care, keep_in_care
from iro_ledger.generator.planting import attempt, pick_case, when
from iro_ledger.generator.workdays import add_months, add_working_days
from iro_ledger.generator.world import Case, Challenge, World

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
    (flags_v13). The IRO is newly engaged and kept apart, so no earlier action against them
    (of which the warning would be the outcome) is on record."""
    variant = "disciplinary_concluded_only"
    day, last = when(world, 0.25, 200)

    def act(on: date) -> bool:
        actor = _new_manager(world, on)
        officer = world.register(on, "iro", reserved=True)
        case = enter_care(world, on, None, officer.id)
        case.reserved = True
        keep_in_care(world, case, on)

        def challenge(d: date) -> None:
            raised = protocol.raise_challenge(world, d, case, "care_plan")
            protocol.play(world, raised, protocol.healthy_script(world, may_withdraw=False))
            world.at(d + timedelta(days=world.between(40, 170)),
                     lambda w: warn(w, raised))

        def warn(d: date, c: Challenge) -> None:
            world.emit(d, "record_disciplinary_action", actor=actor, officer_id=c.officer,
                       stage="concluded", stated_reason="Written warning: " + _THREAT)
            world.expect("disciplinary_after_challenge", variant, d, officer_id=c.officer,
                         challenge_id=c.id)

        world.at(add_working_days(on, world.between(3, 8)), challenge)
        return True

    attempt(world, day, last, act, variant)


def _unreviewed_child(world: World, day: date, short_breaks: bool = False) -> Case:
    """A child entering care, staying beyond the history, whose reviews never come."""
    case = enter_care(world, day, None, short_breaks=short_breaks)
    case.reserved, case.reviews_stop = True, True
    case.tags.add("review_overdue")
    keep_in_care(world, case, day)
    return case


def review_by_social_worker(world: World) -> None:
    """The first "review" chaired by the child's social worker: not the statutory review,
    so the first review is overdue 20 working days after care began."""
    variant = "review_overdue_chaired_by_social_worker"
    day, _ = when(world, 0.3, 60)

    def act(on: date) -> None:
        case = _unreviewed_child(world, on)
        meeting = add_working_days(on, world.between(6, 14))
        world.at(meeting, lambda d: world.emit(
            d, "hold_review", actor=world.anyone("social_worker", d), case_id=case.id,
            chaired_by=world.anyone("social_worker", d), child_participation="attended",
            child_seen_before=True))
        world.expect("review_overdue", variant, add_working_days(on, 20) + timedelta(days=1),
                     case_id=case.id)
        world.planted.append(variant)

    world.at(day, act)


def short_breaks_unreviewed(world: World) -> None:
    """A child on short breaks never reviewed: overdue three months after care began (reg 48),
    not 20 working days (reg 33)."""
    variant = "review_overdue_short_breaks"
    day, _ = when(world, 0.3, 130)

    def act(on: date) -> None:
        case = _unreviewed_child(world, on, short_breaks=True)
        world.expect("review_overdue", variant, add_months(on, 3) + timedelta(days=1),
                     case_id=case.id)
        world.planted.append(variant)

    world.at(day, act)


def recommendation_recorded_lapsed(world: World) -> None:
    """A review recommendation the authority records as lapsed before its due day."""
    variant = "recommendation_recorded_lapsed"
    day, last = when(world, 0.2, 130)

    def act(on: date) -> bool:
        case = pick_case(world, on, 120, variant)
        rec, due = world.next_id("REC"), on + timedelta(days=world.between(40, 70))
        lapsed = on + timedelta(days=world.between(14, 30))
        world.emit(on, "make_recommendation", actor=case.iro, case_id=case.id,
                   recommendation_id=rec, due_on=due,
                   text="Arrange the child's therapeutic assessment.")
        world.at(lapsed, lambda d: world.emit(
            d, "record_recommendation_outcome", actor=world.anyone("team_manager", d),
            case_id=case.id, recommendation_id=rec, outcome="lapsed",
            reason="The assessment service closed its list."))
        world.expect("recommendation_not_followed", variant, lapsed, case_id=case.id,
                     recommendation_id=rec)
        return True

    attempt(world, day, last, act, variant)


def closure_challenged(world: World) -> None:
    """A case closed on a manager's word (NAIRO's case study: a mother's agreement that was
    never given); the IRO challenges the closure, and no one answers."""
    variant = "suppressed_stalled_case_closure"
    day, last = when(world, 0.3, 50)

    def act(on: date) -> bool:
        case = pick_case(world, on, 60, variant)
        world.close(on, case, "returned home", world.anyone("team_manager", on))

        def challenge(d: date) -> None:
            raised = protocol.raise_challenge(world, d, case, "case_closure")
            world.expect("suppressed_challenge", variant,
                         add_working_days(d, 20) + timedelta(days=1), challenge_id=raised.id,
                         officer_id=raised.officer, case_id=case.id)

        world.at(add_working_days(on, world.between(1, 3)), challenge)
        return True

    attempt(world, day, last, act, variant)
