"""Every refusal as an RFC 9457 problem+json body, so clients handle one error shape.

Invalid input is 422 naming the field (400 when the body is not JSON at all), a broken rule of
the record 409 with the reason, an unknown record 404, a forbidden act 403, a missing or bad
token 401. Unexpected failures are 500 without internals; they are logged. An address under
the dashboard's `/ui/` that nothing serves is answered as the dashboard's own pages are: HTML.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from iro_ledger.api.schemas import PROBLEM_MEDIA_TYPE, FieldError, Problem
from iro_ledger.domain.errors import DomainError, InvalidValue
from iro_ledger.reads import NotServed
from iro_ledger.web.pages import no_such_page
from iro_ledger.web.refusals import refusal_of, retry_headers

PROBLEM_BASE = "https://iro-ledger.invalid/problems/"
_log = logging.getLogger(__name__)


class Unauthorized(Exception):
    """No usable bearer token: answered 401 with `WWW-Authenticate: Bearer`."""


class NotReady(Exception):
    """The store, or an identity provider's keys, cannot be reached: answered 503 with
    `Retry-After`, since trying again shortly is the fix."""


DASHBOARD = "/ui/"
"""Where the dashboard's pages are: an address there that no route serves is an HTML page."""
RETRY_NOT_READY_SECONDS = 5
"""What a 503's `Retry-After` asks a client to wait."""


def problem(request: Request, status: int, kind: str, detail: str,
            errors: list[FieldError] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem+json response; `kind` names the problem type under PROBLEM_BASE."""
    body = Problem(type=PROBLEM_BASE + kind, title=HTTPStatus(status).phrase, status=status,
                   detail=detail, instance=request.url.path, errors=errors)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status,
                        media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def field_name(loc: Sequence[int | str]) -> str:
    """The dotted field a validation error is about, without FastAPI's `body`/`path` prefix."""
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in ("body", "path", "query", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts)


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw: Sequence[Any] = exc.errors()
    if any(e.get("type") == "json_invalid" for e in raw):
        first = next(e for e in raw if e.get("type") == "json_invalid")
        reason = first.get("ctx", {}).get("error", "invalid JSON")
        return problem(request, 400, "malformed-json", f"the body is not valid JSON: {reason}")
    errors = [FieldError(field=field_name(e.get("loc", ())), message=str(e.get("msg", "")))
              for e in raw]
    detail = (f"{errors[0].field}: {errors[0].message}" if errors else "invalid request")
    return problem(request, 422, "invalid-input", detail, errors)


def _domain(request: Request, exc: Exception) -> JSONResponse:
    refusal = refusal_of(exc)
    if isinstance(exc, InvalidValue):
        message = str(exc).removeprefix(f"{exc.field}: ")
        return problem(request, refusal.status, refusal.kind, str(exc),
                       [FieldError(field=exc.field, message=message)])
    return problem(request, refusal.status, refusal.kind, str(exc),
                   headers=retry_headers(exc))


def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if request.url.path.startswith(DASHBOARD) and exc.status_code in (404, 405):
        return no_such_page(request, exc.status_code)  # a person's browser: a page, not JSON
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no such resource: {request.method} {request.url.path}"
    return problem(request, exc.status_code, f"http-{exc.status_code}", detail,
                   headers=dict(exc.headers) if exc.headers else None)


def _unauthorized(request: Request, exc: Exception) -> JSONResponse:
    return problem(request, 401, "unauthorized", str(exc),
                   headers={"WWW-Authenticate": "Bearer"})


def _not_ready(request: Request, exc: Exception) -> JSONResponse:
    return problem(request, 503, "not-ready", str(exc),
                   headers={"Retry-After": str(RETRY_NOT_READY_SECONDS)})


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    _log.exception("unexpected failure on %s %s", request.method, request.url.path)
    return problem(request, 500, "internal", "the server failed unexpectedly; see its log")


def document_problems(app: FastAPI) -> None:
    """Make OpenAPI say what the handlers send: 4xx and 5xx bodies are problem+json."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status)[:1] in "45" and "application/json" in content:
                        content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(NotServed, _domain)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Unauthorized, _unauthorized)
    app.add_exception_handler(NotReady, _not_ready)
    app.add_exception_handler(Exception, _unexpected)
    document_problems(app)
