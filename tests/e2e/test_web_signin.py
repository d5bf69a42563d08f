"""Signing in to the dashboard: a POSTed form with a CSRF token makes a server-side session;
signing out ends it; a token in a URL signs nobody in; the demo's one-time codes work once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from iro_ledger.api.app import create_app
from iro_ledger.application import Principal, Role
from iro_ledger.identity.service import Identity
from iro_ledger.identity.tokens import TokenPolicy, mint_token
from iro_ledger.settings import Settings
from tests.e2e import BROWSER_URL, sign_in, sign_in_form

SECRET = "web-signin-secret-long-enough-for-hs256-0123456789"
POLICY = TokenPolicy(SECRET)
COOKIE = "iro_ledger_session"
WREN = Principal("insp-wren", Role.INSPECTOR)


@pytest.fixture
def browser(sqlite_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=sqlite_url, jwt_secret=SECRET))
    with TestClient(app, base_url=BROWSER_URL, follow_redirects=False) as client:
        yield client


def identity(browser: TestClient) -> Identity:
    found: Identity = browser.app.state.services.identity  # type: ignore[attr-defined]
    return found


def inspector_token(ttl_minutes: int = 60, now: datetime | None = None) -> str:
    return mint_token(POLICY, "insp-wren", "inspector", ttl_minutes=ttl_minutes, now=now)


def session_cookie(browser: TestClient) -> str:
    value = browser.cookies.get(COOKIE)
    assert value
    return value


def test_a_page_without_a_session_redirects_to_sign_in(browser: TestClient) -> None:
    response = browser.get("/ui/authorities/NWD?status=open")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fui%2Fauthorities%2FNWD%3Fstatus%3Dopen"


def test_the_sign_in_form_asks_for_a_token_and_carries_a_csrf_token(
        browser: TestClient) -> None:
    response = browser.get("/login")

    assert response.status_code == 200
    assert '<textarea id="token" name="token"' in response.text
    assert 'name="csrf" value="' in response.text
    assert "iro_ledger_login=" in response.headers["set-cookie"]


def test_signing_in_by_post_sets_a_session_cookie_that_holds_no_token(
        browser: TestClient) -> None:
    token = inspector_token()

    response = sign_in_form(browser, token, next="/ui/flags")

    assert response.status_code == 303
    assert response.headers["location"] == "/ui/flags"
    assert response.headers["referrer-policy"] == "no-referrer"
    cookie = next(c for c in response.headers.get_list("set-cookie")
                  if c.startswith(f"{COOKIE}="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie
    assert token not in cookie
    overview = browser.get("/")
    assert overview.status_code == 200
    assert "insp-wren" in overview.text


def test_on_loopback_the_session_cookie_is_not_marked_secure(sqlite_url: str) -> None:
    app = create_app(Settings(database_url=sqlite_url, jwt_secret=SECRET))
    with TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False) as local:
        response = sign_in_form(local, inspector_token())

        cookie = next(c for c in response.headers.get_list("set-cookie")
                      if c.startswith(f"{COOKIE}="))
        assert "Secure" not in cookie and "HttpOnly" in cookie
        assert local.get("/").status_code == 200


def test_a_token_in_a_link_signs_nobody_in(browser: TestClient) -> None:
    response = browser.get("/login", params={"token": inspector_token()})

    assert response.status_code == 400
    assert "paste it here instead" in response.text
    assert COOKIE not in browser.cookies
    assert browser.get("/").status_code == 303


def test_a_form_without_its_csrf_token_signs_nobody_in(browser: TestClient) -> None:
    browser.get("/login")

    response = browser.post("/login", data={"token": inspector_token()})

    assert response.status_code == 403
    assert COOKIE not in browser.cookies


def test_a_form_with_another_csrf_token_signs_nobody_in(browser: TestClient) -> None:
    browser.get("/login")

    response = browser.post("/login", data={"token": inspector_token(), "csrf": "guessed"})

    assert response.status_code == 403
    assert COOKIE not in browser.cookies


def test_a_form_from_another_site_cannot_sign_anyone_in(browser: TestClient) -> None:
    browser.get("/login")
    csrf = browser.cookies["iro_ledger_login"]

    response = browser.post("/login", data={"token": inspector_token(), "csrf": csrf},
                            headers={"Origin": "https://elsewhere.invalid"})

    assert response.status_code == 403
    assert COOKIE not in browser.cookies


def test_a_bad_token_gets_a_401_page_saying_why(browser: TestClient) -> None:
    response = sign_in_form(browser, "not-a-token")

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert "That token was not accepted" in response.text
    assert COOKIE not in browser.cookies


def test_a_token_signed_with_another_secret_is_refused(browser: TestClient) -> None:
    other = TokenPolicy("another-secret-long-enough-for-hs256-0123456789")

    response = sign_in_form(browser, mint_token(other, "insp-wren", "inspector"))

    assert response.status_code == 401
    assert "signature does not match" in response.text


def test_an_expired_token_cannot_sign_in(browser: TestClient) -> None:
    expired = inspector_token(ttl_minutes=1, now=datetime.now(UTC) - timedelta(hours=1))

    response = sign_in_form(browser, expired)

    assert response.status_code == 401
    assert "the token has expired" in response.text


def test_an_expired_session_gets_a_401_page_and_is_signed_out(browser: TestClient) -> None:
    cookie, _ = identity(browser).sign_ins.start(WREN, None, int(time.time()) - 1)
    browser.cookies.set(COOKIE, cookie)

    response = browser.get("/")

    assert response.status_code == 401
    assert "your session has ended" in response.text
    assert f'{COOKIE}=""' in response.headers["set-cookie"]


def test_signing_out_ends_the_session_so_the_cookie_no_longer_works(
        browser: TestClient) -> None:
    sign_in(browser, inspector_token())
    cookie = session_cookie(browser)
    page = browser.get("/")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]

    response = browser.post("/logout", data={"csrf": csrf})

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    browser.cookies.set(COOKIE, cookie)  # someone kept a copy of the cookie
    assert browser.get("/").status_code == 401


def test_signing_out_needs_the_sessions_csrf_token(browser: TestClient) -> None:
    sign_in(browser, inspector_token())

    response = browser.post("/logout", data={"csrf": "forged"})

    assert response.status_code == 403
    assert browser.get("/").status_code == 200


def test_revoking_the_token_ends_the_sessions_it_signed_in(browser: TestClient) -> None:
    token = inspector_token()
    sign_in(browser, token)

    jti, ended = identity(browser).revoke(token, "cli:admin", "laptop stolen")

    assert ended == 1 and jti
    assert browser.get("/").status_code == 401
    again = sign_in_form(browser, token)
    assert again.status_code == 401
    assert "the token was revoked" in again.text


def test_a_one_time_code_signs_in_once(browser: TestClient) -> None:
    code = identity(browser).issue_code(WREN)

    first = browser.get("/login", params={"code": code, "next": "/ui/flags"})

    assert first.status_code == 303
    assert first.headers["location"] == "/ui/flags"
    assert browser.get("/").status_code == 200
    browser.cookies.clear()
    second = browser.get("/login", params={"code": code})
    assert second.status_code == 401
    assert "has been used or has expired" in second.text
    assert COOKIE not in browser.cookies


def test_an_expired_code_signs_nobody_in(browser: TestClient) -> None:
    code = identity(browser).sign_ins.issue_code(WREN, ttl_seconds=60,
                                                 now=int(time.time()) - 120)

    assert browser.get("/login", params={"code": code}).status_code == 401


@pytest.mark.parametrize("target", ["//elsewhere.invalid/x", "https://elsewhere.invalid/",
                                    "/\\elsewhere.invalid"])
def test_signing_in_never_redirects_to_another_site(browser: TestClient, target: str) -> None:
    response = sign_in_form(browser, inspector_token(), next=target)

    assert response.headers["location"] == "/"
