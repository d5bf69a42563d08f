"""Signing in to the dashboard with a bearer token kept in a cookie, and being refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from iro_ledger.api.app import create_app
from iro_ledger.identity.tokens import TokenPolicy, mint_token
from iro_ledger.settings import Settings

SECRET = "web-signin-secret-long-enough-for-hs256-0123456789"
POLICY = TokenPolicy(SECRET)
COOKIE = "iro_ledger_session"


@pytest.fixture
def browser(sqlite_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=sqlite_url, jwt_secret=SECRET))
    with TestClient(app, follow_redirects=False) as client:
        yield client


def inspector_token(ttl_minutes: int = 60, now: datetime | None = None) -> str:
    return mint_token(POLICY, "insp-wren", "inspector", ttl_minutes=ttl_minutes, now=now)


def test_a_page_without_a_session_redirects_to_sign_in(browser: TestClient) -> None:
    response = browser.get("/ui/authorities/NWD?status=open")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fui%2Fauthorities%2FNWD%3Fstatus%3Dopen"


def test_the_sign_in_form_asks_for_a_token(browser: TestClient) -> None:
    response = browser.get("/login")

    assert response.status_code == 200
    assert '<textarea id="token" name="token"' in response.text


def test_a_token_link_sets_an_httponly_strict_cookie_and_redirects(browser: TestClient) -> None:
    response = browser.get("/login", params={"token": inspector_token(),
                                             "next": "/ui/flags"})

    assert response.status_code == 303
    assert response.headers["location"] == "/ui/flags"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert response.headers["referrer-policy"] == "no-referrer"
    overview = browser.get("/")
    assert overview.status_code == 200
    assert "insp-wren" in overview.text


def test_a_pasted_token_signs_in_too(browser: TestClient) -> None:
    response = browser.post("/login", data={"token": inspector_token(), "next": "/"})

    assert response.status_code == 303
    assert browser.get("/").status_code == 200


def test_a_bad_token_gets_a_401_page_saying_why(browser: TestClient) -> None:
    response = browser.get("/login", params={"token": "not-a-token"})

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert "That token was not accepted" in response.text
    assert "set-cookie" not in response.headers


def test_a_token_signed_with_another_secret_is_refused(browser: TestClient) -> None:
    other = TokenPolicy("another-secret-long-enough-for-hs256-0123456789")
    forged = mint_token(other, "insp-wren", "inspector")

    response = browser.post("/login", data={"token": forged})

    assert response.status_code == 401
    assert "signature does not match" in response.text


def test_an_expired_session_gets_a_401_page_and_is_signed_out(browser: TestClient) -> None:
    expired = inspector_token(ttl_minutes=1, now=datetime.now(UTC) - timedelta(hours=1))
    browser.cookies.set(COOKIE, expired)

    response = browser.get("/")

    assert response.status_code == 401
    assert "the token has expired" in response.text
    assert f'{COOKIE}=""' in response.headers["set-cookie"]


def test_signing_out_removes_the_cookie(browser: TestClient) -> None:
    browser.get("/login", params={"token": inspector_token()})

    response = browser.post("/logout")

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert browser.get("/").status_code == 303


def test_a_form_from_another_site_cannot_sign_anyone_in(browser: TestClient) -> None:
    response = browser.post("/login", data={"token": inspector_token()},
                            headers={"Origin": "https://elsewhere.invalid"})

    assert response.status_code == 403
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("target", ["//elsewhere.invalid/x", "https://elsewhere.invalid/",
                                    "/\\elsewhere.invalid"])
def test_signing_in_never_redirects_to_another_site(browser: TestClient, target: str) -> None:
    response = browser.get("/login", params={"token": inspector_token(), "next": target})

    assert response.headers["location"] == "/"
