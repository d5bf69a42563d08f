"""What several pages read from a request the same way: a day typed into a period form, and
flags in the order pages show them."""

from __future__ import annotations

from datetime import date
from typing import Any

from iro_ledger.domain.errors import InvalidValue
from iro_ledger.domain.limits import iso_day
from iro_ledger.reads import FlagsRead


def day_asked(name: str, text: str | None) -> date | None:
    """A date from a form field; an empty field means the default."""
    if not text:
        return None
    try:
        return iso_day(text)
    except ValueError as bad:
        raise InvalidValue(name, str(bad)) from None


def gravest_first(found: FlagsRead) -> list[dict[str, Any]]:
    """Flags as pages show them: gravest, then newest, first."""
    return found.public(sorted(found.flags, key=lambda f: (-f.severity.rank,
                                                           -f.raised_on.toordinal(), f.id)))
