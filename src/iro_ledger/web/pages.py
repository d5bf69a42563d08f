"""Drawing pages: the Jinja environment, `render`, and `PageRoute`, which turns refusals into
HTML pages (the API answers the same refusals as problem+json).

Every page is sent with a strict Content-Security-Policy (our own stylesheets and scripts
only: GOV.UK Frontend's, served from this machine; nothing inline), `no-store` caching
(pages show children's cases) and no framing.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from iro_ledger.domain.errors import DomainError, InvalidValue
from iro_ledger.reads import NotServed
from iro_ledger.reads.words import RegisterStatus
from iro_ledger.web import present
from iro_ledger.web.error_pages import Explained, refused, sentence, wrong_values
from iro_ledger.web.forms import offered
from iro_ledger.web.refusals import Refusal, refusal_of, retry_headers

COOKIE = "iro_ledger_session"
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; script-src 'self'; "
                               "font-src 'self'; img-src 'self' data:; connect-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
}

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True)
_env.filters.update(label=present.label, flag_title=present.flag_title,
                    event_name=present.event_name, day=present.day,
                    moment=present.moment, shown=present.shown,
                    measure_label=present.measure_label, measure_parts=present.measure_parts,
                    q=lambda text: quote(str(text), safe=""))
_env.globals.update(RegisterStatus=RegisterStatus,  # the words templates compare with
                    recordable=lambda who: {form.slug for form in offered(who)} if who else set())
templates = Jinja2Templates(env=_env)


class SignInNeeded(Exception):
    """No session: the page redirects to the sign-in form."""


class BadToken(Exception):
    """The session cookie names no live session: a 401 page saying why."""


def render(request: Request, template: str, http_status: int = 200,
           **context: Any) -> Response:
    """The template drawn for the signed-in person (if any), with the page headers."""
    base = {"principal": getattr(request.state, "principal", None),
            "csrf": getattr(request.state, "csrf", None),
            "stylesheets": getattr(request.app.state, "web_stylesheets", []),
            "scripts": getattr(request.app.state, "web_scripts", []),
            "path": request.url.path}
    response = templates.TemplateResponse(request, template, {**base, **context},
                                          status_code=http_status)
    response.headers.update(HEADERS)
    return response


def error_page(request: Request, status: int, explained: Explained) -> Response:
    return render(request, "error.html", http_status=status, page=explained)


def no_such_page(request: Request, status: int) -> Response:
    """An address under the dashboard that no page is at (or not by that method)."""
    return error_page(request, status, refused(
        Refusal(status, "http", "Page not found"),
        f"there is no page at {request.url.path}"))


def login_url(request: Request) -> str:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(path, safe='')}"


def _query(request: Request) -> list[tuple[str, str]]:
    return list(request.query_params.multi_items())


def _invalid(error: RequestValidationError) -> list[tuple[str, str]]:
    """(parameter, message) for each value FastAPI refused."""
    found = []
    for problem in error.errors():
        where = [str(p) for p in problem.get("loc", ())[1:]]
        found.append((".".join(where) or "request", str(problem.get("msg", "not valid"))))
    return found or [("request", "the request is not valid")]


def _refusal(request: Request, error: Exception) -> Response:
    if isinstance(error, SignInNeeded):
        return RedirectResponse(login_url(request), status_code=303)
    if isinstance(error, BadToken):
        response = error_page(request, 401, Explained(
            "Please sign in again", [sentence(f"your sign-in was not accepted: {error}"),
                                     "Sign in again with a current token."]))
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
        return response
    if isinstance(error, RequestValidationError):
        return error_page(request, 422, wrong_values(refusal_of(InvalidValue("", "")),
                                                     _invalid(error), _query(request)))
    refusal = refusal_of(error)
    if isinstance(error, InvalidValue):
        message = str(error).removeprefix(f"{error.field}: ")
        explained = wrong_values(refusal, [(error.field, message)], _query(request))
    else:
        explained = refused(refusal, str(error))
    response = error_page(request, refusal.status, explained)
    response.headers.update(retry_headers(error) or {})
    return response


class PageRoute(APIRoute):
    """A route whose refusals are HTML pages with the right status, not problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                response = await handler(request)
            except (SignInNeeded, BadToken, DomainError, NotServed,
                    RequestValidationError) as refused:
                return _refusal(request, refused)
            for name, value in HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return page
