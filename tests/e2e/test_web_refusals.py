"""Refused pages in plain English, as GOV.UK's patterns have them: a wrong value asked for is
asked again under an error summary linking to it; anything else says what happened and what
to do next. The demo's authorities and people are fictional."""

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


def main(page: str) -> str:
    found = re.search(r"<main.*?</main>", page, re.S)
    assert found
    return text(found[0])


def test_a_day_that_is_not_one_is_asked_again_under_an_error_summary(board: Dashboard) -> None:
    response = board.as_inspector("/ui/authorities/EMR?from=2025-13-01&to=2026-01-31"
                                  "&status=open")

    assert response.status_code == 422
    page = response.text
    assert "<title>Error: " in page
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S)
    assert summary and '<a href="#from">' in summary[0]
    assert "There is a problem" in text(summary[0])
    assert "'2025-13-01' is not a day of the calendar" in text(summary[0])
    assert re.search(r'<div class="govuk-form-group govuk-form-group--error">\s*'
                     r'<label class="govuk-label govuk-label--s" for="from">From</label>', page)
    assert 'id="from-error" class="govuk-error-message"' in page
    assert re.search(r'<input [^>]*id="from" name="from" [^>]*value="2025-13-01"', page)
    form = re.search(r'<form method="get" action="/ui/authorities/EMR" novalidate>.*?</form>',
                     page, re.S)
    assert form, "asked again at the same page"
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form[0]))
    assert kept == {"to": "2026-01-31", "status": "open"}, "the rest rides along unseen"


def test_a_period_ending_before_it_starts_says_which_field_to_change(board: Dashboard) -> None:
    response = board.as_inspector("/?from=2026-01-01&to=2025-01-01")

    assert response.status_code == 422
    assert "From: 2026-01-01 is after 2025-01-01." in main(response.text)


def test_an_unknown_record_is_a_page_not_found_saying_what_to_check(board: Dashboard) -> None:
    response = board.as_inspector("/ui/authorities/EMR/cases/EMR-C999")

    assert response.status_code == 404
    said = main(response.text)
    assert said.startswith("Page not found")
    assert "No case 'EMR-C999' is recorded in EMR." in said
    assert "If you typed the web address, check it is correct." in said


def test_an_address_under_the_dashboard_that_nothing_serves_is_a_page_not_json(
        board: Dashboard) -> None:
    page = board.as_inspector("/ui/no-such-page")
    api = board.client.get("/no-such-resource")

    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "There is no page at /ui/no-such-page." in main(page.text)
    assert "Content-Security-Policy" in page.headers
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


def test_a_page_not_yours_to_see_says_why_and_what_to_do(board: Dashboard) -> None:
    response = board.page("/ui/authorities/EMR", "mgr-hale", "la_manager", la="SMV")

    assert response.status_code == 403
    said = main(response.text)
    assert said.startswith("You cannot see this page")
    assert "mgr-hale (la_manager) may not read the records of EMR." in said
    assert "sign in as someone who may" in said
