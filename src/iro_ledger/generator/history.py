"""The healthy life of an authority: children entering and leaving care, reviews on time,
plans revised at reviews with the IRO consulted, challenges answered within the protocol,
IROs coming and going without retaliation or churn, annual reports submitted as drafted.

Nothing here may raise a flag: the guards in `world` keep every reassignment, withdrawal and
ending of an engagement well clear of the rules' windows.
"""

from __future__ import annotations

import hashlib
import math
from datetime import date, timedelta
from functools import partial
from typing import Any

from iro_ledger.generator import protocol
from iro_ledger.generator.workdays import add_working_days, working_day_on_or_after
from iro_ledger.generator.world import (
    END,
    MOVES_APART_DAYS,
    OPEN,
    REGISTER,
    RETALIATION_GUARD_DAYS,
    Case,
    Officer,
    World,
)

_LEGAL = ("C2", "C2", "V2", "V2", "C1", "E1")
_CHANGES = ("placement_move", "permanence", "contact", "education", "health", "other")
_DECISIONS = ("placement", "contact", "education", "health", "permanence", "leaving_care")
_RECOMMENDATIONS = (
    "Complete the updated health assessment before the next review.",
    "Arrange sibling contact at least monthly.",
    "Refer for a school place near the placement.",
    "Complete life-story work with the child.",
    "Hold a permanence planning meeting within eight weeks.",
)
_LEAVING = ("returned home", "special guardianship order", "adopted", "turned 18",
            "child arrangements order")
_YEARLY_LEAVING_RATE = 0.12


def set_up(world: World, children: int) -> None:
    """Register the authority and its people, and put its whole life on the calendar."""
    day = world.start
    world.emit(day, "register_authority", REGISTER, name=world.name)
    for role, count in (("director", 1), ("head_of_service", 1), ("service_manager", 2),
                        ("team_manager", 4), ("social_worker", 6), ("iro_manager", 1)):
        for _ in range(count):
            world.register(day, role)
    world.iro_manager = world.roles["iro_manager"][0]
    world.on_new_iro.append(lambda on, officer: _plan_departure(world, officer, on))
    world.on_new_iro.append(lambda on, officer: _rebalance(world, officer, on))
    for _ in range(3):
        world.register(day, "iro")
    span = (world.end - world.start).days
    for _ in range(children):
        world.at(world.start + timedelta(days=world.between(1, span - 3)),
                 lambda on: enter_care(world, on, _stay(world, on)), priority=1)
    for year in range(world.start.year, world.end.year):
        given = date(year, 1, 1) + timedelta(days=world.between(40, 300))
        if given > world.start:
            world.at(given, lambda on: _instruction(world, on))
        due = working_day_on_or_after(date(year + 1, 2, 1) + timedelta(days=world.between(0, 10)))
        if due >= world.start + timedelta(days=60) and due + timedelta(days=40) <= world.end:
            world.report_years[year] = due
    world.at(world.start + timedelta(days=1), lambda on: _schedule_reports(world))
    world.at(world.start + timedelta(days=world.between(100, max(101, span - 100))),
             lambda on: _disciplinary_for_other_reasons(world, on))


def _stay(world: World, day: date) -> date | None:
    kind = world.rng.random()
    days = (world.between(20, 150) if kind < 0.25 else world.between(150, 700) if kind < 0.6
            else world.between(700, 2500))
    leaves = day + timedelta(days=days)
    return leaves if leaves < world.end - timedelta(days=3) else None


def enter_care(world: World, day: date, leaves: date | None, iro: str | None = None,
               short_breaks: bool = False) -> Case:
    """A child enters care (`short_breaks`: in a series of short breaks, reviewed under reg
    48): the case opens, an IRO is allocated, the first review is set."""
    officer = iro or world.pick_iro(day)
    case = Case(world.next_id("CASE"), day, leaves, forced_iro=iro)
    world.cases[case.id] = case
    breaks: dict[str, Any] = {"short_breaks": True} if short_breaks else {}
    world.emit(day, "open_case", OPEN, actor=world.anyone("social_worker", day), case_id=case.id,
               child_ref=world.people.child_ref(), legal_status=world.rng.choice(_LEGAL),
               entered_care_on=day, **breaks)
    world.assign(day, case, officer, "first_allocation")
    first = add_working_days(day, world.between(6, 14))
    if leaves is None or first < leaves:
        world.at(first, lambda on: review(world, case, on))
    else:
        case.chain_stopped = True
    world.at(day + timedelta(days=world.between(20, 240)), lambda on: _decision(world, case, on))
    if leaves is not None:
        world.at(leaves, lambda on: _leave_care(world, case, on), priority=3)
    return case


