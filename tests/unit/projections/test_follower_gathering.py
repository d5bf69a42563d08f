"""The worker gathers: events announced soon after one another are applied as one batch."""

from __future__ import annotations

import queue
import threading

from eventsourcing.persistence import Notification

from iro_ledger.projections.runner import _END, _take


def _note(position: int) -> Notification:
    return Notification(id=position, originator_id=f"rec-{position}", originator_version=1,
                        topic="t", state=b"{}")


def test_events_arriving_while_the_worker_gathers_join_the_same_batch() -> None:
    inbox: queue.Queue[object] = queue.Queue()
    inbox.put(_note(1))
    late = threading.Timer(0.05, lambda: [inbox.put(_note(p)) for p in (2, 3)])
    late.start()
    batch = _take(inbox, most=3, gather=30.0)  # returns as soon as the batch is full
    late.join()
    assert [n.id for n in batch] == [1, 2, 3]


def test_without_gathering_only_the_waiting_events_are_taken() -> None:
    inbox: queue.Queue[object] = queue.Queue()
    inbox.put(_note(1))
    batch = _take(inbox, most=10, gather=0.0)
    inbox.put(_note(2))
    assert [n.id for n in batch] == [1]
    assert [n.id for n in _take(inbox, most=10)] == [2]


def test_the_end_of_the_subscription_stops_the_gathering_after_the_batch() -> None:
    inbox: queue.Queue[object] = queue.Queue()
    inbox.put(_note(1))
    inbox.put(_END)
    assert [n.id for n in _take(inbox, most=10, gather=30.0)] == [1]
    assert _take(inbox, most=10, gather=30.0) == []


def test_a_worker_waiting_longer_than_its_idle_time_is_told_nothing_came() -> None:
    inbox: queue.Queue[object] = queue.Queue()
    assert _take(inbox, most=10, gather=30.0, wait=0.01) is None  # idle work, then wait again
    inbox.put(_note(4))
    assert [n.id for n in _take(inbox, most=10, wait=0.01) or []] == [4]
