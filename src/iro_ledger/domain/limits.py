"""What free-form input may hold, so that every stored record stays readable forever.

Events are immutable: a value that some reader cannot serialise (too deep for a JSON encoder,
a NUL that PostgreSQL's jsonb refuses, a lone surrogate that is not UTF-8, a NaN that is not
JSON) would make a record unreadable for good. So every text and every `details` value is
checked against these limits before anything is stored (the command models call these; a
breach is a 422 or a refused ingest line). docs/domain-language.md states them.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Any

TEXT_MAX_CHARS = 20_000
"""The longest free text (grounds, reasons, summaries, responses)."""
DETAILS_MAX_DEPTH = 8
"""How deeply `details` may nest objects and arrays (`{}` alone is depth 1)."""
DETAILS_MAX_CHARS = 20_000
"""The longest `details` may be, as compact JSON."""
DETAILS_MAX_KEY_CHARS = 200
LARGEST_INTEGER = 2**53 - 1
"""Integers in `details` are exact in every JSON reader (JavaScript's safe integers)."""
SHOWN_DEPTH = 64
"""Readers show stored values to this depth. Nothing written now comes near it, but events
stored before the limits existed may nest deeper than JSON serialisers allow (pydantic stops at
255); deeper than this, a container is shown as `TOO_DEEP_TO_SHOW`, never as a failed read.
The stored event, and its receipt's canonical bytes, keep it whole."""
TOO_DEEP_TO_SHOW = (f"(nested deeper than {SHOWN_DEPTH} levels: not shown; "
                    "the stored event holds it)")

OFFSET_MAX = 1_000_000
"""The furthest a page may start (`offset`): far beyond any register or flag list, and far
inside every database's integers (a huge offset overflowed PostgreSQL's bigint)."""
POSITION_MAX = 2**63 - 1
"""The largest store position a read may name (`min_position`): PostgreSQL's bigint."""

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

_UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters (Unicode category Cc) other than tab, newline and CR, and lone
surrogates (which are not UTF-8 at all)."""


def unreadable_character(text: str) -> str | None:
    """A description of the first character that readers cannot be trusted with, or None."""
    found = _UNREADABLE.search(text)
    if found is None:
        return None
    char = found.group()
    kind = "lone surrogate" if "\ud800" <= char <= "\udfff" else "control character"
    return f"{kind} U+{ord(char):04X} at {found.start()}"


def iso_day(value: object) -> date:
    """A day written strictly as ISO `YYYY-MM-DD` (or already a date); else ValueError.

    Nothing else is a day: not a number (pydantic read `0` as 1970-01-01), not `20240101`
    (which Python's own parser accepts), not a date-time.
    """
    if isinstance(value, date) and type(value) is date:
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a day of the calendar") from None
    raise ValueError(f"{value!r} is not a date written YYYY-MM-DD")


def check_text(text: str) -> str:
    """The text if it holds only characters every reader can store; else ValueError."""
    problem = unreadable_character(text)
    if problem is not None:
        raise ValueError(f"text may not contain a {problem} (tab, newline and CR are allowed)")
    return text


def check_details(details: dict[str, Any]) -> dict[str, Any]:
    """`details` if it is plain JSON within the limits; else ValueError saying which."""
    _check_value(details, depth=1, path="details")
    size = len(json.dumps(details, ensure_ascii=False, separators=(",", ":")))
    if size > DETAILS_MAX_CHARS:
        raise ValueError(f"details is {size} characters as JSON; at most {DETAILS_MAX_CHARS}")
    return details


def _check_value(value: Any, depth: int, path: str) -> None:
    if isinstance(value, dict | list) and depth > DETAILS_MAX_DEPTH:
        raise ValueError(f"{path} nests deeper than {DETAILS_MAX_DEPTH} levels")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_key(key, path)
            _check_value(item, depth + 1, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, depth + 1, f"{path}.{index}")
    elif isinstance(value, str):
        _check_string(value, path)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > LARGEST_INTEGER:
            raise ValueError(f"{path}: integers may be at most {LARGEST_INTEGER} in size")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{path}: numbers must be finite (no NaN or Infinity)")
    else:
        raise ValueError(f"{path}: {type(value).__name__} is not a JSON value")


def _check_key(key: Any, path: str) -> None:
    if not isinstance(key, str):
        raise ValueError(f"{path}: keys must be strings")
    if len(key) > DETAILS_MAX_KEY_CHARS:
        raise ValueError(f"{path}: keys may be at most {DETAILS_MAX_KEY_CHARS} characters")
    _check_string(key, path)


def _check_string(text: str, path: str) -> None:
    problem = unreadable_character(text)
    if problem is not None:
        raise ValueError(f"{path} may not contain a {problem}")