def review(world: World, case: Case, day: date) -> None:
    """A review chaired by the child's IRO; the plan revised through it, recommendations made;
    the next one set well inside reg 33's timescales."""
    if case.reviews_stop or not case.open_on(day):
        return
    case.reviews.append(day)
    iro = case.iro
    world.emit(day, "hold_review", actor=iro, case_id=case.id, chaired_by=iro,
               child_participation=world.rng.choices(
                   ("attended", "views_conveyed", "did_not_participate"), (6, 3, 1))[0],
               child_seen_before=world.chance(0.92))
    if world.chance(0.35):
        change = world.rng.choice(_CHANGES)
        actor = world.anyone("social_worker", day)
        agreed: dict[str, Any] = {"summary": "Agreed at the review.", "via_review": True,
                                  "iro_consulted": True}
        if change == "placement_move" and case.moved_since(
                day - timedelta(days=MOVES_APART_DAYS)):
            change = world.rng.choice(_CHANGES[1:])  # moved lately: plan something else
        if change == "placement_move":
            world.move(day, case, actor, **agreed)
        else:
            world.emit(day, "revise_care_plan", actor=actor, case_id=case.id, change=change,
                       **agreed)
    if world.chance(0.5):
        _recommend(world, case, day)
    if world.chance(0.03):
        _challenge(world, case, day + timedelta(days=world.between(2, 10)), "care_plan")
    if case.reviews_until is not None and len(case.reviews) >= case.reviews_until:
        case.reviews_until = None
        if case.when_reviews_stop is None or case.when_reviews_stop():
            case.reviews_stop = True
            return
    gap = world.between(45, 80) if len(case.reviews) == 1 else world.between(120, 170)
    following = working_day_on_or_after(day + timedelta(days=gap))
    if case.exit_on is not None and following >= case.exit_on:
        case.chain_stopped = True
    else:
        world.at(following, lambda on: review(world, case, on))


def _recommend(world: World, case: Case, day: date) -> None:
    rec = world.next_id("REC")
    due = day + timedelta(days=world.between(28, 84))
    world.emit(day, "make_recommendation", actor=case.iro, case_id=case.id,
               recommendation_id=rec, text=world.rng.choice(_RECOMMENDATIONS), due_on=due)

    def outcome(on: date) -> None:
        # Acted on by the day it was due: a recommendation left past it has lapsed.
        if not case.open_on(on):
            return
        result = world.rng.choices(("completed", "declined"), (85, 15))[0]
        world.emit(on, "record_recommendation_outcome",
                   actor=world.anyone("team_manager", on), case_id=case.id,
                   recommendation_id=rec, outcome=result,
                   reason="" if result == "completed" else "Resources not available.")
        if result == "declined" and world.chance(0.4):
            _challenge(world, case, on + timedelta(days=world.between(2, 10)), rec)

    world.at(due - timedelta(days=world.between(0, 10)), outcome)


def _decision(world: World, case: Case, day: date) -> None:
    if not case.open_on(day):
        return
    decision = world.next_id("DEC")
    case.decisions.append(decision)
    world.emit(day, "record_decision", actor=world.anyone("team_manager", day), case_id=case.id,
               decision_id=decision, kind=world.rng.choice(_DECISIONS),
               summary="Decision recorded after the case discussion.")
    if world.chance(0.15):
        _challenge(world, case, day + timedelta(days=world.between(1, 7)), decision)
    world.at(day + timedelta(days=world.between(90, 400)), lambda on: _decision(world, case, on))


def _challenge(world: World, case: Case, day: date, about: str) -> None:
    def start(on: date) -> None:
        horizon = on + timedelta(days=150)
        officer = world.officers[case.iro] if case.assignments else None
        if (case.reserved or not case.open_on(on) or officer is None or officer.quiet_on(on)
                or case.open_challenge() or horizon > world.end
                or (case.exit_on is not None and case.exit_on <= horizon)):
            return
        challenge = protocol.raise_challenge(world, on, case, about)
        script = (protocol.cafcass_midway_script(world) if world.chance(0.05)
                  else protocol.healthy_script(world))
        protocol.play(world, challenge, script)

    world.at(day, start)


def keep_in_care(world: World, case: Case, day: date) -> None:
    """The child stays in care beyond the history, reviews continuing on time."""
    case.keep_open, case.exit_on = True, None
    if case.chain_stopped:
        case.chain_stopped = False
        world.at(working_day_on_or_after(day + timedelta(days=1)),
                 lambda on: review(world, case, on))


def _leave_care(world: World, case: Case, day: date) -> None:
    if case.keep_open or not case.open_on(day):
        return
    if case.open_challenge():  # never close a case under an open challenge: wait, keep reviewing
        case.exit_on = day + timedelta(days=14)
        world.at(case.exit_on, lambda on: _leave_care(world, case, on), priority=3)
        if case.chain_stopped:
            case.chain_stopped = False
            world.at(working_day_on_or_after(day), lambda on: review(world, case, on))
        return
    world.close(day, case, world.rng.choice(_LEAVING), world.anyone("team_manager", day))


