"""`make screenshots`: a PNG of each page of the dashboard, on a desktop and on a phone, for
a person to review (python -m tests.browser.screenshots DIR). The folder is ignored by git.

The same live dashboard and browser as the journeys; pages that need a signed-in person are
taken as the person who would open them.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page

from tests.browser.live import (
    CASE,
    DESKTOP,
    IRO,
    LA,
    PHONE,
    Live,
    axe_violations,
    chromium,
    live_dashboard,
    missing,
    sign_in,
)


def _page(browser: Browser, viewport: dict[str, int]) -> Page:
    phone = viewport == PHONE
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    return context.new_page()


def _shoot(page: Page, out: Path, name: str) -> None:
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    serious = axe_violations(page)
    print(f"{name}.png  {page.url}" + (f"  AXE: {[v['id'] for v in serious]}" if serious
                                        else ""))


def take(live: Live, browser: Browser, out: Path) -> None:
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = _page(browser, viewport)
        page.goto(f"{live.url}/login")
        _shoot(page, out, f"{size}-01-sign-in")
        sign_in(page, live, live.token("insp-wren", "inspector", la=None))
        _shoot(page, out, f"{size}-02-overview")
        page.goto(f"{live.url}/ui/authorities/{LA}")
        _shoot(page, out, f"{size}-03-authority")
        page.goto(f"{live.url}/ui/flags")
        _shoot(page, out, f"{size}-04-flags")
        page.locator("table.flags tbody tr a[href^='/ui/flags/']").first.click()
        _shoot(page, out, f"{size}-05-flag")
        page.goto(f"{live.url}/ui/authorities/{LA}/cases/EMR-C01")
        _shoot(page, out, f"{size}-06-case")
        page.goto(f"{live.url}/ui/authorities/{LA}/officers/{IRO}")
        _shoot(page, out, f"{size}-07-officer")
        page.context.clear_cookies()
        sign_in(page, live, live.token("arb-ives", "arbitrator", la=None, body="NAIRO"))
        _shoot(page, out, f"{size}-07a-arbitrator-disputes")
        page.context.clear_cookies()
        sign_in(page, live, live.token(IRO, "iro"))
        page.goto(f"{live.url}/ui/record")
        _shoot(page, out, f"{size}-08-record-menu")
        page.goto(f"{live.url}/ui/record/raise-challenge?case_id={CASE}")
        _shoot(page, out, f"{size}-09-raise-challenge-about")
        page.get_by_role("button", name="Continue").click()
        _shoot(page, out, f"{size}-10-raise-challenge-errors")
        page.locator("input[name=about]").first.check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("What are your grounds?").fill("The move ignores the child's wishes.")
        _shoot(page, out, f"{size}-10a-raise-challenge-grounds")
        page.get_by_role("button", name="Continue").click()
        _shoot(page, out, f"{size}-10b-raise-challenge-when")
        page.get_by_role("button", name="Continue").click()
        _shoot(page, out, f"{size}-10c-raise-challenge-check")
        page.get_by_role("button", name="Record it").click()
        _shoot(page, out, f"{size}-10d-challenge-raised")
        page.goto(f"{live.url}/ui/record/concern")
        page.get_by_label("What is your concern?").fill("Reviews are moved without asking me.")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Email").check()
        for _ in range(6):  # the optional questions, and when: as drawn
            page.get_by_role("button", name="Continue").click()
            page.wait_for_load_state()
            if "Check your answers" in page.get_by_role("heading", level=1).inner_text():
                break
        page.get_by_role("button", name="Record it").click()
        _shoot(page, out, f"{size}-11-recorded")
        page.goto(f"{live.url}/ui/record/instruction")
        _shoot(page, out, f"{size}-12-instruction")
        page.goto(f"{live.url}/ui/flags/no-such-flag")
        _shoot(page, out, f"{size}-13-not-found")
        page.context.close()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    lacking = missing()
    if lacking:
        sys.exit(f"screenshots need {lacking}")
    with tempfile.TemporaryDirectory() as work, live_dashboard(Path(work)) as live, \
            chromium() as browser:
        take(live, browser, out)
    print(f"screenshots in {out}/")


if __name__ == "__main__":
    main()
