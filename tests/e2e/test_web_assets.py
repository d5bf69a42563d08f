"""The dashboard's stylesheets come from this machine: Pico CSS where `make install` put it
(never a CDN), our own app.css from the package; without Pico the pages still render."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from iro_ledger.api.app import create_app
from iro_ledger.identity.tokens import TokenPolicy, mint_token
from iro_ledger.settings import Settings
from iro_ledger.web.assets import pico_dir
from tests.e2e import BROWSER_URL, sign_in

SECRET = "web-assets-secret-long-enough-for-hs256-0123456789"
POLICY = TokenPolicy(SECRET)
PICO_TEXT = "/* a stand-in for pico.min.css */"


def client_for(sqlite_url: str, static_dir: Path) -> TestClient:
    return TestClient(create_app(Settings(database_url=sqlite_url, jwt_secret=SECRET,
                                          static_dir=static_dir)), base_url=BROWSER_URL)


@pytest.fixture
def with_pico(sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    css = tmp_path / "pico-css"
    css.mkdir()
    (css / "pico.min.css").write_text(PICO_TEXT)
    with client_for(sqlite_url, css) as client:
        sign_in(client, mint_token(POLICY, "insp-wren", "inspector"))
        yield client


@pytest.fixture
def without_pico(sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with client_for(sqlite_url, tmp_path / "not-installed") as client:
        sign_in(client, mint_token(POLICY, "insp-wren", "inspector"))
        yield client


def stylesheets(page: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)">', page)


def test_pages_link_pico_from_this_server_when_it_is_installed(with_pico: TestClient) -> None:
    page = with_pico.get("/").text

    assert stylesheets(page) == ["/static/pico.min.css", "/static/app.css"]
    assert with_pico.get("/static/pico.min.css").text == PICO_TEXT
    assert with_pico.get("/static/app.css").status_code == 200


def test_pages_render_unstyled_without_pico(without_pico: TestClient) -> None:
    response = without_pico.get("/")

    assert response.status_code == 200
    assert stylesheets(response.text) == ["/static/app.css"]
    assert without_pico.get("/static/pico.min.css").status_code == 404


def test_pico_is_looked_for_in_the_venv_by_default() -> None:
    found = pico_dir(Settings())

    assert found.parts[-5:] == ("web-assets", "node_modules", "@picocss", "pico", "css")
