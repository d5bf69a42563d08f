"""The dashboard's look comes from this machine: GOV.UK Frontend where `make install` put it
(never a CDN), our own app.css and start script from the package; without GOV.UK Frontend the
pages still render, plain and without scripts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from iro_ledger.api.app import create_app
from iro_ledger.identity.tokens import TokenPolicy, mint_token
from iro_ledger.settings import Settings
from iro_ledger.web.assets import govuk_dir
from tests.e2e import BROWSER_URL, sign_in

SECRET = "web-assets-secret-long-enough-for-hs256-0123456789"
POLICY = TokenPolicy(SECRET)
GOVUK_TEXT = "/* a stand-in for govuk-frontend.min.css */"
FONT_BYTES = b"wOF2 a stand-in font"


def client_for(sqlite_url: str, static_dir: Path) -> TestClient:
    return TestClient(create_app(Settings(database_url=sqlite_url, jwt_secret=SECRET,
                                          static_dir=static_dir)), base_url=BROWSER_URL)


@pytest.fixture
def with_govuk(sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    dist = tmp_path / "govuk"
    (dist / "assets" / "fonts").mkdir(parents=True)
    (dist / "govuk-frontend.min.css").write_text(GOVUK_TEXT)
    (dist / "govuk-frontend.min.js").write_text("export function initAll () {}")
    (dist / "assets" / "fonts" / "bold.woff2").write_bytes(FONT_BYTES)
    with client_for(sqlite_url, dist) as client:
        sign_in(client, mint_token(POLICY, "insp-wren", "inspector"))
        yield client


@pytest.fixture
def without_govuk(sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with client_for(sqlite_url, tmp_path / "not-installed") as client:
        sign_in(client, mint_token(POLICY, "insp-wren", "inspector"))
        yield client


def stylesheets(page: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)">', page)


def scripts(page: str) -> list[str]:
    return re.findall(r'<script type="module" src="([^"]+)"></script>', page)


def test_pages_use_govuk_frontend_from_this_server_when_it_is_installed(
        with_govuk: TestClient) -> None:
    page = with_govuk.get("/").text

    assert stylesheets(page) == ["/static/govuk/govuk-frontend.min.css", "/static/app.css"]
    assert scripts(page) == ["/static/start.mjs"]
    assert with_govuk.get("/static/govuk/govuk-frontend.min.css").text == GOVUK_TEXT
    assert with_govuk.get("/static/govuk/govuk-frontend.min.js").status_code == 200
    assert with_govuk.get("/assets/fonts/bold.woff2").content == FONT_BYTES
    assert with_govuk.get("/static/app.css").status_code == 200
    assert "initAll" in with_govuk.get("/static/start.mjs").text


def test_pages_render_plain_and_without_scripts_without_govuk_frontend(
        without_govuk: TestClient) -> None:
    response = without_govuk.get("/")

    assert response.status_code == 200
    assert stylesheets(response.text) == ["/static/app.css"]
    assert scripts(response.text) == []
    assert without_govuk.get("/static/govuk/govuk-frontend.min.css").status_code == 404


def test_govuk_frontend_is_looked_for_in_the_venv_by_default() -> None:
    found = govuk_dir(Settings())

    assert found.parts[-5:] == ("web-assets", "node_modules", "govuk-frontend", "dist", "govuk")
