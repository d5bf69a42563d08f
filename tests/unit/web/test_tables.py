"""The one helper every dashboard table pages, sorts and exports with (web/tables.py)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from starlette.requests import Request

from iro_ledger.domain.errors import InvalidValue
from iro_ledger.web.tables import PAGE_SIZE, Column, Table, cell

TABLE = Table("people", (Column("name", "Name", lambda r: r["name"]),
                         Column("cases", "Cases", lambda r: r["cases"])), sort="name")


def asked(query: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/t", "headers": [],
                    "query_string": query.encode()})


@pytest.mark.parametrize("value", ["=SUM(A1:A9)", "+1", "-1", "@cmd", "\tx", "\r=1"])
def test_a_cell_a_spreadsheet_would_run_is_quoted(value: str) -> None:
    assert cell(value) == "'" + value


def test_plain_cells_are_left_as_they_are() -> None:
    assert [cell("Eastmere"), cell(None), cell(date(2025, 2, 27)), cell(3)] == [
        "Eastmere", "", "2025-02-27", "3"]


def test_csv_has_the_headings_then_every_row_escaped() -> None:
    rows = [{"name": "=HYPERLINK(\"x\")", "cases": 3}, {"name": "Ash, Rowan", "cases": None}]

    read = list(csv.reader(io.StringIO("".join(TABLE.rows_csv(rows)))))

    assert read == [["Name", "Cases"], ["'=HYPERLINK(\"x\")", "3"], ["Ash, Rowan", ""]]


def test_rows_sort_by_the_chosen_column_with_empty_values_last_either_way() -> None:
    rows: list[dict[str, Any]] = [{"name": n, "cases": c}
                                  for n, c in [("b", 2), ("a", None), ("c", 9)]]

    up = TABLE.ordered(rows, TABLE.choose(asked("sort=cases&order=asc")))
    down = TABLE.ordered(rows, TABLE.choose(asked("sort=cases&order=desc")))

    assert [r["name"] for r in up] == ["b", "c", "a"]
    assert [r["name"] for r in down] == ["c", "b", "a"]


@pytest.mark.parametrize("query", ["sort=secret", "order=sideways", "page=0", "page=-1",
                                   "page=two", "page=99999999", "format=xlsx"])
def test_a_choice_the_table_does_not_offer_is_refused(query: str) -> None:
    with pytest.raises(InvalidValue):
        TABLE.choose(asked(query))


def test_a_page_past_the_last_is_refused_and_pages_are_the_servers_size() -> None:
    rows = [{"name": f"n{i:03}", "cases": i} for i in range(PAGE_SIZE + 1)]
    choice = TABLE.choose(asked("page=2"))

    second = TABLE.page(asked("page=2"), TABLE.ordered(rows, choice), choice)

    assert [r["name"] for r in second.rows] == [f"n{PAGE_SIZE:03}"]
    assert second.pages == 2 and second.first == PAGE_SIZE + 1
    with pytest.raises(InvalidValue):
        TABLE.page(asked("page=3"), rows, TABLE.choose(asked("page=3")))


def test_links_keep_the_filters_and_turn_the_order_round() -> None:
    request = asked("la=EMR&sort=name&order=asc&secret=x")
    page = TABLE.page(request, [], TABLE.choose(request), keep=("la",))

    assert page.sort_url("name") == "?la=EMR&sort=name&order=desc"
    assert page.sort_url("cases") == "?la=EMR&sort=cases&order=asc"
    assert page.csv_url() == "?la=EMR&sort=name&order=asc&format=csv"
    assert page.aria_sort("name") == "ascending" and page.aria_sort("cases") == "none"
