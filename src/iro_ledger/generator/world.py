"""One simulated authority: its people, cases and challenges, a calendar of what happens next,
and the commands its life writes, in the order it lived them.

Every change of state is made by a callback run on its own day, in date order, so each
callback sees the authority exactly as it stands that day. The guards here (`can_move`,
`instructed`) are what keeps a healthy life from raising any flag of the rules catalogue.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from iro_ledger.generator.people import People
from iro_ledger.generator.workdays import add_months

# Phases order a day's commands so that nothing refers to a record made later that day.
REGISTER, OPEN, ACT, CLOSE, END = 0, 1, 2, 3, 4

MOVE_AFTER_CHALLENGE_DAYS = 100
"""A case leaves an IRO only this long after their last challenge on it (the rule says 90)."""
CHURN_WINDOW_MONTHS = 14
"""No case has three IROs within this many months (the rule says 12)."""
WITHDRAW_AFTER_INSTRUCTION_DAYS = 40
"""No healthy withdrawal this soon after an instruction to its officer (the rule says 30)."""
NEW_IRO_AT = 50
"""A new IRO is engaged when every IRO holds this many cases (caseload rule: above 70)."""
RETALIATION_GUARD_DAYS = 400
"""No healthy disciplinary action, or ending counted as retaliation, this soon after an
officer's challenge or concern (the rules look back 366 days)."""
MOVES_APART_DAYS = 400
"""No healthy placement move this soon after the case's last one (placement instability:
3 placements, that is 2 moves, within 12 months)."""


@dataclass
class Officer:
    id: str
    role: str
    employment: str
    since: date
    ended_on: date | None = None
    reserved: bool = False
    """Owned by a planted pattern: no departure, no transfers in, no other pattern."""
    quiet: bool = False
    """Raises no background challenges."""
    tags: set[str] = field(default_factory=set)
    """Rules whose patterns are planted on this officer (so no two plant the same flag)."""
    quiet_until: date | None = None
    """Raises no challenge up to this day (disciplinary action unrelated to challenges)."""
    fte: float | None = None
    """The share of a full-time post, where registered with one."""

    def quiet_on(self, day: date) -> bool:
        return self.quiet or (self.quiet_until is not None and day <= self.quiet_until)

    def engaged_on(self, day: date) -> bool:
        return self.since <= day and (self.ended_on is None or day < self.ended_on)


@dataclass
class Assignment:
    day: date
    officer: str
    reason: str


@dataclass
class Challenge:
    id: str
    case_id: str
    officer: str
    raised: date
    stage: str = "informal"
    ended_on: date | None = None
    """The day it was resolved or withdrawn; None while the protocol runs."""


@dataclass
class Case:
    id: str
    entered: date
    exit_on: date | None
    """When the child is to leave care; None when they stay beyond the history."""
    assignments: list[Assignment] = field(default_factory=list)
    reviews: list[date] = field(default_factory=list)
    challenges: list[Challenge] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    closed_on: date | None = None
    reserved: bool = False
    """Owned by a planted pattern: no background reassignment or challenge, no second pattern."""
    keep_open: bool = False
    reviews_stop: bool = False
    chain_stopped: bool = False
    """No review is scheduled (the child was expected to leave first)."""
    forced_iro: str | None = None
    reviews_until: int | None = None
    """Reviews stop once this many have been held (a planted overdue review)."""
    when_reviews_stop: Callable[[], bool] | None = None
    """Asked when that many have been held: whether they stop after all."""
    tags: set[str] = field(default_factory=set)
    """Patterns planted on the case (so no two plant the same flag)."""
    moves: list[date] = field(default_factory=list)
    """Days its placement changed."""

    def moved_since(self, day: date) -> bool:
        return any(m >= day for m in self.moves)

    @property
    def iro(self) -> str:
        return self.assignments[-1].officer

    def open_on(self, day: date) -> bool:
        return self.entered <= day and (self.closed_on is None or day < self.closed_on)

    def open_challenge(self) -> bool:
        return any(c.ended_on is None for c in self.challenges)


