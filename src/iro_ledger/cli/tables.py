"""Tables for a person at a terminal: as wide as the terminal, every cell whole, plain words.

A long id folds onto a second line rather than being cut to `…`, so it can be copied; a missing
value is a dash, never `None`; a mapping reads as `key: value` lines, never as JSON. Each table
command also has `--json`, for machines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from iro_ledger.web.present import EMPTY, label


def table(*columns: str, whole: Sequence[str] = (), title: str | None = None,
          spaced: bool = False) -> Table:
    """A table whose cells fold rather than being cut; the `whole` columns (ids a person
    copies) are never broken, and the others make room for them. `spaced` rows (of several
    lines each) have a blank line between them."""
    made = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_lines=spaced)
    for column in columns:
        if column in whole:
            made.add_column(column, no_wrap=True, overflow="ignore")
        else:
            made.add_column(column, overflow="fold", min_width=min(len(column), 10))
    return made


def cell(value: Any) -> str:
    """Any value as text a person reads."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return "\n".join(f"{label(k)}: {cell(v)}" for k, v in value.items()) or EMPTY
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(cell(v) for v in value) or EMPTY
    return str(value)


def show(made: Table) -> None:
    """Print to stdout, fitted to the terminal's width (COLUMNS, or 80, when not a terminal)."""
    Console().print(made)
