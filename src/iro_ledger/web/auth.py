"""Signing in to the dashboard: a server-side session named by an HttpOnly cookie.

Sign-in is a POST of the sign-in form: the token (the API's, minted by `iro-ledger token`, or
an identity provider's) is checked once by `Identity` and never stored in the browser; the
cookie holds only a random session id. The form carries a CSRF token matched against a
cookie set with the form (and the Origin is checked), so another site cannot sign someone in
as somebody else. A token in a URL (`/login?token=`) signs nobody in: URLs end up in logs and
histories. The demo prints links with one-time codes instead (`/login?code=`, single use,
short-lived). Where identity providers are configured for it, the form also offers "Sign in
with <provider>" (`/login/provider/{n}`: the authorization code flow, `identity.redirect`),
whose answer at `/login/callback` must come back to the browser that began it (a cookie holds
the state). Signing out (a POST carrying the session's CSRF token) deletes the session, so
the cookie no longer works. Cookies are HttpOnly, SameSite=Lax, and Secure unless the site
is on loopback.
"""

from __future__ import annotations

import secrets
import time
from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from iro_ledger.application import Principal
from iro_ledger.domain.errors import NotPermitted
from iro_ledger.identity.service import Identity
from iro_ledger.identity.sessions import Session, same
from iro_ledger.identity.startup import is_loopback
from iro_ledger.identity.tokens import ProviderUnreachable, TokenError
from iro_ledger.web.pages import COOKIE, BadToken, PageRoute, SignInNeeded, render

LOGIN_COOKIE = "iro_ledger_login"
"""Holds the sign-in form's CSRF token until the form is sent."""
FLOW_COOKIE = "iro_ledger_flow"
"""Holds the state of a sign-in by redirect this browser began."""

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _identity(request: Request) -> Identity:
    identity: Identity = request.app.state.services.identity
    return identity


def signed_in(request: Request) -> Principal:
    """The principal of the live session the cookie names."""
    session_id = request.cookies.get(COOKIE)
    if not session_id:
        raise SignInNeeded
    session = _identity(request).sign_ins.session(session_id)
    if session is None:
        raise BadToken("your session has ended (signed out, expired or revoked)")
    request.state.principal = session.principal
    request.state.csrf = session.csrf
    return session.principal


Viewer = Annotated[Principal, Depends(signed_in)]
"""The signed-in person reading a page."""


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _secure(request: Request) -> bool:
    return not is_loopback(request.url.hostname)


def check_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise NotPermitted(f"a form from {origin} may not act on this site")


def _form_page(request: Request, target: str | None, error: str | None = None,
               http_status: int = 200) -> Response:
    """The sign-in form with a fresh CSRF token, also set as a cookie to match on POST."""
    csrf = secrets.token_urlsafe(24)
    response = render(request, "login.html", http_status=http_status, next=safe_next(target),
                      error=error, csrf=csrf, providers=_identity(request).redirect_providers())
    response.set_cookie(LOGIN_COOKIE, csrf, httponly=True, samesite="lax",
                        secure=_secure(request), path="/login", max_age=3600)
    return response


def _session_response(request: Request, cookie: str, session: Session,
                      target: str | None) -> Response:
    response = RedirectResponse(safe_next(target), status_code=303)
    max_age = max(0, session.expires_at - int(time.time()))
    response.set_cookie(COOKIE, cookie, httponly=True, samesite="lax", secure=_secure(request),
                        path="/", max_age=max_age)
    for used in (LOGIN_COOKIE, FLOW_COOKIE):
        response.delete_cookie(used, path="/login", httponly=True, samesite="lax",
                               secure=_secure(request))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None, code: str | None = None,
               token: str | None = None) -> Response:
    if token is not None:
        return _form_page(request, next, http_status=400,
                          error="A token in a link signs nobody in (links end up in logs and "
                                "histories): paste it here instead.")
    if code is not None:
        started = _identity(request).sign_in_with_code(code)
        if started is None:
            return _form_page(request, next, http_status=401,
                              error="That sign-in link has been used or has expired: run the "
                                    "demo again for fresh links, or paste a token.")
        return _session_response(request, *started, next)
    return _form_page(request, next)


@router.get("/login/provider/{number}")
def login_by_redirect(request: Request, number: int, next: str | None = None) -> Response:
    begun = _identity(request).begin_redirect(number, safe_next(next))
    if begun is None:
        return _form_page(request, next, http_status=404,
                          error="There is no such identity provider to sign in with.")
    url, state = begun
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(FLOW_COOKIE, state, httponly=True, samesite="lax",
                        secure=_secure(request), path="/login", max_age=600)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/login/callback")
def login_callback(request: Request, state: str = "", code: str = "",
                   error: str | None = None) -> Response:
    if error is not None:
        return _form_page(request, "/", http_status=401,
                          error=f"The identity provider did not sign you in ({error[:100]}).")
    began = request.cookies.get(FLOW_COOKIE, "")
    if not state or not began or not same(began, state):
        return _form_page(request, "/", http_status=403,
                          error="That sign-in was not begun in this browser: please start "
                                "again.")
    try:
        cookie, session, target = _identity(request).finish_redirect(code, state)
    except ProviderUnreachable as down:
        return _form_page(request, "/", http_status=503,
                          error=f"Your identity provider could not be reached ({down}). "
                                "Please try signing in again in a minute.")
    except TokenError as bad:
        return _form_page(request, "/", http_status=401,
                          error=f"The identity provider's answer was not accepted: {bad}.")
    return _session_response(request, cookie, session, target)


@router.post("/login")
async def login_submit(request: Request) -> Response:
    check_origin(request)
    form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    token = form.get("token", [""])[0]
    target = form.get("next", ["/"])[0]
    expected = request.cookies.get(LOGIN_COOKIE, "")
    offered = form.get("csrf", [""])[0]
    if not expected or not offered or not same(expected, offered):
        return _form_page(request, target, http_status=403,
                          error="The sign-in form had expired or came from elsewhere: "
                                "please try again.")
    if not token.strip():
        return _form_page(request, target, http_status=401, error="Paste a token to sign in.")
    try:
        started = _identity(request).sign_in(token)
    except ProviderUnreachable as down:
        return _form_page(request, target, http_status=503,
                          error=f"Your identity provider could not be reached to check that "
                                f"token ({down}). Please try again in a minute.")
    except TokenError as bad:
        return _form_page(request, target, http_status=401,
                          error=f"That token was not accepted: {bad}.")
    return _session_response(request, *started, target)


@router.post("/logout")
async def logout(request: Request) -> Response:
    check_origin(request)
    session_id = request.cookies.get(COOKIE)
    if session_id:
        session = _identity(request).sign_ins.session(session_id)
        form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
        offered = form.get("csrf", [""])[0]
        if session is not None and not same(session.csrf, offered):
            raise NotPermitted("signing out needs the form from this site's own pages")
        _identity(request).sign_ins.end(session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax",
                           secure=_secure(request))
    return response
