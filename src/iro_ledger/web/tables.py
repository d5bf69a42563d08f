"""Every dashboard table's paging, sorting and CSV export: one way to do each.

A `Table` names its columns (a heading and the value each row gives). A page reads the
reader's choices from the query string with `Table.choose` (`sort`, `order`, `page`,
`format`), strictly: an unknown column, order or format, or a page that is not a whole number
from 1 to the last page the server allows, is refused (InvalidValue: a 422 page), never
guessed. The server chooses the page size (`PAGE_SIZE`). With `format=csv` the same rows, all
of them under the current filter and order, are streamed as CSV; a cell that a spreadsheet
would read as a formula (starting = + - @, or a tab or carriage return) is prefixed with a
quote.

Where one page holds several tables (an authority's, a case's, an officer's), each has a
`prefix`: it reads `cases.sort`, `cases.page`, ... and its links carry only its own choices
(and the page's filters) and lead back to its section (`#cases`). `Tables` serves such a
page: the CSV of the one table asked for as CSV, or a page of each; a link to one row
(`?at=` an event's store position) opens the page of its table that holds it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import StreamingResponse

from iro_ledger.domain.errors import InvalidValue
from iro_ledger.domain.limits import OFFSET_MAX

PAGE_SIZE = 50
"""Rows per page of every table: the server's choice, never the reader's."""
ORDERS = ("asc", "desc")
FORMATS = ("html", "csv")
OWN = ("sort", "order", "page", "format")
"""A table's own parameters (prefixed where a page holds several tables)."""
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """A value as CSV text, guarded against formula injection."""
    if value is None:
        text = ""
    elif isinstance(value, Enum):
        text = str(value.value)
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, dict):
        text = "; ".join(f"{k}={v}" for k, v in sorted(value.items()))
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _sort_key(value: Any) -> tuple[bool, Any]:
    """Empty values last, whichever the order (they are put last after any reversal)."""
    if isinstance(value, Enum):
        value = value.value
    return (value is None, value if value is not None else 0)


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    value: Callable[[Any], Any]
    """The row's value: what the column sorts by and what its CSV cell says."""
    sort: Callable[[Any], Any] | None = None
    """What to sort by when it is not the value itself (a severity by its rank)."""
    sortable: bool = True
    """False where the read that cuts the page cannot order by it (its heading is no link)."""


@dataclass(frozen=True)
class Choice:
    """What the reader asked of a table: its order, its page and its format."""

    sort: str
    order: str
    page: int
    format: str


@dataclass(frozen=True)
class Page:
    """One page of a table's rows, with what a template needs to draw headings and links."""

    table: Table
    choice: Choice
    rows: list[Any]
    total: int
    query: dict[str, list[str]] = field(default_factory=dict)
    """The filters the page's links carry (a name may repeat: `la=EMR&la=SMV`)."""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.table.size))

    @property
    def first(self) -> int:
        return self.table.offset(self.choice) + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.table.offset(self.choice) + len(self.rows)

    def url(self, **changes: Any) -> str:
        """This page's query string with `changes` (None drops a parameter) to the table's
        `sort`, `order`, `page` or `format`, or to a filter."""
        named = {self.table.param(k) if k in OWN else k: v for k, v in changes.items()}
        query: dict[str, Any] = {**self.query, **named}
        kept = {k: v if isinstance(v, list) else str(v) for k, v in query.items()
                if v not in (None, "", [])}
        where = f"#{self.table.name}" if self.table.prefix else ""
        return "?" + urlencode(kept, doseq=True, quote_via=quote) + where

    def sort_url(self, key: str) -> str:
        """Sorted by `key`; asked again, the other way round. Back to the first page."""
        same = self.choice.sort == key
        order = ("desc" if self.choice.order == "asc" else "asc") if same else "asc"
        return self.url(sort=key, order=order, page=None)

    def sortable(self, key: str) -> bool:
        return self.table.column(key).sortable

    def aria_sort(self, key: str) -> str:
        if self.choice.sort != key:
            return "none"
        return "ascending" if self.choice.order == "asc" else "descending"

    def csv_url(self) -> str:
        return self.url(format="csv", page=None)


