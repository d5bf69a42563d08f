"""Judging the flags of a day from a book, whole or one subject at a time. Pure: no I/O.

`whole` gives what `RulesEngine.flags` gives for one book (the stored flags as they stood on
the day, and the deadline rules' flags judged for it, which replace a stored one of the same
id), each with its *source*: `stored`, or the deadline rule and the subject it judged
(`review_overdue|case:C1`). `of_subject` judges one subject's deadline flags alone, on a view
of the book holding just the records its rules read, so a batch that changed a few cases
re-judges those cases, not the authority. `subjects` says which subjects changed facts bear
on; None when they may bear on any (an officer's or the authority's facts: words and roles
every flag may quote), and then the whole book is judged again.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import date

from iro_ledger.projections.rules.book import Book
from iro_ledger.projections.rules.catalogue import RULES
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.flag import Flag
from iro_ledger.projections.rules.lifecycle import Finding, standing

STORED = "stored"
SUBJECT_OF = {"review_overdue": "case", "recommendation_not_followed": "case",
              "placement_instability": "case", "iro_churn": "case",
              "suppressed_challenge": "challenge", "caseload_excess": "officer",
              "instruction_in_force": "instruction"}
"""The record each deadline rule judges one at a time (its findings' key names its id)."""
DEADLINE = tuple(r for r in RULES if r.as_of is not None)
SUBJECTS_KNOWN = all(r.name in SUBJECT_OF for r in DEADLINE)
"""False when a deadline rule is new here: then every change judges the whole book."""
QUIET = frozenset({"report", "concern", "defeat"})
"""Facts no deadline rule reads: their changes reach the listing as stored flags."""

Judged = tuple[Flag, str]
"""A flag as it stood on the day, and its source."""


def source(rule: str, finding: Finding) -> str:
    kind = SUBJECT_OF.get(rule)
    if kind is None:
        return f"{rule}|?"
    return f"{rule}|{kind}:{finding.key.get(f'{kind}_id', '?')}"


def sources(kind: str, ref: str) -> list[str]:
    """Every source the deadline rules of one subject may give its flags."""
    return [f"{r.name}|{kind}:{ref}" for r in DEADLINE if SUBJECT_OF.get(r.name) == kind]


def whole(book: Book, day: date, config: RulesConfig) -> list[Judged]:
    """Every flag of the book as it stood at the end of `day`, withdrawn ones too."""
    found = {f.id: (f, STORED) for f in (flag.as_of(day) for flag in book.flags.values())
             if f is not None}
    for rule in DEADLINE:
        assert rule.as_of is not None
        for finding in rule.as_of(book, day, config):
            flag = standing(book, rule.name, rule.basis, finding)
            found[flag.id] = (flag, source(rule.name, finding))
    return list(found.values())


def subjects(book: Book, changed: Iterable[tuple[str, str]]) -> set[tuple[str, str]] | None:
    """The subjects (kind, id) whose deadline flags the changed facts (kind, id) bear on; None
    when they may bear on any."""
    if not SUBJECTS_KNOWN:
        return None
    found: set[tuple[str, str]] = set()
    for kind, ref in changed:
        if kind in QUIET:
            continue
        if kind == "instruction":
            found.add(("instruction", ref))
        elif kind == "challenge":
            found.add(("challenge", ref))
            # An instruction's standing names the recipients' challenges open while it stood.
            challenge = book.challenges.get(ref)
            if challenge is not None:
                found.update(("instruction", i.id)
                             for i in book.instructions_for(challenge.officer_id))
        elif kind == "case":
            found.add(("case", ref))
            found.update(("challenge", c) for c in book.challenges_by_case.get(ref, []))
            case = book.cases.get(ref)
            if case is not None:
                found.update(("officer", a.officer_id) for a in case.assignments)
        else:
            return None
    return found


def cases_by_officer(book: Book) -> dict[str, list[str]]:
    """Every case an officer was ever assigned to: what their caseload is counted from."""
    held: dict[str, list[str]] = {}
    for case in book.cases.values():
        for officer_id in dict.fromkeys(a.officer_id for a in case.assignments):
            held.setdefault(officer_id, []).append(case.id)
    return held


def of_subject(book: Book, kind: str, ref: str, day: date, config: RulesConfig,
               held: dict[str, list[str]]) -> list[Judged]:
    """One subject's deadline flags as they stood at the end of `day` (`held`: from
    `cases_by_officer`)."""
    view = copy.copy(book)
    view.challenges, view.cases = {}, {}
    if kind == "case" and ref in book.cases:
        view.cases = {ref: book.cases[ref]}
    elif kind == "challenge" and ref in book.challenges:
        challenge = book.challenges[ref]
        view.challenges = {ref: challenge}
        if challenge.case_id in book.cases:
            view.cases = {challenge.case_id: book.cases[challenge.case_id]}
    elif kind == "officer":
        view.cases = {c: book.cases[c] for c in held.get(ref, [])}
    elif kind == "instruction" and ref in book.instructions:
        view.challenges, view.cases = book.challenges, book.cases
        view.instructions = {ref: book.instructions[ref]}
    found: list[Judged] = []
    for rule in DEADLINE:
        if SUBJECT_OF.get(rule.name) != kind or rule.as_of is None:
            continue
        for finding in rule.as_of(view, day, config):
            if finding.key.get(f"{kind}_id") == ref:
                found.append((standing(book, rule.name, rule.basis, finding),
                              source(rule.name, finding)))
    return found
