"""Group commit: the commands a process is given at the same moment, stored in one transaction.

Each writer thread hands its request in and waits. One of them, the leader, takes every
request waiting, runs them together (`run`: one unit of work, one transaction, one lock, one
fsync) and hands each its own result; the others wait while it works, so the next group
gathers on its own while this one commits. No thread of its own and no timer: a lone
command is led by its own thread at once, so nothing waits for company.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

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


class GroupCommit(Generic[Q, A]):
    """Runs concurrent requests together through `run`, which answers each in order."""

    def __init__(self, run: Callable[[Sequence[Q]], Sequence[A]],
                 max_group: int = MAX_GROUP) -> None:
        self._run = run
        self._max = max_group
        self._waiting: list[_Slot[Q, A]] = []
        self._leading = False
        self._turn = threading.Condition()
        self.groups = 0
        """Groups run so far (for telemetry and tests)."""

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
                self._leading = True
                group, self._waiting = self._waiting[:self._max], self._waiting[self._max:]
            try:
                self._lead(group)
            finally:
                with self._turn:
                    self._leading = False
                    self._turn.notify_all()
        if slot.failure is not None:
            raise slot.failure
        assert slot.answer is not None
        return slot.answer

    def _lead(self, group: list[_Slot[Q, A]]) -> None:
        self.groups += 1
        try:
            answers = self._run([slot.request for slot in group])
        except BaseException as failure:  # every member hears of what stopped the group
            for slot in group:
                slot.failure, slot.done = failure, True
            return
        for slot, answer in zip(group, answers, strict=True):
            slot.answer, slot.done = answer, True
