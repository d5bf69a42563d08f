"""Evidence links to an event on a record's page name the page of events holding it."""

from __future__ import annotations

from typing import Any, cast

from iro_ledger.reads import Reader
from iro_ledger.web.reads import RECORD_PAGE, Links


def links() -> Links:
    return Links(cast(Reader, cast(Any, None)))


def test_an_event_on_a_records_first_page_is_linked_by_its_anchor_alone() -> None:
    assert links().event("EMR", "instruction", "EMR-INS01", RECORD_PAGE, 7) == (
        f"/ui/authorities/EMR/records/instruction/EMR-INS01#n{RECORD_PAGE}")


def test_an_event_past_a_records_first_page_names_the_page_holding_it() -> None:
    assert links().event("EMR", "report", "EMR R/1", 2 * RECORD_PAGE + 1, 7) == (
        f"/ui/authorities/EMR/records/report/EMR%20R%2F1?events.page=3#n{2 * RECORD_PAGE + 1}")
