"""What a refused page says, in plain English, as GOV.UK's patterns have it.

A wrong value asked for in the address (a period's day, a table's sort or page, a filter)
is a 422 page with an error summary at the top linking to the field, the field itself with
its message and the value as asked, and a button to ask again: the other parameters ride
along unseen. Every other refusal is a page saying what happened and what to do next: not
found (404), not yours to see (403), refused by the record's rules (409), too many requests
(429), not available (503), sign in again (401).

Pure: no request, no store; `web.pages` draws what this decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from iro_ledger.web.refusals import Refusal

_NAMES = {"from": "From", "to": "To", "status": "Status", "la": "Authority", "rule": "Flag",
          "severity": "Severity", "sort": "Sort by", "order": "Order", "page": "Page",
          "format": "Format", "offset": "Start at"}
_HINTS = {"from": "A day written year-month-day, for example 2025-04-01.",
          "to": "A day written year-month-day, for example 2026-03-31.",
          "order": "asc (smallest first) or desc (largest first).",
          "format": "html or csv.", "page": "A whole number, 1 for the first page."}
_NEXT = {
    404: ["If you typed the web address, check it is correct.",
          "If you followed a link, what it names is not recorded in this ledger."],
    403: ["Pages are shown by the same rules as the API: an authority's own people see their "
          "authority, inspectors see every authority, an arbitrator sees what stands around "
          "the disputes referred to their body.",
          "If you need to see it, sign in as someone who may."],
    409: ["Nothing has been recorded. The record stays as it was."],
    429: ["Wait a little, then try again."],
    503: ["Try again later. If it goes on, tell whoever runs this service."],
    401: ["Sign in again with a current token."],
}


@dataclass(frozen=True)
class Asked:
    """The field a 422 page asks again, with what was asked and what is wrong with it."""

    name: str
    label: str
    value: str
    message: str
    hint: str = ""


@dataclass(frozen=True)
class Explained:
    """What a refusal page shows."""

    title: str
    said: list[str]
    """Paragraphs: what happened, then what to do."""
    asked: list[Asked] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)
    """The request's other parameters, carried unseen when it is asked again."""

    @property
    def summary(self) -> list[tuple[str, str]]:
        """The error summary's links: each field asked again, with what is wrong."""
        return [(f"#{a.name}", a.message) for a in self.asked]


def sentence(text: str) -> str:
    """A refusal's message as a sentence: a capital first, a full stop last."""
    text = text.strip()
    if not text:
        return text
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():  # a word, not an id (`mgr-hale`) or a quote
        text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def label_of(name: str) -> str:
    """A parameter's name as a person reads it: `cases.sort` as 'Cases: sort by'."""
    table, _, own = name.rpartition(".")
    said = _NAMES.get(own, own.replace("_", " ").capitalize())
    if not table:
        return said
    return f"{table.replace('-', ' ').capitalize()}: {said[:1].lower()}{said[1:]}"


def wrong_values(refusal: Refusal, problems: Sequence[tuple[str, str]],
                 query: Sequence[tuple[str, str]]) -> Explained:
    """A 422 page: each (parameter, message) asked again beside the value as asked."""
    named = [p for p in problems if p[0] in {k for k, _ in query} or p[0] in _NAMES]
    asked = [Asked(name, label_of(name), next((v for k, v in query if k == name), ""),
                   f"{label_of(name)}: {sentence(message)}",
                   _HINTS.get(name.rpartition(".")[2], ""))
             for name, message in named]
    shown = {a.name for a in asked}
    said = ["Change what is marked below, then ask again."] if asked else []
    rest = [sentence(message) for name, message in problems if name not in shown]
    return Explained(refusal.title, rest + said, asked,
                     [(k, v) for k, v in query if k not in shown])


def refused(refusal: Refusal, message: str) -> Explained:
    """Any other refusal: what happened, then what to do next."""
    titles = {404: "Page not found", 403: "You cannot see this page",
              405: "Page not found"}
    return Explained(titles.get(refusal.status, refusal.title),
                     [sentence(message), *_NEXT.get(refusal.status, [])])
