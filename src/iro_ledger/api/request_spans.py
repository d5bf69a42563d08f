"""The request span: one SERVER span per HTTP request, named by its route's template.

A pure ASGI middleware in place of OpenTelemetry's FastAPI instrumentation, which matched each
request's address against every route (twice, with the redaction hook), gathered a dozen
attributes and wrapped `send` and `receive` whether or not anything recorded the span: a
tenth of the server's CPU per command. Here, while the process has no tracer provider (the
default: `IRO_LEDGER_OTEL_EXPORTER=none` and nothing installed one), a request costs one
check; a span nobody records costs a context; a recorded one gets the attributes the
instrumentation gave (the older HTTP semantic conventions), with the address redacted from
the start (`api.redaction`). A `traceparent` (or whatever `OTEL_PROPAGATORS` names) in the
request continues its trace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.propagate import extract
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import (
    NoOpTracerProvider,
    ProxyTracerProvider,
    Span,
    SpanKind,
    Status,
    StatusCode,
    Tracer,
)
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from iro_ledger.api.redaction import UNMATCHED, host_of, redacted_target, route_templates


class _HeaderGetter(Getter[Scope]):
    """Reads a propagator's headers straight from the ASGI scope's header list."""

    def get(self, carrier: Scope, key: str) -> list[str] | None:
        wanted = key.lower().encode("latin-1")
        found = [bytes(value).decode("latin-1") for name, value in carrier.get("headers", [])
                 if name == wanted]
        return found or None

    def keys(self, carrier: Scope) -> list[str]:
        return [bytes(name).decode("latin-1") for name, _ in carrier.get("headers", [])]


_HEADERS = _HeaderGetter()
_SILENT = (ProxyTracerProvider, NoOpTracerProvider)
"""What the process's global provider is until something installs a real one."""


class RequestSpans:
    """ASGI middleware: a SERVER span around each HTTP request, current while it is served
    (so `ledger.execute` is its child); a failure escaping the app is recorded on it as 500.
    `global_provider`: the tracer comes from the process's global provider, which may be
    installed after the app is built, so whether it records is asked per request."""

    def __init__(self, app: ASGIApp, tracer: Tracer, routes: Sequence[BaseRoute],
                 global_provider: bool = True) -> None:
        self.app = app
        self.tracer = tracer
        self.routes = routes
        self.global_provider = global_provider
        self.template: Callable[[str, str], str] = route_templates(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (
                self.global_provider and isinstance(trace.get_tracer_provider(), _SILENT)):
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", "HTTP"))
        with self.tracer.start_as_current_span(
                method, context=extract(scope, getter=_HEADERS), kind=SpanKind.SERVER,
                record_exception=False, set_status_on_exception=False) as span:
            if not span.is_recording():
                await self.app(scope, receive, send)
                return
            answered: list[int] = []

            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start":
                    answered.append(int(message["status"]))
                await send(message)

            try:
                await self.app(scope, receive, sending)
            except Exception as failure:
                answered.append(500)  # ServerErrorMiddleware, outside, answers it
                span.record_exception(failure)
                span.set_status(Status(StatusCode.ERROR, f"{type(failure).__name__}: "
                                                         f"{failure}"))
                raise
            finally:
                self._describe(span, scope, method, answered[0] if answered else None)

    def _describe(self, span: Span, scope: Scope, method: str, status: int | None) -> None:
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        target = redacted_target(self.routes, method,
                                 str(scope.get("path", "")) + (f"?{query}" if query else ""),
                                 template=self.template)
        route = target.partition("?")[0]
        if route != UNMATCHED:
            span.update_name(f"{method} {route}")
        span.set_attributes(_attributes(scope, method, route, target, status))
        if status is not None and status >= 500:
            span.set_status(Status(StatusCode.ERROR))


def _attributes(scope: Scope, method: str, route: str, target: str,
                status: int | None) -> dict[str, Any]:
    scheme = str(scope.get("scheme", "http"))
    host = host_of(scope)
    attributes: dict[str, Any] = {"http.scheme": scheme, "http.method": method,
                                  "http.flavor": str(scope.get("http_version", "")),
                                  "http.server_name": host.rsplit(":", 1)[0]
                                  if host.rsplit(":", 1)[-1].isdigit() else host,
                                  "http.target": target,
                                  "http.url": f"{scheme}://{host}{target}"}
    if route != UNMATCHED:
        attributes["http.route"] = route
    if server := scope.get("server"):
        attributes["http.host"] = f"{server[0]}:{server[1]}"
        attributes["net.host.port"] = int(server[1])
    if client := scope.get("client"):
        attributes["net.peer.ip"] = str(client[0])
        attributes["net.peer.port"] = int(client[1])
    for name, value in scope.get("headers", []):
        if name == b"user-agent":
            attributes["http.user_agent"] = bytes(value).decode("latin-1")
    if status is not None:
        attributes["http.status_code"] = status
    return attributes