def _plan_departure(world: World, officer: Officer, day: date) -> None:
    years = (world.end - day).days / 365
    if world.rng.random() < 1 - math.exp(-_YEARLY_LEAVING_RATE * years):
        leaves = day + timedelta(days=world.between(120, max(121, (world.end - day).days)))
        world.at(leaves, lambda on: _depart(world, officer, on), priority=3)


def _depart(world: World, officer: Officer, day: date) -> None:
    """An IRO leaves for their own reasons; their cases go to colleagues, never in a way that
    looks like retaliation or churn: if it would, they stay another month."""
    if officer.reserved or officer.ended_on is not None or day > world.end - timedelta(days=10):
        return
    cases = [c for c in world.cases.values() if c.open_on(day) and c.iro == officer.id]
    if not all(world.can_move(c, day) for c in cases):
        world.at(day + timedelta(days=30), lambda on: _depart(world, officer, on), priority=3)
        return
    officer.ended_on = day  # no new cases from today, and none moved to or from them
    for case in cases:
        world.assign(day, case, world.pick_iro(day, (officer.id,), transfer=True), "officer_left")
    quiet_lately = not world.challenged_since(
        officer.id, day - timedelta(days=RETALIATION_GUARD_DAYS))
    how = world.rng.choices(("resigned", "retired", "moved_role", "contract_terminated"),
                            (5, 2, 2, 1))[0]
    if how == "contract_terminated" and officer.employment == "employed":
        how = "resigned"
    if how in ("moved_role", "contract_terminated") and not quiet_lately:
        how = "resigned"  # counted by the rule after a dispute: only when it is planted
    actor = world.anyone("head_of_service", day) if how == "contract_terminated" else officer.id
    world.emit(day, "end_engagement", END, actor=actor, officer_id=officer.id, how=how,
               reason="Left the service.")


def _rebalance(world: World, newcomer: Officer, day: date) -> None:
    """A newly engaged IRO takes a few cases from the busiest colleague (reason: workload)."""
    if newcomer.reserved:
        return
    busiest = max((o for o in world.iros(day) if o.id != newcomer.id and o.ended_on is None
                   and not o.reserved), key=lambda o: (world.loads[o.id], o.id), default=None)
    if busiest is None:
        return
    movable = [c for c in world.cases.values()
               if c.open_on(day) and c.iro == busiest.id and world.can_move(c, day)]
    for case in movable[:world.between(3, 8)]:
        world.assign(day, case, newcomer.id, "workload")


def _disciplinary_for_other_reasons(world: World, day: date) -> None:
    """Disciplinary action that has nothing to do with challenging: an IRO who has raised no
    challenge or concern for well over the rule's 366 days."""
    quiet = [o for o in world.iros(day) if not o.reserved and not world.challenged_since(
        o.id, day - timedelta(days=RETALIATION_GUARD_DAYS))]
    if not quiet:
        return
    officer = world.rng.choice(quiet)
    officer.quiet_until = day  # a challenge the same day would make it look like retaliation
    actors = [m for m in world.roles["team_manager"] if m not in world.disciplinary_actors]
    if not actors:
        return
    world.disciplinary_actors.add(actors[-1])
    world.emit(day, "record_disciplinary_action", actor=actors[-1],
               officer_id=officer.id, stage="started",
               stated_reason="Case records repeatedly not kept up to date.")


def _instruction(world: World, day: date) -> None:
    to = ["all_iros"]
    world.instructions.append((day, to))
    world.emit(day, "record_instruction", actor=world.anyone("head_of_service", day),
               instruction_id=world.next_id("INS", 3), issued_to=to,
               kind=world.rng.choice(("additional_duties", "other")),
               text="IROs to attend the new quarterly practice forum.")


def _schedule_reports(world: World) -> None:
    for year, due in sorted(world.report_years.items()):
        world.at(due, partial(healthy_report, world, year=year))


def report_sha(world: World, year: int, version: str) -> str:
    return hashlib.sha256(f"{world.la_code}/{year}/{version}".encode()).hexdigest()


def healthy_report(world: World, day: date, year: int) -> None:
    """Drafted by the IRO manager and submitted as drafted."""
    author, sha = world.iro_manager, report_sha(world, year, "draft")
    report = f"IROAR-{year}"
    world.emit(day, "draft_annual_report", actor=author, report_id=report, year=year,
               author=author, content_sha256=sha)

    def submit(on: date) -> None:
        world.emit(on, "submit_annual_report", actor=author, report_id=report,
                   to="corporate_parenting_board", content_sha256=sha)

    world.at(day + timedelta(days=world.between(10, 30)), submit)

