"""Signing in to the dashboard: a bearer token kept in an HttpOnly, SameSite=Strict cookie.

The token is the API's (minted by `iro-ledger token` or printed by `iro-ledger demo`); it is
checked with `tokens.decode_token` on every page, so an expired token signs the person out.
`GET /login?token=...` serves the demo's printed links and then redirects, so the token does
not stay in the address bar; POSTs must come from this site's own pages (Origin check).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from iro_ledger.application import Principal
from iro_ledger.domain.errors import NotPermitted
from iro_ledger.identity.service import Identity
from iro_ledger.identity.tokens import TokenError
from iro_ledger.web.pages import COOKIE, BadToken, PageRoute, SignInNeeded, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _principal(request: Request, token: str) -> Principal:
    identity: Identity = request.app.state.services.identity
    try:
        return identity.verify(token).principal
    except TokenError as bad:
        raise BadToken(str(bad)) from None


def signed_in(request: Request) -> Principal:
    """The principal whose token the session cookie holds."""
    token = request.cookies.get(COOKIE)
    if not token:
        raise SignInNeeded
    principal = _principal(request, token)
    request.state.principal = principal
    return principal


Viewer = Annotated[Principal, Depends(signed_in)]
"""The signed-in person reading a page."""


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _check_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise NotPermitted(f"a form from {origin} may not act on this site")


def _signed_in_response(request: Request, token: str, target: str | None) -> Response:
    try:
        _principal(request, token)
    except BadToken as bad:
        return render(request, "login.html", http_status=401, next=safe_next(target),
                      error=f"That token was not accepted: {bad}.")
    response = RedirectResponse(safe_next(target), status_code=303)
    response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/login")
def login_form(request: Request, token: str | None = None, next: str | None = None) -> Response:
    if token:
        return _signed_in_response(request, token, next)
    return render(request, "login.html", next=safe_next(next), error=None)


@router.post("/login")
async def login_submit(request: Request) -> Response:
    _check_origin(request)
    form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    token = form.get("token", [""])[0]
    target = form.get("next", ["/"])[0]
    if not token.strip():
        return render(request, "login.html", http_status=401, next=safe_next(target),
                      error="Paste a token to sign in.")
    return _signed_in_response(request, token, target)


@router.post("/logout")
def logout(request: Request) -> Response:
    _check_origin(request)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response
