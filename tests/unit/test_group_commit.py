"""GroupCommit: requests that arrive while a group is being stored form the next group."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from iro_ledger.application.group_commit import GroupCommit


class Store:
    """Answers each request with its double; the first group waits until told to go on."""

    def __init__(self) -> None:
        self.groups: list[list[int]] = []
        self.go_on = threading.Event()

    def run(self, requests: Sequence[int]) -> list[int]:
        self.groups.append(list(requests))
        if len(self.groups) == 1:
            assert self.go_on.wait(timeout=30)
        if -1 in requests:
            raise OSError("the store went away")
        return [2 * r for r in requests]


def submit_all(group: GroupCommit[int, int], store: Store,
               requests: list[int]) -> dict[int, int | BaseException]:
    answers: dict[int, int | BaseException] = {}

    def submit(request: int) -> None:
        try:
            answers[request] = group.submit(request)
        except OSError as failure:
            answers[request] = failure

    first = threading.Thread(target=submit, args=(requests[0],))
    first.start()
    while not store.groups:  # the first request is being stored, alone
        threading.Event().wait(0.001)
    rest = [threading.Thread(target=submit, args=(r,)) for r in requests[1:]]
    for thread in rest:
        thread.start()
    while len(group._waiting) < len(rest):  # all the others wait behind it
        threading.Event().wait(0.001)
    store.go_on.set()
    for thread in [first, *rest]:
        thread.join()
    return answers


def test_requests_waiting_behind_a_commit_are_stored_together_each_with_its_answer() -> None:
    store = Store()
    group: GroupCommit[int, int] = GroupCommit(store.run)

    answers = submit_all(group, store, [1, 2, 3, 4, 5])

    assert answers == {1: 2, 2: 4, 3: 6, 4: 8, 5: 10}
    assert store.groups[0] == [1]
    assert sorted(store.groups[1]) == [2, 3, 4, 5]
    assert len(store.groups) == 2


def test_a_group_larger_than_the_limit_is_stored_in_turns() -> None:
    store = Store()
    group: GroupCommit[int, int] = GroupCommit(store.run, max_group=2)

    answers = submit_all(group, store, [1, 2, 3, 4, 5])

    assert answers == {1: 2, 2: 4, 3: 6, 4: 8, 5: 10}
    assert [len(g) for g in store.groups] == [1, 2, 2]


def test_a_failure_of_the_whole_group_reaches_each_member_and_no_other_group() -> None:
    store = Store()
    group: GroupCommit[int, int] = GroupCommit(store.run)

    answers = submit_all(group, store, [7, -1, 3])

    assert answers[7] == 14
    assert isinstance(answers[-1], OSError) and isinstance(answers[3], OSError)
    with pytest.raises(OSError):
        group.submit(-1)
    assert group.submit(4) == 8


def test_requests_from_an_event_loop_wait_as_futures_and_are_stored_together() -> None:
    store = Store()
    group: GroupCommit[int, int] = GroupCommit(store.run)

    async def main() -> list[int | BaseException]:
        first = group.submit_async(1)
        while not store.groups:  # the committer thread is storing the first, alone
            await asyncio.sleep(0.001)
        rest = [group.submit_async(r) for r in (2, -1, 4)]
        store.go_on.set()
        return list(await asyncio.gather(first, *rest, return_exceptions=True))

    answers = asyncio.run(main())
    group.close()

    assert answers[0] == 2
    assert all(isinstance(a, OSError) for a in answers[1:])  # -1 failed its whole group
    assert store.groups == [[1], [2, -1, 4]]
    assert group.submit(5) == 10  # a thread still leads its own request afterwards


def test_an_event_loop_and_threads_share_groups() -> None:
    store = Store()
    group: GroupCommit[int, int] = GroupCommit(store.run)
    threaded: dict[int, int] = {}

    async def main() -> list[int]:
        first = group.submit_async(1)
        while not store.groups:
            await asyncio.sleep(0.001)
        thread = threading.Thread(target=lambda: threaded.update({3: group.submit(3)}))
        thread.start()
        while len(group._waiting) < 1:
            await asyncio.sleep(0.001)
        second = group.submit_async(2)
        store.go_on.set()
        answers = list(await asyncio.gather(first, second))
        thread.join()
        return answers

    answers = asyncio.run(main())
    group.close()

    assert answers == [2, 4] and threaded == {3: 6}
    assert store.groups[0] == [1]
    assert sorted(store.groups[1]) == [2, 3]
