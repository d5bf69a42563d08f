"""Planted patterns, one generator (or more, for a rule with several forms) per rule of
DESIGN.md's catalogue, and `plant`, which sows them in an authority at a given rate.

Each planter picks its day, waits until the authority has a suitable target, reserves it so
that nothing else touches it, writes the commands, and records the flag that must follow.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from iro_ledger.generator import disputes, instructions, variations
from iro_ledger.generator.history import enter_care, keep_in_care, report_sha
from iro_ledger.generator.planting import attempt, pick_case, when
from iro_ledger.generator.workdays import add_months, add_working_days
from iro_ledger.generator.world import MOVES_APART_DAYS, Case, World


def permission_required(world: World) -> None:
    day, _ = when(world, 0.2, 10)

    def act(on: date) -> None:
        iros = [o.id for o in world.iros(on) if not o.reserved]
        to = [world.rng.choice(iros)] if iros and world.chance(0.5) else ["all_iros"]
        instruction = world.next_id("INS", 3)
        kind = world.rng.choice(("permission_before_challenge",
                                 "permission_before_cafcass_referral"))
        world.instructions.append((on, to))
        world.emit(on, "record_instruction", actor=world.anyone("director", on),
                   instruction_id=instruction, issued_to=to, kind=kind,
                   text="No challenge or Cafcass referral without my prior written agreement.")
        single = {} if to == ["all_iros"] else {"officer_id": to[0]}
        world.expect("permission_required", "permission_required", on,
                     instruction_id=instruction, **single)
        world.planted.append("permission_required")

    world.at(day, act)


def _report(world: World, form: str, variant: str, tail_days: int) -> None:
    """An annual report interfered with: edits requested by the director, withheld, or
    submitted altered from the IRO manager's draft."""
    years = [y for y, due in sorted(world.report_years.items())
             if due + timedelta(days=tail_days) <= world.end]
    if not years:
        return
    year = years[0] if form == "post_deleted" else world.rng.choice(years)
    due = world.report_years.pop(year)

    def draft(on: date) -> None:
        author, report, sha = world.iro_manager, f"IROAR-{year}", report_sha(world, year, "draft")
        world.emit(on, "draft_annual_report", actor=author, report_id=report, year=year,
                   author=author, content_sha256=sha)
        later = on + timedelta(days=world.between(5, 12))
        director = world.anyone("director", on)
        if form in ("edit_requested", "post_deleted"):
            world.emit(later, "request_report_edit", actor=director, report_id=report,
                       sections=["Challenges and dispute resolution", "Caseloads"])
            world.at(later + timedelta(days=world.between(8, 20)), lambda d: world.emit(
                d, "submit_annual_report", actor=author, report_id=report,
                to="corporate_parenting_board", content_sha256=sha))
            if form == "post_deleted":
                disputes.post_deleted_after_report(world, report, author, later)
        elif form == "withheld":
            world.emit(later, "withhold_annual_report", actor=director, report_id=report,
                       reason="Not to be published until the service has responded.")
        else:
            altered = report_sha(world, year, "director")
            world.emit(later, "revise_annual_report", actor=director, report_id=report,
                       content_sha256=altered)
            # The director's own edit is flagged on its day (`edited`), before the submission.
            world.expect("report_interference", "report_edited", later, report_id=report,
                         officer_id=author)
            later += timedelta(days=world.between(5, 12))
            world.emit(later, "submit_annual_report", actor=director, report_id=report,
                       to="ofsted", content_sha256=altered)
        world.expect("report_interference", "report_" + form, later, report_id=report,
                     officer_id=author)
        world.planted.append(variant)

    world.at(due, draft)


def plan_changed(world: World) -> None:
    variant = "plan_changed_without_review"
    day, last = when(world, 0.2, 10)

    def act(on: date) -> bool:
        cases = [c for c in world.cases.values() if c.open_on(on) and variant not in c.tags
                 and on not in c.reviews and c.entered < on]
        if not cases:
            return False
        case = world.rng.choice(cases)
        case.tags.add(variant)
        actor = world.anyone("team_manager", on)
        if world.chance(0.6) and not case.moved_since(on - timedelta(days=MOVES_APART_DAYS)):
            world.move(on, case, actor, summary="Moved at short notice.", via_review=False,
                       iro_consulted=world.chance(0.5))
        else:
            world.emit(on, "revise_care_plan", actor=actor, case_id=case.id, change="contact",
                       summary="Contact reduced.", via_review=True, iro_consulted=False)
        world.expect("plan_changed_without_review", variant, on, case_id=case.id)
        return True

    attempt(world, day, last, act, variant)


