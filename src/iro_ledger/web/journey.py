"""A form asked one question a page (GOV.UK's question pages), then every answer on one page
to check and change, before anything is recorded.

Which page comes next, which answers a page carries unseen, and how each answer reads back:
pure, like `web.forms` (whose fields and `command_data` it walks); `web.recording` serves it.

Each page posts its own answer (with the session's CSRF token) to the session's draft,
sealed (`identity.drafts`), then redirects to the next page: every page is a GET, so the
browser's Back works, and no answer is ever in an address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from iro_ledger.application import Principal
from iro_ledger.web.forms import Field, Form, asked, command_data
from iro_ledger.web.present import day

CHECK = "check"
"""The step of the page that shows every answer before it is recorded."""


@dataclass(frozen=True)
class Answer:
    """One row of the check page: the question, the answer as it reads, the page to change it."""

    field: Field
    text: str


def questions(form: Form, principal: Principal) -> tuple[Field, ...]:
    """The question pages in order: every field asked, but a reference the form drew for the
    record (an `id` field) is changed from the check page only, never asked on the way."""
    return tuple(one for one in asked(form, principal) if one.widget != "id")


def field_named(form: Form, principal: Principal, name: str) -> Field | None:
    return next((one for one in asked(form, principal) if one.name == name), None)


def first_step(form: Form, principal: Principal, given: Mapping[str, str]) -> str:
    """Where a journey starts: the first question the link that opened it did not answer
    (a case page names its case)."""
    for one in questions(form, principal):
        if not given.get(one.name):
            return one.name
    return CHECK


def next_step(form: Form, principal: Principal, current: str, returning: bool) -> str:
    """After a question answered: the next, or the check page when it was the last or the
    person came from the check page to change it."""
    order = [one.name for one in questions(form, principal)]
    if returning or current not in order or current == order[-1]:
        return CHECK
    return order[order.index(current) + 1]


def previous_step(form: Form, principal: Principal, current: str) -> str | None:
    """The page before (None before the first question; the check page before a reference,
    which is changed from there only)."""
    order = [one.name for one in questions(form, principal)]
    if current == CHECK:
        return order[-1]
    if current not in order:
        return CHECK
    at = order.index(current)
    return order[at - 1] if at > 0 else None


def inputs(one: Field) -> tuple[str, ...]:
    """The names a field's answer is posted under (a date's three boxes)."""
    if one.widget == "date":
        return tuple(f"{one.name}-{part}" for part in ("day", "month", "year"))
    return (one.name,)


def problems(form: Form, principal: Principal, answers: Mapping[str, str],
             one: Field) -> dict[str, str]:
    """What is wrong with one question's answer, judged as the whole form judges it."""
    _, errors = command_data(form, principal, answers)
    return {name: message for name, message in errors.items() if name == one.name}


def read_back(form: Form, principal: Principal, answers: Mapping[str, str],
              choices: Mapping[str, list[tuple[str, str]]]) -> list[Answer]:
    """Every answer as the check page shows it: a day in words, a choice by its label."""
    return [Answer(one, _text(one, answers, choices.get(one.name) or one.options))
            for one in asked(form, principal)]


def _text(one: Field, answers: Mapping[str, str],
          options: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> str:
    if one.widget == "date":
        parts = [answers.get(name, "").strip() for name in inputs(one)]
        try:
            return day(date(int(parts[2]), int(parts[1]), int(parts[0])))
        except ValueError:
            return " ".join(parts).strip() or "Not given"
    value = answers.get(one.name, "").strip()
    return dict(options).get(value, value) or "Not given"
