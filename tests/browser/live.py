"""A live dashboard for a real browser: the app served by uvicorn in a thread on a free
loopback port, over the demo history, and Debian's Chromium driven by Playwright.

Shared by the journeys (`test_journeys.py`) and `make screenshots` (`screenshots.py`).
Playwright downloads no browser here: it launches /usr/bin/chromium. axe-core comes from
npm at install time (`make install`), beside GOV.UK Frontend. The demo's people are fictional.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from iro_ledger.api.app import create_app
from iro_ledger.application import Principal, Role
from iro_ledger.application.commands import parse_command
from iro_ledger.application.ingest import ingest, numbered
from iro_ledger.generator import demo
from iro_ledger.identity.tokens import TokenPolicy, mint_token
from iro_ledger.settings import Settings
from iro_ledger.trust.keys import ensure_signing_key
from iro_ledger.wiring import Services

SECRET = "browser-journeys-secret-long-enough-for-hs256-0123"
POLICY = TokenPolicy(SECRET)
LA = "EMR"
IRO = "iro.marsh"
"""The demo's IRO in the Borough of Eastmere (fictional)."""
CASE = "EMR-C12"
"""A case iro.marsh holds."""
DECISION = "dec-browser"
"""A decision on CASE the IRO challenges in the journeys."""
CHROMIUM = Path(os.environ.get("IRO_LEDGER_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(sys.prefix) / "web-assets" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def missing() -> str | None:
    """What the browser tests need and this machine lacks, if anything."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        return (f"no Chromium at {CHROMIUM} (`make install` as root installs Debian's "
                "chromium)")
    if not AXE.is_file():
        return f"no axe-core at {AXE} (`make install` installs it from npm)"
    return None


@dataclass
class Live:
    """The running dashboard: its address and its services."""

    url: str
    app: FastAPI
    workdir: Path

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    def token(self, sub: str, role: str, la: str | None = LA, body: str | None = None) -> str:
        return mint_token(POLICY, sub, role, la_code=la, body=body)


def _seed(services: Services) -> None:
    seeder = Principal(sub="test:seed", role=Role.ADMIN)
    summary = ingest(services.ledger, numbered(demo.demo_commands()), seeder, atomic=True)
    assert not summary.rejected, summary.as_dict()
    services.ledger.execute(parse_command({
        "command": "record_decision", "la_code": LA, "case_id": CASE, "decision_id": DECISION,
        "kind": "placement", "summary": "A move out of area, away from school.",
        "occurred_on": demo_today(services), "actor": "sm.adeyemi"}), seeder, "test")


def demo_today(services: Services) -> str:
    return services.reads.today().isoformat()


@contextmanager
def live_dashboard(workdir: Path) -> Iterator[Live]:
    """The app on a free loopback port, seeded with the demo; stopped on leaving."""
    key = workdir / "checkpoint.pem"
    ensure_signing_key(key)
    app = create_app(Settings(database_url=f"sqlite:///{workdir / 'ledger.sqlite'}",
                              jwt_secret=SECRET, signing_key_path=key))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the dashboard did not start")
            time.sleep(0.05)
        live = Live(f"http://127.0.0.1:{port}", app, workdir)
        _seed(live.services)
        yield live
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, talking to nothing but the dashboard."""
    with sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


def _launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def sign_in(page: Page, live: Live, token: str) -> None:
    """Sign in through the form, as a person would: paste the token, press Sign in."""
    page.goto(f"{live.url}/login")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG 2.2 AA violations on the page as it stands.

    axe is evaluated by the driver, not added as a script tag: the pages' CSP allows no
    inline script, and the test must not loosen it.
    """
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result: dict[str, Any] = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_22_AA)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def fits_the_screen(page: Page) -> bool:
    """No sideways scrolling of the page itself (wide tables scroll inside their box)."""
    return bool(page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth + 1"))


def verify_receipt_cli() -> str:
    """The installed `iro-ledger` command beside this Python."""
    beside = Path(sys.executable).with_name("iro-ledger")
    return str(beside) if beside.is_file() else (shutil.which("iro-ledger") or "iro-ledger")
