"""Group commit: the commands a process is given at the same moment, stored in one transaction.

Each writer thread hands its request in and waits. One of them, the leader, takes every
request waiting, runs them together (`run`: one unit of work, one transaction, one lock, one
fsync) and hands each its own result; the others wait while it works, so the next group
gathers on its own while this one commits. No timer: a lone command is led at once, so
nothing waits for company.

An event loop hands its requests in without a thread each (`submit_async`): they wait as
futures, and one committer thread, started at the first, leads the groups they are in
(threads' requests and the loop's share groups alike). The API's commands come this way, so
a command costs no hop into a thread pool and back.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

Q = TypeVar("Q")
A = TypeVar("A")

MAX_GROUP = 64
"""Requests a leader takes at once; the rest form the next group."""


@dataclass
class _Slot(Generic[Q, A]):
    request: Q
    answer: A | None = None
    failure: BaseException | None = None
    done: bool = False
    future: asyncio.Future[Any] | None = None
    """Set for a request from an event loop: resolved there, in the loop's own thread."""

    def finish(self, answer: A | None, failure: BaseException | None) -> None:
        self.answer, self.failure, self.done = answer, failure, True
        if self.future is not None:
            self.future.get_loop().call_soon_threadsafe(_resolve, self.future, answer, failure)


def _resolve(future: asyncio.Future[Any], answer: Any, failure: BaseException | None) -> None:
    if future.cancelled():  # the client went away; its command was stored all the same
        return
    if failure is not None:
        future.set_exception(failure)
    else:
        future.set_result(answer)


class GroupCommit(Generic[Q, A]):
    """Runs concurrent requests together through `run`, which answers each in order."""

    def __init__(self, run: Callable[[Sequence[Q]], Sequence[A]],
                 max_group: int = MAX_GROUP) -> None:
        self._run = run
        self._max = max_group
        self._waiting: list[_Slot[Q, A]] = []
        self._leading = False
        self._turn = threading.Condition()
        self._committer: threading.Thread | None = None
        self._closed = False
        self.groups = 0
        """Groups run so far (for telemetry and tests)."""

    def submit_async(self, request: Q) -> asyncio.Future[A]:
        """The request's answer (or the exception that failed its group), as a future of
        the running event loop; the committer thread leads its group."""
        future: asyncio.Future[A] = asyncio.get_running_loop().create_future()
        with self._turn:
            self._waiting.append(_Slot(request, future=future))
            if self._committer is None:
                self._committer = threading.Thread(target=self._commit_forever,
                                                   name="group-commit", daemon=True)
                self._committer.start()
            self._turn.notify_all()
        return future

    def close(self) -> None:
        """Let the committer thread end once no loop's request waits (asked again, it starts
        anew)."""
        with self._turn:
            self._closed = True
            self._turn.notify_all()
        committer, self._committer = self._committer, None
        if committer is not None and committer is not threading.current_thread():
            committer.join(timeout=30)
        self._closed = False

    def _commit_forever(self) -> None:
        """Lead every group that holds a request from an event loop (threads lead their own
        when they come first)."""
        while True:
            with self._turn:
                while self._leading or not any(s.future is not None for s in self._waiting):
                    if self._closed and not self._leading:
                        return
                    self._turn.wait()
                group = self._take()
            self._lead_then_hand_on(group)

    def submit(self, request: Q) -> A:
        """The request's own answer; its own exception if `run` failed the whole group."""
        slot: _Slot[Q, A] = _Slot(request)
        with self._turn:
            self._waiting.append(slot)
        while True:
            with self._turn:
                while self._leading and not slot.done:
                    self._turn.wait()
                if slot.done:
                    break
                group = self._take()
            self._lead_then_hand_on(group)
        if slot.failure is not None:
            raise slot.failure
        assert slot.answer is not None
        return slot.answer

    def _take(self) -> list[_Slot[Q, A]]:
        """Become the leader of the next group (the caller holds `_turn`)."""
        self._leading = True
        group, self._waiting = self._waiting[:self._max], self._waiting[self._max:]
        return group

    def _lead_then_hand_on(self, group: list[_Slot[Q, A]]) -> None:
        """Lead the group, then wake the waiters: the next leader, or the answered."""
        try:
            self._lead(group)
        finally:
            with self._turn:
                self._leading = False
                self._turn.notify_all()

    def _lead(self, group: list[_Slot[Q, A]]) -> None:
        self.groups += 1
        try:
            answers = self._run([slot.request for slot in group])
        except BaseException as failure:  # every member hears of what stopped the group
            for slot in group:
                slot.finish(None, failure)
            return
        for slot, answer in zip(group, answers, strict=True):
            slot.finish(answer, None)
