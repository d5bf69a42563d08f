"""Small random histories, and the other orders in which their facts could have been recorded.

A history is a list of acts (a fictional authority's IROs, cases, challenges, instructions and
annual report), carried out on the real aggregates in list order with random valid dates, so
it is already full of late records. `recording_order` reorders its events as another recorder
might have: each record's events keep their order, and a record's first event comes before
anything that refers to it (its case, its officer, the officer an event names as its actor).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from hypothesis import strategies as st

from iro_ledger.domain.errors import DomainError
from iro_ledger.domain.record import LedgerRecord, record_id
from iro_ledger.projections.rules.engine import RulesEngine
from iro_ledger.projections.rules.flag import Flag
from tests.unit.rules.story import LA, Story, envelopes

START = date(2024, 1, 8)
SPAN_DAYS = 240
IROS = ("iro-ann", "iro-ben", "iro-cat")
CASES = ("c1", "c2")
HOWS = ("contract_terminated", "post_deleted", "redundancy", "resigned")
KINDS = ("permission_before_challenge", "withdraw_challenge", "do_not_escalate", "other")


def on(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


def opening() -> Story:
    story = Story(since="2024-01-02")
    for ref in IROS:
        story.officer(ref, employment="freelance" if ref == "iro-cat" else "employed",
                      on="2024-01-02")
    story.officer("irom-ola", role="iro_manager", on="2024-01-02")
    story.officer("mgr-ada", role="team_manager", on="2024-01-02")
    story.officer("dir-moss", role="director", on="2024-01-02")
    for case, iro in zip(CASES, IROS, strict=False):
        story.case(case, "2024-01-03", iro=iro)
    story.draft_report("ar-1", "irom-ola", "2024-01-05")
    return story


Act = tuple[Any, ...]
"""One act as data, e.g. ("assign", "c1", "iro-ben", 40): readable when hypothesis shrinks."""
_day = st.integers(min_value=0, max_value=SPAN_DAYS)
_soon = st.integers(min_value=0, max_value=100)
"""Days after the record an act follows up, so that most follow-ups are valid."""
_iro = st.sampled_from(IROS)
_case = st.sampled_from(CASES)
_challenge = st.sampled_from(("ch-1", "ch-2", "ch-3"))
_instruction = st.sampled_from(("ins-1", "ins-2"))

_follow_up = st.tuples(st.sampled_from(("respond", "escalate", "resolve", "withdraw",
                                        "refer_to_cafcass", "resolve", "withdraw")),
                      _challenge, _soon)

ACTS: st.SearchStrategy[Act] = st.one_of(
    st.tuples(st.just("assign"), _case, _iro, _day),
    st.tuples(st.just("assign"), _case, _iro, _day),
    st.tuples(st.just("challenge"), _challenge, _case, _iro, _day),
    st.tuples(st.just("challenge"), _challenge, _case, st.just("its_iro"), _day),
    _follow_up, _follow_up,
    st.tuples(st.just("close"), _case, st.sampled_from(("mgr-ada", *IROS)),
              st.integers(min_value=SPAN_DAYS // 3, max_value=SPAN_DAYS)),
    st.tuples(st.just("discipline"), _iro, st.sampled_from(("threatened", "started")),
              st.sampled_from(("mgr-ada", "dir-moss")), _day),
    st.tuples(st.just("end_engagement"), st.sampled_from((*IROS, "irom-ola")),
              st.sampled_from(HOWS), _day),
    st.tuples(st.just("instruct"), _instruction, st.sampled_from(KINDS),
              st.sampled_from((*IROS, "all_iros")), _day),
    st.tuples(st.just("rescind"), _instruction, _soon),
    st.tuples(st.just("revise_plan"), _case, st.sampled_from(("placement_move", "contact")),
              st.booleans(), st.booleans(), _day),
    st.tuples(st.just("review"), _case, _iro, _day),
    st.tuples(st.just("request_edit"), st.sampled_from(("dir-moss", "mgr-ada", "irom-ola")),
              _day),
    st.tuples(st.just("revise_report"), st.sampled_from(("irom-ola", "dir-moss")),
              st.sampled_from(("v2", "v3")), _day),
    st.tuples(st.just("submit_report"), st.sampled_from(("v1", "v2", "v3")), _day),
    st.tuples(st.just("withhold_report"), _day),
)


def _after(record: LedgerRecord, days: int) -> str:
    return (record.began_on + timedelta(days=days)).isoformat()


def carry_out(s: Story, act: Act) -> None:
    name, *args = act
    if name == "assign":
        s.assign(args[0], args[1], on(args[2]))
    elif name == "challenge" and args[0] not in s.challenges:
        officer = s.cases[args[1]].iro if args[2] == "its_iro" else args[2]
        s.challenge(args[0], args[1], officer or IROS[0], on(args[3]))
    elif name in ("respond", "resolve", "withdraw", "refer_to_cafcass"):
        getattr(s, name)(args[0], _after(s.challenges[args[0]], args[1]))
    elif name == "escalate":
        s.escalate(args[0], "stage_1", _after(s.challenges[args[0]], args[1]))
    elif name == "close":
        s.close(args[0], on(args[2]), actor=args[1])
    elif name == "discipline":
        s.discipline(args[0], args[1], on(args[3]), actor=args[2])
    elif name == "end_engagement":
        s.end_engagement(args[0], args[1], on(args[2]))
    elif name == "instruct" and args[0] not in s.instructions:
        s.instruct(args[0], args[1], [args[2]], on(args[3]))
    elif name == "rescind":
        s.rescind(args[0], _after(s.instructions[args[0]], args[1]))
    elif name == "revise_plan":
        s.revise_plan(args[0], on(args[4]), args[1], args[2], args[3])
    elif name == "review":
        s.review(args[0], on(args[2]), chair=args[1])
    elif name == "request_edit":
        s.request_edit("ar-1", on(args[1]), actor=args[0])
    elif name == "revise_report":
        s.revise_report("ar-1", on(args[2]), actor=args[0], content=args[1])
    elif name == "submit_report":
        s.submit_report("ar-1", on(args[1]), content=args[0])
    elif name == "withhold_report":
        s.withhold_report("ar-1", on(args[0]))


def history(acts: Sequence[Act]) -> Story:
    """The opening, then each act the domain accepts, in the order given."""
    story = opening()
    for act in acts:
        # Refused, or about a record not yet made: a recorder could not have done it.
        with suppress(DomainError, KeyError):
            carry_out(story, act)
    return story


# Other recording orders


def _named(event: Any) -> list[UUID]:
    """The records an event refers to besides its own."""
    refs: list[tuple[str, str]] = [("officer", str(event.actor))]
    for field, kind in (("officer_id", "officer"), ("previous_officer_id", "officer"),
                        ("chaired_by", "officer"), ("author", "officer"), ("case_id", "case")):
        value = getattr(event, field, None)
        if value:
            refs.append((kind, str(value)))
    refs += [("officer", to) for to in getattr(event, "issued_to", [])]
    return [record_id(kind, LA, ref) for kind, ref in refs]


def recording_order(events: Sequence[Any], priorities: Sequence[int]) -> list[Any]:
    """The events reordered by `priorities` (lowest first) as far as recording allows.

    An event is ready once the event before it on its record is recorded and once every
    record it names that already existed when it was first recorded is; among ready events the
    lowest priority goes first. The authority's registration always comes first.
    """
    firsts = {e.originator_id: i for i, e in enumerate(events)
              if isinstance(e, LedgerRecord.Created)}
    needs: list[set[int]] = []
    last_on_record: dict[UUID, int] = {}
    for index, event in enumerate(events):
        need = set()
        if event.originator_id in last_on_record:
            need.add(last_on_record[event.originator_id])
        need |= {firsts[r] for r in _named(event) if firsts.get(r, index) < index}
        if index:
            need.add(0)
        needs.append(need)
        last_on_record[event.originator_id] = index
    done: set[int] = set()
    order: list[Any] = []
    while len(order) < len(events):
        ready = [i for i in range(len(events)) if i not in done and needs[i] <= done]
        chosen = min(ready, key=lambda i: (priorities[i], i))
        done.add(chosen)
        order.append(events[chosen])
    return order


def engine_of(events: Sequence[Any]) -> RulesEngine:
    """An engine fed `events` in the order given, at store positions 1, 2, ..."""
    engine = RulesEngine()
    for env in envelopes(events):
        engine.apply(env)
    return engine


def seen(flags: Sequence[Flag]) -> list[tuple[Any, ...]]:
    """What a reader sees of each flag, without ids or store positions: sorted, with repeats."""
    return sorted((f.rule, f.la_code, tuple(sorted(f.subjects.items())), f.status, f.raised_on,
                   f.severity, f.cleared_on) for f in flags)
