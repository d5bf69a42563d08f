"""Helpers the planted patterns share: when to plant, retrying until a target exists, and
choosing a case and IRO that no other pattern (and no background event) will disturb."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from iro_ledger.generator.history import enter_care
from iro_ledger.generator.world import Case, World

RETRY_DAYS = 10


def when(world: World, into: float, tail_days: int) -> tuple[date, date]:
    """A day at least `into` of the way through the history and `tail_days` before its end,
    and the last day a retry may use."""
    span = (world.end - world.start).days
    first = world.start + timedelta(days=int(span * into))
    last = world.end - timedelta(days=tail_days)
    if last <= first:  # a short history: as late as it allows, but never before it began
        last = max(last, world.start + timedelta(days=1))
        return last, last
    return first + timedelta(days=world.between(0, (last - first).days)), last


def attempt(world: World, day: date, last: date, act: Callable[[date], bool],
            variant: str) -> None:
    """Run `act` on `day`; while it finds no target, try again every RETRY_DAYS until `last`."""
    def step(on: date) -> None:
        if act(on):
            world.planted.append(variant)
        elif on + timedelta(days=RETRY_DAYS) <= last:
            world.at(on + timedelta(days=RETRY_DAYS), step)

    world.at(day, step)


def pick_case(world: World, day: date, horizon_days: int, rule: str,
              movable: bool = False) -> Case:
    """An open case with no challenge running, the child staying at least `horizon_days`,
    whose IRO has no pattern of `rule` yet; `movable` when the pattern will reassign it. The
    case is reserved for the pattern: nothing else moves it, challenges on it or plants on it
    (and so its IRO does not leave while it is theirs)."""
    horizon = day + timedelta(days=horizon_days)
    found = []
    for case in world.cases.values():
        if (case.reserved or not case.open_on(day) or case.open_challenge()
                or (case.exit_on is not None and case.exit_on <= horizon)):
            continue
        officer = world.officers[case.iro]
        if (officer.reserved or officer.quiet_on(day) or officer.ended_on is not None
                or rule in officer.tags):
            continue
        if movable and not world.can_move(case, day):
            continue
        found.append(case)
    case = world.rng.choice(found) if found else _new_child(world, day, rule)
    case.reserved = True
    world.officers[case.iro].tags.add(rule)
    return case


def _new_child(world: World, day: date, rule: str) -> Case:
    """When no case will do (a small authority), a child entering care today, allocated to an
    IRO free for the pattern (a newly engaged one if none is)."""
    free = [o for o in world.iros(day) if not (o.reserved or o.quiet_on(day)
                                               or o.ended_on is not None or rule in o.tags)]
    officer = min(free, key=lambda o: (world.loads[o.id], o.id)) if free else None
    return enter_care(world, day, None, (officer or world.register(day, "iro")).id)


def fresh_manager(world: World, day: date) -> str | None:
    """A senior manager who has taken no disciplinary action yet (so that a single planted
    action is never a second one by the same actor)."""
    for role in ("head_of_service", "director", "service_manager", "team_manager"):
        for officer_id in world.roles[role]:
            if (officer_id not in world.disciplinary_actors
                    and world.officers[officer_id].engaged_on(day)):
                world.disciplinary_actors.add(officer_id)
                return officer_id
    return None
