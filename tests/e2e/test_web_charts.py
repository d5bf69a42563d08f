"""The dashboard's charts over the demo history: each an image with a title and description,
and the same numbers in a table beside it (issue 11)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from iro_ledger.api.app import create_app
from iro_ledger.settings import Settings
from tests.e2e import BROWSER_URL
from tests.e2e.test_web_pages import SECRET, Dashboard, seed, text


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'ledger.sqlite'}"
    with TestClient(create_app(Settings(database_url=url, jwt_secret=SECRET)),
                    base_url=BROWSER_URL) as client:
        made = Dashboard(client)
        seed(made.services.ledger)
        yield made


def chart(page: str, ident: str) -> str:
    found = re.search(rf'<svg [^>]*aria-labelledby="{ident}-title {ident}-desc">.*?</svg>',
                      page, re.S)
    assert found, f"no chart {ident}"
    assert 'role="img"' in found[0] and f'<desc id="{ident}-desc">' in found[0]
    return found[0]


def test_a_case_page_draws_each_challenges_stages_as_a_timeline_with_a_table(
        board: Dashboard) -> None:
    register = board.as_inspector("/ui/authorities/EMR/challenges.csv").text
    case_id = re.findall(r"^EMR-CH\w+,(EMR-C\w+),", register, re.M)[0]

    page = board.as_inspector(f"/ui/authorities/EMR/cases/{case_id}").text

    drawn = chart(page, "stages")
    assert f"The stages of each challenge on case {case_id}" in drawn
    table = re.search(r'<table class="govuk-table app-chart-table stages">.*?</table>', page,
                      re.S)
    assert table
    rows = re.findall(r"<tr><th scope=\"row\">", table[0])
    assert len(rows) == drawn.count("<rect "), "a segment for each stage in the table"
    assert "Informal" in text(table[0])


def test_an_officers_caseload_is_drawn_on_a_fixed_scale_against_the_range(
        board: Dashboard) -> None:
    page = board.as_inspector("/ui/authorities/EMR/officers/iro.marsh").text

    drawn = chart(page, "caseload")
    ticks = re.findall(r'text-anchor="middle" font-weight="normal">(\d+)</text>', drawn)
    assert ticks[-1] == "80", "the scale ends at 80 whatever the officer's own largest month"
    assert "Handbook range" in drawn and "50" in ticks and "70" in ticks
    assert "Against 50 to 70" in page and "Below the range" in text(page)


def test_an_authority_page_draws_each_iros_cases_per_post_against_the_range(
        board: Dashboard) -> None:
    page = board.as_inspector("/ui/authorities/EMR").text

    drawn = chart(page, "caseloads")
    table = re.search(r'<table class="govuk-table app-chart-table caseloads">.*?</table>',
                      page, re.S)
    assert table
    officers = re.findall(r'<th scope="row" class="app-id">([^<]+)</th>', table[0])
    assert officers and "iro.marsh" in officers
    assert drawn.count("<rect ") == 1 + len(officers), "the band, then a bar for each IRO"


def test_the_overview_draws_the_authorities_side_by_side_on_the_measures(
        board: Dashboard) -> None:
    page = board.as_inspector("/").text

    drawn = chart(page, "compared")
    codes = re.findall(r'<small>([A-Z]{3})</small></th>', page)
    assert len(codes) > 1
    for code in codes:
        assert f">{code}</text>" in drawn
    assert "Resolved" in drawn and "Open" in drawn


def test_a_manager_sees_no_side_by_side_chart_of_their_one_authority(board: Dashboard) -> None:
    page = board.page("/", "mgr-costa", "la_manager", la="EMR").text

    assert 'aria-labelledby="compared-title' not in page
