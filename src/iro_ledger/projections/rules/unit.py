"""What every rule is: a name, its basis, and how it reacts to events or reads a date.

A rule raised by events reacts as each event arrives (`react`) and keeps its flags in the
book; it also reacts to late records that bear on flags it already judged, so that what it
concludes does not depend on the order records were made in. A deadline rule (`as_of`)
computes its flags from the book's facts for a given day, so the passing of time raises them
without any event, and a later event still clears them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from iro_ledger.projections.rules.calendar import WorkingCalendar
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.facts import Book
from iro_ledger.projections.rules.flag import Flag
from iro_ledger.projections.rules.observe import Seen


@dataclass(frozen=True)
class Context:
    config: RulesConfig
    calendar: WorkingCalendar


React = Callable[[Book, Seen, Context], None]
AsOf = Callable[[Book, date, Context], list[Flag]]


@dataclass(frozen=True)
class RuleUnit:
    name: str
    basis: str
    """The rule's basis in statute, guidance or NAIRO's reports, as a flag quotes it."""
    react: React | None = None
    as_of: AsOf | None = None