@dataclass(frozen=True)
class Table:
    """A table of the dashboard: its columns, its default order and its CSV file name."""

    name: str
    columns: tuple[Column, ...]
    sort: str
    order: str = "asc"
    size: int = PAGE_SIZE
    """Rows per page."""
    prefix: str = ""
    """Put before its own parameters' names where a page holds several tables (`cases.`)."""

    def param(self, name: str) -> str:
        return self.prefix + name

    def offset(self, choice: Choice) -> int:
        """Where the chosen page starts among the rows."""
        return (choice.page - 1) * self.size

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise InvalidValue(self.param("sort"), f"{key!r} is not a column of this table; "
                                               "choose one of "
                                   + ", ".join(c.key for c in self.columns))

    def choose(self, request: Request) -> Choice:
        """The reader's choices from the query string, checked strictly."""
        params, name = request.query_params, self.param
        sort = params.get(name("sort")) or self.sort
        if not self.column(sort).sortable:
            raise InvalidValue(name("sort"), f"this table cannot be sorted by {sort!r}; "
                               "choose one of " + ", ".join(
                                   c.key for c in self.columns if c.sortable))
        order = params.get(name("order")) or (self.order if sort == self.sort else "asc")
        if order not in ORDERS:
            raise InvalidValue(name("order"), f"{order!r} is not asc or desc")
        fmt = params.get(name("format")) or "html"
        if fmt not in FORMATS:
            raise InvalidValue(name("format"), f"{fmt!r} is not html or csv")
        text = params.get(name("page")) or "1"
        if not text.isdigit() or not 1 <= int(text) <= OFFSET_MAX // self.size:
            raise InvalidValue(name("page"), f"{text!r} is not a page number from 1 to "
                                             f"{OFFSET_MAX // self.size}")
        return Choice(sort, order, int(text), fmt)

    def ordered(self, rows: Iterable[Any], choice: Choice) -> list[Any]:
        """The rows in the chosen order (a stable sort: ties keep the rows' own order)."""
        column = self.column(choice.sort)
        by = column.sort or column.value
        present = [r for r in rows]
        filled = [r for r in present if by(r) is not None]
        empty = [r for r in present if by(r) is None]
        filled.sort(key=lambda r: _sort_key(by(r)), reverse=choice.order == "desc")
        return filled + empty

    def page(self, request: Request, rows: Sequence[Any], choice: Choice,
             keep: Sequence[str] = ()) -> Page:
        """One page of rows already in order; `keep` names the filters its links carry."""
        start = self.offset(choice)
        return self.window(request, rows[start:start + self.size], len(rows), choice, keep)

    def window(self, request: Request, rows: Sequence[Any], total: int, choice: Choice,
               keep: Sequence[str] = ()) -> Page:
        """A page whose rows were cut by the read itself (`offset`, `size`) of `total`."""
        if total and self.offset(choice) >= total:
            raise InvalidValue(self.param("page"), f"page {choice.page} is past the last "
                                                   f"page ({-(-total // self.size)})")
        # a filter asked for empty is kept (`status=`: every status, not the default open)
        query = {k: [v for v in found if v] or [""] for k in keep
                 if (found := request.query_params.getlist(k))}
        query.update({self.param("sort"): [choice.sort], self.param("order"): [choice.order]})
        return Page(self, choice, list(rows), total, query)

    def holding(self, request: Request, rows: Sequence[Any], choice: Choice,
                wanted: Callable[[Any], bool] | None) -> Choice:
        """The page holding the first row `wanted` picks, unless a page was asked for."""
        if wanted is None or request.query_params.get(self.param("page")):
            return choice
        index = next((i for i, row in enumerate(rows) if wanted(row)), None)
        return choice if index is None else replace(choice, page=index // self.size + 1)

    def rows_csv(self, rows: Iterable[Any]) -> Iterator[str]:
        """The heading row then each row, as CSV lines."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")

        def line(values: Sequence[str]) -> str:
            writer.writerow(values)
            text = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            return text

        yield line([c.heading for c in self.columns])
        for row in rows:
            yield line([cell(c.value(row)) for c in self.columns])

    def csv(self, rows: Iterable[Any], stem: str) -> StreamingResponse:
        """Every row, streamed as a CSV download named `stem`.csv."""
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in stem)
        return StreamingResponse(
            _chunks(self.rows_csv(rows)), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{safe}.csv"',
                     "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@dataclass(frozen=True)
class Tables:
    """The tables of one page, each read by its own (prefixed) parameters."""

    tables: tuple[Table, ...]

    def choose(self, request: Request) -> dict[str, Choice]:
        """Every table's choices, checked before anything is read."""
        return {table.name: table.choose(request) for table in self.tables}

    def answer(self, request: Request, choices: Mapping[str, Choice],
               rows: Mapping[str, Sequence[Any]], stem: str, keep: Sequence[str] = (),
               holding: Mapping[str, Callable[[Any], bool]] | None = None
               ) -> StreamingResponse | dict[str, Page]:
        """The CSV of the table asked for as CSV (every row, in the chosen order, named
        `<table>-<stem>.csv`), or else one page of each table, by its name."""
        for table in self.tables:
            choice = choices[table.name]
            if choice.format == "csv":
                return table.csv(table.ordered(rows[table.name], choice),
                                 f"{table.name}-{stem}")
        pages = {}
        for table in self.tables:
            ordered = table.ordered(rows[table.name], choices[table.name])
            choice = table.holding(request, ordered, choices[table.name],
                                   (holding or {}).get(table.name))
            pages[table.name] = table.page(request, ordered, choice, keep)
        return pages


def at_position(request: Request) -> int | None:
    """The store position a link to one event names (`?at=`), to open the page holding it."""
    text = request.query_params.get("at")
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise InvalidValue("at", f"{text!r} is not an event's store position")
    return int(text)


def _chunks(lines: Iterable[str], size: int = 64 * 1024) -> Iterator[str]:
    """Lines sent in chunks of about `size` characters, not one write per row."""
    held: list[str] = []
    count = 0
    for text in lines:
        held.append(text)
        count += len(text)
        if count >= size:
            yield "".join(held)
            held, count = [], 0
    if held:
        yield "".join(held)
