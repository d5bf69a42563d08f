"""What every rule is: a name, its basis, the facts it reads, and what it finds in them.

A rule never raises, clears or withdraws a flag itself, and never reads a flag or another
rule: it says what its flags now are (`lifecycle.Finding`), and the lifecycle does the rest.

- An event-raised rule names, for each event, the subjects it bears on (`reads`: a case id,
  a challenge id, ...; nothing for most events), and `judge`s each from the book's facts as
  now known into a `Verdict`. Because it judges the whole subject again, a late record gives
  the same flags as one made in time.
- A deadline rule finds its flags `as_of` a day, from the facts alone, so the passing of time
  raises them without any event; they are never stored.

A rule may be both (suppressed_challenge). One rule reads what the lifecycle changed, not the
events' facts (`on_changes`). Add a rule as one module with one `RULE` and one
line in `catalogue.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from iro_ledger.projections.base import Envelope
from iro_ledger.projections.rules.book import Book
from iro_ledger.projections.rules.config import RulesConfig
from iro_ledger.projections.rules.lifecycle import Finding, Verdict

Reads = Callable[[Book, Envelope], Iterable[str]]
Judge = Callable[[Book, str, RulesConfig], Verdict]
AsOf = Callable[[Book, date, RulesConfig], list[Finding]]


@dataclass(frozen=True)
class Rule:
    name: str
    basis: str
    """The rule's basis in statute, guidance or NAIRO's reports, as a flag quotes it."""
    reads: Reads | None = None
    """The subjects an event (already in the book) bears on."""
    judge: Judge | None = None
    """What the rule finds about one subject, as the book's facts now stand."""
    as_of: AsOf | None = None
    """The flags a deadline rule finds as of a day."""
    watch: tuple[str, ...] | None = None
    """For a deadline rule, the events (`Outer.Inner`, or `Outer.*`) that can stop or move
    its clocks: the engine reads its flags around a back-dated record only for these (None:
    around every one), since a reading costs a pass over the whole book."""
    on_changes: bool = False
    """A rule about what the others concluded (late_record_changed_a_flag): it reads the
    book's `defeats`, so it judges after every other rule has settled the event's flags."""
