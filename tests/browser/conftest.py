"""The live dashboard and the browser, once per module; each test gets a fresh page.

Without Chromium or axe-core the journeys skip, saying what is missing; under CI=true they
fail instead, so a CI machine that lost its browser is noticed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.live import DESKTOP, PHONE, Live, chromium, live_dashboard, missing


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    lacking = missing()
    if lacking:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser tests cannot run under CI: {lacking}")
        pytest.skip(f"browser tests need {lacking}")
    with live_dashboard(tmp_path_factory.mktemp("dashboard")) as running:
        yield running


@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    yield opened
    context.close()


@pytest.fixture
def browser_phone(browser: Browser) -> Iterator[Page]:
    """A page the width of a small phone, touch and all."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    yield opened
    context.close()