@dataclass
class HeldBack:
    """A planted instruction to withdraw or not to escalate a challenge, while in force."""

    given: date
    to: list[str]
    rescinded: date | None = None

    def on(self, officer_id: str, day: date) -> bool:
        return (self.given <= day and (self.rescinded is None or day < self.rescinded)
                and (officer_id in self.to or "all_iros" in self.to))


Step = Callable[[date], object]


class World:
    """The state, calendar and output of one authority."""

    def __init__(self, index: int, la_code: str, name: str, rng: random.Random,
                 start: date, end: date) -> None:
        self.index, self.la_code, self.name = index, la_code, name
        self.rng, self.start, self.end = rng, start, end
        self.people = People(rng)
        self.commands: list[tuple[date, int, int, dict[str, Any]]] = []
        self._queue: list[tuple[date, int, int, Step]] = []
        self._order = 0
        self.officers: dict[str, Officer] = {}
        self.roles: dict[str, list[str]] = {}
        self.cases: dict[str, Case] = {}
        self.challenges: dict[str, Challenge] = {}
        self.instructions: list[tuple[date, list[str]]] = []
        self.held_back: list[HeldBack] = []
        """Planted instructions to drop or hold back challenges: no healthy withdrawal, and no
        resolution against the IRO, while one is in force for them (instruction_in_force)."""
        self.loads: dict[str, int] = {}
        self.counters: dict[str, int] = {}
        self.truth: list[dict[str, Any]] = []
        self.planted: list[str] = []
        self.report_years: dict[int, date] = {}
        """Report year to the day its draft is due; a pattern that takes a year removes it."""
        self.disciplinary_actors: set[str] = set()
        self.concerns: list[tuple[str, date]] = []
        """(officer, day) of each concern raised outside the protocol."""
        self.iro_manager = ""
        self.on_new_iro: list[Callable[[date, Officer], None]] = []

    # Output and calendar

    def emit(self, day: date, command: str, phase: int = ACT, actor: str | None = None,
             **fields: Any) -> None:
        body: dict[str, Any] = {"command": command, "command_id": "", "la_code": self.la_code,
                                "occurred_on": day.isoformat()}
        if actor is not None:
            body["actor"] = actor
        body.update({k: v.isoformat() if isinstance(v, date) else v for k, v in fields.items()})
        self._order += 1
        self.commands.append((day, phase, self._order, body))

    def at(self, day: date, step: Step, priority: int = 2) -> None:
        """Run `step(day)` on `day`, if that is within the history."""
        if day <= self.end:
            self._order += 1
            heapq.heappush(self._queue, (day, priority, self._order, step))

    def run(self) -> None:
        while self._queue:
            day, _, _, step = heapq.heappop(self._queue)
            step(day)

    def next_id(self, prefix: str, width: int = 5) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}-{self.counters[prefix]:0{width}d}"

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    # People

    def register(self, day: date, role: str, employment: str = "employed",
                 reserved: bool = False, fte: float | None = None) -> Officer:
        officer = Officer(self.people.officer_id(), role, employment, day, reserved=reserved,
                          quiet=reserved, fte=fte)
        self.officers[officer.id] = officer
        self.roles.setdefault(role, []).append(officer.id)
        if role == "iro":
            self.loads[officer.id] = 0
        extra: dict[str, Any] = {} if fte is None else {"fte": fte}
        self.emit(day, "register_officer", REGISTER, officer_id=officer.id, role=role,
                  employment=employment, **extra)
        if role == "iro":
            for hook in self.on_new_iro:
                hook(day, officer)
        return officer

    def anyone(self, role: str, day: date | None = None) -> str:
        """An engaged officer of `role` (the first registered when several are)."""
        ids = [o for o in self.roles[role]
               if day is None or self.officers[o].engaged_on(day)]
        return self.rng.choice(ids)

    def iros(self, day: date) -> list[Officer]:
        return [self.officers[o] for o in self.roles.get("iro", ())
                if self.officers[o].engaged_on(day)]

    # Caseloads and allocation

    def pick_iro(self, day: date, exclude: tuple[str, ...] = (), transfer: bool = False) -> str:
        """The least loaded engaged IRO; a new one is engaged when all are at NEW_IRO_AT."""
        candidates = [o for o in self.iros(day) if o.id not in exclude
                      and (o.ended_on is None) and not (transfer and o.reserved)]
        best = min(candidates, key=lambda o: (self.loads[o.id], o.id), default=None)
        if best is None or self.loads[best.id] >= NEW_IRO_AT:
            employment = self.rng.choices(("employed", "agency", "freelance"), (8, 1, 1))[0]
            best = self.register(day, "iro", employment)
        return best.id

    def assign(self, day: date, case: Case, officer_id: str, reason: str) -> None:
        if case.assignments:
            self.loads[case.iro] -= 1
        case.assignments.append(Assignment(day, officer_id, reason))
        self.loads[officer_id] += 1
        self.emit(day, "assign_iro", actor=self.iro_manager, case_id=case.id,
                  officer_id=officer_id, reason=reason)

    def close(self, day: date, case: Case, reason: str, actor: str) -> None:
        case.closed_on = day
        self.loads[case.iro] -= 1
        self.emit(day, "close_case", CLOSE, actor=actor, case_id=case.id, reason=reason)

    # Guards that keep a healthy life healthy

    def can_move(self, case: Case, day: date) -> bool:
        """Whether taking `case` from its IRO on `day` would look like neither retaliation
        (a recent or open challenge of theirs on it) nor churn (a third IRO within a year)."""
        if case.reserved or not case.open_on(day):
            return False
        recent = day - timedelta(days=MOVE_AFTER_CHALLENGE_DAYS)
        if any(c.officer == case.iro and (c.ended_on is None or c.raised >= recent)
               for c in case.challenges):
            return False
        return self.iros_within(case, day, CHURN_WINDOW_MONTHS) <= 1

    def iros_within(self, case: Case, day: date, months: int) -> int:
        """Distinct IROs holding the case on any day of the `months` before `day`."""
        start = add_months(day, -months)
        held = case.assignments
        within = {a.officer for i, a in enumerate(held)
                  if a.day <= day and (i + 1 == len(held) or held[i + 1].day > start)}
        return len(within)

    def instructed(self, officer_id: str, day: date) -> bool:
        """Whether an instruction reached the officer within the withdrawal guard's window."""
        since = day - timedelta(days=WITHDRAW_AFTER_INSTRUCTION_DAYS)
        return any(since <= given <= day and (officer_id in to or "all_iros" in to)
                   for given, to in self.instructions)

    def held_back_on(self, officer_id: str, day: date) -> bool:
        """Whether a planted instruction to drop or hold back challenges binds the officer."""
        return any(held.on(officer_id, day) for held in self.held_back)

    def challenged_since(self, officer_id: str, day: date) -> bool:
        """Whether the officer raised a challenge, or a concern outside the protocol, since."""
        return (any(c.officer == officer_id and c.raised >= day
                    for c in self.challenges.values())
                or any(o == officer_id and on >= day for o, on in self.concerns))

    def move(self, day: date, case: Case, actor: str, **fields: Any) -> None:
        """A placement move (how the plan changed is in `fields`)."""
        case.moves.append(day)
        self.emit(day, "revise_care_plan", actor=actor, case_id=case.id,
                  change="placement_move", **fields)

    # Truth

    def expect(self, rule: str, pattern: str, on: date, **subjects: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"rule": rule, "la_code": self.la_code, "subjects": subjects,
                                 "as_of": on.isoformat(), "pattern": pattern}
        self.truth.append(entry)
        return entry