def review_overdue(world: World, held: int) -> None:
    """A review missed: the first (none held), the second (one held), or a later one. When no
    case is at that point, a child entering care has the reviews before it on time."""
    variant = f"review_overdue_after_{held}"
    day, _ = when(world, 0.4, 40 + (0, 130, 330)[held])

    def act(on: date) -> None:
        cases = [c for c in world.cases.values() if c.open_on(on) and not c.reserved
                 and "review_overdue" not in c.tags and c.reviews[-1:] != [on]
                 and (len(c.reviews) == held if held < 2 else len(c.reviews) >= 2)
                 and _due(c) + timedelta(days=3) <= world.end and _due(c) >= on]
        case = world.rng.choice(cases) if cases else enter_care(world, on, None)
        case.tags.add("review_overdue")
        case.reserved = True
        keep_in_care(world, case, on)

        def missed() -> bool:
            if _due(case) + timedelta(days=3) > world.end:
                return False  # a short history: it would not be overdue when it ends
            world.expect("review_overdue", variant, _due(case) + timedelta(days=1),
                         case_id=case.id)
            world.planted.append(variant)
            return True

        if cases or held == 0:
            case.reviews_stop = missed()
        else:
            case.reviews_until, case.when_reviews_stop = held, missed

    world.at(day, act)


def _due(case: Case) -> date:
    """The next review's statutory deadline (reg 33)."""
    if not case.reviews:
        return add_working_days(case.entered, 20)
    return add_months(case.reviews[-1], 3 if len(case.reviews) == 1 else 6)


