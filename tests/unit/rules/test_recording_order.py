"""Flags judge valid time: the order in which a history's facts were recorded must not matter.

Records are often made late (an IRO records on Friday what happened on Monday), so any order
in which the same facts could have been recorded must give the same flags as of any day.
Withdrawn flags (a late record showed they never applied) are left out of what is compared:
they exist because of the order, and `RulesEngine.flags` lists them only when asked.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from iro_ledger.domain.errors import DomainError
from iro_ledger.projections.rules.flag import Flag
from tests.unit.rules.orders import (
    ACTS,
    SPAN_DAYS,
    START,
    Act,
    carry_out,
    engine_of,
    history,
    opening,
    recording_order,
    seen,
)
from tests.unit.rules.story import Story

_DAYS = (st.integers(min_value=0, max_value=SPAN_DAYS + 200)
         .map(lambda n: (START + timedelta(days=n), START + timedelta(days=SPAN_DAYS + 400))))
_FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _with_ids(flags: list[Flag]) -> list[tuple[Any, ...]]:
    return sorted((f.id, f.status, f.raised_on) for f in flags)


@settings(_FAST, max_examples=400)
@given(acts=st.lists(ACTS, min_size=10, max_size=40), data=st.data(), days=_DAYS)
def test_flags_are_the_same_whatever_order_the_records_were_made_in(
        acts: list[Act], data: st.DataObject, days: tuple[Any, ...]) -> None:
    events = history(acts).events
    priorities = data.draw(st.permutations(range(len(events))), label="priorities")
    as_recorded, reordered = engine_of(events), engine_of(recording_order(events, priorities))
    for day in days:
        assert seen(reordered.flags(day)) == seen(as_recorded.flags(day)), day
        # Ids are made from each record's own event numbers, so they do not move either.
        assert _with_ids(reordered.flags(day)) == _with_ids(as_recorded.flags(day)), day


def _carried_out(acts: list[Act]) -> tuple[Story, Counter[Act]]:
    story, done = opening(), Counter[Act]()
    for act in acts:
        before = len(story.events)
        try:
            carry_out(story, act)
        except (DomainError, KeyError):
            continue
        if len(story.events) > before:
            done[act] += 1
    return story, done


@settings(_FAST, max_examples=150)
@given(acts=st.lists(ACTS.filter(lambda act: "its_iro" not in act), min_size=10, max_size=40),
       data=st.data(), days=_DAYS)
def test_flags_are_the_same_whatever_order_one_records_events_were_made_in(
        acts: list[Act], data: st.DataObject, days: tuple[Any, ...]) -> None:
    """The same acts done in another order: late events on the same record as well."""
    story, done = _carried_out(acts)
    other, other_done = _carried_out(data.draw(st.permutations(acts), label="order"))
    assume(done == other_done)  # the domain refused the same acts: the same facts
    # Two events on one record on one day are ordered only by that record: not compared.
    made = [(e.originator_id, e.occurred_on) for e in story.events[len(opening().events):]]
    assume(len(made) == len(set(made)))
    first, second = engine_of(story.events), engine_of(other.events)
    for day in days:
        assert seen(second.flags(day)) == seen(first.flags(day)), day