def caseload_excess(world: World) -> None:
    """An influx of children all allocated to one IRO, taking them well past 70 cases."""
    variant = "caseload_excess"
    day = world.end - timedelta(days=world.between(40, 60))

    def act(on: date) -> None:
        iros = [o for o in world.iros(on) if not o.reserved and o.ended_on is None]
        if not iros:
            return
        officer = max(iros, key=lambda o: (world.loads[o.id], o.id))
        officer.reserved = True
        staying = sum(1 for c in world.cases.values() if c.open_on(on) and c.iro == officer.id
                      and (c.keep_open or c.exit_on is None))
        for number in range(76 - staying):
            world.at(on + timedelta(days=number * 14 // (76 - staying)),
                     lambda d: enter_care(world, d, None, officer.id), priority=1)
        entry = world.expect("caseload_excess", variant, on, officer_id=officer.id)
        entry["as_of"] = None  # the first day above the limit, worked out at the end
        world.planted.append(variant)

    world.at(day, act)


def iro_churn(world: World) -> None:
    variant = "iro_churn"
    day, last = when(world, 0.25, 200)

    def act(on: date) -> bool:
        case = pick_case(world, on, 200, "iro_churn", movable=True)
        first = case.iro
        world.assign(on, case, world.pick_iro(on, (first,), transfer=True), "workload")

        def again(d: date) -> None:
            world.assign(d, case, world.pick_iro(d, (first, case.iro), transfer=True), "other")
            world.expect("iro_churn", variant, d, case_id=case.id)

        world.at(on + timedelta(days=world.between(40, 150)), again)
        return True

    attempt(world, day, last, act, variant)


def recommendation_lapsed(world: World) -> None:
    """A review recommendation left without any outcome past the day it was due."""
    variant = "recommendation_lapsed"
    day, last = when(world, 0.2, 130)

    def act(on: date) -> bool:
        case = pick_case(world, on, 120, variant)
        rec, due = world.next_id("REC"), on + timedelta(days=world.between(28, 60))
        world.emit(on, "make_recommendation", actor=case.iro, case_id=case.id,
                   recommendation_id=rec, text="Arrange the child's therapeutic assessment.",
                   due_on=due)
        world.expect("recommendation_not_followed", variant, due + timedelta(days=1),
                     case_id=case.id, recommendation_id=rec)
        return True

    attempt(world, day, last, act, variant)


def recommendation_repeated(world: World, naming_first: bool = False) -> None:
    """The plan for after 18 recommended at review after review: declined twice, made a third
    time (NAIRO's case study: no plan a year before the 18th birthday). Each repeat names the
    one before, or (`naming_first`) the first making (flags_v12)."""
    variant = "recommendation_repeated" + ("_naming_first" if naming_first else "")
    day, last = when(world, 0.15, 400)

    def act(on: date) -> bool:
        case = pick_case(world, on, 400, variant)
        keep_in_care(world, case, on)
        earlier: str | None = None
        first: str | None = None
        for n, gap in enumerate((0, world.between(120, 170), world.between(290, 340))):
            made = on + timedelta(days=gap)
            rec = world.next_id("REC")
            due = made + timedelta(days=world.between(28, 60))
            _recommend_again(world, case, made, rec, due, first if naming_first else earlier,
                             final=n == 2)
            earlier = rec
            first = first or rec
        assert earlier is not None
        world.expect("recommendation_not_followed", variant, made, case_id=case.id,
                     recommendation_id=earlier)
        return True

    attempt(world, day, last, act, variant)


def _recommend_again(world: World, case: Case, made: date, rec: str, due: date,
                     repeats: str | None, final: bool) -> None:
    """One of the repeated recommendations: declined by its due day, the last completed."""
    again: dict[str, Any] = {} if repeats is None else {"repeats": repeats}

    def make(on: date) -> None:
        world.emit(on, "make_recommendation", actor=case.iro, case_id=case.id,
                   recommendation_id=rec, due_on=due,
                   text="Agree where the young person will live after 18.", **again)

    def answer(on: date) -> None:
        world.emit(on, "record_recommendation_outcome", actor=world.anyone("team_manager", on),
                   case_id=case.id, recommendation_id=rec,
                   outcome="completed" if final else "declined",
                   reason="" if final else "No funding agreed.")

    world.at(made, make)
    world.at(due - timedelta(days=world.between(0, 10)), answer)


def decision_without_consultation(world: World) -> None:
    """A move far from home decided without consulting the child (NAIRO's case study: a move of
    100 miles announced at the review)."""
    variant = "decision_without_consultation"
    day, last = when(world, 0.2, 30)

    def act(on: date) -> bool:
        case = pick_case(world, on, 30, variant)
        decision = world.next_id("DEC")
        case.decisions.append(decision)
        world.emit(on, "record_decision", actor=world.anyone("team_manager", on),
                   case_id=case.id, decision_id=decision, kind="placement_move",
                   summary="Move to a residential placement out of the area.",
                   child_consulted=False, iro_consulted=world.chance(0.5),
                   distance_miles=world.between(40, 140))
        world.expect("decision_without_consultation", variant, on, case_id=case.id,
                     decision_id=decision)
        return True

    attempt(world, day, last, act, variant)


def placement_instability(world: World) -> None:
    """Placements breaking down one after another: three emergency moves within five months,
    four placements in a year (the DfE's indicator counts 3 or more)."""
    variant = "placement_instability"
    day, last = when(world, 0.2, 160)

    def act(on: date) -> bool:
        case = pick_case(world, on, 160, variant)
        if case.moved_since(on - timedelta(days=MOVES_APART_DAYS)):
            return False
        keep_in_care(world, case, on)
        days = [on, on + timedelta(days=world.between(30, 60)),
                on + timedelta(days=world.between(70, 150))]
        for move in days:
            world.at(move, lambda d: world.move(
                d, case, world.anyone("team_manager", d), emergency=True, via_review=False,
                iro_consulted=False, summary="The placement broke down; moved the same day."))
        world.expect("placement_instability", variant, days[1], case_id=case.id)
        return True

    attempt(world, day, last, act, variant)


def review_required(world: World) -> None:
    """The IRO requires an early review (reg 33(3)(a)); none is held by the day set."""
    variant = "review_required_not_held"
    day, last = when(world, 0.3, 40)

    def act(on: date) -> bool:
        cases = [c for c in world.cases.values() if c.open_on(on) and not c.reserved
                 and c.reviews and on - timedelta(days=30) <= c.reviews[-1] < on
                 and not world.officers[c.iro].reserved
                 and (c.exit_on is None or c.exit_on > on + timedelta(days=30))]
        # A child just entered care will not have a review for at least 6 working days.
        case = world.rng.choice(cases) if cases else enter_care(world, on, None)
        case.reserved = True
        case.tags.add("review_overdue")
        hold_by = add_working_days(on, 5 if cases else 3)
        world.emit(on, "require_review", actor=case.iro, case_id=case.id, officer_id=case.iro,
                   reason="The placement is at risk of breaking down.", hold_by=hold_by)
        world.expect("review_overdue", variant, hold_by + timedelta(days=1), case_id=case.id)
        return True

    attempt(world, day, last, act, variant)


def part_time_caseload(world: World) -> None:
    """A half-time IRO given 40 children: 80 per full-time post, past the Handbook's 50-70."""
    variant = "caseload_excess_part_time"
    day = world.end - timedelta(days=world.between(70, 90))

    def act(on: date) -> None:
        officer = world.register(on, "iro", reserved=True, fte=0.5)
        for number in range(40):
            world.at(on + timedelta(days=number * 20 // 40),
                     lambda d: enter_care(world, d, None, officer.id), priority=1)
        entry = world.expect("caseload_excess", variant, on, officer_id=officer.id)
        entry["as_of"] = None  # the first day above the limit, worked out at the end
        world.planted.append(variant)

    world.at(day, act)


Planter = Callable[[World], None]
PLANTERS: dict[str, Planter] = {
    "permission_required": permission_required,
    "disciplinary_after_challenge": lambda w: disputes.disciplinary(w, 1),
    "disciplinary_after_challenge_twice": lambda w: disputes.disciplinary(w, 2),
    "reallocation_after_challenge": lambda w: disputes.reallocation(w, False),
    "reallocation_while_open": lambda w: disputes.reallocation(w, True),
    "engagement_ended_after_challenge": disputes.contract_ended,
    "engagement_ended_dismissed": lambda w: disputes.contract_ended(w, "dismissed"),
    "engagement_ended_moved_role_concern": lambda w: disputes.contract_ended(
        w, "moved_role", after="concern"),
    "disciplinary_after_concern": lambda w: disputes.threatened(w, "after_concern"),
    "disciplinary_long_after": lambda w: disputes.threatened(w, "long_after"),
    "disciplinary_linked": lambda w: disputes.threatened(w, "linked"),
    "engagement_ended_after_report_dispute": lambda w: _report(
        w, "post_deleted", "engagement_ended_after_report_dispute", 200),
    "suppressed_withdrawn_after_instruction": disputes.withdrawn_after_instruction,
    "suppressed_stalled": lambda w: disputes.stalled(w, False),
    "suppressed_stalled_at_stage": lambda w: disputes.stalled(w, True),
    "suppressed_stalled_in_total": disputes.drifting,
    "suppressed_closed_without_outcome": disputes.closed_under_challenge,
    "report_edit_requested": lambda w: _report(w, "edit_requested", "report_edit_requested", 40),
    "report_withheld": lambda w: _report(w, "withheld", "report_withheld", 40),
    "report_altered_submission": lambda w: _report(
        w, "altered_submission", "report_altered_submission", 40),
    "plan_changed_without_review": plan_changed,
    "review_overdue_after_0": lambda w: review_overdue(w, 0),
    "review_overdue_after_1": lambda w: review_overdue(w, 1),
    "review_overdue_after_2": lambda w: review_overdue(w, 2),
    "caseload_excess": caseload_excess,
    "caseload_excess_part_time": part_time_caseload,
    "iro_churn": iro_churn,
    "recommendation_lapsed": recommendation_lapsed,
    "recommendation_repeated": recommendation_repeated,
    "decision_without_consultation": decision_without_consultation,
    "placement_instability": placement_instability,
    "review_required_not_held": review_required,
}
"""Every variant, by name: several for rules with several forms."""
LATER_VARIANTS: dict[str, Planter] = {
    "suppressed_withdrawn_after_threat": disputes.withdrawn_after_threat,
    "disciplinary_after_pressed_again": variations.threat_after_pressed_again,
    "reallocation_after_concern": variations.reallocation_after_concern,
    "disciplinary_concluded_only": variations.concluded_only,
    "recommendation_repeated_naming_first": lambda w: recommendation_repeated(w, True),
    "instruction_stood": instructions.stood,
    "instruction_challenge_not_pursued": instructions.not_pursued,
    "suppressed_withdrawn_while_instructed": instructions.withdrawn_while_in_force,
    "review_overdue_chaired_by_social_worker": variations.review_by_social_worker,
    "review_overdue_short_breaks": variations.short_breaks_unreviewed,
    "recommendation_recorded_lapsed": variations.recommendation_recorded_lapsed,
    "suppressed_stalled_case_closure": variations.closure_challenged,
}
"""Variants added after histories were first generated: planted after all the others, and
drawn for only when something is planted, so a history without patterns is as it was."""
REPORT_VARIANTS = ["report_altered_submission", "report_edit_requested", "report_withheld"]


def plant(world: World, rate: float) -> None:
    """Plant each variant `rate` times on average (the whole part always, the fraction by
    chance). The report variants compete for the authority's report years, so each
    authority takes them in a different order, spreading them across authorities."""
    names = [n for n in PLANTERS if n not in REPORT_VARIANTS]  # post_deleted first: it
    shift = world.index % len(REPORT_VARIANTS)  # needs an early year, the others any
    names += REPORT_VARIANTS[shift:] + REPORT_VARIANTS[:shift]
    for name in names:
        count = math.floor(rate) + (1 if world.rng.random() < rate - math.floor(rate) else 0)
        for _ in range(count):
            PLANTERS[name](world)
    if rate <= 0:
        return
    for planter in LATER_VARIANTS.values():
        count = math.floor(rate) + (1 if world.rng.random() < rate - math.floor(rate) else 0)
        for _ in range(count):
            planter(world)
